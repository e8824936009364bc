/**
 * Multiview's language-model tools in a real VS Code (code-server 4.100.3), called as a chat agent calls them:
 * a test-only extension installed beside the .vsix (test/host/tool-caller) runs `vscode.lm.invokeTool`. code-server
 * has no chat and no language model, so `#multiview` cannot be typed here; the tool call, its confirmation (a modal
 * dialog when no chat is involved), the pipeline, the panel and the answer are the real ones.
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/tools.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { filesContaining, Host, listFiles, REPO_ROOT, waitFor } from '../host/harness';
import { answerApiKey, clickDialogButton, dialog, newFiles, readDialog, readResultPanel } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvTools-${randomBytes(9).toString('hex')}`;
const TOOL_CALLER = path.join(REPO_ROOT, 'test', 'host', 'tool-caller');

let host: Host;
let contract: ContractServer;

const scenario = scenarioRunner(() => host, { timeoutMs: 150_000 });
const outDir = () => outputFolderFor(host);

interface ToolResponse {
  ok: boolean;
  texts?: string[];
  error?: { name?: string; message?: string };
}

const responseFile = () => path.join(host.workspace.dir, 'tool-response.json');

/** Asks the tool caller to invoke `name` with `input`, as an agent would; returns once the call has started. */
async function invokeTool(name: string, input: unknown): Promise<void> {
  fs.rmSync(responseFile(), { force: true });
  fs.writeFileSync(path.join(host.workspace.dir, 'tool-request.json'), JSON.stringify({ name, input }));
  await host.runPaletteCommand('Tool Caller: Invoke Tool');
}

async function toolResponse(timeoutMs = 90_000): Promise<ToolResponse> {
  const file = await waitFor('the tool’s answer', () => (fs.existsSync(responseFile()) ? responseFile() : undefined), timeoutMs);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ToolResponse;
}

const submissions = () => contract.requests.filter((request) => /\/multiview$/.test(request.path)).length;

before(async () => {
  ({ host, contract } = await startHostSuite('e2e-tools', {}, { extraExtensions: [TOOL_CALLER] }));
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

scenario('(T1) listing results before any: read-only, no question, "No Multiview results found."', async () => {
  await invokeTool('multiview_listResults', {});
  const response = await toolResponse();
  assert.ok(!(await dialog(host).isVisible()), 'a read-only tool asks nothing');
  assert.deepEqual(response, { ok: true, texts: ['No Multiview results found.'], ms: (response as { ms?: number }).ms });
});

scenario('(T2) no key yet: the tool answers with the command to run, asks nothing, spends nothing', async () => {
  const before = submissions();
  await invokeTool('multiview_generate', { image: 'mug.png' });
  const response = await toolResponse();
  assert.equal(response.ok, true);
  assert.match(response.texts?.join('\n') ?? '', /run the command “Multiview: Set API Key”/);
  assert.ok(!(await dialog(host).isVisible()), 'no confirmation for a job that cannot run');
  assert.equal(submissions(), before);
  await host.runPaletteCommand('Multiview: Set API Key');
  await answerApiKey(host, KEY);
  await host.waitForNotification(/API key saved/);
});

scenario('(T3) generate: the confirmation names the image, the size, the cost and the folder; then the views, the panel and an answer an agent can act on', async () => {
  const before = listFiles(outDir());
  const submittedBefore = submissions();
  const recording = host.recordNotifications();
  await invokeTool('multiview_generate', { image: 'mug.png', prompt: 'a white mug', seed: 4242 });
  const asked = await readDialog(host);
  assert.equal(asked.message, 'Generate six views with Multiview?');
  assert.match(asked.detail, /Generate six views of mug\.png: a 640 × 960 grid, 50 steps\./);
  assert.match(asked.detail, /one paid job on your account \(the six views\)/);
  assert.match(asked.detail, /spends credits from your ModelsLab/);
  assert.match(asked.detail, /into generated\//);
  assert.equal(submissions(), submittedBefore, 'nothing is sent before the user says yes');
  await clickDialogButton(host, 'Yes');

  const response = await toolResponse();
  const seen = await recording.stop();
  assert.equal(response.ok, true, JSON.stringify(response));
  const told = response.texts?.join('\n') ?? '';
  assert.match(told, /^Saved the six views of mug\.png \(job \d+\)\./);
  assert.match(told, /Seed: 4242\./);
  assert.equal((told.match(/View at azimuth \d+°, elevation [+-]\d+°: generated\/mug-multiview-\d+-view-az\d{3}-el[+-]\d+\.png/g) ?? []).length, 6);
  for (const file of told.match(/generated\/[^\s]+\.(png|json)/g) ?? []) {
    assert.ok(fs.existsSync(path.join(host.workspace.dir, file)), `${file}, as the answer says, is on disk`);
  }
  assert.equal(newFiles(outDir(), before).length, 8, 'the grid, six views and the sidecar');
  assert.ok(!seen.some((notification) => notification.progress && /Multiview/.test(`${notification.source} ${notification.message}`)), 'an agent’s job shows its progress in the status bar, not in a notification over the chat');
  const panel = await readResultPanel(host, 'mug.png');
  assert.equal(panel.seed, '4242');
  assert.equal(submissions(), submittedBefore + 1);
});

scenario('(T4) "Cancel" in the confirmation: nothing is sent, nothing written, the agent is told it was cancelled', async () => {
  const before = listFiles(outDir());
  const submittedBefore = submissions();
  await invokeTool('multiview_generate', { image: 'photos/shoe.jpg' });
  await readDialog(host);
  await clickDialogButton(host, 'Cancel');
  const response = await toolResponse();
  assert.equal(response.ok, false);
  assert.equal(response.error?.name, 'Canceled');
  assert.deepEqual(newFiles(outDir(), before), []);
  assert.deepEqual(newFiles(outputFolderFor(host, 'photos'), []), []);
  assert.equal(submissions(), submittedBefore);
});

scenario('(T5) the chat’s stop button cancels a running job: no files, its progress in the status bar ends', async () => {
  const before = listFiles(outDir());
  await invokeTool('multiview_generate', { image: 'mug.png', prompt: 'a mug [scenario:queued-forever]' });
  await readDialog(host);
  await clickDialogButton(host, 'Yes');
  // An agent's job reports its stages in the window's status bar (ProgressLocation.Window), not a notification.
  const progress = host.page.locator('.statusbar-item', { hasText: /Queued \(job/i });
  await host.step('the stage in the status bar', () => progress.first().waitFor({ state: 'visible', timeout: 60_000 }));
  await host.runPaletteCommand('Tool Caller: Cancel Tool');
  const response = await toolResponse();
  assert.equal(response.ok, false);
  assert.equal(response.error?.name, 'Canceled');
  await waitFor('the status bar progress to end', async () => (await progress.count()) === 0, 20_000);
  assert.ok(!(await host.readNotifications()).some((n) => n.progress), 'no progress notification was left');
  assert.deepEqual(newFiles(outDir(), before), []);
});

scenario('(T6) a bad input: the same words the quick input would say, nothing asked, nothing spent', async () => {
  const submittedBefore = submissions();
  await invokeTool('multiview_generate', { image: 'mug.png', steps: 80 });
  const response = await toolResponse();
  assert.match(response.texts?.join('\n') ?? '', /Inference steps must be a whole number from 1 to 50/);
  await invokeTool('multiview_generate', { image: 'notes.txt' });
  assert.match((await toolResponse()).texts?.join('\n') ?? '', /is not a PNG, JPEG or WebP image/);
  assert.equal(submissions(), submittedBefore);
});

scenario('(T7) listing the results of an image: the earlier run, with its sidecar to refer to', async () => {
  await invokeTool('multiview_listResults', { image: 'mug.png' });
  const told = (await toolResponse()).texts?.join('\n') ?? '';
  assert.match(told, /- Result of mug\.png, finished \S+ \(job \d+, seed 4242\)/);
  assert.match(told, /sidecar: generated\/mug-multiview-\d+\.json/);
  assert.doesNotMatch(told, /shoe/);
});

scenario('(T7b) make a 3D model of the image’s newest result: the confirmation names it, the format and the file; then the model and an answer with its path', async () => {
  contract.setScenario('success');
  const before = listFiles(outDir());
  const modelJobs = () => contract.requests.filter((request) => /\/3d\/image_to_3d$/.test(request.path)).length;
  const jobsBefore = modelJobs();
  await invokeTool('multiview_make3d', { image: 'mug.png', format: 'obj' });
  const asked = await readDialog(host);
  assert.equal(asked.message, 'Make a 3D model with Multiview?');
  assert.match(asked.detail, /Make a 3D model of mug\.png: OBJ, quality 256\./);
  assert.match(asked.detail, /one paid job on your account \(the 3D model\) and takes a few minutes/);
  assert.match(asked.detail, /It writes generated\/mug-multiview-\d+-3d\.obj beside the result/);
  assert.equal(modelJobs(), jobsBefore, 'nothing is sent before the user says yes');
  await clickDialogButton(host, 'Yes');

  const response = await toolResponse();
  assert.equal(response.ok, true, JSON.stringify(response));
  const told = response.texts?.join('\n') ?? '';
  const file = /^Saved the 3D model of mug\.png \(job [^)]+\): (generated\/mug-multiview-\d+-3d\.obj)$/m.exec(told)?.[1];
  assert.ok(file, told);
  assert.match(told, /OBJ file, \d+ triangles, \d+ vertices, \d+ bytes; made from the source image\./);
  assert.ok(fs.readFileSync(path.join(host.workspace.dir, file), 'utf8').includes('\nf '), `${file} is an OBJ with faces`);
  assert.deepEqual(newFiles(outDir(), before), [path.basename(file)], 'only the model was added (its result’s sidecar was updated)');
  assert.equal(modelJobs(), jobsBefore + 1);
  await host.webview().locator('#model').waitFor({ state: 'visible', timeout: 30_000 });
});

scenario('(T8) the key is in no answer, file or log of the host', async () => {
  assert.ok(contract.requests.some((request) => JSON.stringify(request.body ?? '').includes(KEY)), 'the key did reach the (fake) API');
  // The browser's own profile is where code-server keeps SecretStorage: the one place the key belongs.
  const browserHome = path.join(host.root, 'home');
  const found = filesContaining(host.root, KEY, (file) => file === browserHome);
  assert.deepEqual(found, [], `the key was found in: ${found.join(', ')}`);
});
