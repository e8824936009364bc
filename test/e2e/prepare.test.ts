/**
 * Preparing the input in a real VS Code (code-server) against the local contract server: the quick input asks
 * whether to pad a non-square image (its last step), the image the server receives is square, the sidecar records
 * it, "Send as it is" uploads the file unchanged and is remembered, a picture with a background is asked about its
 * background first, and a square opaque image is not asked about padding.
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/prepare.test.js
 *
 * Its own contract server and Host, so it runs beside (not inside) multiview.test.ts.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import type { UploadRecord } from '../../src/image/engine';
import { readImageSize } from '../../src/image/imageFormat';
import { makeJpeg } from '../host/fixtures';
import { Host, listFiles, log } from '../host/harness';
import {
  answerApiKey,
  answerParameters,
  AS_IS_ROW,
  type Answers,
  checkOutputFiles,
  GENERATE_MENU_TITLE,
  KEEP_BACKGROUND_ROW,
  PAD_ROW,
  type ParametersSeen,
  readResultPanel,
  resetUi,
} from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvPad-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;
let keyAsked = false;

const ws = () => host.workspace.dir;
const outputOf = (image: string) => outputFolderFor(host, path.dirname(image));

const scenario = scenarioRunner(() => host, { timeoutMs: 150_000 });

interface Generation {
  seen: ParametersSeen;
  /** The image the contract server received in the base64_to_url upload. */
  uploaded: Buffer;
  sidecar: Record<string, unknown>;
}

/** Right-click → Generate Multiview on `image`, answer, wait for the result; what was asked, sent and saved. */
async function generate(image: string, answers: Answers): Promise<Generation> {
  const out = outputOf(image);
  const before = listFiles(out);
  const requestsBefore = contract.requests.length;
  await host.step(`right-click ${image} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(image, GENERATE_MENU_TITLE));
  if (!keyAsked) {
    await answerApiKey(host, KEY);
    keyAsked = true;
  }
  const seen = await answerParameters(host, answers);
  const panel = await readResultPanel(host, path.basename(image));
  const { sidecarJson } = checkOutputFiles(out, before, path.basename(image).replace(/\.[^.]+$/, ''), panel.jobId, KEY);
  const uploads = contract.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/api/v6/base64_to_url'));
  assert.equal(uploads.length, 1, 'one upload');
  const dataUri = String((uploads[0].body as Record<string, unknown>).base64_string);
  const uploaded = Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');
  log(`  uploaded ${dataUri.slice(0, dataUri.indexOf(','))}, ${JSON.stringify(readImageSize(uploaded))}; inputPreparation ${JSON.stringify(sidecarJson.inputPreparation)}`);
  return { seen, uploaded, sidecar: sidecarJson };
}

before(async () => {
    ({ host, contract } = await startHostSuite('prepare'));
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

scenario('(1) a 96×128 image: step 8 of 8 offers padding, active by default; the upload is square, the sidecar says so', async () => {
  contract.setScenario('success');
  const { seen, uploaded, sidecar } = await generate('mug.png', { prompt: 'a white ceramic mug' });
  assert.equal(seen.totalSteps, 8, 'eight steps: the image is not square');
  assert.ok(seen.prepare, 'the preparation step was shown');
  assert.match(seen.prepare.placeholder, /^Prepare the image: 96 × 128, not square/);
  assert.match(seen.prepare.labels[0], /^Pad to a square on a grey background \(recommended\)/);
  assert.ok(seen.prepare.labels.some((label) => AS_IS_ROW.test(label)), `"Send as it is" is offered (${seen.prepare.labels.join(' | ')})`);
  assert.match(seen.prepare.active, PAD_ROW, 'padding is the active row by default');

  assert.deepEqual(readImageSize(uploaded), { width: 128, height: 128 }, 'the server received a square image');
  const preparation = sidecar.inputPreparation as UploadRecord;
  assert.equal(preparation.options.padToSquare, true);
  assert.deepEqual(
    preparation.steps.find((step) => step.step === 'padded'),
    { step: 'padded', from: { width: 96, height: 128 }, to: { width: 128, height: 128 }, background: '#7f7f7f' },
    'the sidecar records the padding',
  );
  const upload = sidecar.upload as Record<string, unknown>;
  assert.deepEqual([upload.width, upload.height], [128, 128], 'the sidecar records the size uploaded');
});

scenario('(2) "Send as it is" uploads the file unchanged, and the next run has it as the active row', async () => {
  const original = fs.readFileSync(path.join(ws(), 'mug.png'));
  const asIs = await generate('mug.png', { prompt: 'a white ceramic mug', prepare: 'as-is' });
  assert.ok(asIs.uploaded.equals(original), 'the server received mug.png byte for byte');
  assert.deepEqual(readImageSize(asIs.uploaded), { width: 96, height: 128 });
  const preparation = asIs.sidecar.inputPreparation as UploadRecord;
  assert.equal(preparation.options.padToSquare, false);
  assert.ok(preparation.steps.some((step) => step.step === 'sent-untouched'), `sent untouched (${JSON.stringify(preparation.steps)})`);

  await resetUi(host);
  // The JPEG in photos/ is 96×128 too: the remembered answer holds for any image, and padding is chosen again.
  // A JPEG has a background (no transparency): the background step comes first, keeping it by default.
  const next = await generate('photos/shoe.jpg', { prompt: 'a blue shoe', prepare: 'pad' });
  assert.equal(next.seen.totalSteps, 9, 'nine steps: the background, then the preparation');
  assert.match(next.seen.background?.active ?? '', KEEP_BACKGROUND_ROW, 'keeping the background is the default');
  assert.ok(next.seen.background?.labels.some((label) => /spends credits/.test(label)), 'removing it says it spends credits');
  assert.match(next.seen.prepare?.active ?? '', AS_IS_ROW, 'the remembered "Send as it is" is the active row');
  assert.deepEqual(readImageSize(next.uploaded), { width: 128, height: 128 }, 'picking the pad row pads again');
  assert.ok(!(next.sidecar.inputPreparation as UploadRecord).steps.some((step) => step.step === 'composited'), 'a JPEG has no transparency to composite');
});

scenario('(3) a square opaque image: no preparation question, sent unchanged', async () => {
  const square = path.join(ws(), 'square.jpg');
  fs.writeFileSync(square, makeJpeg(96, 96));
  const { seen, uploaded, sidecar } = await generate('square.jpg', { prompt: 'a square thing' });
  assert.equal(seen.totalSteps, 8, 'eight steps: its background, nothing to prepare');
  assert.ok(seen.background, 'the background step was shown');
  assert.equal(seen.prepare, undefined);
  assert.ok(uploaded.equals(fs.readFileSync(square)), 'the server received square.jpg byte for byte');
  const preparation = sidecar.inputPreparation as UploadRecord;
  assert.ok(preparation.steps.some((step) => step.step === 'sent-untouched'), 'padding was on (remembered from run 2b) but not needed');
  assert.ok(!preparation.steps.some((step) => step.step === 'padded'));
});
