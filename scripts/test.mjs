// @ts-check
/**
 * `npm test`: everything a change must pass, on any machine, in this order:
 *
 *   1. package          typecheck, bundle and build multiview.vsix (`npm run package`)
 *   2. lint             `npm run lint`
 *   3. compile tests    `npm run compile-tests` (into out/)
 *   4. unit tests       `node --test out/test/unit/`
 *   5. real-host tools  `bash test/host/install-tools.sh` (code-server and playwright-core from npm; on Debian as
 *                       root, or with password-less sudo, also chromium and the build headers from apt, as CI does)
 *   6. real-host tests  `node --test out/test/e2e/`: the .vsix in code-server, driven in a Chromium-family browser
 *
 * A step whose inputs failed is not run; the others still are, so one run shows every problem. The real-host tests
 * are skipped, with the reason and the way to run them, where they cannot run: Windows, a Node other than 20 (what
 * code-server 4.100.3 needs), no browser found (test/host/browser.ts: MULTIVIEW_BROWSER, then chromium or Chrome on
 * PATH or in /Applications), or tools that npm could not install. A skip leaves the exit code 0 for a developer, but
 * fails the run under CI=true, where everything must run. On Debian as root (CI) a failure to install the tools is
 * a failure, as it always was.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ON_CI = Boolean(process.env.CI) && !['false', '0'].includes(String(process.env.CI).toLowerCase());
const HOW_TO_RUN_HOST_TESTS = 'run `npm test` again, or only these tests with `npm run test:host`';

/** @typedef {{ name: string, outcome: 'passed' | 'FAILED' | 'SKIPPED' | 'not run', seconds?: number, note?: string }} StepResult */
/** @type {StepResult[]} */
const results = [];

/** @param {string} text */
function banner(text) {
  console.log(`\n==== npm test: ${text} ${'='.repeat(Math.max(0, 100 - text.length))}`);
}

/** @param {string} name */
const passed = (name) => results.some((result) => result.name === name && result.outcome === 'passed');

/**
 * Runs `command` (through the shell, output shown as it comes) as step `name`, unless a step it needs did not pass.
 * @param {string} name @param {string} command @param {{ needs?: string[], env?: NodeJS.ProcessEnv }} [options]
 * @returns {boolean} whether it passed
 */
function step(name, command, { needs = [], env } = {}) {
  const unmet = needs.filter((need) => !passed(need));
  if (unmet.length) {
    results.push({ name, outcome: 'not run', note: `needs ${unmet.join(', ')}` });
    return false;
  }
  banner(`${name}: ${command}`);
  const started = Date.now();
  const child = spawnSync(command, { cwd: ROOT, shell: true, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = (Date.now() - started) / 1000;
  if (child.signal === 'SIGINT' || child.signal === 'SIGTERM') {
    console.error(`\nnpm test: interrupted during ${name}`);
    process.exit(130);
  }
  const ok = child.status === 0;
  results.push({ name, outcome: ok ? 'passed' : 'FAILED', seconds, note: ok ? undefined : child.error?.message ?? `exit code ${child.status}` });
  return ok;
}

/** @param {string} name @param {string} reason @param {string} howToRun */
function skip(name, reason, howToRun) {
  results.push({ name, outcome: 'SKIPPED', note: `${reason}\n${' '.repeat(13)}To run them: ${howToRun}` });
}

/** @param {string} command */
const succeeds = (command) => spawnSync(command, { shell: true, stdio: 'ignore' }).status === 0;

/**
 * What the machine offers for the real-host tests. Only `test/host/browser.ts` decides which browser (the harness
 * asks it too); it is loaded compiled, from out/.
 */
function realHostTests() {
  const name = 'real-host tests';
  if (!passed('compile tests') || !passed('package')) {
    results.push({ name, outcome: 'not run', note: 'needs package, compile tests' });
    return;
  }
  if (process.platform === 'win32') {
    skip(name, 'Windows: the host harness uses POSIX process groups and /tmp.', 'on Linux or macOS (WSL works), `npm test`.');
    return;
  }
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  const codeServer = JSON.parse(readFileSync(path.join(ROOT, 'test/host/tools/code-server/package.json'), 'utf8')).dependencies['code-server'];
  if (nodeMajor !== 20) {
    skip(name, `code-server ${codeServer} (VS Code 1.100.3) installs and runs only on Node 20; this is Node ${process.versions.node}.`, `switch to Node 20 (for example \`nvm use 20\`), then ${HOW_TO_RUN_HOST_TESTS}.`);
    return;
  }

  /** @type {typeof import('../test/host/browser.js')} */
  const browsers = createRequire(import.meta.url)(path.join(ROOT, 'out/test/host/browser.js'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptCanInstall = succeeds('command -v apt-get && command -v dpkg-query') && (isRoot || succeeds('sudo -n true'));
  /** @returns {import('../test/host/browser.js').FoundBrowser | undefined | Error} */
  const lookForBrowser = () => {
    try {
      return browsers.findBrowser();
    } catch (error) {
      return /** @type {Error} */ (error);
    }
  };
  const noBrowser = `no Chromium or Chrome was found (looked at: ${browsers.browserSearchDescription()}).`;
  const installBrowser = `install Chromium or Google Chrome, or set MULTIVIEW_BROWSER to a Chromium-family browser's executable, then ${HOW_TO_RUN_HOST_TESTS}.`;

  let browser = lookForBrowser();
  if (browser instanceof Error) {
    skip(name, browser.message, `fix or unset the variable, then ${HOW_TO_RUN_HOST_TESTS}.`);
    return;
  }
  // Without a browser, and without apt to install one, there is no point installing code-server.
  if (!browser && !aptCanInstall) {
    skip(name, noBrowser, installBrowser);
    return;
  }
  // Debian as root is CI's machine: the tools must install there (apt included), as they always have.
  const isCiMachine = isRoot && existsSync('/etc/debian_version');
  if (!step('real-host tools', 'bash test/host/install-tools.sh')) {
    if (isCiMachine) {
      results.push({ name, outcome: 'not run', note: 'needs real-host tools' });
    } else {
      Object.assign(results[results.length - 1], { outcome: 'SKIPPED', note: 'npm could not install the tools (output above)' });
      skip(
        name,
        `test/host/install-tools.sh could not install code-server ${codeServer} and playwright-core with npm (its output is above). ` +
          "code-server builds native modules: it needs a C/C++ toolchain, Python and the Kerberos headers (Debian: libkrb5-dev; Fedora: krb5-devel; macOS: Xcode's command line tools).",
        `install what the error names, then ${HOW_TO_RUN_HOST_TESTS}.`,
      );
    }
    return;
  }
  browser ??= lookForBrowser(); // apt may just have installed chromium
  if (!browser || browser instanceof Error) {
    skip(name, browser instanceof Error ? browser.message : noBrowser, installBrowser);
    return;
  }
  console.log(`npm test: the real-host tests drive ${browser.executable} (found by ${browser.foundBy})`);
  // The 3D viewer alone in the same browser (a page with the panel's CSP), then the packaged extension in code-server.
  step(name, 'node --test out/test/viewer/ out/test/e2e/', { env: { MULTIVIEW_BROWSER: browser.executable } });
}

function summary() {
  banner('summary');
  for (const { name, outcome, seconds, note } of results) {
    const time = seconds === undefined ? '' : `${seconds.toFixed(1)} s`;
    console.log(`  ${outcome.padEnd(9)}  ${name.padEnd(18)} ${time.padStart(8)}${note ? `  ${note}` : ''}`);
  }
  const failed = results.filter(({ outcome }) => outcome === 'FAILED' || outcome === 'not run');
  const skipped = results.filter(({ outcome }) => outcome === 'SKIPPED');
  if (failed.length) {
    console.log(`npm test: FAILED (${failed.map(({ name }) => name).join(', ')})`);
    return 1;
  }
  if (skipped.length && ON_CI) {
    console.log(`npm test: FAILED: under CI=true nothing may be skipped (${skipped.map(({ name }) => name).join(', ')})`);
    return 1;
  }
  console.log(skipped.length ? `npm test: everything else passed; SKIPPED: ${skipped.map(({ name }) => name).join(', ')} (see above)` : 'npm test: all steps passed');
  return 0;
}

step('package', 'npm run package');
step('lint', 'npm run lint');
step('compile tests', 'npm run compile-tests');
step('unit tests', 'node --test out/test/unit/', { needs: ['compile tests'] });
realHostTests();
process.exitCode = summary();
