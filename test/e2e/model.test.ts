/**
 * From a phone photo to a 3D model in a real VS Code (code-server), against the local contract server, acting as a
 * person would: right-click a photo with a background, ask for the background to be removed, get the cut-out and
 * the six views; press "Make 3D Model" in the panel, answer its questions (which say it spends credits), and see
 * the model saved, recorded in the sidecar and drawn (the canvas is not all background: WebGL runs in software);
 * open a .glb from the Explorer in the read-only viewer, a damaged one saying so; remove a background on its own.
 * One host for the file; the scenarios run in order and build on each other.
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/model.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { PNG } from 'pngjs';
import { lathedVase, triangleCount } from '../support/modelFixtures';
import { Host, listFiles, log, waitFor } from '../host/harness';
import { answerApiKey, answerParameters, GENERATE_MENU_TITLE, newFiles, readResultPanel, VIEW_SUFFIX } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvModel-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;

// Between scenarios: no quick input and no notification, but the editors stay (the result panel is used again).
const scenario = scenarioRunner(() => host, {
  timeoutMs: 180_000,
  prepare: async (started) => {
    for (let i = 0; i < 3 && (await started.quickInputWidget().isVisible()); i++) await started.page.keyboard.press('Escape');
    await started.clearNotifications();
  },
});

/** What the scenarios share: the result made in (1). */
const made: { stem?: string; folder?: string; sidecar?: string } = {};

/** The share of the canvas's pixels unlike its top-left corner (the background the viewer cleared to). */
async function drawnShare(canvas: ReturnType<ReturnType<Host['webview']>['locator']>): Promise<number> {
  const png = PNG.sync.read(await canvas.screenshot({ animations: 'allow' }));
  const corner = [png.data[0], png.data[1], png.data[2]];
  let unlike = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i] - corner[0]) > 12 || Math.abs(png.data[i + 1] - corner[1]) > 12 || Math.abs(png.data[i + 2] - corner[2]) > 12) unlike++;
  }
  return unlike / (png.width * png.height);
}

/** Waits until the viewer in the active webview has drawn a model; returns its info line. */
async function waitForDrawnModel(what: string): Promise<string> {
  const view = host.webview();
  const info = await waitFor(`${what}: the viewer's info line`, async () => {
    const text = ((await view.locator('.model-viewer-info').textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
    return /triangles/.test(text) ? text : undefined;
  }, 60_000);
  const share = await waitFor(`${what}: the canvas shows the model`, async () => {
    const drawn = await drawnShare(view.locator('.model-viewer canvas').first());
    return drawn > 0.01 ? drawn : undefined;
  }, 30_000);
  log(`  ${what}: ${(share * 100).toFixed(1)} % of the canvas is the model; info "${info}"`);
  return info;
}

function hasTransparentPixels(file: string): boolean {
  const png = PNG.sync.read(fs.readFileSync(file));
  for (let i = 3; i < png.data.length; i += 4) if (png.data[i] < 255) return true;
  return false;
}

/** The rows of the visible quick pick, each with its label, description and detail as one text. */
async function quickPickRowTexts(): Promise<string[]> {
  return ((await host.quickInputRows().allTextContents()) as string[]).map((text) => text.replace(/\s+/g, ' ').trim());
}

before(async () => {
  ({ host, contract } = await startHostSuite('e2e-model'));
  await host.page.emulateMedia({ reducedMotion: 'reduce' });
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

scenario('(1) a photo with a background: the background step, then the cut-out and the six views, all saved and shown', async () => {
  contract.setScenario('success');
  const folder = outputFolderFor(host, 'photos');
  const before = listFiles(folder);
  const requestsBefore = contract.requests.length;
  await host.step(`right-click photos/shoe.jpg → ${GENERATE_MENU_TITLE}`, () => host.contextMenu('photos/shoe.jpg', GENERATE_MENU_TITLE));
  await answerApiKey(host, KEY);
  const seen = await answerParameters(host, { prompt: 'a blue shoe', removeBackground: true, prepare: 'pad' });
  assert.ok(seen.background, 'a JPEG photo is asked about its background');
  assert.ok(seen.background.labels.some((label) => /^Remove the background first.*spends credits/.test(label)), `removing says it spends credits (${seen.background.labels.join(' | ')})`);
  const panel = await readResultPanel(host, 'shoe.jpg');

  const added = newFiles(folder, before);
  const stem = `shoe-multiview-${panel.jobId}`;
  assert.deepEqual(
    added.filter((file) => !file.startsWith(stem)),
    [],
    `only the result's files were added (${added.join(', ')})`,
  );
  assert.equal(added.filter((file) => VIEW_SUFFIX.test(file)).length, 6, 'six views');
  assert.ok(added.includes(`${stem}.png`) && added.includes(`${stem}.json`), 'the grid and the sidecar');
  assert.ok(added.includes(`${stem}-subject.png`), `the cut-out is saved beside them (${added.join(', ')})`);
  assert.ok(hasTransparentPixels(path.join(folder, `${stem}-subject.png`)), 'the cut-out has a transparent background');

  const sidecar = JSON.parse(fs.readFileSync(path.join(folder, `${stem}.json`), 'utf8')) as { subject: { file: string } | null };
  assert.equal(sidecar.subject?.file, `${stem}-subject.png`, 'the sidecar records the cut-out');
  const routes = contract.requests.slice(requestsBefore).map((request) => request.path);
  const removal = routes.findIndex((route) => /removebg_mask$/.test(route));
  const views = routes.findIndex((route) => /\/multiview$/.test(route));
  assert.ok(removal >= 0 && views > removal, `the background is removed before the views are asked for (${routes.join(', ')})`);

  await host.step('the panel shows the cut-out', async () => {
    await waitFor('img#subject-image loaded', async () =>
      host.webview().locator('img#subject-image').evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0), 20_000);
  });
  Object.assign(made, { stem, folder, sidecar: path.join(folder, `${stem}.json`) });
});

scenario('(2) Make 3D Model in the panel: four questions that say what it costs; the model is saved, recorded and drawn', async () => {
  assert.ok(made.stem && made.folder && made.sidecar, 'scenario 1 made a result');
  await host.editorTab(/Multiview: shoe\.jpg/).first().click();
  const requestsBefore = contract.requests.length;
  await host.step('click "Make 3D Model… (spends credits)"', async () => {
    const button = host.webview().locator('#make-model');
    assert.match((await button.textContent()) ?? '', /spends credits/);
    await button.click();
  });
  await host.step('1/4 the format: GLB', async () => {
    await host.waitQuickInputTitle(/Make 3D Model: shoe\.jpg.*\(1\s*\/\s*4\)/, 20_000);
    const labels = await waitFor('format rows', async () => {
      const rows = await host.quickPickLabels();
      return rows.length === 4 ? rows : undefined;
    });
    assert.deepEqual(labels.map((label) => /^[A-Z]+/.exec(label)?.[0]), ['GLB', 'OBJ', 'STL', 'PLY']);
    await host.pickRow(/^GLB/);
  });
  await host.step('2/4 the quality: standard', async () => {
    await host.waitQuickInputTitle(/\(2\s*\/\s*4\)/);
    await waitFor('quality rows', async () => (await host.quickPickLabels()).length === 2);
    await host.pickRow(/^Standard \(256\)/);
  });
  await host.step('3/4 the seed: 777', async () => {
    await host.waitQuickInputTitle(/\(3\s*\/\s*4\)/);
    await host.quickInputFill('x');
    await host.waitQuickInputValidation(/whole number/);
    await host.quickInputFill('777');
    await host.pressEnter();
  });
  await host.step('4/4 the summary says it takes minutes and spends credits; make it', async () => {
    await host.waitQuickInputTitle(/\(4\s*\/\s*4\)/);
    const rows = await waitFor('summary rows', async () => {
      const texts = await quickPickRowTexts();
      return texts.length === 2 ? texts : undefined;
    });
    assert.match(rows[0], /^Make the 3D Model.*few minutes.*spends credits/, `the make row says what it costs (${rows[0]})`);
    assert.match(rows[1], /^Advanced…/);
    await host.pickRow(/^Make the 3D Model/);
    await host.quickInputHidden();
  });

  const modelFile = `${made.stem}-3d.glb`;
  const modelPath = path.join(made.folder, modelFile);
  await host.step(`${modelFile} is saved`, async () => {
    await waitFor(modelFile, () => fs.existsSync(modelPath), 90_000);
    const bytes = fs.readFileSync(modelPath);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'glTF', 'a GLB');
    assert.equal(bytes.readUInt32LE(4), 2, 'glTF 2');
    assert.equal(bytes.readUInt32LE(8), bytes.length, 'its declared length is its length');
    assert.ok(!bytes.includes(Buffer.from(KEY)), 'the key is not in the model');
  });
  await host.step('the sidecar records it, every other field kept, no key', async () => {
    const text = await waitFor('the sidecar lists the model', () => {
      const json = fs.readFileSync(made.sidecar!, 'utf8');
      return json.includes(modelFile) ? json : undefined;
    }, 20_000);
    assert.ok(!text.includes(KEY), 'the key is not in the sidecar');
    const sidecar = JSON.parse(text) as { subject: { file: string }; models: { file: string; format: string; input: string; triangles: number; parameters: Record<string, unknown> }[] };
    assert.equal(sidecar.subject.file, `${made.stem}-subject.png`);
    assert.equal(sidecar.models.length, 1);
    assert.deepEqual([sidecar.models[0].file, sidecar.models[0].format, sidecar.models[0].input], [modelFile, 'glb', 'subject']);
    assert.ok(sidecar.models[0].triangles > 0, 'its triangles are counted');
    assert.equal(sidecar.models[0].parameters.seed, 777);
  });
  await host.step('the request carried the cut-out and the answers', async () => {
    const requests = contract.requests.slice(requestsBefore);
    const modelRequest = requests.find((request) => /\/3d\/image_to_3d$/.test(request.path));
    assert.ok(modelRequest, `an image-to-3D request was made (${requests.map((r) => r.path).join(', ')})`);
    const body = modelRequest.body as Record<string, unknown>;
    assert.deepEqual([body.output_format, body.resolution, body.seed, body.multi_image], ['glb', 256, 777, false]);
    const upload = requests.find((request) => request.path.endsWith('/base64_to_url'));
    assert.ok(upload, 'the picture was uploaded first');
    const dataUri = String((upload.body as Record<string, unknown>).base64_string);
    assert.match(dataUri, /^data:image\/png;base64,/, 'the cut-out goes as a PNG (its transparency kept)');
    assert.ok(!JSON.stringify(requests.map((request) => request.body)).includes('undefined'));
  });
  await host.step('a notification names the file and its triangles', async () => {
    await host.waitForNotification(new RegExp(`saved the 3D model ${modelFile.replace(/[.]/g, '\\.')} \\([\\d,.]+ triangles\\)`), 30_000);
  });
  await host.step('the panel draws the model', async () => {
    await host.editorTab(/Multiview: shoe\.jpg/).first().click();
    await host.webview().locator('#model').waitFor({ state: 'visible', timeout: 30_000 });
    const info = await waitForDrawnModel('the panel');
    assert.match(info, /\d[\d,.]* triangles/);
    assert.match(await host.webview().locator('#model-files').textContent(), new RegExp(modelFile.replace(/[.]/g, '\\.')));
  });
});

scenario('(3) Open 3D Model on a .glb in the Explorer: the read-only viewer draws it; a damaged one says what is wrong', async () => {
  // The workspace holds models/vase.glb and models/broken.glb (the same file cut short): test/host/fixtures.ts.
  const vase = lathedVase();
  await host.step('right-click models/vase.glb → Open 3D Model', () => host.contextMenu('models/vase.glb', 'Open 3D Model'));
  await host.editorTab(/vase\.glb/).first().waitFor({ state: 'visible', timeout: 30_000 });
  const info = await waitForDrawnModel('vase.glb');
  assert.match(info.replace(/[,.\s](?=\d{3}\b)/g, ''), new RegExp(`${triangleCount(vase)} triangles`), `the info line counts its triangles (${info})`);

  await host.step('right-click models/broken.glb → Open 3D Model', () => host.contextMenu('models/broken.glb', 'Open 3D Model'));
  await host.editorTab(/broken\.glb/).first().waitFor({ state: 'visible', timeout: 30_000 });
  await host.step('the viewer says the file is not a model it can read', async () => {
    const message = await waitFor('the viewer’s message', async () => {
      const text = ((await host.webview().locator('.model-viewer-message').textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
      return /broken\.glb/.test(text) ? text : undefined;
    }, 30_000);
    assert.match(message, /is not a GLB model the viewer can read|damaged|incomplete/i, message);
  });
});

scenario('(4) Remove Background on its own: one question that says it spends credits; the cut-out is saved and opened', async () => {
  contract.setScenario('success');
  const folder = outputFolderFor(host);
  const before = listFiles(folder);
  await host.step('right-click mug.png → Remove Background', () => host.contextMenu('mug.png', 'Remove Background'));
  await host.step('the one question', async () => {
    await host.waitQuickInputTitle(/Remove Background: mug\.png/, 20_000);
    const rows = await waitFor('its row', async () => {
      const texts = await quickPickRowTexts();
      return texts.length === 1 ? texts : undefined;
    });
    assert.match(rows[0], /^Remove the Background.*spends credits/, rows[0]);
    await host.pickRow(/^Remove the Background/);
  });
  const cutout = path.join(folder, 'mug-subject.png');
  await host.step('mug-subject.png is saved, transparent around the subject, and opened', async () => {
    await waitFor('mug-subject.png', () => fs.existsSync(cutout), 60_000);
    assert.ok(hasTransparentPixels(cutout), 'its background is transparent');
    await host.editorTab(/mug-subject\.png/).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual(newFiles(folder, before), ['mug-subject.png'], 'nothing else was written');
  });
});
