/**
 * A long day with paid jobs in a real VS Code (code-server 4.100.3), against the local contract server, acting as a
 * person would: a result paid for but not saved (a full disk: a 16 KB tmpfs mounted on the output folder) is saved
 * again with "Save Again", or by itself after a window reload, never submitted twice; two windows of one workspace
 * agree on who finishes a queued job (the other says so, saves nothing, shows the result once it is saved); a window
 * whose extension host is killed while its job is queued resumes it once after the reload. One host for the file;
 * the scenarios run in order (the first stores the key).
 *
 * The full-disk scenarios need to mount a tmpfs (root on Linux, as CI is); elsewhere they are skipped, saying why.
 *
 *   npm run package && npx tsc -p . && node --test out/test/e2e/longday.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startContractServer } from '../contract-server/server';
import { Host, type Page, listFiles, log, sleep, waitFor } from '../host/harness';
import { answerApiKey, answerParameters, assertNoPartialFiles, checkOutputFiles, GENERATE_MENU_TITLE, historyRowsOfJob, readResultPanel, showExplorer, showHistoryView } from './flows';
import { type ContractServer, OUTPUT_FOLDER_SETTING, outputFolderFor, scenarioRunner, START_TIMEOUT, STOP_TIMEOUT, stopHostSuite } from './suite';
import { spawnSync } from 'node:child_process';

const KEY = `mvDay-${randomBytes(9).toString('hex')}`;
/** The eta of every queued answer: a queued job stays queued long enough to reload a window, or kill one, meanwhile. */
const ETA_SECONDS = 15;

let contract: ContractServer;
let host: Host;
let keyStored = false;

const ws = () => host.workspace.dir;
const mugOut = () => outputFolderFor(host);

/** POSTs to the multiview route whose prompt contains `marker` (each scenario's prompt is its own). */
const submissionsOf = (marker: string) =>
  contract.requests.filter(
    (request) => request.method === 'POST' && /\/multiview$/.test(request.path) && String((request.body as { prompt?: unknown } | undefined)?.prompt ?? '').includes(marker),
  );
const allSubmissions = () => contract.requests.filter((request) => request.method === 'POST' && /\/multiview$/.test(request.path));

/** The sidecars of job `jobId` in `folder`. */
const sidecarsOf = (folder: string, jobId: string) => listFiles(folder).filter((f) => f.endsWith('.json') && f.includes(`-multiview-${jobId}`));

// ------------------------------------------------------------------------------------------ a full disk

const mounted = new Set<string>();

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
function whyNoMount(): string | undefined {
  if (process.platform !== 'linux') return `mounting a tmpfs needs Linux (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'mounting a tmpfs needs root (run as root, as CI does)';
  return undefined;
}

function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status ?? r.signal}: ${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`);
}

/** Mounts a tmpfs of `size` on `dir` (made first): the folder's disk. */
function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounted.add(dir);
  log(`  mounted a ${size} tmpfs on ${dir}`);
}

function remountTmpfs(dir: string, size: string): void {
  run('mount', ['-o', `remount,size=${size}`, dir]);
  log(`  remounted ${dir} with ${size}`);
}

function unmount(dir: string): void {
  if (!mounted.has(dir)) return;
  const r = spawnSync('umount', ['-l', dir], { encoding: 'utf8', timeout: 20_000 });
  mounted.delete(dir);
  log(`  umount -l ${dir}: ${r.status === 0 ? 'done' : `exited ${r.status ?? r.signal}: ${r.stderr}`}`);
}

// A run killed half way must not leave a tmpfs mounted in the host's root (stop() removes that folder).
process.on('exit', () => {
  for (const dir of [...mounted]) spawnSync('umount', ['-l', dir]);
});

// ------------------------------------------------------------------------------------------ UI helpers

/** Runs `fn` with the harness's helpers acting on `page` (another window of the same workspace). */
async function onPage<T>(page: Page, fn: () => Promise<T>): Promise<T> {
  const saved = host.page;
  host.page = page;
  try {
    return await fn();
  } finally {
    host.page = saved;
  }
}

async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label="notes.txt"]').first().waitFor({ state: 'visible', timeout: 90_000 });
}

async function reloadWindow(): Promise<void> {
  await host.step('Developer: Reload Window', async () => {
    await host.runPaletteCommand('Developer: Reload Window');
    await sleep(2000);
    await waitForWorkbench(host.page);
  });
}

/**
 * The Explorer shows the output folder (made, or mounted on, just before) and no row's hover: a row added while the
 * mouse rests on the list shifts the rows under it, and the hover of the row now under the mouse then covers the
 * next row (the one to right-click), and stays while the mouse is on it.
 */
async function settleExplorer(): Promise<void> {
  await host.step('the Explorer shows the output folder, no hover', async () => {
    await showExplorer(host);
    let refreshed = Date.now();
    await waitFor('"generated" in the Explorer', async () => {
      if (await host.explorerRow('generated').first().isVisible()) return true;
      if (Date.now() - refreshed > 5000) {
        log('  "generated" not shown yet: Refresh Explorer (the Explorer\'s title button)');
        refreshed = Date.now();
        await host.page.locator('.part.sidebar .pane-header').first().hover();
        await host.page.locator('.part.sidebar .pane-header .action-label[aria-label^="Refresh Explorer"]').first().click({ timeout: 5000 });
      }
      return false;
    }, 60_000, 250);
    await host.page.mouse.move(700, 5);
    await waitFor('no hover shown', async () => (await host.page.locator('.context-view .hover-contents').count()) === 0, 10_000).catch(() => undefined);
  });
}

/** Right-click `image` → Generate Multiview... and answer (the key first, the first time). */
async function startGeneration(image: string, prompt: string): Promise<void> {
  await settleExplorer();
  await host.step(`right-click ${image} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(image, GENERATE_MENU_TITLE));
  if (!keyStored) {
    await answerApiKey(host, KEY);
    keyStored = true;
  }
  await answerParameters(host, { prompt, removeBackground: false });
}

/** The queued job's id, from its progress ("Queued (job 660, about 15 s left; …)"). */
async function queuedJobId(): Promise<string> {
  const queued = await host.waitForNotification(/Queued \(job/i, 60_000, (n) => n.progress);
  const jobId = /job (\S+?)[;,)]/.exec(queued.message)?.[1] ?? '';
  assert.ok(jobId, `the progress names the job (${queued.message})`);
  return jobId;
}

const UNSAVED = /The result of mug\.png is paid for, but it could not be saved in .*generated: the disk is full\. Fix that, then choose Save Again: no new job is submitted, its links last until/;

/** The one error of a result paid for but not saved on the full disk: its cause, its buttons; nothing left behind. */
async function expectUnsavedOnFullDisk(out: string): Promise<void> {
  await host.step('one error: the disk is full, Save Again (no Try Again); nothing left in the folder, no panel', async () => {
    const error = await host.waitForNotification(UNSAVED, 90_000);
    log(`  error: ${JSON.stringify(error)}`);
    assert.deepEqual(error.buttons, ['Save Again', 'Show Log'], 'Save Again and Show Log, not Try Again (which would pay again)');
    const errors = (await host.readNotifications()).filter((n) => /paid for|could not be saved|disk is full/.test(n.message));
    assert.equal(errors.length, 1, `one message about it (${errors.map((n) => n.message).join(' | ')})`);
    assert.deepEqual(listFiles(out), [], `no file and no temporary file left in ${out}`);
    // The grid may have been shown before the views failed: its panel must not stay open over a missing picture.
    await waitFor('no result panel of mug.png', async () => (await host.editorTab(/Multiview: mug\.png/).count()) === 0, 10_000);
  });
}

/** The result of the one job of `marker` on disk, shown in its panel; the job submitted once. */
async function expectSavedOnce(out: string, marker: string): Promise<string> {
  const panel = await readResultPanel(host, 'mug.png', 90_000);
  const submitted = submissionsOf(marker);
  assert.equal(submitted.length, 1, `one submission for ${marker} in the whole scenario (${submitted.length})`);
  checkOutputFiles(out, [], 'mug', panel.jobId, KEY);
  assert.equal(sidecarsOf(out, panel.jobId).length, 1, 'one sidecar');
  assertNoPartialFiles(out);
  return panel.jobId;
}

// ------------------------------------------------------------------------------------------ setup

// Between scenarios: the Explorer shown (the palette focuses the workbench through it), no quick input, no
// notification, no editor.
async function prepareUi(started: Host): Promise<void> {
  await showExplorer(host);
  for (let i = 0; i < 3 && (await started.quickInputWidget().isVisible()); i++) await started.page.keyboard.press('Escape');
  await started.clearNotifications();
  await started.closeAllEditors();
}
const scenario = scenarioRunner(() => host, { timeoutMs: 240_000, prepare: prepareUi });

before(async () => {
  contract = await startContractServer({ etaSeconds: ETA_SECONDS });
  host = await Host.start({
    vsix: process.env.MULTIVIEW_VSIX,
    label: 'e2e-longday',
    watchdogSeconds: Number(process.env.MULTIVIEW_HOST_TIMEOUT_S || 1200),
    settings: {
      'multiview.apiBaseUrl': contract.baseUrl,
      'multiview.uploadBaseUrl': contract.baseUrl,
      'multiview.outputFolder': OUTPUT_FOLDER_SETTING,
      'multiview.timeouts.requestSeconds': 8,
      'multiview.timeouts.jobSeconds': 300,
    },
  });
  host.addArtifact('contract-requests.json', () => JSON.stringify(contract.requests, null, 2));
}, START_TIMEOUT);

after(async () => {
  for (const dir of [...mounted]) unmount(dir);
  await stopHostSuite(host, contract);
}, STOP_TIMEOUT);

// ------------------------------------------------------------------------------------------ scenarios

scenario('a full disk: one clear error with Save Again; the space freed, Save Again saves the result paid for, no second job', async (t) => {
  const why = whyNoMount();
  if (why) return t.skip(why);
  const out = mugOut();
  const marker = `full disk ${randomBytes(3).toString('hex')}`;
  try {
    mountTmpfs(out, '16k');
    await startGeneration('mug.png', `a mug, ${marker}`);
    await expectUnsavedOnFullDisk(out);
    assert.equal(submissionsOf(marker).length, 1, 'submitted once');

    remountTmpfs(out, '64m');
    await host.step('press Save Again', () => host.clickNotificationButton('Save Again', /paid for/));
    const jobId = await expectSavedOnce(out, marker);
    log(`  job ${jobId} saved again from its links`);
  } finally {
    unmount(out);
  }
});

scenario('a result paid for but not saved survives a window reload: saved by itself after it, no second job', async (t) => {
  const why = whyNoMount();
  if (why) return t.skip(why);
  const out = mugOut();
  const marker = `reload ${randomBytes(3).toString('hex')}`;
  try {
    mountTmpfs(out, '16k');
    await startGeneration('mug.png', `a mug, ${marker}`);
    await expectUnsavedOnFullDisk(out);

    remountTmpfs(out, '64m');
    const seen = host.recordNotifications();
    await reloadWindow();
    const saving = await host.waitForNotification(/Saving 1 result\(s\) paid for but not saved before: mug\.png\. No new job is submitted\./, 90_000);
    log(`  after the reload: ${saving.message}`);
    await expectSavedOnce(out, marker);
    const notifications = await seen.stop();
    assert.deepEqual(notifications.filter((n) => /Resuming|another window|window closed/.test(n.message)).map((n) => n.message), [], 'only the saving is said');
  } finally {
    unmount(out);
  }
});

test(
  'two windows of one workspace agree: the other says the job is finished elsewhere, saves nothing, shows its result',
  { timeout: 240_000 },
  async () => {
    assert.ok(host, 'the host started');
    await prepareUi(host);
    await host.step('two windows agree', twoWindows);
  },
);

async function twoWindows(): Promise<void> {
  const out = mugOut();
  const marker = `two windows ${randomBytes(3).toString('hex')}`;
  const pageB: Page = await host.context.newPage();
  pageB.setDefaultTimeout(15_000);
  try {
    await host.step('open a second window on the workspace', async () => {
      await pageB.goto(`${host.baseUrl}/?folder=${encodeURIComponent(ws())}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await waitForWorkbench(pageB);
    });
    await host.page.bringToFront();
    const before = listFiles(out);
    const submittedBefore = allSubmissions().length;
    await startGeneration('mug.png', `a mug, ${marker} [scenario:queued-until-released]`);
    const jobId = await queuedJobId();
    assert.equal(submissionsOf(marker).length, 1, 'window A submitted it');

    const { seenB, elsewhere } = await onPage(pageB, async () => {
      await pageB.bringToFront();
      await reloadWindow();
      // Window B's own notifications, whichever window the test drives meanwhile.
      const seen = host.recordNotifications(100, pageB);
      const said = await host
        .waitForNotification(/^Multiview: The job of mug\.png is being finished in another window of this workspace; its result will show here too\.$/, 30_000)
        .catch(() => undefined);
      log(`  window B: ${said?.message ?? '(no message about another window)'}`);
      return { seenB: seen, elsewhere: said };
    });
    // A moment for window B to do anything it should not (poll the job, submit, save).
    await sleep(5000);
    const submittedWhileQueued = allSubmissions().length - submittedBefore;

    contract.releaseQueuedJobs();
    await host.page.bringToFront();
    const panel = await readResultPanel(host, 'mug.png', 90_000);
    assert.equal(panel.jobId, jobId, 'window A shows its job');

    let shownInB = '';
    await onPage(pageB, async () => {
      await pageB.bringToFront();
      await host.step('window B shows the result', async () => {
        await host.editorTab(/Multiview: mug\.png/).first().waitFor({ state: 'visible', timeout: 60_000 });
        shownInB = await waitFor('job id in B’s panel', async () => ((await host.webview().locator('#job-id').textContent({ timeout: 5000 })) ?? '').trim(), 30_000);
      });
    });
    // Both windows had time to save (B checks every 3 s): then what is on disk is final.
    await sleep(6000);
    const notificationsB = await seenB.stop();
    const sidecars = sidecarsOf(out, jobId);
    log(`  window B said: ${JSON.stringify(notificationsB.map((n) => n.message))}`);
    log(`  sidecars of job ${jobId}: ${JSON.stringify(sidecars)}; submissions while queued: ${submittedWhileQueued}`);
    const pollsOf = (id: string) => contract.requests.filter((request) => request.path.endsWith(`/fetch/${id}`)).length;
    log(`  polls of job ${jobId}: ${pollsOf(jobId)}`);

    assert.deepEqual(sidecars.length, 1, `one sidecar of job ${jobId}, never two copies (${sidecars.join(', ')})`);
    assert.ok(elsewhere, `window B says the job is being finished in another window (it said: ${notificationsB.map((n) => n.message).join(' | ')})`);
    assert.deepEqual(
      notificationsB.filter((n) => /Resuming|Multiview \(resumed\)|Saving|Queued|paid for|failed|could not/i.test(`${n.source} ${n.message}`)).map((n) => n.message),
      [],
      'window B neither resumes nor saves the job itself',
    );
    assert.equal(submittedWhileQueued, 1, 'window B submitted nothing');
    assert.equal(allSubmissions().length, submittedBefore + 1, 'one submission in all');
    assert.equal(shownInB, jobId, 'window B shows the same job');
    checkOutputFiles(out, before, 'mug', jobId, KEY);

    for (const [name, page] of [['A', host.page], ['B', pageB]] as const) {
      await onPage(page, async () => {
        await page.bringToFront();
        await host.step(`window ${name}'s History lists the result once`, async () => {
          await showHistoryView(host);
          await waitFor(`a History row of job ${jobId} in window ${name}`, async () => (await historyRowsOfJob(host, jobId).count()) >= 1, 30_000);
          await sleep(1000);
          assert.equal(await historyRowsOfJob(host, jobId).count(), 1, `one row of job ${jobId}`);
          await showExplorer(host);
        });
      });
    }
    assertNoPartialFiles(out);
  } finally {
    await pageB.close().catch(() => undefined);
    await host.page.bringToFront().catch(() => undefined);
    await showExplorer(host).catch(() => undefined);
  }
}

/** The extension host holding a job's lock: its pid, from the lock file in the job's output folder ("pid@host time"). */
const jobLocks = () => listFiles(ws()).filter((f) => /(^|\/)\.multiview-job-[^/]+\.lock$/.test(f));

function lockHolderPid(before: string[]): number {
  const locks = jobLocks().filter((f) => !before.includes(f));
  assert.equal(locks.length, 1, `one job lock in the output folder (${locks.join(', ')})`);
  const pid = Number(/^(\d+)@/.exec(fs.readFileSync(path.join(ws(), locks[0]), 'utf8'))?.[1]);
  assert.ok(pid > 0, 'the lock names its process');
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  const pgrp = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)\s+/, '').split(' ')[2]);
  log(`  lock held by ${pid} (process group ${pgrp}): ${cmdline.slice(0, 200)}`);
  assert.equal(pgrp, host.server?.pid, 'the lock holder is one of this code-server’s processes');
  assert.match(cmdline, /extensionHost/, 'the lock holder is an extension host');
  return pid;
}

/**
 * Passes on its own (the job resumed at once after the reload and saved once: the lock of the killed extension host is
 * taken over since its process is gone), but run after the two-windows scenario the job queued just before the kill
 * was, in 2 runs of 4, not in the workspace state after the reload: no message, no poll of it, nothing saved. The
 * entry is written when the job is submitted and again when it is queued; whether the second window's closing, or
 * the kill racing VS Code's write of the state, loses it is not understood yet. Until then it is a todo, run and
 * reported.
 */
const KILLED_TODO = 'after a second window was open on the workspace, the job queued just before the kill was sometimes missing from the workspace state after the reload';

test('a window whose extension host is killed while its job is queued: after the reload the job is resumed once and saved once', { timeout: 300_000, todo: KILLED_TODO }, async () => {
  assert.ok(host, 'the host started');
  await prepareUi(host);
  await host.step('a killed window', killedWindow);
});

async function killedWindow(): Promise<void> {
  const out = mugOut();
  const marker = `killed ${randomBytes(3).toString('hex')}`;
  const before = listFiles(out);
  const submittedBefore = allSubmissions().length;
  const locksBefore = jobLocks();
  await startGeneration('mug.png', `a mug, ${marker} [scenario:queued]`);
  const jobId = await queuedJobId();

  await host.step('kill -9 the extension host of this window', async () => {
    const pid = await waitFor('the new job’s lock', () => lockHolderPid(locksBefore), 10_000);
    process.kill(pid, 'SIGKILL');
    await waitFor(`process ${pid} gone`, () => !fs.existsSync(`/proc/${pid}`) || /\bZ\b/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] ?? ''), 10_000);
  });
  const seen = host.recordNotifications();
  await host.step('reload the page', async () => {
    await host.page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
    // The window comes back with the side bar it had (the History after the scenario before): the workbench is enough.
    await host.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
  });
  const resumed = await host.waitForNotification(/Resuming 1 job\(s\) queued before the window reloaded: mug\.png\./, 90_000);
  log(`  after the reload: ${resumed.message}`);
  await host.step(`job ${jobId} saved after the reload`, () => waitFor(`the sidecar of job ${jobId}`, () => sidecarsOf(out, jobId).length > 0, 150_000, 500));
  const panel = await readResultPanel(host, 'mug.png', 30_000);
  assert.equal(panel.jobId, jobId, 'the panel shows the job queued before the kill');
  const notifications = await seen.stop();
  log(`  said after the reload: ${JSON.stringify(notifications.map((n) => n.message))}`);
  assert.equal(submissionsOf(marker).length, 1, 'submitted once: nothing submitted again after the reload');
  assert.equal(allSubmissions().length, submittedBefore + 1, 'no other submission');
  checkOutputFiles(out, before, 'mug', jobId, KEY);
  await sleep(3000);
  assert.equal(sidecarsOf(out, jobId).length, 1, 'saved once');
  assertNoPartialFiles(ws());
}
