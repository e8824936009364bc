/**
 * Real host (code-server + chromium, see multiview.test.ts): several images at once, and a job that outlives a
 * window reload. Its own code-server and contract server; the tests run in order (the first stores the key).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { filesContaining, Host, listFiles, log, sleep, waitFor } from '../host/harness';
import { answerApiKey, answerParameters, assertNoPartialFiles, checkOutputFiles, GENERATE_MENU_TITLE, newFiles, readResultPanel, resetUi } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvJobs-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;

const ws = () => host.workspace.dir;
const mugOut = () => outputFolderFor(host);
const shoeOut = () => outputFolderFor(host, 'photos');
const submissions = () => contract.requests.filter((request) => /\/api\/v\d+\/multiview$/.test(request.path));

const scenario = scenarioRunner(() => host, { timeoutMs: 180_000 });

before(async () => {
    ({ host, contract } = await startHostSuite('e2e-jobs', { 'multiview.timeouts.jobSeconds': 300 }));
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

scenario('a batch: three files selected in the Explorer, the broken one refused by name at once; one set of answers, one progress, one summary for the others', async () => {
  contract.setScenario('queued');
  const before = { mug: listFiles(mugOut()), shoe: listFiles(shoeOut()) };
  const submittedBefore = submissions().length;
  const seen = host.recordNotifications();
  await host.step('select mug.png, photos/shoe.jpg and fake.png, right-click → Generate Multiview...', async () => {
    await host.revealExplorerItem('photos/shoe.jpg');
    const mug = await host.revealExplorerItem('mug.png');
    await mug.click();
    await (await host.revealExplorerItem('photos/shoe.jpg')).click({ modifiers: ['Control'] });
    await (await host.revealExplorerItem('fake.png')).click({ modifiers: ['Control'] });
    await waitFor('three rows selected', async () => (await host.page.locator('.explorer-folders-view .monaco-list-row.selected').count()) === 3, 10_000);
    await host.contextMenu('mug.png', GENERATE_MENU_TITLE);
  });
  await answerApiKey(host, KEY);
  await answerParameters(host, { prompt: 'a product [scenario:queued]' });
  const summary = await host.waitForNotification(/images done|failed/i, 120_000, (n) => !n.progress && n.buttons.includes('Open Results'));
  const notifications = await seen.stop();
  log(`  summary: ${JSON.stringify(summary)}`);
  // Its header is read when the images are chosen: the broken file is refused by name before any question.
  assert.ok(
    notifications.some((n) => /“fake\.png” is not a PNG, JPEG or WebP image \(its content was checked, not its name\)/.test(n.message)),
    `fake.png is refused by name (${notifications.map((n) => n.message).join(' | ')})`,
  );
  assert.match(summary.message, /All 2 images done/, 'the summary counts the two real images');
  const progressLines = notifications.filter((n) => n.progress && /2 images/.test(n.message + n.source)).map((n) => n.message);
  log(`  progress lines: ${JSON.stringify([...new Set(progressLines)])}`);
  assert.ok(progressLines.some((line) => /\d done, \d failed, \d running, of 2/.test(line)), 'one progress counts done, failed and running');
  assert.equal(
    notifications.filter((n) => n.progress && /Uploading|Queued|Submitting/.test(n.message)).length,
    0,
    'no progress notification per job: the batch has one',
  );
  assert.equal(submissions().length - submittedBefore, 2, 'one job for each real image, none for the broken file');

  const mugFiles = newFiles(mugOut(), before.mug);
  const shoeFiles = newFiles(shoeOut(), before.shoe);
  const jobOf = (files: string[]) => /-multiview-([^-.]+)\.json$/.exec(files.find((f) => f.endsWith('.json')) ?? '')?.[1] ?? '';
  checkOutputFiles(mugOut(), before.mug, 'mug', jobOf(mugFiles), KEY);
  checkOutputFiles(shoeOut(), before.shoe, 'shoe', jobOf(shoeFiles), KEY);
  assertNoPartialFiles(ws());

  await host.step('"Open Results" shows each result in its panel', async () => {
    await host.clickNotificationButton('Open Results', /images done/i);
    await readResultPanel(host, 'mug.png');
    await host.editorTab(/Multiview: shoe\.jpg/).first().waitFor({ state: 'visible', timeout: 30_000 });
  });
});

scenario('a job queued when the window reloads: polling resumes after the reload, and the result is saved and shown', async () => {
  contract.setScenario('queued-until-released');
  const before = listFiles(mugOut());
  await host.step(`right-click mug.png → ${GENERATE_MENU_TITLE}`, () => host.contextMenu('mug.png', GENERATE_MENU_TITLE));
  await answerParameters(host, { prompt: 'a mug [scenario:queued-until-released]' });
  const queued = await host.waitForNotification(/Queued \(job/i, 60_000, (n) => n.progress);
  const jobId = /job (\S+?)[;,)]/.exec(queued.message)?.[1] ?? '';
  assert.ok(jobId, `the progress names the job (${queued.message})`);
  const submittedBefore = submissions().length;

  await host.step('Developer: Reload Window', async () => {
    await host.runPaletteCommand('Developer: Reload Window');
    await sleep(2000);
    await host.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  });
  const resumed = await host.waitForNotification(/Resuming 1 job/i, 90_000);
  assert.match(resumed.message, /mug\.png/, 'the notification names the image');
  await host.waitForNotification(/Queued \(job/i, 30_000, (n) => n.progress && n.message.includes(jobId));
  contract.releaseQueuedJobs();

  const panel = await readResultPanel(host, 'mug.png', 90_000);
  assert.equal(panel.jobId, jobId, 'the panel shows the job queued before the reload');
  assert.equal(submissions().length, submittedBefore, 'nothing was submitted again: no second job to pay for');
  checkOutputFiles(mugOut(), before, 'mug', jobId, KEY);
  assertNoPartialFiles(ws());

  await host.step('a second reload resumes nothing: the finished job left the workspace state', async () => {
    await resetUi(host);
    const seen = host.recordNotifications();
    await host.runPaletteCommand('Developer: Reload Window');
    await sleep(2000);
    await host.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await host.explorerRow('mug.png').first().waitFor({ state: 'visible', timeout: 60_000 });
    await sleep(8000);
    const notifications = await seen.stop();
    assert.deepEqual(notifications.filter((n) => /Resuming/.test(n.message)), [], 'no job resumed twice');
  });
}, 240_000);

test('the key is in no file of the host: workspace, user data (workspace state included), logs', { timeout: 60_000 }, async () => {
  assert.ok(contract.requests.some((request) => JSON.stringify(request.body ?? '').includes(KEY)), 'the key did reach the (fake) API');
  await sleep(500); // let the log files flush
  // The browser's own profile is where code-server keeps SecretStorage: the one place the key belongs.
  const browserHome = path.join(host.root, 'home');
  const found = filesContaining(host.root, KEY, (p) => p === browserHome);
  assert.deepEqual(found, [], `the key was found in: ${found.join(', ')}`);
});
