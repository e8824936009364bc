/**
 * Which Chromium-family browser the real-host tests drive (through playwright-core, which downloads none here).
 * Used by harness.ts and by scripts/test.mjs (to say plainly, before installing anything, when there is none).
 *
 * In order: the browser named by MULTIVIEW_BROWSER (or the older MULTIVIEW_CHROMIUM), then the first of chromium,
 * chromium-browser, google-chrome, google-chrome-stable on PATH (Debian's /usr/bin/chromium, which
 * install-tools.sh installs on CI, is found here), then the macOS application bundles.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BROWSER_VARIABLES = ['MULTIVIEW_BROWSER', 'MULTIVIEW_CHROMIUM'] as const;
const COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const MAC_APPS = ['Chromium.app/Contents/MacOS/Chromium', 'Google Chrome.app/Contents/MacOS/Google Chrome'];
/** Where the harness looked before this file existed; kept as the path a launch error names when none is found. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * WebGL in headless Chromium (the 3D viewer) without a GPU: ANGLE on SwiftShader. Chromium falls back to it by
 * itself even with --disable-gpu, but says so explicitly here, and --enable-unsafe-swiftshader keeps the fallback
 * allowed now that Chromium is retiring the automatic one. Used by the real host and the viewer's own tests.
 */
export const SWIFTSHADER_FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

export interface FoundBrowser {
  executable: string;
  /** How it was found, for the log: "MULTIVIEW_BROWSER", "PATH (chromium)", "macOS application". */
  foundBy: string;
}

export interface BrowserSearch {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

function macApps(home: string): string[] {
  return ['/Applications', path.join(home, 'Applications')].flatMap((dir) => MAC_APPS.map((app) => path.join(dir, app)));
}

/**
 * The browser to drive, or undefined when none is found. A browser named by a variable that is not an executable
 * file is an error (the person meant that one), not a reason to take another.
 */
export function findBrowser({ env = process.env, platform = process.platform, home = os.homedir() }: BrowserSearch = {}): FoundBrowser | undefined {
  for (const variable of BROWSER_VARIABLES) {
    const named = env[variable];
    if (!named) continue;
    if (!isExecutableFile(named)) throw new Error(`${variable}=${named} is not an executable file: point it at a Chromium or Chrome executable, or unset it`);
    return { executable: named, foundBy: variable };
  }
  for (const command of COMMANDS) {
    const found = onPath(command, env);
    if (found) return { executable: found, foundBy: `PATH (${command})` };
  }
  if (platform === 'darwin') {
    const app = macApps(home).find(isExecutableFile);
    if (app) return { executable: app, foundBy: 'macOS application' };
  }
  return undefined;
}

/** Where findBrowser looks, in words, for a message that says none was found. */
export function browserSearchDescription({ platform = process.platform, home = os.homedir() }: BrowserSearch = {}): string {
  const places = [`$${BROWSER_VARIABLES[0]}`, `${COMMANDS.join(', ')} on PATH`];
  if (platform === 'darwin') places.push(...macApps(home));
  return places.join('; ');
}
