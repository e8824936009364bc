/**
 * Real-VS-Code test host: code-server 4.100.3 (VS Code 1.100.3) or 4.139.1 (VS Code 1.139.1, with the Chat view)
 * from .tools (hostVersions.ts: `MULTIVIEW_VSCODE` picks), driven by Debian's chromium through playwright-core from
 * .tools/playwright (all installed by test/host/install-tools.sh). See shared/reference/real-vscode-host.md and
 * real-chat-host.md for the measured recipes.
 *
 * Everything lives in a throw-away root (/tmp/mvh-XXXX: XDG dirs, TMPDIR, user data, extensions,
 * workspace, browser home) that stop() removes. stop() also runs on process exit / SIGINT / SIGTERM
 * and after a global watchdog timeout, so no code-server or chromium outlives the run.
 *
 * The helpers act as a person would: right-click in the Explorer, pick from menus, type in quick
 * inputs, read notification toasts, look into the webview.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { DEBIAN_CHROMIUM, findBrowser, SWIFTSHADER_FLAGS } from './browser';
import { createWorkspace, type WorkspaceLayout } from './fixtures';
import { codeServerEntry, type HostVersion, missingTools, selectedHostVersion } from './hostVersions';

// playwright-core is loaded from .tools at run time and deliberately typed loosely.
export type Page = any;
export type Locator = any;
export type FrameLocator = any;

// ------------------------------------------------------------------------------------------ paths

function findRepoRoot(): string {
  if (process.env.MULTIVIEW_ROOT) return path.resolve(process.env.MULTIVIEW_ROOT);
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'multiview') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`repository root (package.json "name": "multiview") not found above ${__dirname}`);
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();
export const TOOLS_DIR = process.env.MULTIVIEW_TOOLS_DIR ? path.resolve(process.env.MULTIVIEW_TOOLS_DIR) : path.join(REPO_ROOT, '.tools');
export const TEST_OUTPUT_DIR = path.join(REPO_ROOT, '.test-output');
export const DEFAULT_VSIX = path.join(REPO_ROOT, 'multiview.vsix');
const PLAYWRIGHT_DIR = path.join(TOOLS_DIR, 'playwright');
const CHROMIUM = findBrowser()?.executable ?? DEBIAN_CHROMIUM;

export function loadPlaywright(): any {
  const req = createRequire(path.join(PLAYWRIGHT_DIR, 'package.json'));
  try {
    return req('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core not found under ${PLAYWRIGHT_DIR}; run: bash test/host/install-tools.sh (${(e as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------- logging

const T0 = Date.now();
export function log(message: string): void {
  const s = ((Date.now() - T0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[host ${s}s] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, intervalMs = 200): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** A RegExp matching `text` literally, where "..." and "…" are interchangeable. */
export function titleRegExp(text: string, anchored = true): RegExp {
  const core = text
    .replace(/(\.\.\.|…)$/, '')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const tail = /(\.\.\.|…)$/.test(text) ? '(\\.\\.\\.|…)' : '';
  return new RegExp(anchored ? `^${core}${tail}$` : `${core}${tail}`);
}

function cssString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// ------------------------------------------------------------------------------------ processes

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what a killed earlier run left behind (SIGKILL gives no chance to clean up): for each
 * /tmp/mvh-* whose owner process is gone, SIGKILLs its code-server process group (only when that
 * process still runs from that root) and deletes the folder.
 */
export function reapStaleRoots(): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync('/tmp').filter((n) => /^mvh-[A-Za-z0-9]{6}$/.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join('/tmp', name);
    try {
      const owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
      if (!owner || pidAlive(owner)) continue;
      const serverPidFile = path.join(dir, 'server.pid');
      if (fs.existsSync(serverPidFile)) {
        const pid = Number(fs.readFileSync(serverPidFile, 'utf8'));
        let cmdline = '';
        try {
          cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          /* gone */
        }
        if (pid && cmdline.includes(dir)) killGroup(pid, 'SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
      log(`reaped stale ${dir} (owner ${owner} is gone)`);
    } catch {
      /* not ours or half-made: leave it */
    }
  }
}

// ------------------------------------------------------------------------------------------ host

export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'git.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // Opening a result (a sidecar, a grid) must not expand its folder in the Explorer: a long list of results would
  // push the rows the tests right-click out of the Explorer's viewport (it renders only visible rows).
  'explorer.autoReveal': false,
};

export interface HostOptions {
  /** The VS Code to run (default: the one `MULTIVIEW_VSCODE` names, else 1.100). */
  version?: HostVersion;
  /** Absolute path of the .vsix to install (default: <repo>/multiview.vsix). */
  vsix?: string;
  /** Extra user settings (the extension's), merged over BASE_SETTINGS. */
  settings?: Record<string, unknown>;
  /** 'light' | 'dark' (default: dark, VS Code's default). */
  theme?: 'light' | 'dark';
  headless?: boolean;
  viewport?: { width: number; height: number };
  /** Skip launching the browser (demo mode: the user opens the URL). */
  noBrowser?: boolean;
  /** Bind address for code-server (default 127.0.0.1). */
  host?: string;
  port?: number;
  /** Global watchdog: everything is torn down and the process exits 1 after this (default 600 s). */
  watchdogSeconds?: number;
  /** Label used for the artefact folder under .test-output/. */
  label?: string;
  /**
   * Folders of other extensions (a package.json and plain JS, e.g. test/host/stall-recorder) to install beside the
   * product: each is packaged with the repository's vsce, installed, and must be activated in the extension host
   * (so give it an activation event such as onStartupFinished) before start() returns.
   */
  extraExtensions?: string[];
}

type ArtifactSource = () => string | Buffer | Promise<string | Buffer>;

const liveHosts = new Set<Host>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const h of liveHosts) h.emergencyStop();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping`);
      void Promise.all([...liveHosts].map((h) => h.stop().catch(() => undefined))).finally(() => process.exit(130));
      setTimeout(() => process.exit(130), 15_000).unref();
    });
  }
}

/** Runs in the page (the project compiles without the DOM lib, hence a string). */
const READ_NOTIFICATIONS_JS = `(() => {
  const visible = (e) => e.getClientRects().length > 0;
  const items = Array.from(document.querySelectorAll(
    '.notifications-toasts .notification-toast, .notifications-center .notification-list-item')).filter(visible);
  const seen = new Set();
  const out = [];
  for (const t of items) {
    const message = (t.querySelector('.notification-list-item-message')?.textContent ?? '').trim();
    const source = (t.querySelector('.notification-list-item-source')?.textContent ?? '').trim();
    const buttons = Array.from(t.querySelectorAll('.notification-list-item-buttons-container .monaco-button'))
      .map((b) => (b.textContent ?? '').trim()).filter(Boolean);
    const bar = t.querySelector('.monaco-progress-container');
    const progress = !!bar && bar.classList.contains('active');
    const key = message + '|' + source;
    if (!seen.has(key)) { seen.add(key); out.push({ message, source, buttons, progress }); }
  }
  return out;
})()`;

export interface NotificationInfo {
  message: string;
  source: string;
  buttons: string[];
  progress: boolean;
}

export class Host {
  readonly root: string;
  readonly workspace: WorkspaceLayout;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly artifactDir: string;
  readonly settingsFile: string;
  port = 0;
  baseUrl = '';
  server: ChildProcess | undefined;
  browser: any;
  context: any;
  page: Page;
  private serverLogFd: number | undefined;
  private readonly artifactSources = new Map<string, ArtifactSource>();
  private stopped = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly consoleLines: string[] = [];
  readonly version: HostVersion;

  private constructor(readonly options: HostOptions) {
    this.version = options.version ?? selectedHostVersion();
    installExitHooks();
    reapStaleRoots();
    // Short root: unix socket paths (vscode-ipc-*.sock in TMPDIR) must stay < 108 chars.
    this.root = fs.mkdtempSync(path.join('/tmp', 'mvh-'));
    fs.mkdirSync(path.join(this.root, 'ws'));
    this.workspace = createWorkspace(path.join(this.root, 'ws'));
    this.userDataDir = path.join(this.root, 'user-data');
    this.extensionsDir = path.join(this.root, 'extensions');
    this.settingsFile = path.join(this.userDataDir, 'User', 'settings.json');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.artifactDir = path.join(TEST_OUTPUT_DIR, `${stamp}-${options.label ?? 'host'}`);
    fs.writeFileSync(path.join(this.root, 'owner.pid'), String(process.pid));
    liveHosts.add(this);
    const seconds = options.watchdogSeconds ?? Number(process.env.MULTIVIEW_HOST_TIMEOUT_S || 600);
    this.watchdog = setTimeout(() => {
      log(`WATCHDOG: ${seconds} s passed, tearing everything down`);
      void this.failureArtifacts('watchdog')
        .catch(() => undefined)
        .finally(() => this.stop().finally(() => process.exit(1)));
      setTimeout(() => {
        this.emergencyStop();
        process.exit(1);
      }, 20_000).unref();
    }, seconds * 1000);
    this.watchdog.unref();
  }

  /** Environment with everything confined to the root, and the Node that runs this code-server first on PATH. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const r = this.root;
    for (const d of ['xdg-config', 'xdg-data', 'xdg-cache', 'tmp', 'home']) fs.mkdirSync(path.join(r, d), { recursive: true });
    return {
      ...process.env,
      PATH: `${path.dirname(this.version.node(TOOLS_DIR))}${path.delimiter}${process.env.PATH ?? ''}`,
      XDG_CONFIG_HOME: path.join(r, 'xdg-config'),
      XDG_DATA_HOME: path.join(r, 'xdg-data'),
      XDG_CACHE_HOME: path.join(r, 'xdg-cache'),
      TMPDIR: path.join(r, 'tmp'),
      ...extra,
    };
  }

  private commonArgs(): string[] {
    return ['--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir, '--config', path.join(this.root, 'config.yaml')];
  }

  static async start(options: HostOptions = {}): Promise<Host> {
    const host = new Host(options);
    try {
      await host.boot();
      return host;
    } catch (e) {
      await host.failureArtifacts('start').catch(() => undefined);
      await host.stop();
      throw e;
    }
  }

  /** Runs `fn` as a named step: logs start/end and elapsed time; on failure keeps artefacts. */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = Date.now();
    log(`▶ ${name}`);
    try {
      const v = await fn();
      log(`✓ ${name} (${Date.now() - t} ms)`);
      return v;
    } catch (e) {
      log(`✗ ${name} (${Date.now() - t} ms): ${(e as Error)?.message}`);
      // Keep artefacts once, at the innermost failing step.
      if (e && typeof e === 'object' && !(e as Record<string, unknown>).__mvhArtifactsKept) {
        (e as Record<string, unknown>).__mvhArtifactsKept = true;
        await this.failureArtifacts(name).catch((err) => log(`(artefacts failed: ${(err as Error).message})`));
      }
      throw e;
    }
  }

  private async boot(): Promise<void> {
    const missing = missingTools(this.version, TOOLS_DIR);
    if (missing) throw new Error(missing);
    log(`VS Code ${this.version.vscode} (code-server ${this.version.codeServer})`);
    const o = this.options;
    await this.step('write settings + config', async () => {
      fs.mkdirSync(path.dirname(this.settingsFile), { recursive: true });
      this.writeSettings(o.settings ?? {});
      fs.writeFileSync(path.join(this.root, 'config.yaml'), 'auth: none\ncert: false\n');
    });

    const vsix = path.resolve(o.vsix ?? DEFAULT_VSIX);
    await this.step(`install ${path.basename(vsix)}`, async () => {
      if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist (build it with: npm run package)`);
      // Install a private copy: a concurrent `npm run package` must not swap the file mid-install.
      const copy = path.join(this.root, 'extension.vsix');
      fs.copyFileSync(vsix, copy);
      this.installVsix(copy);
    });

    const extraIds: string[] = [];
    for (const folder of o.extraExtensions ?? []) {
      await this.step(`install extra extension ${path.basename(folder)}`, async () => {
        const { id, vsix: packaged } = packageExtensionFolder(folder, this.root);
        this.installVsix(packaged);
        extraIds.push(id);
      });
    }

    await this.step('start code-server', async () => {
      this.port = o.port ?? (await freePort());
      const bind = o.host ?? '127.0.0.1';
      this.baseUrl = `http://${bind === '0.0.0.0' ? '127.0.0.1' : bind}:${this.port}`;
      this.serverLogFd = fs.openSync(path.join(this.root, 'code-server.log'), 'a');
      this.server = spawn(
        this.version.node(TOOLS_DIR),
        [
          codeServerEntry(this.version, TOOLS_DIR),
          ...this.commonArgs(),
          '--bind-addr',
          `${bind}:${this.port}`,
          '--auth',
          'none',
          '--disable-telemetry',
          '--disable-update-check',
          '--disable-workspace-trust',
          '--disable-getting-started-override',
          '--ignore-last-opened',
          this.workspace.dir,
        ],
        { env: this.env(), cwd: this.root, detached: true, stdio: ['ignore', this.serverLogFd, this.serverLogFd] },
      );
      if (this.server.pid) fs.writeFileSync(path.join(this.root, 'server.pid'), String(this.server.pid));
      const exited = new Promise<never>((_, reject) =>
        this.server!.once('exit', (code, sig) => reject(new Error(`code-server exited early (${code ?? sig}); see ${path.join(this.root, 'code-server.log')}`))),
      );
      exited.catch(() => undefined);
      await Promise.race([waitFor('code-server /healthz', async () => (await httpStatus(`${this.baseUrl}/healthz`)) === 200, 60_000, 150), exited]);
    });

    if (o.noBrowser) return;

    await this.step('launch chromium', async () => {
      const { chromium } = loadPlaywright();
      const home = path.join(this.root, 'home');
      // Playwright makes its browser profile and artefacts dir in os.tmpdir() at launch: put them in
      // the root too, so that a killed run leaves nothing behind in /tmp.
      const savedTmp = process.env.TMPDIR;
      process.env.TMPDIR = path.join(this.root, 'tmp');
      fs.mkdirSync(process.env.TMPDIR, { recursive: true });
      const restoreTmp = () => {
        if (savedTmp === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = savedTmp;
      };
      this.browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: o.headless ?? true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...SWIFTSHADER_FLAGS],
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
        timeout: 60_000,
      }).finally(restoreTmp);
      // ONE context for the whole run: code-server keeps SecretStorage in the browser context.
      this.context = await this.browser.newContext({ viewport: o.viewport ?? { width: 1400, height: 900 }, colorScheme: o.theme ?? 'dark' });
      this.page = await this.context.newPage();
      this.page.setDefaultTimeout(15_000);
      this.page.on('console', (m: any) => {
        if (m.type() === 'error' || m.type() === 'warning') this.consoleLines.push(`[${m.type()}] ${m.text()}`);
      });
      this.page.on('pageerror', (e: Error) => this.consoleLines.push(`[pageerror] ${e.message}`));
    });

    await this.step('open workbench', async () => {
      await this.page.goto(`${this.baseUrl}/?folder=${encodeURIComponent(this.workspace.dir)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await this.explorerRow('notes.txt').waitFor({ state: 'visible', timeout: 60_000 });
    });

    for (const id of extraIds) {
      await this.step(`extra extension ${id} is active`, async () => {
        await waitFor(`"${id}" activated in the extension host's log`, () => this.extensionHostLog().includes(`_doActivateExtension ${id},`), 90_000, 500);
        // A failed activation (a syntax error, a throwing activate()) is logged just after; give it a moment.
        await sleep(1000);
        const hostLog = this.extensionHostLog();
        const failed = hostLog.indexOf(`Activating extension ${id} failed`);
        if (failed >= 0) throw new Error(`the extension host could not activate ${id}:\n${hostLog.slice(failed, failed + 1500)}`);
      });
    }
  }

  private installVsix(file: string): void {
    const r = spawnSync(this.version.node(TOOLS_DIR), [codeServerEntry(this.version, TOOLS_DIR), ...this.commonArgs(), '--install-extension', file, '--force'], {
      env: this.env(),
      cwd: this.root,
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.status !== 0 || /Failed Installing Extensions/i.test(out)) {
      throw new Error(`--install-extension exited ${r.status ?? r.signal}: ${out}`);
    }
    log(`  ${out.split('\n').slice(-1)[0]}`);
  }

  /**
   * The extension hosts' logs so far: they say "ExtensionService#_doActivateExtension <id>, ..." when activating an
   * extension and "Activating extension <id> failed due to an error" when that failed.
   */
  extensionHostLog(): string {
    const logs = path.join(this.userDataDir, 'logs');
    return listFiles(logs)
      .filter((f) => /exthost[^/]*\.log$/i.test(f))
      .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
      .join('\n');
  }

  // -------------------------------------------------------------------------------- settings

  writeSettings(extra: Record<string, unknown>): void {
    const theme = this.options.theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern';
    fs.writeFileSync(this.settingsFile, JSON.stringify({ ...BASE_SETTINGS, ...this.version.settings, 'workbench.colorTheme': theme, ...extra }, null, 2));
  }

  readSettings(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(this.settingsFile, 'utf8'));
  }

  /** Changes user settings on disk (VS Code watches the file) and waits until the workbench applied it. */
  async updateSettings(patch: Record<string, unknown>): Promise<void> {
    const next = { ...this.readSettings(), ...patch };
    for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
    fs.writeFileSync(this.settingsFile, JSON.stringify(next, null, 2));
    // The file watcher needs a moment; there is no UI signal for arbitrary settings.
    await sleep(1500);
  }

  // ------------------------------------------------------------------------------- explorer

  explorerRow(name: string): Locator {
    return this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label=${cssString(name)}]`);
  }

  /** Makes `relPath` visible in the Explorer (expanding folders on the way) and returns its row. */
  async revealExplorerItem(relPath: string): Promise<Locator> {
    const parts = relPath.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      const folder = this.explorerRow(parts[i]).first();
      await folder.waitFor({ state: 'visible' });
      if ((await folder.getAttribute('aria-expanded')) !== 'true') {
        await folder.click();
        await waitFor(`folder ${parts[i]} expanded`, async () => (await folder.getAttribute('aria-expanded')) === 'true', 10_000);
      }
    }
    const row = this.explorerRow(parts[parts.length - 1]).first();
    await row.waitFor({ state: 'visible' });
    return row;
  }

  /**
   * Right-clicks `relPath`'s row, and checks that the row the menu is for is that one: the Explorer moves its rows
   * when files appear (a test writing two files, VS Code 1.139 rendering them one after the other), so a row found a
   * moment before the click may be another file's by then.
   */
  async rightClickExplorerItem(relPath: string): Promise<void> {
    const name = relPath.split('/').pop() ?? relPath;
    for (let attempt = 1; ; attempt++) {
      const row = await this.revealExplorerItem(relPath);
      await row.click({ button: 'right' });
      const focused = this.page.locator('.explorer-folders-view .monaco-list-row.focused').first();
      const label = await focused.getAttribute('aria-label', { timeout: 2000 }).catch(() => null);
      if (label === name) return;
      if (attempt >= 5) throw new Error(`right-clicking ${relPath} kept landing on another row (${label})`);
      log(`  the right-click landed on ${label}, not ${name} (the Explorer moved its rows): again`);
      await this.page.keyboard.press('Escape');
      await sleep(300);
    }
  }

  menuItem(title: string): Locator {
    return this.page.getByRole('menuitem', { name: titleRegExp(title) });
  }

  async clickMenuItem(title: string): Promise<void> {
    const item = this.menuItem(title).first();
    await item.waitFor({ state: 'visible', timeout: 5000 });
    await this.clickMenuItemLocator(item);
  }

  /**
   * Right-click `relPath` in the Explorer and click `title` in its context menu. Retries (pitfall P1:
   * the Explorer renders before the extension host registered the extension's menu items).
   */
  async contextMenu(relPath: string, title: string, capMs = 90_000): Promise<number> {
    const end = Date.now() + capMs;
    for (let attempt = 1; ; attempt++) {
      await this.rightClickExplorerItem(relPath);
      const item = this.menuItem(title).first();
      try {
        await item.waitFor({ state: 'visible', timeout: 2000 });
      } catch {
        await this.page.keyboard.press('Escape');
        if (Date.now() > end) throw new Error(`menu item "${title}" never appeared for ${relPath} after ${attempt} tries`);
        await sleep(500);
        continue;
      }
      await this.clickMenuItemLocator(item);
      log(`  context menu "${title}" on ${relPath}: attempt ${attempt}`);
      return attempt;
    }
  }

  /**
   * Clicks a visible menu item until the menu closes: the menu ignores a click that comes too soon
   * after it opened, so a single click sometimes just highlights the item.
   */
  private async clickMenuItemLocator(item: Locator): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    for (let i = 1; ; i++) {
      if (i > 1 && !(await menu.first().isVisible())) return;
      if (i > 5) throw new Error('the context menu stayed open after 5 clicks on its item');
      if (i > 1) log(`  menu still open; click #${i}`);
      await item.click({ timeout: 3000 }).catch(() => undefined);
      await menu.first().waitFor({ state: 'hidden', timeout: 1500 }).catch(() => undefined);
    }
  }

  /** Gives the workbench keyboard focus without side effects that matter (click notes.txt's row). */
  async focusWorkbench(): Promise<void> {
    await this.page.keyboard.press('Escape');
    const row = await this.revealExplorerItem('notes.txt');
    await row.click();
  }

  // ------------------------------------------------------------------------ command palette

  /** Runs `title` ("Category: Title") from the Command Palette; retries until the command exists. */
  async runPaletteCommand(title: string, capMs = 90_000): Promise<number> {
    const end = Date.now() + capMs;
    for (let attempt = 1; ; attempt++) {
      await this.focusWorkbench();
      await this.page.keyboard.press('F1');
      const input = this.quickInputBox();
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`);
      const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: titleRegExp(title, false) }) }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 3000 });
        await row.click();
        log(`  palette "${title}": attempt ${attempt}`);
        return attempt;
      } catch {
        await this.page.keyboard.press('Escape');
        if (Date.now() > end) throw new Error(`command "${title}" never appeared in the palette after ${attempt} tries`);
        await sleep(500);
      }
    }
  }

  // ---------------------------------------------------------------------------- quick input

  quickInputWidget(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  quickInputRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]');
  }

  async waitQuickInput(timeoutMs = 15_000): Promise<void> {
    await this.quickInputWidget().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  async quickInputHidden(timeoutMs = 15_000): Promise<void> {
    await this.quickInputWidget().waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /** Title text as shown, e.g. "Generate Multiview (3/7)". */
  async quickInputTitle(): Promise<string> {
    const t = this.page.locator('.quick-input-widget .quick-input-title');
    return ((await t.count()) ? (await t.first().textContent()) ?? '' : '').trim();
  }

  /** Waits until the quick input's title matches (e.g. /Generate Multiview.*\(3\/7\)/). Returns it. */
  async waitQuickInputTitle(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    await this.waitQuickInput(timeoutMs);
    return waitFor(`quick input title ${pattern}`, async () => {
      const t = await this.quickInputTitle();
      return pattern.test(t) ? t : '';
    }, timeoutMs, 100);
  }

  /** Parses "k/n" from the title; undefined when the title has no step. */
  async quickInputStep(): Promise<{ step: number; total: number } | undefined> {
    const m = /(\d+)\s*\/\s*(\d+)/.exec(await this.quickInputTitle());
    return m ? { step: Number(m[1]), total: Number(m[2]) } : undefined;
  }

  async quickInputValue(): Promise<string> {
    return this.quickInputBox().inputValue();
  }

  async quickInputType(): Promise<string> {
    return (await this.quickInputBox().getAttribute('type')) ?? 'text';
  }

  /** The prompt / validation message under the input (empty when none). */
  async quickInputMessage(): Promise<string> {
    const m = this.page.locator('.quick-input-widget .quick-input-message');
    return ((await m.count()) && (await m.first().isVisible()) ? (await m.first().textContent()) ?? '' : '').trim();
  }

  /** Validation text when the input box is flagged as invalid (error severity), else ''. */
  async quickInputValidation(): Promise<string> {
    const invalid = await this.page
      .locator('.quick-input-widget .monaco-inputbox.error, .quick-input-widget .monaco-inputbox.warning, .quick-input-widget .quick-input-message.error')
      .count();
    return invalid ? this.quickInputMessage() : '';
  }

  async waitQuickInputValidation(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    return waitFor(`validation message ${pattern}`, async () => {
      const m = await this.quickInputValidation();
      return pattern.test(m) ? m : '';
    }, timeoutMs, 100);
  }

  /** Replaces the input text (like select-all + typing). */
  async quickInputFill(text: string): Promise<void> {
    await this.quickInputBox().fill(text);
  }

  async quickInputTypeText(text: string): Promise<void> {
    await this.quickInputBox().pressSequentially(text, { delay: 5 });
  }

  async pressEnter(): Promise<void> {
    await this.page.keyboard.press('Enter');
  }

  /** Visible rows' aria-labels. */
  async quickPickLabels(): Promise<string[]> {
    const rows = this.quickInputRows();
    const n = await rows.count();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((await rows.nth(i).getAttribute('aria-label')) ?? '');
    return out;
  }

  /** Label of the focused (active) row. */
  async quickPickActiveLabel(): Promise<string> {
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    return (await row.count()) ? ((await row.first().getAttribute('aria-label')) ?? '') : '';
  }

  /** Clicks the row whose label is `label` (aria-label is the label, or "label, description…"). */
  async pickRow(label: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const rows = this.quickInputRows();
    const idx = await waitFor(`quick pick row ${label}`, async () => {
      const labels = await this.quickPickLabels();
      const i = labels.findIndex((l) => (typeof label === 'string' ? l === label || l.startsWith(`${label}, `) : label.test(l)));
      return i >= 0 ? i + 1 : 0;
    }, timeoutMs, 100);
    await rows.nth(idx - 1).click();
  }

  // --------------------------------------------------------------------------- notifications

  /** Visible notification toasts: message, source and button labels. */
  /** The notifications shown in `page` (default: the page the host drives now). */
  async readNotifications(page: Page = this.page): Promise<NotificationInfo[]> {
    return page.evaluate(READ_NOTIFICATIONS_JS);
  }

  /** Waits for a toast whose message matches (and that passes `filter`); returns it. */
  async waitForNotification(pattern: RegExp, timeoutMs = 30_000, filter: (n: NotificationInfo) => boolean = () => true): Promise<NotificationInfo> {
    return waitFor(
      `notification ${pattern}`,
      async () => (await this.readNotifications()).find((n) => pattern.test(n.message) && filter(n)),
      timeoutMs,
      150,
    );
  }

  /**
   * Records every notification message seen (polling) until stop() is called; progress messages
   * that flash by for less than the poll interval may be missed. `page`: that window's only (default: whichever
   * page the host drives at each poll).
   */
  recordNotifications(intervalMs = 100, page?: Page): { seen: NotificationInfo[]; stop: () => Promise<NotificationInfo[]> } {
    const seen: NotificationInfo[] = [];
    let running = true;
    const loop = (async () => {
      // A recorder a failed test never stopped ends with its page (the host stopped): it must not keep the run alive.
      while (running && !(page ?? this.page).isClosed()) {
        try {
          for (const n of await this.readNotifications(page ?? this.page)) {
            if (!seen.some((s) => s.message === n.message)) seen.push(n);
          }
        } catch {
          /* page busy / navigating */
        }
        await sleep(intervalMs);
      }
    })();
    return {
      seen,
      stop: async () => {
        running = false;
        await loop;
        return seen;
      },
    };
  }

  /** Clicks `text` in the toast whose message matches `pattern` (any toast when omitted). */
  async clickNotificationButton(text: string, pattern?: RegExp, timeoutMs = 15_000): Promise<void> {
    const toasts = this.page.locator('.notifications-toasts .notification-toast');
    const target = pattern ? toasts.filter({ has: this.page.locator('.notification-list-item-message', { hasText: pattern }) }) : toasts;
    const button = target.locator('.notification-list-item-buttons-container .monaco-button', { hasText: titleRegExp(text) }).first();
    await button.waitFor({ state: 'visible', timeout: timeoutMs });
    await button.click();
  }

  /** Clears all notifications (the palette's "Notifications: Clear All Notifications"). */
  async clearNotifications(): Promise<void> {
    if ((await this.readNotifications()).length === 0) return;
    await this.runPaletteCommand('Notifications: Clear All Notifications', 20_000);
    await waitFor('notifications cleared', async () => (await this.readNotifications()).length === 0, 10_000).catch(() => undefined);
  }

  // --------------------------------------------------------------------------------- editors

  /** The newest webview's content frame (outer iframe.webview → inner iframe#active-frame). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview >> nth=-1').frameLocator('iframe#active-frame');
  }

  editorTab(title: string | RegExp): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: title });
  }

  async closeAllEditors(): Promise<void> {
    if ((await this.page.locator('.tabs-container .tab').count()) === 0) return;
    await this.runPaletteCommand('View: Close All Editors', 20_000);
    await waitFor('editors closed', async () => (await this.page.locator('.tabs-container .tab').count()) === 0, 10_000).catch(() => undefined);
  }

  /** The workbench still reacts: the palette opens and closes. */
  async assertWorkbenchUsable(): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('F1');
    await this.quickInputBox().waitFor({ state: 'visible', timeout: 5000 });
    await this.page.keyboard.press('Escape');
    await this.quickInputHidden(5000);
  }

  // ------------------------------------------------------------------------------ artefacts

  /** Registers something to save under .test-output/ when a step fails (e.g. the contract server's request log). */
  addArtifact(name: string, source: ArtifactSource): void {
    this.artifactSources.set(name, source);
  }

  async screenshot(file: string): Promise<string | undefined> {
    if (!this.page) return undefined;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  async failureArtifacts(stepName: string): Promise<void> {
    const safe = stepName.replace(/[^a-z0-9._-]+/gi, '_').slice(0, 80);
    const dir = path.join(this.artifactDir, safe);
    fs.mkdirSync(dir, { recursive: true });
    const shot = await this.screenshot(path.join(dir, 'screen.png')).catch(() => undefined);
    try {
      if (this.page) fs.writeFileSync(path.join(dir, 'notifications.json'), JSON.stringify(await this.readNotifications(), null, 2));
    } catch {
      /* page gone */
    }
    if (this.consoleLines.length) fs.writeFileSync(path.join(dir, 'browser-console.txt'), this.consoleLines.join('\n'));
    const serverLog = path.join(this.root, 'code-server.log');
    if (fs.existsSync(serverLog)) fs.copyFileSync(serverLog, path.join(dir, 'code-server.log'));
    const logs = path.join(this.userDataDir, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dir, 'vscode-logs'), { recursive: true });
    for (const [name, src] of this.artifactSources) {
      try {
        fs.writeFileSync(path.join(dir, name), await src());
      } catch (e) {
        fs.writeFileSync(path.join(dir, `${name}.error.txt`), String(e));
      }
    }
    log(`  artefacts kept in ${dir}${shot ? ' (with screenshot)' : ''}`);
  }

  // ---------------------------------------------------------------------------------- stop

  /** Closes the browser, stops code-server's process group (SIGTERM, then SIGKILL), removes the root. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const t = Date.now();
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.browser) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.browser.close().catch(() => undefined),
        new Promise<void>((r) => (timer = setTimeout(r, 10_000))),
      ]);
      clearTimeout(timer);
    }
    const pid = this.server?.pid;
    if (pid && this.server!.exitCode === null && this.server!.signalCode === null) {
      killGroup(pid, 'SIGTERM');
      const end = Date.now() + 10_000;
      while (groupAlive(pid) && Date.now() < end) await sleep(100);
      if (groupAlive(pid)) {
        log('  code-server did not stop on SIGTERM; SIGKILL');
        killGroup(pid, 'SIGKILL');
      }
    } else if (pid) {
      killGroup(pid, 'SIGKILL'); // leftovers of the group, if any
    }
    if (this.serverLogFd !== undefined) fs.closeSync(this.serverLogFd);
    if (!process.env.MULTIVIEW_KEEP_ROOT) fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
    liveHosts.delete(this);
    log(`stopped (${Date.now() - t} ms)${process.env.MULTIVIEW_KEEP_ROOT ? `; root kept: ${this.root}` : ''}`);
  }

  /** Synchronous last resort (process 'exit'): kill everything, remove the root. */
  emergencyStop(): void {
    if (this.stopped) return;
    this.stopped = true;
    killGroup(this.server?.pid, 'SIGKILL');
    try {
      const proc = this.browser?.process?.();
      if (proc?.pid) process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* ignore */
    }
    try {
      if (!process.env.MULTIVIEW_KEEP_ROOT) fs.rmSync(this.root, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  }
}

// ---------------------------------------------------------------------------------- utilities

/**
 * Packages an extension folder (plain JS, no dependencies) into `<root>/<name>.vsix` with the repository's pinned
 * vsce, from a copy in the root (vsce must not write into the source tree). Returns its id and the .vsix.
 */
export function packageExtensionFolder(folder: string, root: string): { id: string; vsix: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string };
  const id = `${manifest.publisher}.${manifest.name}`;
  const copy = path.join(root, 'extra-extensions', manifest.name);
  fs.cpSync(folder, copy, { recursive: true });
  const vsce = path.join(path.dirname(createRequire(path.join(REPO_ROOT, 'package.json')).resolve('@vscode/vsce/package.json')), 'vsce');
  const vsix = path.join(root, `${manifest.name}.vsix`);
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: copy,
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0 || !fs.existsSync(vsix)) {
    throw new Error(`vsce package of ${folder} exited ${r.status ?? r.signal}: ${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`);
  }
  log(`  packaged ${id} (${fs.statSync(vsix).size} bytes)`);
  return { id, vsix };
}

/** Every file under `dir` (recursively) whose bytes contain `needle`; `skip` returns true for dirs to skip. */
export function filesContaining(dir: string, needle: string, skip: (p: string) => boolean = () => false): string[] {
  const hits: string[] = [];
  const n = Buffer.from(needle);
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (skip(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          if (fs.readFileSync(p).includes(n)) hits.push(p);
        } catch {
          /* unreadable (socket, vanished) */
        }
      }
    }
  };
  walk(dir);
  return hits;
}

/** Lists files under `dir` (relative paths, sorted). */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

