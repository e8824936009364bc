/**
 * The 3D viewer (dist/viewer.js, built from the sources first) in a real browser: headless chromium with WebGL in
 * software (SwiftShader), on a page with the strict CSP the extension will use. Asserts what a person would see: the
 * model drawn (the canvas is not all background), the info line, the view answering Reset, the keyboard and the
 * mouse, auto-rotate and reduced motion, theme changes, and clear messages for files that are not models — with no
 * CSP violation on the way.
 *
 * Needs playwright-core (MULTIVIEW_TOOLS_DIR=/work/main/.tools, or .tools from test/host/install-tools.sh) and
 * /usr/bin/chromium. Run: npm run compile-tests && node --test out/test/viewer/
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_VIEWER_TEXTS, fillTemplate } from '../../src/shared/viewerMessages';
import {
  glbContainer,
  lathedVase,
  meshBounds,
  triangleCount,
  utf8,
  vertexCount,
  writeGlb,
  writeGltfEmbedded,
  writeGltfWithBin,
  writeObj,
  writePlyAscii,
  writePlyBinary,
  writeStlAscii,
  writeStlBinary,
  zUp,
} from '../support/modelFixtures';
import {
  type Browser,
  buildViewer,
  canvasPixels,
  cornerColour,
  cspViolations,
  hostMessages,
  launchBrowser,
  outcomeCount,
  type Page,
  type PageOptions,
  type Pixels,
  sendModel,
  shareChanged,
  shareUnlike,
  startViewerServer,
  THEME_BACKGROUNDS,
  type ViewerServer,
  waitForOutcome,
} from './viewerPage';

const vase = lathedVase();
const TRIANGLES = triangleCount(vase);
const VERTICES = vertexCount(vase);
const bounds = meshBounds(vase);
const WIDTH = bounds.max[0] - bounds.min[0];
const HEIGHT = bounds.max[1] - bounds.min[1];
const DEPTH = bounds.max[2] - bounds.min[2];
const DARK = THEME_BACKGROUNDS['vscode-dark'];
const HTML_PAGE = utf8('<!DOCTYPE html>\n<html><head><title>Link expired</title></head><body><h1>403 Forbidden</h1></body></html>\n');

interface Opened {
  readonly page: Page;
  /** Page errors and console errors, as a person with the developer tools open would see them. */
  readonly errors: string[];
}

describe('3D viewer in headless chromium (WebGL on SwiftShader)', () => {
  let server: ViewerServer;
  let browser: Browser;

  before(async () => {
    buildViewer();
    server = await startViewerServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /**
   * Runs `check` on a new page (own browser context) with the viewer, once it said "ready", and closes the page
   * afterwards. Reduced motion unless `motion` says otherwise; `init` runs before the page's own scripts.
   */
  async function withViewer(setup: { page?: PageOptions; motion?: 'reduce' | 'no-preference'; init?: string }, check: (opened: Opened) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 800, height: 640 }, deviceScaleFactor: 1, reducedMotion: setup.motion ?? 'reduce' });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error: Error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message: { type(): string; text(): string }) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
      if (setup.init) {
        await page.addInitScript(setup.init);
      }
      await page.goto(server.addPage(setup.page));
      await page.waitForFunction(() => (globalThis as any).__viewerTest.messages.some((m: { type: string }) => m.type === 'ready'), undefined, { timeout: 30_000 });
      await check({ page, errors });
    } finally {
      await context.close();
    }
  }

  /** Sends the model and waits for the viewer's answer and a drawn frame. */
  async function show(page: Page, format: Parameters<typeof sendModel>[1], name: string, bytes: Uint8Array, baseUri?: string) {
    const before = await outcomeCount(page);
    await sendModel(page, format, name, bytes, baseUri);
    const outcome = await waitForOutcome(page, before);
    await settle(page);
    return outcome;
  }

  async function assertCleanPage(opened: Opened): Promise<void> {
    assert.deepEqual(await cspViolations(opened.page), [], 'no Content-Security-Policy violation');
    assert.deepEqual(opened.errors, [], 'no page or console errors');
  }

  test('a textured GLB sent as bytes is drawn, framed and described, under connect-src none', async () => {
    await withViewer({}, async (opened) => {
      const { page } = opened;
      const outcome = await show(page, 'glb', 'vase.glb', writeGlb(vase, { texture: true }));
      assert.equal(outcome.type, 'loaded');
      if (outcome.type !== 'loaded') return;
      assert.equal(outcome.format, 'glb');
      assert.equal(outcome.triangles, TRIANGLES);
      assert.equal(outcome.vertices, VERTICES);
      assertClose(outcome.size.x, WIDTH, 'width');
      assertClose(outcome.size.y, HEIGHT, 'height');
      assertClose(outcome.size.z, DEPTH, 'depth');

      const info = await page.locator('.model-viewer-info').textContent();
      assert.equal(info, `${round3(WIDTH)} × ${round3(HEIGHT)} × ${round3(DEPTH)} units · 4,160 triangles · ${VERTICES.toLocaleString('en')} vertices · GLB`);

      const pixels = await canvasPixels(page);
      assert.deepEqual(near(cornerColour(pixels), DARK), true, `the background is the editor's (${cornerColour(pixels)})`);
      const covered = shareUnlike(pixels, DARK);
      assert.ok(covered > 0.05 && covered < 0.6, `the vase covers part of the view, framed (${(covered * 100).toFixed(1)} % of pixels)`);
      // The checker texture reached the GPU (through a blob: URL the CSP allows for images only).
      assert.ok(countPixels(pixels, ([r, g, b]) => r > 120 && r - g > 50 && r - b > 60) > 500, 'terracotta squares are visible');
      assert.ok(countPixels(pixels, ([r, g, b]) => r > 170 && g > 160 && b > 130) > 500, 'cream squares are visible');
      assert.equal(await page.locator('[data-viewer-action="auto-rotate"]').getAttribute('aria-pressed'), 'false', 'reduced motion: auto-rotate is off');
      assert.equal(await page.locator('.model-viewer-stage').getAttribute('aria-label'), fillTemplate(DEFAULT_VIEWER_TEXTS.stageLabel, 'vase.glb'));
      await assertCleanPage(opened);
    });
  });

  test('keys, the mouse and Reset View move the view; Reset and Home bring the framed view back', async () => {
    await withViewer({}, async (opened) => {
      const { page } = opened;
      await show(page, 'glb', 'vase.glb', writeGlb(vase, { texture: true }));
      const home = await canvasPixels(page);
      const stage = page.locator('.model-viewer-stage');
      await stage.focus();

      const afterKey = async (key: string) => {
        await page.keyboard.press(key);
        await settle(page);
        return canvasPixels(page);
      };
      const turned = await afterKey('ArrowRight');
      assertChanged(home, turned, 'ArrowRight orbits');
      const tipped = await afterKey('ArrowUp');
      assertChanged(turned, tipped, 'ArrowUp orbits');
      const panned = await afterKey('Shift+ArrowLeft');
      assertChanged(tipped, panned, 'Shift+ArrowLeft pans');
      const zoomed = await afterKey('+');
      assertChanged(panned, zoomed, '+ zooms in');
      const unzoomed = await afterKey('-');
      assertChanged(zoomed, unzoomed, '- zooms out');
      assertSame(home, await afterKey('r'), 'R resets the view');

      await afterKey('ArrowLeft');
      assertSame(home, await afterKey('Home'), 'Home resets the view');

      const box = await page.locator('#model-viewer canvas').boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 30, { steps: 6 });
      await page.mouse.up();
      await settle(page);
      const dragged = await canvasPixels(page);
      assertChanged(home, dragged, 'dragging orbits');
      await page.locator('[data-viewer-action="reset"]').click();
      await settle(page);
      assertSame(home, await canvasPixels(page), 'Reset View resets the view');
      await assertCleanPage(opened);
    });
  });

  test('auto-rotate is on by default and turns the model; Space turns it off and the view stays still', async () => {
    await withViewer({ motion: 'no-preference' }, async (opened) => {
      const { page } = opened;
      await show(page, 'glb', 'vase.glb', writeGlb(vase, { texture: true }));
      const toggle = page.locator('[data-viewer-action="auto-rotate"]');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      const first = await canvasPixels(page);
      let moved = false;
      for (let attempt = 0; attempt < 40 && !moved; attempt++) {
        await page.waitForTimeout(250);
        moved = shareChanged(first, await canvasPixels(page)) > 0.005;
      }
      assert.ok(moved, 'the model turns by itself');

      await page.locator('.model-viewer-stage').focus();
      await page.keyboard.press('Space');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false', 'Space turned auto-rotate off');
      await settle(page);
      const stopped = await canvasPixels(page);
      await page.waitForTimeout(600);
      assertSame(stopped, await canvasPixels(page), 'the view stays still');
      await assertCleanPage(opened);
    });
  });

  test('reduced motion: auto-rotate stays off, nothing moves by itself, and an idle view draws no frames', async () => {
    const countFrames = `(() => {
      const request = window.requestAnimationFrame.bind(window);
      window.__framesAsked = 0;
      window.requestAnimationFrame = (callback) => { window.__framesAsked++; return request(callback); };
    })();`;
    await withViewer({ motion: 'reduce', init: countFrames }, async (opened) => {
      const { page } = opened;
      await show(page, 'glb', 'vase.glb', writeGlb(vase));
      assert.equal(await page.locator('[data-viewer-action="auto-rotate"]').getAttribute('aria-pressed'), 'false');
      const first = await canvasPixels(page);
      const framesBefore: number = await page.evaluate(() => (globalThis as any).__framesAsked);
      assert.ok(framesBefore > 0, 'the counter sees the viewer’s frames');
      await page.waitForTimeout(800);
      assert.equal(await page.evaluate(() => (globalThis as any).__framesAsked), framesBefore, 'no frame was drawn while idle');
      assertSame(first, await canvasPixels(page), 'the view does not move');
      await assertCleanPage(opened);
    });
  });

  test('a binary STL written Z-up stands upright (Z Up on), and the toggle lays it down', async () => {
    await withViewer({}, async (opened) => {
      const { page } = opened;
      const outcome = await show(page, 'stl', 'vase.stl', writeStlBinary(zUp(vase)));
      assert.equal(outcome.type, 'loaded');
      if (outcome.type !== 'loaded') return;
      assert.equal(outcome.triangles, TRIANGLES);
      assertClose(outcome.size.y, HEIGHT, 'the height is the vertical extent');
      const toggle = page.locator('[data-viewer-action="z-up"]');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      assert.ok(shareUnlike(await canvasPixels(page), DARK) > 0.05, 'the vase is drawn');
      assert.match(await page.locator('.model-viewer-info').textContent(), new RegExp(`^${round3(WIDTH)} × ${round3(HEIGHT)} × `));

      await toggle.click();
      await settle(page);
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      assert.match(await page.locator('.model-viewer-info').textContent(), new RegExp(` × ${round3(HEIGHT)} units`), 'lying down, the height is the depth');
      await assertCleanPage(opened);
    });
  });

  test('OBJ, ASCII STL, PLY (binary, ASCII, point cloud) and an embedded .gltf are drawn and counted', async () => {
    await withViewer({}, async (opened) => {
      const { page } = opened;
      const cases = [
        { format: 'obj', name: 'vase.obj', bytes: utf8(writeObj(vase)), triangles: TRIANGLES },
        { format: 'stl', name: 'vase-ascii.stl', bytes: utf8(writeStlAscii(zUp(vase))), triangles: TRIANGLES },
        { format: 'ply', name: 'vase.ply', bytes: writePlyBinary(vase), triangles: TRIANGLES },
        { format: 'ply', name: 'vase-ascii.ply', bytes: utf8(writePlyAscii(vase)), triangles: TRIANGLES },
        { format: 'ply', name: 'scan.ply', bytes: writePlyBinary(vase, { faces: false }), triangles: 0 },
        { format: 'gltf', name: 'vase.gltf', bytes: utf8(writeGltfEmbedded(vase)), triangles: TRIANGLES },
      ] as const;
      for (const model of cases) {
        const outcome = await show(page, model.format, model.name, model.bytes);
        assert.equal(outcome.type, 'loaded', `${model.name}: ${JSON.stringify(outcome)}`);
        if (outcome.type !== 'loaded') return;
        assert.equal(outcome.triangles, model.triangles, `${model.name}: triangles`);
        assertClose(outcome.size.y, HEIGHT, `${model.name}: upright`);
        assert.ok(shareUnlike(await canvasPixels(page), DARK) > (model.triangles ? 0.05 : 0.01), `${model.name} is drawn`);
        const info = await page.locator('.model-viewer-info').textContent();
        assert.match(info, model.triangles ? /4,160 triangles/ : new RegExp(`${VERTICES.toLocaleString('en')} points`), `${model.name}: ${info}`);
      }
      await assertCleanPage(opened);
    });
  });

  test('a .gltf with its .bin beside it, by URI: read under the folder only', async () => {
    await withViewer({ page: { connect: 'origin' } }, async (opened) => {
      const { page } = opened;
      const { gltf, bin } = writeGltfWithBin(vase, 'vase-data.bin', { texture: true });
      const uri = server.addFile('vase.gltf', gltf, 'model/gltf+json');
      server.addFile('vase-data.bin', bin);
      let before = await outcomeCount(page);
      await page.evaluate((message: unknown) => (globalThis as any).postMessage(message, '*'), { type: 'load', format: 'gltf', name: 'vase.gltf', uri });
      const outcome = await waitForOutcome(page, before);
      assert.equal(outcome.type, 'loaded', JSON.stringify(outcome));
      await settle(page);
      assert.ok(shareUnlike(await canvasPixels(page), DARK) > 0.05, 'the vase is drawn');
      await assertCleanPage(opened);

      // The same .gltf sent as bytes without a folder: its .bin cannot be read, and the viewer says so.
      const missing = await show(page, 'gltf', 'vase.gltf', utf8(gltf));
      assert.deepEqual([missing.type, missing.type === 'error' && missing.reason], ['error', 'resource-unavailable']);
      assert.equal(await page.locator('.model-viewer-status').textContent(), fillTemplate(DEFAULT_VIEWER_TEXTS.errorResourceUnavailable, 'vase.gltf', 'glTF'));

      // A .bin outside the given folder is refused before any request.
      before = await outcomeCount(page);
      const escaping = await show(page, 'gltf', 'escape.gltf', utf8(writeGltfWithBin(vase, '../vase-data.bin').gltf), `${server.origin}/files/sub/`);
      assert.deepEqual([escaping.type, escaping.type === 'error' && escaping.reason], ['error', 'resource-unavailable']);
    });
  });

  test('a file that is not a model, or has nothing to show, gets a clear message and no broken canvas', async () => {
    await withViewer({}, async (opened) => {
      const { page } = opened;
      const status = page.locator('.model-viewer-status');
      const canvas = page.locator('#model-viewer canvas');
      const cases = [
        { format: 'glb', name: 'expired.glb', bytes: HTML_PAGE, reason: 'not-a-model', text: DEFAULT_VIEWER_TEXTS.errorNotAModel, label: 'GLB' },
        { format: 'stl', name: 'expired.stl', bytes: HTML_PAGE, reason: 'not-a-model', text: DEFAULT_VIEWER_TEXTS.errorNotAModel, label: 'STL' },
        { format: 'obj', name: 'expired.obj', bytes: HTML_PAGE, reason: 'not-a-model', text: DEFAULT_VIEWER_TEXTS.errorNotAModel, label: 'OBJ' },
        { format: 'ply', name: 'expired.ply', bytes: HTML_PAGE, reason: 'not-a-model', text: DEFAULT_VIEWER_TEXTS.errorNotAModel, label: 'PLY' },
        { format: 'glb', name: 'cut.glb', bytes: writeGlb(vase).subarray(0, 5000), reason: 'not-a-model', text: DEFAULT_VIEWER_TEXTS.errorNotAModel, label: 'GLB' },
        { format: 'glb', name: 'nothing.glb', bytes: glbContainer({ asset: { version: '2.0' }, scenes: [{ nodes: [] }], scene: 0 }), reason: 'empty-model', text: DEFAULT_VIEWER_TEXTS.errorEmptyModel, label: 'GLB' },
        { format: 'glb', name: 'draco.glb', bytes: writeGlb(vase, { extensionsRequired: ['KHR_draco_mesh_compression'] }), reason: 'unsupported-feature', text: DEFAULT_VIEWER_TEXTS.errorUnsupportedFeature, label: 'GLB' },
      ] as const;
      for (const model of cases) {
        const outcome = await show(page, model.format, model.name, model.bytes);
        assert.deepEqual([outcome.type, outcome.type === 'error' && outcome.reason], ['error', model.reason], model.name);
        assert.equal(await status.textContent(), fillTemplate(model.text, model.name, model.label), `${model.name}: the message`);
        assert.equal(await status.getAttribute('role'), 'alert');
        assert.equal(await status.isVisible(), true);
        assert.equal(await canvas.isVisible(), false, `${model.name}: no canvas`);
        assert.equal(await page.locator('[data-viewer-action="reset"]').isDisabled(), true);
        assert.equal(await page.locator('.model-viewer-info').textContent(), '');
      }
      // A good model afterwards is shown again.
      const outcome = await show(page, 'glb', 'vase.glb', writeGlb(vase));
      assert.equal(outcome.type, 'loaded');
      assert.equal(await status.isVisible(), false);
      assert.equal(await canvas.isVisible(), true);
      assert.ok(shareUnlike(await canvasPixels(page), DARK) > 0.05);
      assert.deepEqual(await cspViolations(page), []);
    });
  });

  test('without WebGL the viewer says so instead of showing a broken canvas', async () => {
    const noWebgl = `(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
      };
    })();`;
    await withViewer({ motion: 'reduce', init: noWebgl }, async (opened) => {
      const { page } = opened;
      const messages = await hostMessages(page);
      assert.deepEqual(messages.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.reason), ['webgl-unavailable']);
      assert.equal(await page.locator('.model-viewer-status').textContent(), fillTemplate(DEFAULT_VIEWER_TEXTS.errorWebglUnavailable, '', ''));
      const outcome = await show(page, 'glb', 'vase.glb', writeGlb(vase));
      assert.deepEqual([outcome.type, outcome.type === 'error' && outcome.reason], ['error', 'webgl-unavailable']);
      assert.deepEqual(await cspViolations(page), []);
    });
  });

  test('a theme change re-reads the colours: the background follows the editor', async () => {
    await withViewer({ page: { theme: 'vscode-dark' } }, async (opened) => {
      const { page } = opened;
      await show(page, 'stl', 'vase.stl', writeStlBinary(zUp(vase)));
      assert.deepEqual(near(cornerColour(await canvasPixels(page)), DARK), true);
      for (const theme of ['vscode-light', 'vscode-high-contrast'] as const) {
        await page.evaluate((name: string) => ((globalThis as any).document.body.className = name), theme);
        await settle(page);
        const pixels = await canvasPixels(page);
        assert.deepEqual(near(cornerColour(pixels), THEME_BACKGROUNDS[theme]), true, `${theme}: ${cornerColour(pixels)}`);
        assert.ok(shareUnlike(pixels, THEME_BACKGROUNDS[theme]) > 0.05, `${theme}: the model still stands out`);
      }
      await assertCleanPage(opened);
    });
  });

  test('data-host="page" (a result panel): the bundle runs the panel’s script too, on the page’s one VS Code API; data-texts translate', async () => {
    const texts = { resetView: 'Ansicht zurücksetzen', info: '{3} Dreiecke', errorNotAModel: '{0} ist kein {1}-Modell.' };
    await withViewer({ page: { host: 'page', texts } }, async (opened) => {
      const { page } = opened;
      assert.equal(await page.evaluate(() => (globalThis as any).__viewerTest.apisAcquired), 1, 'one API for the page: acquireVsCodeApi() may be called only once');
      // The panel's script is running: its "Reveal in Explorer" reaches the extension through the same API.
      await page.evaluate(() => {
        const doc = (globalThis as any).document;
        const button = doc.createElement('button');
        button.dataset.action = 'reveal';
        doc.body.append(button);
        button.click();
      });
      assert.ok((await hostMessages(page)).some((message) => (message as { type?: string }).type === 'reveal'), 'the panel’s button posted its message');
      assert.equal(await page.locator('[data-viewer-action="reset"]').textContent(), 'Ansicht zurücksetzen');
      assert.equal(await page.locator('[data-viewer-action="auto-rotate"]').textContent(), DEFAULT_VIEWER_TEXTS.autoRotate, 'missing texts fall back');
      const outcome = await show(page, 'glb', 'vase.glb', writeGlb(vase));
      assert.equal(outcome.type, 'loaded');
      assert.equal(await page.locator('.model-viewer-info').textContent(), '4,160 Dreiecke');
      await show(page, 'glb', 'kaputt.glb', HTML_PAGE);
      assert.equal(await page.locator('.model-viewer-status').textContent(), 'kaputt.glb ist kein GLB-Modell.');
      assert.deepEqual(await cspViolations(page), []);
    });
  });
});

/** Two animation frames: whatever the last input asked for is on screen. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(() => resolve()))),
  );
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-3, `${what}: ${actual} ≈ ${expected}`);
}

function round3(value: number): string {
  return new Intl.NumberFormat('en', { maximumSignificantDigits: 3 }).format(value);
}

function near(colour: readonly number[], expected: readonly number[], tolerance = 3): boolean {
  return colour.every((value, index) => Math.abs(value - expected[index]) <= tolerance);
}

function countPixels(pixels: Pixels, predicate: (rgb: [number, number, number]) => boolean): number {
  let count = 0;
  for (let i = 0; i < pixels.data.length; i += 4) {
    if (predicate([pixels.data[i], pixels.data[i + 1], pixels.data[i + 2]])) count++;
  }
  return count;
}

function assertChanged(before: Pixels, after: Pixels, what: string): void {
  const changed = shareChanged(before, after);
  assert.ok(changed > 0.005, `${what}: ${(changed * 100).toFixed(2)} % of pixels changed`);
}

function assertSame(before: Pixels, after: Pixels, what: string): void {
  const changed = shareChanged(before, after);
  assert.ok(changed < 0.001, `${what}: ${(changed * 100).toFixed(2)} % of pixels differ`);
}
