/**
 * A page like the ones the extension will render around the 3D viewer (the same strict CSP with a nonce, the built
 * dist/viewer.js and media/viewer.css, theme variables as VS Code injects them), served from a local HTTP server
 * and opened in Debian's chromium through playwright-core, WebGL drawn in software (SwiftShader). A small stand-in
 * for the extension host on the page records what the viewer posts and can answer "ready" with a model.
 * Shared by viewer.test.ts and viewerBench.ts.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import type { FromViewerMessage, ModelFormat } from '../../src/shared/viewerMessages';
import { DEBIAN_CHROMIUM, findBrowser, SWIFTSHADER_FLAGS } from '../host/browser';
import { loadPlaywright, REPO_ROOT } from '../host/harness';

// playwright-core is loaded from .tools at run time and typed loosely, as in the real-host harness.
export type Browser = any;
export type Page = any;

export const VIEWER_BUNDLE = path.join(REPO_ROOT, 'dist', 'viewer.js');
const VIEWER_CSS = path.join(REPO_ROOT, 'media', 'viewer.css');
const CHROMIUM = findBrowser()?.executable ?? DEBIAN_CHROMIUM;

/** Builds dist/ (every bundle, as packaging does: scripts/build.mjs, about a second) from the current sources. */
export function buildViewer(): void {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`building the bundles failed:\n${result.stdout}\n${result.stderr}`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...SWIFTSHADER_FLAGS],
    timeout: 60_000,
  });
}

export type ThemeClass = 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast';

/** The editor backgrounds the test theme gives each body class (as VS Code's Dark Modern, Light Modern, HC). */
export const THEME_BACKGROUNDS: Readonly<Record<ThemeClass, [number, number, number]>> = {
  'vscode-dark': [31, 31, 31],
  'vscode-light': [255, 255, 255],
  'vscode-high-contrast': [0, 0, 0],
};

const THEME_CSS = `
body.vscode-dark { --vscode-editor-background: #1f1f1f; --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-focusBorder: #0078d4; --vscode-editorIndentGuide-background1: #404040;
  --vscode-editorIndentGuide-activeBackground1: #707070; --vscode-errorForeground: #f85149; color-scheme: dark; }
body.vscode-light { --vscode-editor-background: #ffffff; --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #717171;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #e5e5e5;
  --vscode-button-secondaryForeground: #3b3b3b; --vscode-focusBorder: #005fb8; --vscode-editorIndentGuide-background1: #d3d3d3;
  --vscode-editorIndentGuide-activeBackground1: #939393; --vscode-errorForeground: #f85149; color-scheme: light; }
body.vscode-high-contrast { --vscode-editor-background: #000000; --vscode-foreground: #ffffff; --vscode-contrastBorder: #6fc3df;
  --vscode-contrastActiveBorder: #f38518; --vscode-button-background: #000000; --vscode-button-foreground: #ffffff; }
body { margin: 0; padding: 8px; font-family: sans-serif; font-size: 13px; color: var(--vscode-foreground); background: var(--vscode-editor-background); }
`;

/** The stand-in for the extension host: records messages and CSP violations; answers "ready" with #auto-load. */
const FAKE_HOST_JS = `(() => {
  const messages = [];
  const violations = [];
  const state = { messages, violations, apisAcquired: 0, receivedAt: [] };
  window.__viewerTest = state;
  document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective + ' ' + event.blockedURI));
  const autoLoad = () => {
    const data = document.getElementById('auto-load');
    if (!data) return;
    const spec = JSON.parse(data.textContent);
    const binary = atob(spec.base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    window.postMessage({ type: 'load', format: spec.format, name: spec.name, bytes: bytes.buffer }, '*', [bytes.buffer]);
  };
  const receive = (message) => {
    messages.push(message);
    state.receivedAt.push([message && message.type, Math.round(performance.now())]);
    if (message && message.type === 'ready') autoLoad();
  };
  window.acquireVsCodeApi = () => {
    state.apisAcquired++;
    return { postMessage: receive, getState: () => undefined, setState: () => undefined };
  };
})();`;

export interface PageOptions {
  /** connect-src: 'none' (the panel's today: models by postMessage) or the server's origin (a .gltf's files). */
  readonly connect?: 'none' | 'origin';
  readonly theme?: ThemeClass;
  /** data-host: 'vscode' the model editor's page (the viewer alone), 'page' a result panel's (the panel's script too). */
  readonly host?: 'vscode' | 'page';
  /** A model the stand-in host sends as soon as the viewer says "ready" (the panel's flow). */
  readonly autoLoad?: { readonly format: ModelFormat; readonly name: string; readonly bytes: Uint8Array };
  readonly texts?: Record<string, string>;
}

export interface ViewerServer {
  readonly origin: string;
  /** Serves `body` at `/files/<name>` (for loads by URI and a .gltf's .bin). */
  addFile(name: string, body: Uint8Array | string, type?: string): string;
  /** A new page with these options; returns its URL. */
  addPage(options?: PageOptions): string;
  close(): Promise<void>;
}

export async function startViewerServer(): Promise<ViewerServer> {
  const routes = new Map<string, { type: string; body: Uint8Array | string | (() => Uint8Array | string) }>();
  routes.set('/viewer.js', { type: 'text/javascript', body: () => fs.readFileSync(VIEWER_BUNDLE) });
  routes.set('/viewer.css', { type: 'text/css', body: () => fs.readFileSync(VIEWER_CSS) });
  routes.set('/theme.css', { type: 'text/css', body: THEME_CSS });
  routes.set('/host.js', { type: 'text/javascript', body: FAKE_HOST_JS });
  const server = http.createServer((request, response) => {
    const route = routes.get((request.url ?? '/').split('?')[0]);
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = typeof route.body === 'function' ? route.body() : route.body;
    response.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let pages = 0;
  return {
    origin,
    addFile(name, body, type = 'application/octet-stream') {
      routes.set(`/files/${name}`, { type, body });
      return `${origin}/files/${name}`;
    },
    addPage(options = {}) {
      const route = `/page-${++pages}.html`;
      routes.set(route, { type: 'text/html; charset=utf-8', body: pageHtml(origin, options) });
      return `${origin}${route}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function pageHtml(origin: string, options: PageOptions): string {
  const nonce = randomBytes(16).toString('base64');
  const connect = options.connect === 'origin' ? origin : "'none'";
  const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const autoLoad = options.autoLoad
    ? `<script type="application/json" id="auto-load">${JSON.stringify({
        format: options.autoLoad.format,
        name: options.autoLoad.name,
        base64: Buffer.from(options.autoLoad.bytes).toString('base64'),
      })}</script>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin}; img-src ${origin} blob: data:; connect-src ${connect}; form-action 'none';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${origin}/theme.css">
<link rel="stylesheet" href="${origin}/viewer.css">
<title>viewer test</title>
</head>
<body class="${options.theme ?? 'vscode-dark'}">
<div id="model-viewer" data-host="${options.host ?? 'vscode'}" data-texts="${attribute(JSON.stringify(options.texts ?? {}))}"><p>3D view</p></div>
${autoLoad}
<script nonce="${nonce}" src="${origin}/host.js"></script>
<script nonce="${nonce}" src="${origin}/viewer.js"></script>
</body>
</html>`;
}

/** What the viewer posted to the (stand-in) host so far. */
export async function hostMessages(page: Page): Promise<FromViewerMessage[]> {
  return page.evaluate(() => (globalThis as any).__viewerTest.messages);
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as any).__viewerTest.violations);
}

/** Sends a model to the viewer as the extension host would: its bytes, transferred. */
export async function sendModel(page: Page, format: ModelFormat, name: string, bytes: Uint8Array, baseUri?: string): Promise<void> {
  await page.evaluate(
    ({ format, name, base64, baseUri }: { format: string; name: string; base64: string; baseUri?: string }) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
      (globalThis as any).postMessage({ type: 'load', format, name, bytes: data.buffer, ...(baseUri ? { baseUri } : {}) }, '*', [data.buffer]);
    },
    { format, name, base64: Buffer.from(bytes).toString('base64'), baseUri },
  );
}

/** Waits until the viewer answered the latest load with `loaded` or `error`, and returns that message. */
export async function waitForOutcome(page: Page, afterCount: number, timeoutMs = 30_000): Promise<FromViewerMessage> {
  const handle = await page.waitForFunction(
    (count: number) => {
      const outcomes = (globalThis as any).__viewerTest.messages.filter((m: { type: string }) => m.type === 'loaded' || m.type === 'error');
      return outcomes.length > count ? outcomes[outcomes.length - 1] : undefined;
    },
    afterCount,
    { timeout: timeoutMs, polling: 50 },
  );
  return handle.jsonValue();
}

export async function outcomeCount(page: Page): Promise<number> {
  return (await hostMessages(page)).filter((message) => message.type === 'loaded' || message.type === 'error').length;
}

export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** What the canvas shows now, as a person would see it (a screenshot of the element, not a buffer readback). */
export async function canvasPixels(page: Page): Promise<Pixels> {
  const png = PNG.sync.read(await page.locator('#model-viewer canvas').screenshot({ animations: 'allow' }));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/** The share of pixels that differ from `colour` by more than `tolerance` in some channel. */
export function shareUnlike(pixels: Pixels, colour: readonly [number, number, number], tolerance = 12): number {
  let unlike = 0;
  for (let i = 0; i < pixels.data.length; i += 4) {
    if (Math.abs(pixels.data[i] - colour[0]) > tolerance || Math.abs(pixels.data[i + 1] - colour[1]) > tolerance || Math.abs(pixels.data[i + 2] - colour[2]) > tolerance) {
      unlike++;
    }
  }
  return unlike / (pixels.width * pixels.height);
}

/** The share of pixels that differ between two pictures of the same size (by more than `tolerance`). */
export function shareChanged(a: Pixels, b: Pixels, tolerance = 8): number {
  if (a.width !== b.width || a.height !== b.height) {
    return 1;
  }
  let changed = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs(a.data[i] - b.data[i]) > tolerance || Math.abs(a.data[i + 1] - b.data[i + 1]) > tolerance || Math.abs(a.data[i + 2] - b.data[i + 2]) > tolerance) {
      changed++;
    }
  }
  return changed / (a.width * a.height);
}

/** The colour of the picture's top-left corner (where the model never is: the background the viewer cleared to). */
export function cornerColour(pixels: Pixels): [number, number, number] {
  const at = (x: number, y: number) => {
    const i = (y * pixels.width + x) * 4;
    return [pixels.data[i], pixels.data[i + 1], pixels.data[i + 2]] as [number, number, number];
  };
  return at(2, 2);
}
