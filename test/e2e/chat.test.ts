/**
 * #multiview typed into VS Code 1.139's real Chat view in Agent mode, as a person using an agent sees it: a test-only
 * scripted model (test/host/scripted-model) calls Multiview's tools through Copilot Chat's own agent loop; the
 * confirmations, the stop button, the answers and the files are the real ones. Runs only in a VS Code with a chat
 * (MULTIVIEW_VSCODE=1.139); 1.100 has none, and test/e2e/tools.test.ts calls the same tools there.
 *
 *   npm run package && npm run compile-tests && MULTIVIEW_VSCODE=1.139 node --test out/test/e2e/chat.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ChatView, SCRIPTED_MODEL_EXTENSION } from '../host/chat';
import { filesContaining, type Host, listFiles, log, sleep, waitFor } from '../host/harness';
import { selectedHostVersion } from '../host/hostVersions';
import { answerApiKey, answerParameters, newFiles, readResultPanel } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const version = selectedHostVersion();
const KEY = `mvChat-${randomBytes(9).toString('hex')}`;

let host: Host;
let contract: ContractServer;
let chat: ChatView;

const outDir = () => outputFolderFor(host);
const submissions = () => contract.requests.filter((request) => /\/multiview$/.test(request.path)).length;
const backgroundRemovals = () => contract.requests.filter((request) => /removebg/.test(request.path)).length;
const modelJobs = () => contract.requests.filter((request) => /\/3d\/image_to_3d$/.test(request.path)).length;
/** Text as the chat renders it (non-breaking spaces as spaces). */
const plain = (text: string) => text.replace(/\u00a0/g, ' ');

/** A chat per scenario: what one scenario typed does not feed the next one's conversation. */
const scenario = scenarioRunner(() => host, {
  timeoutMs: 180_000,
  prepare: async (h) => {
    await h.clearNotifications();
    await h.closeAllEditors();
    await chat.newChat();
    await chat.dismissNotices();
  },
});

if (!version.hasChat) {
  test('#multiview in the real Chat view', { skip: `VS Code ${version.vscode} has no Chat view: run with MULTIVIEW_VSCODE=1.139 (npm test does)` }, () => undefined);
} else {
  before(async () => {
    ({ host, contract } = await startHostSuite('e2e-chat', {}, { extraExtensions: [SCRIPTED_MODEL_EXTENSION] }));
    chat = new ChatView(host);
    await host.runPaletteCommand('Multiview: Set API Key');
    await answerApiKey(host, KEY);
    await host.waitForNotification(/API key saved/);
    await chat.ready();
  }, START_TIMEOUT);

  after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

  scenario('(C1) #multiviewResults: the listing, no confirmation, no request to the service', async () => {
    const requestsBefore = contract.requests.length;
    chat.script('multiview_listResults', {});
    await chat.send('Which Multiview results do I have? #multiviewResults');
    const answer = await chat.answer(/Scripted answer:/);
    assert.match(answer, /No Multiview results found\./);
    assert.ok(!(await chat.confirmationShown()), 'a read-only tool asks nothing');
    assert.equal(contract.requests.length, requestsBefore, 'nothing was sent to the service');
  });

  scenario('(C2) a tool call does not inherit a paid step the person chose for the commands: one job, no background removal', async () => {
    // The person's own default for the commands: remove the background first (a second paid job).
    await host.updateSettings({ 'multiview.defaults.removeBackground': true });
    try {
      const submittedBefore = submissions();
      const removalsBefore = backgroundRemovals();
      chat.script('multiview_generate', { image: 'photos/shoe.jpg' });
      await chat.send('Six views of photos/shoe.jpg please #multiview');
      const asked = await chat.readConfirmation();
      assert.match(asked.message, /one paid job/);
      assert.doesNotMatch(asked.message, /two paid jobs|background removal/i, asked.message);
      await chat.allowOnce();
      assert.match(await chat.answer(/Scripted answer:/), /Saved the six views of (photos\/)?shoe\.jpg/); // the chat shows the path as a file link named shoe.jpg
      assert.equal(submissions(), submittedBefore + 1);
      assert.equal(backgroundRemovals(), removalsBefore, 'no background removal: the setting is the person’s, not the agent’s');
    } finally {
      await host.updateSettings({ 'multiview.defaults.removeBackground': false });
    }
  });

  scenario('(C3) #multiview: the confirmation in the chat names the image, the size, the cost and the folder; allowed, one job, the files, the panel, an answer naming every file', async () => {
    const filesBefore = listFiles(outDir());
    const submittedBefore = submissions();
    const removalsBefore = backgroundRemovals();
    chat.script('multiview_generate', { image: 'mug.png', prompt: 'a white mug', seed: 4242 });
    const typed = Date.now();
    await chat.send('Make six views of mug.png #multiview');
    const asked = await chat.readConfirmation();
    const confirmationMs = Date.now() - typed;
    assert.equal(asked.title, 'Generate six views with Multiview?');
    assert.match(asked.message, /mug\.png/);
    assert.match(asked.message, /640 × 960/);
    assert.match(asked.message, /credits/i, 'the cost is named');
    assert.match(asked.message, /generated\//);
    assert.equal(submissions(), submittedBefore, 'nothing is sent before the person allows it');

    const recording = host.recordNotifications();
    const allowed = Date.now();
    await chat.allowOnce();
    // While the job runs, its progress is in the chat and the status bar, not in a toast over the chat's input.
    await waitFor('the job to be submitted', () => submissions() > submittedBefore, 60_000);
    const running = await chat.lastResponse().textContent();
    assert.match(plain(running ?? ''), /Generating six views of mug\.png/);
    const answer = await chat.answer(/Scripted answer:/);
    const answerMs = Date.now() - allowed;
    const seen = await recording.stop();
    log(`  chat: Enter → confirmation ${confirmationMs} ms; Allow → answer ${answerMs} ms`);
    assert.deepEqual(seen.filter((notification) => notification.progress), [], 'no progress notification over the chat');

    const saved = newFiles(outDir(), filesBefore);
    assert.equal(saved.length, 8, `the grid, six views and the sidecar: ${saved.join(', ')}`);
    // Every file written is in the answer as a file the person can open (the model reads the plain paths, below).
    const links = await chat.fileLinks();
    for (const file of saved) assert.ok(links.includes(path.join(outDir(), file)), `the answer links generated/${file}:\n${answer}\n${links.join('\n')}`);
    assert.equal(submissions(), submittedBefore + 1, 'one job');
    assert.equal(backgroundRemovals(), removalsBefore, 'no background removal was asked for');
    const panel = await readResultPanel(host, 'mug.png');
    assert.equal(panel.seed, '4242');

    // What the model was given: the answer's text, and a small picture of the grid when this VS Code passes images.
    const result = chat.requests().flatMap((request) => request.messages.flatMap((message) => message.parts)).filter((part) => part.type === 'toolResult').at(-1);
    const told = result?.content?.filter((part) => part.type === 'text').map((part) => part.value ?? '').join('\n') ?? '';
    assert.match(told, /Saved the six views of mug\.png/);
    for (const file of saved) assert.ok(told.includes(`generated/${file}`), `the model was told generated/${file}:\n${told}`);
    const picture = result?.content?.find((part) => part.type === 'data' && /^image\//.test(part.mimeType ?? ''));
    assert.ok(picture, 'the model was given the grid as an image');
    assert.ok((picture.bytes ?? 0) > 1000 && (picture.bytes ?? 0) < 300_000, `a small picture: ${picture.bytes} bytes`);
  });

  scenario('(C4) declined ("Skip"): nothing sent, nothing written, the agent is told', async () => {
    const filesBefore = listFiles(outDir());
    const submittedBefore = submissions();
    chat.script('multiview_generate', { image: 'mug.png' });
    await chat.send('Again, six views of mug.png #multiview');
    await chat.readConfirmation();
    await chat.skip();
    await chat.answer(/Scripted answer:/);
    await sleep(1000);
    assert.equal(submissions(), submittedBefore);
    assert.deepEqual(newFiles(outDir(), filesBefore), []);
  });

  scenario('(C5) the chat’s stop button during a job: polling stops, nothing is left behind, the chat says it stopped', async () => {
    const filesBefore = listFiles(outDir());
    const submittedBefore = submissions();
    chat.script('multiview_generate', { image: 'mug.png', prompt: 'a mug [scenario:queued-forever]' });
    await chat.send('Six views of mug.png #multiview');
    await chat.readConfirmation();
    await chat.allowOnce();
    await waitFor('the job to be submitted', () => submissions() > submittedBefore, 60_000);
    const submittedAt = Date.now();
    // Polling under way, so that "it stops" means something.
    await waitFor('the queued job to be polled', () => contract.requests.some((request) => /\/fetch/.test(request.path) && request.at >= submittedAt - 1000), 45_000);
    await chat.stop();
    await waitFor('the chat request to end', async () => !(await chat.running()), 20_000);
    const stoppedAt = Date.now();
    await sleep(6000);
    const pollsAfter = contract.requests.filter((request) => /\/fetch/.test(request.path) && request.at > stoppedAt + 1000);
    assert.deepEqual(pollsAfter.map((request) => request.path), [], 'no polling after the stop');
    assert.deepEqual(listFiles(outDir()).filter((file) => !filesBefore.includes(file)), [], 'nothing left behind (no file, no lock)');
    // VS Code marks a tool that ended by the stop button with its error mark in place of the spinner.
    assert.equal(await chat.toolLineState(), 'stopped', 'the chat shows the tool as stopped');
  });

  scenario('(C6) bad input: the agent gets the person’s own words, nothing is sent', async () => {
    const submittedBefore = submissions();
    const outside = path.join(path.dirname(host.workspace.dir), 'outside.png');
    fs.copyFileSync(path.join(host.workspace.dir, 'mug.png'), outside);
    chat.script('multiview_generate', { image: outside });
    await chat.send('Views of that other picture #multiview');
    assert.match(await chat.answer(/Scripted answer:/), /is not inside the open workspace folder/);
    await chat.newChat();
    chat.script('multiview_generate', { image: 'notes.txt' });
    await chat.send('Views of notes.txt #multiview');
    assert.match(await chat.answer(/Scripted answer:/), /is not a PNG, JPEG or WebP image/);
    assert.ok(!(await chat.confirmationShown()), 'nothing is asked for an input that cannot run');
    assert.equal(submissions(), submittedBefore);
  });

  scenario('(C7) #multiview3d on that result: the confirmation, a model file, its path and triangle count in the answer', async () => {
    const filesBefore = listFiles(outDir());
    const jobsBefore = modelJobs();
    chat.script('multiview_make3d', { image: 'mug.png', format: 'glb' });
    await chat.send('Now a 3D model of mug.png #multiview3d');
    const asked = await chat.readConfirmation();
    assert.equal(asked.title, 'Make a 3D model with Multiview?');
    assert.match(asked.message, /credits/i, 'the cost is named');
    assert.match(asked.message, /generated\/mug-multiview-\d+-3d\.glb/);
    assert.equal(modelJobs(), jobsBefore, 'nothing is sent before the person allows it');
    await chat.allowOnce();
    const answer = plain(await chat.answer(/Scripted answer:/, 150_000));
    assert.match(answer, /GLB file, \d+ triangles, \d+ vertices/);
    const added = newFiles(outDir(), filesBefore);
    assert.equal(added.length, 1, `only the model was added: ${added.join(', ')}`);
    assert.match(added[0], /^mug-multiview-\d+-3d\.glb$/);
    assert.ok((await chat.fileLinks()).includes(path.join(outDir(), added[0])), `the answer links the model:\n${answer}`);
    assert.ok(fs.statSync(path.join(outDir(), added[0])).size > 1000, `${added[0]} is on disk`);
    assert.equal(modelJobs(), jobsBefore + 1);
  });

  scenario('(C8) the same job from the command, for comparison: Explorer → Generate Multiview… → the panel', async () => {
    const submittedBefore = submissions();
    await host.contextMenu('mug.png', 'Generate Multiview...');
    await answerParameters(host, { prompt: 'a white mug', seed: 4242 });
    const answered = Date.now();
    await readResultPanel(host, 'mug.png');
    log(`  command: last answer → panel ${Date.now() - answered} ms`);
    assert.equal(submissions(), submittedBefore + 1);
  });

  scenario('(C9) the key appears nowhere: not in the chat, not in what the model was given, not in any file', async () => {
    assert.ok(contract.requests.some((request) => JSON.stringify(request.body ?? '').includes(KEY)), 'the key did reach the (fake) API');
    assert.ok(!((await host.page.locator('.interactive-session').first().textContent()) ?? '').includes(KEY), 'not in the chat');
    assert.ok(!JSON.stringify(chat.requests()).includes(KEY), 'not in any message the model received');
    const browserHome = path.join(host.root, 'home'); // where code-server keeps SecretStorage: the one place the key belongs
    const found = filesContaining(host.root, KEY, (file) => file === browserHome);
    assert.deepEqual(found, [], `the key was found in: ${found.join(', ')}`);
  });
}
