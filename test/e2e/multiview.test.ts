/**
 * End-to-end scenarios in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven through
 * headless chromium, against the local contract server. One code-server and ONE browser context
 * for the whole file (code-server keeps SecretStorage in the browser), so the tests run in order
 * and later ones rely on the key stored by the first.
 *
 *   npm run package && npx tsc -p . --outDir out && bash test/host/install-tools.sh
 *   node --test out/test/e2e/
 *
 * Env: MULTIVIEW_VSIX (default <repo>/multiview.vsix), MULTIVIEW_KEEP_ROOT=1 keeps /tmp/mvh-*,
 * MULTIVIEW_HOST_TIMEOUT_S (global watchdog, default 600).
 * Failures keep a screenshot, logs and the contract server's request log under .test-output/.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startContractServer, type ScenarioName } from '../contract-server/server';
import { filesContaining, Host, listFiles, log, sleep, waitFor } from '../host/harness';
import {
  answerApiKey,
  answerParameters,
  assertNoPartialFiles,
  checkOutputFiles,
  CLEAR_KEY_TITLE,
  GENERATE_MENU_TITLE,
  GENERATE_PALETTE_TITLE,
  newFiles,
  readResultPanel,
  SET_KEY_TITLE,
} from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

/** A fresh key per run: accepted by the contract server (does not start with "invalid"), easy to grep for. */
const KEY = `mvE2E-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;

const ws = () => host.workspace.dir;
const mugOut = () => outputFolderFor(host);
const shoeOut = () => outputFolderFor(host, 'photos');

function requestLog(): string {
  return JSON.stringify(contract?.requests ?? [], null, 2);
}

const scenario = scenarioRunner(() => host, { timeoutMs: 120_000 });

/** Starts a generation on an Explorer item and answers until the job runs. */
async function generateFromExplorer(image: string, prompt: string, extra: Parameters<typeof answerParameters>[1] = { prompt }): Promise<void> {
  await host.step(`right-click ${image} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(image, GENERATE_MENU_TITLE));
  await answerParameters(host, { ...extra, prompt });
}

/** Waits for a Multiview error toast (not the progress one) matching `pattern`. */
async function waitForError(pattern: RegExp, timeoutMs = 60_000) {
  const n = await host.waitForNotification(pattern, timeoutMs, (x) => /^Multiview:/.test(x.message) && !x.progress && !x.buttons.includes('Cancel'));
  log(`  error shown: ${JSON.stringify(n)}`);
  return n;
}

before(async () => {
    ({ host, contract } = await startHostSuite('e2e'));
    log(`contract server at ${contract.baseUrl}`);
    // Test (9) replaces the contract server: the log of whichever one is current.
    host.addArtifact('contract-requests.json', requestLog);
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

scenario('(1) Explorer: first run asks for the key, then the panel and the files', async () => {
  contract.setScenario('success');
  const before = listFiles(mugOut());
  const rec = host.recordNotifications();
  await host.step(`right-click mug.png → ${GENERATE_MENU_TITLE}`, () => host.contextMenu('mug.png', GENERATE_MENU_TITLE));
  await answerApiKey(host, KEY);
  await answerParameters(host, {
    prompt: 'a white ceramic mug',
    negativePrompt: 'blurry, text',
    size: '640 × 960',
    steps: 20,
    guidanceScale: 5,
    seed: 4242,
    checkValidation: true,
  });
  const panel = await readResultPanel(host, 'mug.png');
  const seen = await rec.stop();
  log(`  notifications seen: ${seen.map((n) => n.message).join(' | ')}`);

  assert.equal(panel.params.prompt, 'a white ceramic mug');
  assert.equal(panel.params.negative_prompt, 'blurry, text');
  assert.equal(panel.params.width, '640');
  assert.equal(panel.params.height, '960');
  assert.equal(panel.params.num_inference_steps, '20');
  assert.equal(panel.params.guidance_scale, '5');
  assert.ok('temp' in panel.params, 'the proxy-links parameter (temp) is shown');
  assert.match(panel.seed, /4242/);
  assert.match(panel.savedPath, /generated/);

  await host.step('the six views in the panel, labelled with their pose in azimuth order', async () => {
    const figures = host.webview().locator('#views figure.view');
    assert.equal(await figures.count(), 6);
    const captions: string[] = (await figures.locator('figcaption').allTextContents()).map((text: string) => text.trim());
    // Zero123++ v1.2, the default layout: elevation +20° and -10° alternating.
    const expected = ['azimuth 30°, elevation \\+20°', 'azimuth 90°, elevation [-−]10°', 'azimuth 150°, elevation \\+20°', 'azimuth 210°, elevation [-−]10°', 'azimuth 270°, elevation \\+20°', 'azimuth 330°, elevation [-−]10°'];
    assert.equal(captions.length, expected.length);
    captions.forEach((caption: string, index: number) => assert.match(caption, new RegExp(`^${expected[index]}$`), caption));
    await waitFor('view images loaded', async () => figures.locator('img').evaluateAll((images: { complete: boolean; naturalWidth: number }[]) => images.every((img) => img.complete && img.naturalWidth > 0)), 20_000);
  });
  const panelHtml: string = await host.webview().locator('html').evaluate((root: { outerHTML: string }) => root.outerHTML);
  assert.ok(!panelHtml.includes(KEY), 'the key is not in the panel');
  const { sidecarJson } = checkOutputFiles(mugOut(), before, 'mug', panel.jobId, KEY);
  log(`  sidecar keys: ${Object.keys(sidecarJson).join(', ')}`);
  assertNoPartialFiles(ws());

  await host.step('open the sidecar from the panel', async () => {
    await host.webview().locator('#open-sidecar').click();
    await host.editorTab(/mug-multiview-.*\.json/).first().waitFor({ state: 'visible', timeout: 15_000 });
  });
});

scenario('(2) Command Palette: choose the image, key remembered, files beside the image', async () => {
  contract.setScenario('success');
  const before = listFiles(shoeOut());
  await host.step(`palette → ${GENERATE_PALETTE_TITLE}`, () => host.runPaletteCommand(GENERATE_PALETTE_TITLE));
  await host.step('choose an image', async () => {
    await host.waitQuickInputTitle(/Choose an image/);
    await waitFor('image rows', async () => (await host.quickPickLabels()).some((l) => l.startsWith('shoe.jpg')));
    const labels = await host.quickPickLabels();
    assert.ok(labels.some((l) => l.startsWith('mug.png')), `mug.png is offered (${labels.join(' | ')})`);
    assert.ok(!labels.some((l) => l.startsWith('notes.txt')), 'text files are not offered');
    await host.quickInputTypeText('shoe');
    await waitFor('filtered to shoe.jpg', async () => /^shoe\.jpg/.test(await host.quickPickActiveLabel()));
    await host.pressEnter();
  });
  // The key stored in (1) is used: the next input is step 1/7, not the key.
  await answerParameters(host, { prompt: 'a running shoe' });
  const panel = await readResultPanel(host, 'shoe.jpg');
  assert.equal(panel.params.prompt, 'a running shoe');
  checkOutputFiles(shoeOut(), before, 'shoe', panel.jobId, KEY);
});

scenario('(3a) a queued job is polled until done', async () => {
  contract.setScenario('queued');
  const before = listFiles(mugOut());
  const rec = host.recordNotifications();
  await generateFromExplorer('mug.png', 'a mug [scenario:queued]');
  const panel = await readResultPanel(host, 'mug.png', 120_000);
  const seen = await rec.stop();
  log(`  notifications seen: ${seen.map((n) => n.message).join(' | ')}`);
  assert.ok(seen.some((n) => /queued|waiting|processing/i.test(n.message)), `a "Queued…" progress message was shown (${seen.map((n) => n.message).join(' | ')})`);
  checkOutputFiles(mugOut(), before, 'mug', panel.jobId, KEY);
}, 180_000);

scenario('(3b) Cancel on the progress notification stops the job, nothing half-written', async () => {
  contract.setScenario('queued-forever');
  const before = listFiles(ws());
  const requestsBefore = contract.requests.length;
  await generateFromExplorer('mug.png', 'a mug [scenario:queued-forever]');
  await host.step('wait for "Queued…" and click Cancel', async () => {
    const progress = await host.waitForNotification(/queued|waiting|processing/i, 60_000, (n) => n.buttons.includes('Cancel'));
    log(`  progress: ${JSON.stringify(progress)}`);
    await host.clickNotificationButton('Cancel', /queued|waiting|processing/i);
    await waitFor('progress notification gone', async () => !(await host.readNotifications()).some((n) => n.buttons.includes('Cancel')), 20_000);
  });
  await host.step('nothing saved, no panel', async () => {
    // Let any in-flight request settle: the request log stops growing.
    let last = -1;
    await waitFor('contract server quiet', async () => {
      const n = contract.requests.length;
      const quiet = n === last;
      last = n;
      return quiet;
    }, 20_000, 1500);
    log(`  requests during the cancelled job: ${contract.requests.length - requestsBefore}`);
    assert.deepEqual(newFiles(ws(), before), [], 'no file was added to the workspace');
    assertNoPartialFiles(ws());
    assert.equal(await host.editorTab(/Multiview: mug\.png/).count(), 0, 'no result panel opened');
    const errors = (await host.readNotifications()).filter((n) => /error|failed/i.test(n.message));
    assert.deepEqual(errors, [], 'a cancel is not reported as an error');
  });
}, 150_000);

scenario('(4a) a rejected key: error with "Set API Key", workbench still usable', async () => {
  contract.setScenario('invalid-key');
  const before = listFiles(ws());
  await generateFromExplorer('mug.png', 'a mug [scenario:invalid-key]');
  const n = await waitForError(/key/i);
  assert.match(n.message, /^Multiview:/);
  assert.ok(n.buttons.includes('Set API Key'), `offers "Set API Key" (buttons: ${n.buttons.join(', ')})`);
  assert.ok(!n.message.includes(KEY), 'the message does not show the key');
  await host.step('"Set API Key" opens the masked key input; Escape leaves the key as it was', async () => {
    await host.clickNotificationButton('Set API Key', /key/i);
    await host.waitQuickInputTitle(/API Key/);
    assert.equal(await host.quickInputType(), 'password');
    await host.page.keyboard.press('Escape');
    await host.quickInputHidden();
  });
  assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
  await host.step('workbench usable', () => host.assertWorkbenchUsable());
});

scenario('(4b) a rate limit: "rate limit… try again", workbench still usable', async () => {
  contract.setScenario('rate-limit-always');
  const before = listFiles(ws());
  await generateFromExplorer('mug.png', 'a mug [scenario:rate-limit-always]');
  const n = await waitForError(/rate.?limit|too many/i, 90_000);
  assert.match(n.message, /try again|wait|later/i, 'says to try again later');
  assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
  await host.clearNotifications();
  await host.step('workbench usable', () => host.assertWorkbenchUsable());
}, 150_000);

scenario('(4c) a server error (HTML 502): names the status/server, workbench still usable', async () => {
  contract.setScenario('html-502');
  const before = listFiles(ws());
  await generateFromExplorer('mug.png', 'a mug [scenario:html-502]');
  const n = await waitForError(/502|server/i, 90_000);
  assert.ok(!/<html|<!doctype/i.test(n.message), 'no raw HTML in the message');
  assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
  await host.clearNotifications();
  await host.step('workbench usable', () => host.assertWorkbenchUsable());
}, 150_000);

scenario('(4d) a server that never answers: a timeout message, not a hang', async () => {
  contract.setScenario('never-answers');
  const before = listFiles(ws());
  await generateFromExplorer('mug.png', 'a mug [scenario:never-answers]');
  // timeouts.requestSeconds is 8 in this run.
  const n = await waitForError(/time|did not (answer|respond)|no (answer|response)|respond/i, 90_000);
  assert.match(n.message, /^Multiview:/);
  assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
  await host.clearNotifications();
  await host.step('workbench usable', () => host.assertWorkbenchUsable());
}, 150_000);

scenario('(4e) a server error that echoes the key: the message shown does not contain it', async () => {
  contract.setScenario('echo-key');
  await generateFromExplorer('mug.png', 'a mug [scenario:echo-key]');
  const n = await waitForError(/./, 60_000);
  assert.ok(!n.message.includes(KEY), `the key is redacted from the message: ${n.message}`);
  const shown = await host.page.locator('.notifications-toasts').innerText();
  assert.ok(!shown.includes(KEY), 'the key is nowhere in the visible notifications');
  await host.clearNotifications();
});

scenario('(4f) a text file named fake.png: a readable error, nothing saved', async () => {
  contract.setScenario('success');
  const before = listFiles(ws());
  await host.step(`right-click fake.png → ${GENERATE_MENU_TITLE}`, () => host.contextMenu('fake.png', GENERATE_MENU_TITLE));
  // The extension may refuse at once or after the parameters (when it reads the file): handle both.
  const isError = (x: { message: string; progress: boolean; buttons: string[] }) =>
    /^Multiview:/.test(x.message) && /fake\.png/i.test(x.message) && !x.progress && !x.buttons.includes('Cancel');
  const first = await waitFor('parameters or an error', async () => {
    if ((await host.readNotifications()).some(isError)) return 'error';
    return /\(1\s*\/\s*7\)/.test(await host.quickInputTitle()) && (await host.quickInputWidget().isVisible()) ? 'steps' : '';
  }, 30_000);
  log(`  fake.png: ${first} first`);
  if (first === 'steps') await answerParameters(host, { prompt: 'a fake [scenario:success]' });
  const n = await waitForError(/fake\.png/i, 60_000);
  assert.match(n.message, /image|PNG|JPEG|read/i);
  assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
  await host.clearNotifications();
});

scenario('(5) "Clear API Key" then a generation asks again; "Set API Key" stores a new one', async () => {
  contract.setScenario('success');
  await host.step(`palette → ${CLEAR_KEY_TITLE}`, async () => {
    await host.runPaletteCommand(CLEAR_KEY_TITLE);
    await host.waitForNotification(/clear/i, 15_000);
    await host.clearNotifications();
  });
  await host.step('a generation asks for the key again; Escape stops it', async () => {
    await host.contextMenu('mug.png', GENERATE_MENU_TITLE);
    await host.waitQuickInputTitle(/API Key/, 20_000);
    assert.equal(await host.quickInputType(), 'password');
    await host.page.keyboard.press('Escape');
    await host.quickInputHidden();
    const n = await host.waitForNotification(/key/i, 5_000).catch(() => undefined);
    log(`  after dismissing the key input: ${n ? JSON.stringify(n) : 'no message'}`);
    assert.equal(await host.editorTab(/Multiview: mug\.png/).count(), 0, 'no result panel without a key');
    await host.clearNotifications();
  });
  await host.step(`palette → ${SET_KEY_TITLE} (with a too-short key first)`, async () => {
    await host.runPaletteCommand(SET_KEY_TITLE);
    await host.waitQuickInputTitle(/API Key/);
    assert.equal(await host.quickInputType(), 'password');
    await host.quickInputTypeText('short');
    const msg = await host.waitQuickInputValidation(/8|character|short/i);
    log(`  validation: ${msg}`);
    await host.quickInputFill(KEY);
    await host.pressEnter();
    await host.quickInputHidden();
    await host.waitForNotification(/saved|stored|set/i, 15_000);
    await host.clearNotifications();
  });
  await host.step('the stored key is used: the next generation starts at step 1/7', async () => {
    const before = listFiles(mugOut());
    await generateFromExplorer('mug.png', 'a mug again [scenario:success]');
    const panel = await readResultPanel(host, 'mug.png');
    checkOutputFiles(mugOut(), before, 'mug', panel.jobId, KEY);
  });
}, 150_000);

// ---- faults and hostile input (issue "Hardening"): each ends with the result or one clear message ----------

let workspaceSettingsWritten = 0;

/**
 * Writes the workspace's .vscode/settings.json (as a cloned repository would have it) and waits until VS Code has
 * read it; returns its remover, which waits until VS Code has dropped it. The file also sets `window.title` to a
 * marker: the page's title changing is the one sign, visible from outside, that the settings are in effect (a fixed
 * sleep for the file watcher was too short on a slower CI machine).
 */
async function writeWorkspaceSettings(settings: Record<string, unknown>): Promise<() => Promise<void>> {
  const folder = path.join(ws(), '.vscode');
  const marker = `mv-workspace-settings-${++workspaceSettingsWritten}`;
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'settings.json'), JSON.stringify({ ...settings, 'window.title': `${marker} \${rootName}` }, null, 2));
  const titleHasMarker = async () => (await host.page.title()).includes(marker);
  await waitFor('VS Code read the workspace settings', titleHasMarker, 60_000);
  return async () => {
    fs.rmSync(folder, { recursive: true, force: true });
    await waitFor('VS Code dropped the workspace settings', async () => !(await titleHasMarker()), 60_000);
  };
}

/** A server quirk that the extension must ride out: the views still arrive and are saved. */
function recoveringScenario(name: ScenarioName, what: string): void {
  scenario(`(6) ${what} (${name}): the result arrives anyway`, async () => {
    contract.setScenario(name);
    const before = listFiles(mugOut());
    await generateFromExplorer('mug.png', `a mug [scenario:${name}]`);
    const panel = await readResultPanel(host, 'mug.png', 120_000);
    checkOutputFiles(mugOut(), before, 'mug', panel.jobId, KEY);
    assertNoPartialFiles(ws());
  }, { timeoutMs: 180_000, sameInEveryHost: true });
}

/** A failure the extension cannot get round: one clear message, nothing saved, the workbench usable. */
function failingScenario(name: ScenarioName, what: string, message: RegExp): void {
  scenario(`(7) ${what} (${name}): one clear message, nothing saved`, async () => {
    contract.setScenario(name);
    const before = listFiles(ws());
    await generateFromExplorer('mug.png', `a mug [scenario:${name}]`);
    const n = await waitForError(message, 120_000);
    assert.ok(!/<html|<!doctype|<script/i.test(n.message), `no raw markup in the message: ${n.message}`);
    assert.ok(!n.message.includes(KEY), 'the message does not show the key');
    assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
    await host.clearNotifications();
    await host.step('workbench usable', () => host.assertWorkbenchUsable());
  }, { timeoutMs: 180_000, sameInEveryHost: true });
}

recoveringScenario('queued-http400', 'a queued answer sent with HTTP 400');
recoveringScenario('rate-limit-then-success', 'HTTP 429 with retry_after, then success');
recoveringScenario('link-404-twice', 'a result link that 404s until it is ready');
recoveringScenario('proxy-links-object', 'the main link refused, proxy links as an object');
recoveringScenario('queued-no-fetch-result', 'a queued job without fetch_result');
failingScenario('validation-object', 'field -> list validation messages', /prompt field is required/i);
failingScenario('messege', 'an error in the misspelt "messege" field', /Multiview:.+\S/);
failingScenario('failed-on-fetch', 'a job that fails while queued', /fail/i);
failingScenario('truncated-json', 'truncated JSON', /JSON|incomplete|unreadable|malformed|server/i);
failingScenario('html-instead-of-image', 'a result link that serves an HTML page', /not a PNG|instead of an image|text\/html/i);
failingScenario('endless-body', 'a result that never ends', /larger than|limit|too large/i);
failingScenario('no-credits', 'no credits left (HTTP 402)', /credit/i);

scenario('(8) a job queued past the time limit: the user is asked, can keep waiting, then stop', async () => {
  contract.setScenario('queued-forever');
  // A workspace setting: this one is not restricted to user settings.
  const removeSettings = await writeWorkspaceSettings({ 'multiview.timeouts.jobSeconds': 10 });
  try {
    const before = listFiles(ws());
    await generateFromExplorer('mug.png', 'a mug [scenario:queued-forever]');
    const askedOnce = await host.waitForNotification(/still queued/i, 60_000, (n) => n.buttons.includes('Keep Waiting'));
    assert.ok(askedOnce.buttons.includes('Stop'), `offers Keep Waiting and Stop (${askedOnce.buttons.join(', ')})`);
    const polls = () => contract.requests.filter((r) => /fetch/.test(r.path)).length;
    await host.clickNotificationButton('Keep Waiting', /still queued/i);
    const pollsAfterKeep = polls();
    await host.waitForNotification(/still queued/i, 60_000, (n) => n.buttons.includes('Stop'));
    assert.ok(polls() > pollsAfterKeep, 'it went on polling after "Keep Waiting"');
    await host.clickNotificationButton('Stop', /still queued/i);
    const n = await waitForError(/still processing|stopped waiting/i, 30_000);
    assert.match(n.message, /job \S+/i, 'names the job so it can be looked up later');
    assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
    await host.clearNotifications();
  } finally {
    await removeSettings();
  }
}, 180_000);

scenario('(9) the network is down: a message about the connection, nothing saved', async () => {
  contract.setScenario('queued-forever');
  const before = listFiles(ws());
  await generateFromExplorer('mug.png', 'a mug [scenario:queued-forever]');
  await host.waitForNotification(/queued/i, 60_000, (n) => n.buttons.includes('Cancel'));
  // The server goes away while the job is queued: every connection is refused from then on.
  const { port } = contract;
  const earlierRequests = contract.requests;
  await contract.close();
  try {
    const n = await waitForError(/connect|network|refused/i, 60_000);
    assert.match(n.message, /^Multiview:/);
    assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
    await host.clearNotifications();
  } finally {
    contract = await startContractServer({ port });
    contract.requests.push(...earlierRequests);
  }
}, { timeoutMs: 120_000, sameInEveryHost: true });

scenario('(10) script payloads from the server and the user are shown as text and never run', async () => {
  contract.setScenario('hostile');
  const dialogs: string[] = [];
  const onDialog = (dialog: { message(): string; dismiss(): Promise<void> }) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  };
  host.page.on('dialog', onDialog);
  try {
    const hostilePrompt = '"><img src=x onerror=alert(2)> [scenario:hostile]';
    const before = listFiles(mugOut());
    await generateFromExplorer('mug.png', hostilePrompt);
    const panel = await readResultPanel(host, 'mug.png', 120_000);
    assert.equal(panel.params.prompt, hostilePrompt, 'the prompt is shown literally');
    const view = host.webview();
    const sources: string[] = await view.locator('img').evaluateAll((images: { getAttribute(name: string): string | null }[]) => images.map((img) => img.getAttribute('src') ?? ''));
    // The input, the grid, the six views, and the turntable's seven frames (the input and the six views again).
    assert.equal(sources.length, 15, 'only the input, the grid, the six views and the turntable’s frames are images: no injected <img>');
    const frames: string[] = await view.locator('#turntable-stage img').evaluateAll((images: { getAttribute(name: string): string | null }[]) => images.map((img) => img.getAttribute('src') ?? ''));
    assert.deepEqual(new Set(frames), new Set(sources.filter((src, index) => index !== 1 && index < 8)), 'the turntable shows only the input and the views');
    assert.ok(!sources.includes('x'), `no image from the payload's src=x (${sources.join(', ')})`);
    const scripts: string[] = await view.locator('script').evaluateAll((nodes: { outerHTML: string }[]) => nodes.map((node) => node.outerHTML));
    assert.deepEqual(scripts.filter((script) => /alert|onerror/.test(script)), [], 'no injected script');
    const metaText = await view.locator('#server-meta').textContent();
    assert.ok(metaText?.includes('<script>alert(1)</script>'), 'the server’s script payload is displayed as text');
    assert.ok(metaText?.includes('../../etc/passwd'), 'the server’s path payload is displayed as text');
    await sleep(500);
    assert.deepEqual(dialogs, [], 'no payload ran');
    const { grid } = checkOutputFiles(mugOut(), before, 'mug', panel.jobId, KEY);
    assert.equal(path.dirname(grid), mugOut(), 'the server-provided file_prefix did not choose the folder');
  } finally {
    host.page.off('dialog', onDialog);
  }
}, 180_000);

scenario('(11) a cloned workspace’s settings cannot send the key to another host', async () => {
  contract.setScenario('success');
  const evil = await startContractServer();
  // The same file also moves the output folder, a setting a workspace may change: the files landing there prove
  // that VS Code read this file, so the URLs were ignored, not missed.
  const removeSettings = await writeWorkspaceSettings({
    'multiview.apiBaseUrl': evil.baseUrl,
    'multiview.uploadBaseUrl': evil.baseUrl,
    'multiview.outputFolder': '${imageFolder}/from-workspace-settings',
  });
  try {
    const outDir = path.join(ws(), 'from-workspace-settings');
    await generateFromExplorer('mug.png', 'a mug [scenario:success]');
    const panel = await readResultPanel(host, 'mug.png');
    checkOutputFiles(outDir, [], 'mug', panel.jobId, KEY);
    assert.equal(evil.requests.length, 0, `the workspace's host got no request (${evil.requests.map((r) => r.path).join(', ')})`);
    fs.rmSync(outDir, { recursive: true, force: true });
  } finally {
    await removeSettings();
    await evil.close();
  }
}, 180_000);

scenario('(12) the status bar shows the running job; its list follows it while open, and × cancels it', async () => {
  contract.setScenario('queued-forever');
  const before = listFiles(ws());
  await generateFromExplorer('mug.png', 'a mug [scenario:queued-forever]');
  const item = host.page.locator('.statusbar-item[aria-label="Multiview: 1 running"]');
  await host.step('spinner and count in the status bar', () => item.waitFor({ state: 'visible', timeout: 30_000 }));
  await host.step('clicking it lists the job with its stage, kept current while open; × cancels it', async () => {
    await item.click();
    await host.waitQuickInputTitle(/Running Jobs/);
    const row = host.quickInputRows().filter({ hasText: 'mug.png' }).first();
    await row.waitFor({ state: 'visible' });
    /** The row's text while it says the job is queued. */
    const queuedText = async () => {
      const text = (await row.textContent()) ?? '';
      return text.includes('Queued') ? text : undefined;
    };
    // Opened early on a busy machine, the row first reads "Preparing image…" and moves on by itself.
    const queued = await waitFor('the row shows the job’s stage: queued', queuedText, 30_000);
    // Each poll says how long the job has waited: the open list follows it.
    await waitFor('the open list follows the job (a later poll’s wait)', async () => {
      const text = await queuedText();
      return text !== undefined && text !== queued;
    }, 30_000);
    await row.hover();
    await row.locator('.action-label').first().click();
    await waitFor('status bar item gone', async () => !(await item.isVisible()), 20_000);
    await host.page.keyboard.press('Escape');
  });
  await waitFor('progress notification gone', async () => !(await host.readNotifications()).some((n) => n.buttons.includes('Cancel')), 20_000);
  assert.deepEqual(newFiles(ws(), before), [], 'nothing saved');
  assertNoPartialFiles(ws());
}, 120_000);

scenario('(13) "Try with a Sample Image" (the walkthrough): the sample is copied into the workspace and its views saved', async () => {
  contract.setScenario('success');
  const before = listFiles(mugOut());
  await host.step('palette → Multiview: Try with a Sample Image', () => host.runPaletteCommand('Multiview: Try with a Sample Image'));
  await answerParameters(host, { prompt: 'a blue mug [scenario:success]' });
  const panel = await readResultPanel(host, 'multiview-sample-mug.png');
  assert.ok(fs.existsSync(path.join(ws(), 'multiview-sample-mug.png')), 'the sample image is in the workspace');
  checkOutputFiles(mugOut(), before, 'multiview-sample-mug', panel.jobId, KEY);
}, 120_000);

test('the key is in no file of the workspace and not in the code-server logs', { timeout: 60_000 }, async () => {
  assert.ok(host, 'the host started');
  // The key did reach the (fake) API: otherwise this check would prove nothing.
  assert.ok(requestLog().includes(KEY), 'the key was sent to the (fake) API');
  await sleep(500); // let the log files flush
  const browserHome = path.join(host.root, 'home');
  const hits = filesContaining(host.root, KEY, (p) => p === browserHome);
  assert.deepEqual(hits, [], `the key appears in: ${hits.join(', ')}`);
  const logsDirs = [path.join(host.userDataDir, 'logs'), path.join(host.root, 'xdg-data', 'code-server')].filter((d) => fs.existsSync(d));
  assert.ok(logsDirs.length > 0, 'the code-server logs dir exists (so it was scanned)');
  log(`  scanned ${listFiles(host.root).length} files under ${host.root} (logs: ${logsDirs.join(', ')})`);
});
