/**
 * The free exports of a result in a real VS Code (code-server 4.100.3), against the local contract server, acting as
 * a person would: a small off-centre cut-out is framed before it is sent (the upload decoded: a grey square whose
 * subject fills 85 % of it, centred); "Make Views Transparent" in the panel (each cut-out view decoded and compared
 * with the known mask of the 'model-views' grids); Make 3D Model then offers the six views; the turntable, the sprite
 * sheet and the camera poses from the panel (decoded: frames, pixels, names), never over a file; a batch from the
 * History's selection and its context menu; the palette's multi-select pick; Delete… takes every file made from the
 * result and nothing of another. One host for the file; the scenarios run in order and build on each other.
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/exports.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import * as jpeg from 'jpeg-js';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import { gridSubjectMask } from '../contract-server/grid-image';
import { Host, type Locator, listFiles, log, waitFor } from '../host/harness';
import { readApng } from '../support/apngReader';
import { alphaMaskIou } from '../support/viewCutoutCorpus';
import { answerApiKey, answerParameters, checkOutputFiles, chooseInContextMenu, clickDialogButton, dialog, escapeRe, GENERATE_MENU_TITLE, historyResultRow, historyRows, readDialog, readResultPanel, showExplorer, showHistoryView } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvExp-${randomBytes(9).toString('hex')}`;
/** Grids drawn like the model's, with known masks (test/contract-server/grid-image.ts), for every generation here. */
const MODEL_VIEWS = '[scenario:model-views]';
/** The cut-out of scenario 1: a 1600 × 1200 transparent picture with a small opaque ellipse near its bottom-right corner. */
const CUTOUT = { name: 'cutout.png', width: 1600, height: 1200, cx: 1350, cy: 1000, rx: 100, ry: 75, colour: [200, 40, 60] as const };
const SHARE = 0.85;
const LONG_SIDE = 1024;

let contract: ContractServer;
let host: Host;

/** One result of this file: its image, job, stem (the sidecar's name without .json) and folder. */
interface Made {
  image: string;
  jobId: string;
  stem: string;
  folder: string;
  sidecar: string;
  /** The views as generated, by sidecar order. */
  views: SidecarView[];
  /** The grid's size (the masks are drawn for it). */
  grid: { width: number; height: number };
}
const made: { first?: Made; second?: Made } = {};

interface SidecarView {
  index: number;
  azimuthDegrees: number;
  elevationDegrees: number;
  file: string;
  rect: { x: number; y: number; width: number; height: number };
}
interface SidecarJson {
  views: SidecarView[];
  exports: { kind: string; files: string[]; details: Record<string, unknown> }[];
  inputPreparation: { steps: { step: string; [field: string]: unknown }[]; options: Record<string, unknown> };
}

const readSidecar = (m: Made): SidecarJson => JSON.parse(fs.readFileSync(m.sidecar, 'utf8')) as SidecarJson;
const decodePngFile = (file: string): PNG => PNG.sync.read(fs.readFileSync(file));
/** A transparent view's file: the view's name with `-transparent` after the stem. */
const transparentViewFile = (m: Made, view: SidecarView) => view.file.replace(m.stem, `${m.stem}-transparent`);
const byAzimuth = (views: SidecarView[]) => [...views].sort((a, b) => a.azimuthDegrees - b.azimuthDegrees);

// Between scenarios: the Explorer shown (the palette focuses the workbench through it), no quick input and no
// notification; the editors stay (the result panel is used again).
const scenario = scenarioRunner(() => host, {
  timeoutMs: 180_000,
  prepare: async (started) => {
    await showExplorer(host);
    for (let i = 0; i < 3 && (await started.quickInputWidget().isVisible()); i++) await started.page.keyboard.press('Escape');
    await started.clearNotifications();
  },
});

before(async () => {
  ({ host, contract } = await startHostSuite('e2e-exports', { 'multiview.upload.frameSubject': true, 'multiview.upload.subjectShare': Math.round(SHARE * 100) }));
  await host.page.emulateMedia({ reducedMotion: 'reduce' });
  fs.writeFileSync(path.join(host.workspace.dir, CUTOUT.name), cutoutPng());
  await showInExplorer(CUTOUT.name);
}, START_TIMEOUT);

/**
 * Waits for a file written after the workbench opened to show in the Explorer: its file watcher may not be watching
 * yet when the file comes, and then the Explorer shows it only once refreshed, as a person would (its "Refresh Explorer"
 * button).
 */
async function showInExplorer(name: string): Promise<void> {
  await host.step(`${name} shows in the Explorer`, async () => {
    let refreshed = Date.now();
    await waitFor(`${name} in the Explorer`, async () => {
      if (await host.explorerRow(name).first().isVisible()) return true;
      if (Date.now() - refreshed > 5000) {
        log(`  ${name} not shown yet: Refresh Explorer (the Explorer's title button)`);
        refreshed = Date.now();
        await showExplorer(host);
        await host.page.locator('.part.sidebar .pane-header').first().hover();
        await host.page.locator('.part.sidebar .pane-header .action-label[aria-label^="Refresh Explorer"]').first().click({ timeout: 5000 });
      }
      return false;
    }, 60_000, 250);
  });
}

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

/** The cut-out: full transparency but for an opaque ellipse (pixel centres inside it). */
function cutoutPng(): Buffer {
  const { width, height, cx, cy, rx, ry, colour } = CUTOUT;
  const png = new PNG({ width, height });
  png.data.fill(0);
  for (let y = cy - ry - 2; y <= cy + ry + 2; y++) {
    for (let x = cx - rx - 2; x <= cx + rx + 2; x++) {
      if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1) png.data.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

// ------------------------------------------------------------------------------------------ UI helpers

const resultRow = (jobId: string): Locator => historyResultRow(host, jobId);

/** Brings the result panel of `image` to the front (its tab). */
async function showPanel(image: string): Promise<void> {
  await host.editorTab(new RegExp(`Multiview: ${escapeRe(image)}`)).first().click();
  await host.webview().locator('#job-id').waitFor({ state: 'visible', timeout: 20_000 });
}

/** Presses a button of the result panel of `image` (brought to the front first). */
async function pressPanelButton(image: string, id: string): Promise<void> {
  await host.step(`press #${id} in the panel`, async () => {
    await showPanel(image);
    const button = host.webview().locator(`#${id}`);
    await button.waitFor({ state: 'visible', timeout: 20_000 });
    await button.click();
  });
}

/** Waits until the sidecar lists `count` exports of `kind`; returns the newest. */
async function waitForExport(m: Made, kind: string, count = 1): Promise<SidecarJson['exports'][number]> {
  return waitFor(`${m.stem}.json lists ${count} × ${kind}`, () => {
    const entries = readSidecar(m).exports.filter((entry) => entry.kind === kind);
    return entries.length >= count ? entries[count - 1] : undefined;
  }, 60_000);
}

/** The panel of `image` lists `files` among the files made from the result (after its re-render). */
async function waitForListedInPanel(image: string, kind: string, files: string[]): Promise<void> {
  await host.step(`the panel lists the ${kind} files`, async () => {
    await showPanel(image);
    await waitFor(`#exported-files lists ${files.join(', ')}`, async () => {
      const listed: string[] = await host.webview().locator(`#exported-files li[data-kind="${kind}"] button[data-file]`).evaluateAll(
        (buttons: { getAttribute(name: string): string | null }[]) => buttons.map((b) => b.getAttribute('data-file') ?? ''),
      ).catch(() => []);
      return files.every((file) => listed.includes(file));
    }, 30_000);
  });
}

/**
 * Waits for a message: as a toast, or in the notification center when no toast came. VS Code drops toasts that come
 * too fast one after another (its spam protection: several exports, each with a progress and a message, within a
 * second): the message is then only in the notification center, where a person would look for it.
 */
async function waitForMessage(pattern: RegExp): Promise<void> {
  await host.step(`the message ${pattern}`, async () => {
    if (await host.waitForNotification(pattern, 8_000).catch(() => undefined)) return;
    log('  no toast: looking in the notification center');
    await showExplorer(host); // the palette focuses the workbench through the Explorer
    await host.runPaletteCommand('Notifications: Show Notifications');
    await host.waitForNotification(pattern, 20_000);
    // Escape hides the notification center (its keybinding while it is shown).
    await host.page.keyboard.press('Escape');
    await host.page.locator('.notifications-center').first().waitFor({ state: 'hidden', timeout: 10_000 });
  });
}

/** Checks the seven files of "Make Views Transparent" of `m` on disk: each view against its known mask. */
function checkTransparentViews(m: Made, files: string[]): void {
  assert.deepEqual(files, [`${m.stem}-transparent.png`, ...m.views.map((view) => transparentViewFile(m, view))], 'the transparent grid, then one file per view');
  for (const view of m.views) {
    const cut = decodePngFile(path.join(m.folder, transparentViewFile(m, view)));
    assert.deepEqual([cut.width, cut.height], [view.rect.width, view.rect.height], `view ${view.index} keeps its size`);
    const iou = alphaMaskIou(cut.data, gridSubjectMask(m.grid.width, m.grid.height, view.index));
    log(`  ${m.image} view ${view.index} (az ${view.azimuthDegrees}): IoU ${iou.toFixed(4)}`);
    assert.ok(iou >= 0.95, `view ${view.index}: IoU ${iou.toFixed(4)} against the known mask`);
    assert.equal(cut.data[3], 0, `view ${view.index}: its corner (the backdrop) is transparent`);
  }
  const grid = decodePngFile(path.join(m.folder, files[0]));
  assert.deepEqual([grid.width, grid.height], [m.grid.width, m.grid.height], 'the transparent grid has the grid’s size');
}

/** Right-click `image` → Generate Multiview with the 'model-views' grids; the result, its files checked. */
async function generate(image: string, answers: { prompt: string; removeBackground?: boolean; prepare?: 'pad' }, first = false): Promise<Made & { seen: Awaited<ReturnType<typeof answerParameters>> }> {
  const folder = outputFolderFor(host, path.dirname(image) === '.' ? '' : path.dirname(image));
  const before = listFiles(folder);
  await host.step(`right-click ${image} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(image, GENERATE_MENU_TITLE));
  if (first) await answerApiKey(host, KEY);
  const seen = await answerParameters(host, answers);
  const panel = await readResultPanel(host, path.basename(image));
  const { grid, sidecar, sidecarJson } = checkOutputFiles(folder, before, path.basename(image).replace(/\.[^.]+$/, ''), panel.jobId, KEY);
  const decodedGrid = decodePngFile(grid);
  const result: Made = {
    image,
    jobId: panel.jobId,
    stem: path.basename(sidecar, '.json'),
    folder,
    sidecar,
    views: (sidecarJson as unknown as SidecarJson).views,
    grid: { width: decodedGrid.width, height: decodedGrid.height },
  };
  log(`  generated ${result.stem} (grid ${decodedGrid.width}×${decodedGrid.height})`);
  return { ...result, seen };
}

/** An image's pixels as RGBA, whatever it was sent as (PNG or JPEG). */
function decodeUpload(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data };
  }
  assert.equal(bytes[0], 0xff, 'the upload is a PNG or a JPEG');
  const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

async function httpGet(url: string): Promise<Buffer> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return Buffer.from(await response.arrayBuffer());
}

/** No image-to-3D job was ever asked for (nothing here spends credits on a model). */
function assertNoModelJob(): void {
  const modelRequests = contract.requests.filter((request) => /image_to_3d$/.test(request.path));
  assert.deepEqual(modelRequests.map((request) => request.path), [], 'no image_to_3d request');
}

// ------------------------------------------------------------------------------------------ scenarios

scenario('(1) a small off-centre cut-out is framed before it is sent: a grey square, the subject 85 % of it, centred', async () => {
  const requestsBefore = contract.requests.length;
  const first = await generate(CUTOUT.name, { prompt: `a small red ellipse ${MODEL_VIEWS}`, prepare: 'pad' }, true);
  made.first = first;
  assert.equal(first.seen.totalSteps, 8, 'eight steps: a picture with transparency is not asked about its background');
  assert.match(first.seen.prepare?.placeholder ?? '', /^Prepare the image: 1600 × 1200, not square, may have transparency/);

  const requests = contract.requests.slice(requestsBefore);
  const uploads = requests.filter((request) => request.path.endsWith('/base64_to_url'));
  assert.equal(uploads.length, 1, `one upload (${requests.map((r) => r.path).join(', ')})`);
  const dataUri = String((uploads[0].body as Record<string, unknown>).base64_string);
  const sent = Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');
  const submit = requests.find((request) => /\/multiview$/.test(request.path));
  assert.ok(submit, 'the views were asked for');
  const body = submit.body as Record<string, unknown>;
  const imageUrl = [body.image, body.init_image].find((value): value is string => typeof value === 'string' && value.startsWith('http'));
  assert.ok(imageUrl, `the request names the uploaded picture (${JSON.stringify(body)})`);
  const received = await httpGet(imageUrl);
  assert.ok(received.equals(sent), 'the picture the job uses is the one uploaded');

  await host.step('the upload: a 1024 grey square, the subject’s longer side 85 % of it, centred', async () => {
    const image = decodeUpload(received);
    assert.deepEqual([image.width, image.height], [LONG_SIDE, LONG_SIDE], 'a square of the long-side size');
    const at = (x: number, y: number) => image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3);
    for (const [x, y] of [[0, 0], [image.width - 1, 0], [0, image.height - 1], [image.width - 1, image.height - 1]]) {
      assert.ok([...at(x, y)].every((value) => Math.abs(value - 127) <= 4), `corner ${x},${y} is the neutral grey (${[...at(x, y)]})`);
    }
    // The subject: pixels far from the grey; a row or column counts when it holds a few (JPEG ringing is not one).
    const rows = new Uint32Array(image.height);
    const columns = new Uint32Array(image.width);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const [r, g, b] = at(x, y);
        if (Math.abs(r - 127) + Math.abs(g - 127) + Math.abs(b - 127) > 90) {
          rows[y]++;
          columns[x]++;
        }
      }
    }
    const span = (counts: Uint32Array) => {
      const first = counts.findIndex((count) => count > 3);
      let last = counts.length - 1;
      while (last >= 0 && counts[last] <= 3) last--;
      return { first, size: last - first + 1 };
    };
    const xs = span(columns);
    const ys = span(rows);
    const longer = Math.max(xs.size, ys.size);
    const share = longer / LONG_SIDE;
    const centre = { x: (xs.first + xs.size / 2) / LONG_SIDE, y: (ys.first + ys.size / 2) / LONG_SIDE };
    log(`  subject in the upload: ${xs.size}×${ys.size} at ${xs.first},${ys.first}; share ${share.toFixed(4)}; centre ${centre.x.toFixed(4)},${centre.y.toFixed(4)}`);
    assert.ok(Math.abs(share - SHARE) <= 0.02, `the subject's longer side is ${(share * 100).toFixed(1)} % of the square (85 % ± 2)`);
    assert.ok(Math.abs(xs.size / ys.size - CUTOUT.rx / CUTOUT.ry) < 0.03, `its proportions are kept (${xs.size}×${ys.size})`);
    assert.ok(Math.abs(centre.x - 0.5) <= 0.02 && Math.abs(centre.y - 0.5) <= 0.02, `it is centred (${centre.x.toFixed(4)}, ${centre.y.toFixed(4)})`);
  });

  await host.step('the sidecar records the framing (box, scale) in inputPreparation.steps', async () => {
    const { inputPreparation } = readSidecar(first);
    log(`  inputPreparation.steps: ${JSON.stringify(inputPreparation.steps)}`);
    const framed = inputPreparation.steps.find((step) => step.step === 'framed') as { box: { x: number; y: number; width: number; height: number }; scale: number; share: number; to: { width: number; height: number } } | undefined;
    assert.ok(framed, 'a framed step');
    const expected = { x: CUTOUT.cx - CUTOUT.rx, y: CUTOUT.cy - CUTOUT.ry, width: 2 * CUTOUT.rx, height: 2 * CUTOUT.ry };
    for (const field of ['x', 'y', 'width', 'height'] as const) {
      assert.ok(Math.abs(framed.box[field] - expected[field]) <= 2, `the box's ${field} is the ellipse's (${JSON.stringify(framed.box)} vs ${JSON.stringify(expected)})`);
    }
    assert.ok(Math.abs(framed.scale - Math.round(SHARE * LONG_SIDE) / Math.max(framed.box.width, framed.box.height)) < 0.001, `the scale fills 85 % (${framed.scale})`);
    assert.ok(framed.scale > 4, 'enlarged');
    assert.equal(framed.share, SHARE);
    assert.deepEqual(framed.to, { width: LONG_SIDE, height: LONG_SIDE });
  });
});

scenario('(2) Make Views Transparent from the panel: seven files, each view cut as its known mask; the panel shows them on the checkerboard', async () => {
  const first = made.first;
  assert.ok(first, 'scenario 1 made a result');
  await showPanel(first.image);
  const generatedBytes = first.views.map((view) => fs.readFileSync(path.join(first.folder, view.file)));
  const before = listFiles(first.folder);
  await pressPanelButton(first.image, 'make-transparent');
  const record = await waitForExport(first, 'transparent-views');
  await host.step('the seven files, each view against its known mask', async () => {
    assert.deepEqual(listFiles(first.folder).filter((f) => !before.includes(f)).sort(), [...record.files].sort(), 'only the seven files listed were added');
    checkTransparentViews(first, record.files);
    assert.deepEqual(first.views.map((view) => fs.readFileSync(path.join(first.folder, view.file))), generatedBytes, 'the views as generated are unchanged');
    assert.deepEqual(readSidecar(first).exports.map((entry) => entry.kind), ['transparent-views'], 'the sidecar lists them');
  });
  await host.step('a notification says it saved 7 files', async () => {
    await waitForMessage(new RegExp(`saved 7 files: ${escapeRe(record.files[0])}`));
  });
  await waitForListedInPanel(first.image, 'transparent-views', record.files);
  await host.step('the panel shows the views on the checkerboard, without the button', async () => {
    const view = host.webview();
    await view.locator('#views.transparent').waitFor({ state: 'attached', timeout: 20_000 });
    const sources: string[] = await view.locator('#views img').evaluateAll((images: { getAttribute(name: string): string | null }[]) => images.map((img) => img.getAttribute('src') ?? ''));
    assert.equal(sources.length, 6);
    assert.ok(sources.every((src) => /-transparent-view-az\d{3}/.test(decodeURIComponent(src))), `the panel shows the transparent views (${sources.join(' ')})`);
    const background: string = await view.locator('#views.transparent figure.view img').first().evaluate(
      (img: unknown) => (globalThis as unknown as { getComputedStyle(element: unknown): { backgroundImage: string } }).getComputedStyle(img).backgroundImage,
    );
    assert.match(background, /linear-gradient/, `the views are drawn on the checkerboard (${background})`);
    assert.equal(await view.locator('#make-transparent').count(), 0, 'the button is gone');
  });
});

scenario('(3) Make 3D Model… then offers the six views as the input; cancelled, nothing is paid', async () => {
  const first = made.first;
  assert.ok(first);
  await showPanel(first.image);
  await pressPanelButton(first.image, 'make-model');
  await host.step('the first three questions, as they come', async () => {
    for (const k of [1, 2]) {
      await host.waitQuickInputTitle(new RegExp(`Make 3D Model: ${escapeRe(first.image)}.*\\(${k}\\s*/\\s*4\\)`), 20_000);
      await waitFor(`rows of ${k}/4`, async () => (await host.quickPickLabels()).length >= 2);
      await host.pressEnter();
    }
    await host.waitQuickInputTitle(/\(3\s*\/\s*4\)/);
    await host.pressEnter();
  });
  await host.step('4/4 → Advanced…: the Input row says the six views can be sent', async () => {
    await host.waitQuickInputTitle(/\(4\s*\/\s*4\)/);
    await host.pickRow(/^Advanced…/);
    const rows = await waitFor('the advanced rows', async () => {
      const texts = ((await host.quickInputRows().allTextContents()) as string[]).map((text) => text.replace(/\s+/g, ' ').trim());
      return texts.some((text) => /^Input/.test(text)) ? texts : undefined;
    });
    const input = rows.find((text) => /^Input/.test(text)) ?? '';
    log(`  the Input row: ${input}`);
    assert.match(input, /The six views on their transparent background/);
    assert.doesNotMatch(input, /opaque background/);
  });
  await host.step('Escape: nothing is sent', async () => {
    await host.page.keyboard.press('Escape');
    await host.quickInputHidden();
    assertNoModelJob();
  });
});

scenario('(4) every export from the panel: the turntable, the sprite sheet and the camera poses, from the transparent views, never over a file', async () => {
  const first = made.first;
  assert.ok(first);
  await showPanel(first.image);
  const transparent = byAzimuth(first.views).map((view) => transparentViewFile(first, view));
  const az030 = decodePngFile(path.join(first.folder, transparent[0]));

  await pressPanelButton(first.image, 'export-animation');
  const turntable = await waitForExport(first, 'turntable');
  await host.step('the turntable: a GIF and an APNG of 7 frames, transparent', async () => {
    assert.deepEqual(turntable.files, [`${first.stem}-turntable.gif`, `${first.stem}-turntable.png`]);
    const gif = new GifReader(fs.readFileSync(path.join(first.folder, turntable.files[0])));
    assert.equal(gif.numFrames(), 7, 'the GIF: the input and the six views');
    const info = gif.frameInfo(1);
    assert.notEqual(info.transparent_index, null, 'the GIF’s first view has a transparent colour');
    // omggif leaves a transparent pixel unwritten: a sentinel alpha shows which pixels of the frame are transparent.
    const pixels = Buffer.alloc(gif.width * gif.height * 4, 1);
    gif.decodeAndBlitFrameRGBA(1, pixels);
    let clear = 0;
    for (let y = info.y; y < info.y + info.height; y++) {
      for (let x = info.x; x < info.x + info.width; x++) if (pixels[(y * gif.width + x) * 4 + 3] !== 255) clear++;
    }
    assert.ok(clear > (info.width * info.height) / 10, `the GIF's first view has transparent pixels (${clear} of ${info.width * info.height})`);
    const apng = readApng(fs.readFileSync(path.join(first.folder, turntable.files[1])));
    assert.equal(apng.frames.length, 7, 'the APNG: 7 frames');
    assert.ok(apng.frames[1].image.data.some((value, i) => i % 4 === 3 && value === 0), 'the APNG’s first view has transparent pixels');
    assert.deepEqual(Buffer.from(apng.frames[1].image.data), az030.data, 'the APNG’s first view is the transparent view az030, every pixel');
    assert.equal(turntable.details.transparent, true);
  });
  await waitForMessage(new RegExp(`saved 2 files: ${escapeRe(turntable.files[0])}`));
  await waitForListedInPanel(first.image, 'turntable', turntable.files);

  await pressPanelButton(first.image, 'export-sprite-sheet');
  const sheet = await waitForExport(first, 'sprite-sheet');
  await host.step('the sprite sheet: PNG, JSON naming it, .tres; frame az030_el+20 is the transparent view', async () => {
    assert.deepEqual(sheet.files, ['.png', '.json', '.tres'].map((ending) => `${first.stem}-spritesheet${ending}`));
    const data = JSON.parse(fs.readFileSync(path.join(first.folder, sheet.files[1]), 'utf8')) as { frames: Record<string, { frame: { x: number; y: number; w: number; h: number } }>; meta: { image: string } };
    assert.equal(data.meta.image, sheet.files[0], 'the JSON names the atlas');
    assert.deepEqual(Object.keys(data.frames), ['input', 'az030_el+20', 'az090_el-10', 'az150_el+20', 'az210_el-10', 'az270_el+20', 'az330_el-10']);
    const atlas = decodePngFile(path.join(first.folder, sheet.files[0]));
    const { x, y, w, h } = data.frames['az030_el+20'].frame;
    assert.deepEqual([w, h], [az030.width, az030.height]);
    for (let row = 0; row < h; row++) {
      const start = ((y + row) * atlas.width + x) * 4;
      assert.ok(atlas.data.subarray(start, start + w * 4).equals(az030.data.subarray(row * w * 4, (row + 1) * w * 4)), `row ${row} of frame az030_el+20 is the transparent view's`);
    }
    const tres = fs.readFileSync(path.join(first.folder, sheet.files[2]), 'utf8');
    assert.match(tres, /^\[gd_resource type="SpriteFrames"/);
    assert.ok(tres.includes(`path="${sheet.files[0]}"`), 'the .tres loads the atlas beside it');
  });
  await waitForMessage(new RegExp(`saved 3 files: ${escapeRe(sheet.files[0])}`));
  await waitForListedInPanel(first.image, 'sprite-sheet', sheet.files);

  await pressPanelButton(first.image, 'export-camera-poses');
  const poses = await waitForExport(first, 'camera-poses');
  const posesFile = path.join(first.folder, `${first.stem}-transforms.json`);
  await host.step('the camera poses: transforms.json naming the transparent views beside it', async () => {
    assert.deepEqual(poses.files, [path.basename(posesFile)]);
    const json = JSON.parse(fs.readFileSync(posesFile, 'utf8')) as { frames: { file_path: string }[] };
    assert.deepEqual(json.frames.map((frame) => frame.file_path), transparent, 'each frame is a transparent view, by azimuth');
    for (const frame of json.frames) assert.ok(fs.existsSync(path.join(first.folder, frame.file_path)), `${frame.file_path} exists`);
  });
  await waitForMessage(new RegExp(`saved ${escapeRe(path.basename(posesFile))}`));
  await waitForListedInPanel(first.image, 'camera-poses', poses.files);

  const firstPoses = fs.readFileSync(posesFile);
  await pressPanelButton(first.image, 'export-camera-poses');
  const again = await waitForExport(first, 'camera-poses', 2);
  await host.step('pressed again: -transforms-2.json, the first unchanged', async () => {
    assert.deepEqual(again.files, [`${first.stem}-transforms-2.json`]);
    assert.ok(fs.readFileSync(posesFile).equals(firstPoses), 'the first transforms.json is unchanged');
  });
  await waitForMessage(new RegExp(`saved ${escapeRe(again.files[0])}`));
});

scenario('(5) from the History: a sprite sheet for two selected results at once, then Make Views Transparent on one row', async () => {
  const first = made.first;
  assert.ok(first);
  const second = await generate('mug.png', { prompt: `a white mug ${MODEL_VIEWS}`, removeBackground: false, prepare: 'pad' });
  made.second = second;
  await host.closeAllEditors();
  await showHistoryView(host);
  await host.step('both result rows are listed', async () => {
    await waitFor('two result rows', async () => (await resultRow(first.jobId).count()) === 1 && (await resultRow(second.jobId).count()) === 1, 30_000);
  });
  await host.step('select both rows (click, then ctrl-click)', async () => {
    await resultRow(first.jobId).click();
    await resultRow(second.jobId).click({ modifiers: [process.platform === 'darwin' ? 'Meta' : 'Control'] });
    await waitFor('both rows selected', async () =>
      (await resultRow(first.jobId).getAttribute('aria-selected')) === 'true' && (await resultRow(second.jobId).getAttribute('aria-selected')) === 'true', 10_000);
  });
  const before = listFiles(first.folder);
  await host.step('right-click → Export Sprite Sheet: one summary for 2 results', async () => {
    await chooseInContextMenu(host, resultRow(second.jobId), 'Export Sprite Sheet');
    await host.waitForNotification(/Export Sprite Sheet: saved 6 files for 2 results/, 60_000);
  });
  await host.step('each result folder got its sprite sheet', async () => {
    const added = listFiles(first.folder).filter((f) => !before.includes(f)).sort();
    const expected = [
      ...['.json', '.png', '.tres'].map((ending) => `${first.stem}-spritesheet-2${ending}`),
      ...['.json', '.png', '.tres'].map((ending) => `${second.stem}-spritesheet${ending}`),
    ].sort();
    assert.deepEqual(added, expected, 'the first result’s second sheet (never over the first) and the second result’s first');
    const firstSecondSheet = await waitForExport(first, 'sprite-sheet', 2);
    assert.equal(firstSecondSheet.files[0], `${first.stem}-spritesheet-2.png`);
    const renamed = JSON.parse(fs.readFileSync(path.join(first.folder, firstSecondSheet.files[1]), 'utf8')) as { meta: { image: string } };
    assert.equal(renamed.meta.image, `${first.stem}-spritesheet-2.png`, 'the numbered JSON names the numbered atlas');
    assert.ok(fs.readFileSync(path.join(first.folder, firstSecondSheet.files[2]), 'utf8').includes(`path="${first.stem}-spritesheet-2.png"`), 'so does the numbered .tres');
    const secondSheet = await waitForExport(second, 'sprite-sheet');
    const data = JSON.parse(fs.readFileSync(path.join(second.folder, secondSheet.files[1]), 'utf8')) as { meta: { image: string } };
    assert.equal(data.meta.image, secondSheet.files[0]);
    assert.equal(secondSheet.details.transparent, false, 'the second result’s views are as generated');
  });

  await host.step('the History lists two results (the JSON files made from them are not results)', async () => {
    assert.equal(await historyRows(host).filter({ hasText: /job \S+$/ }).count(), 2);
  });

  await resetNotifications();
  await host.step('select the second row alone → Make Views Transparent', async () => {
    await resultRow(second.jobId).click();
    await waitFor('only the second row selected', async () =>
      (await resultRow(second.jobId).getAttribute('aria-selected')) === 'true' && (await resultRow(first.jobId).getAttribute('aria-selected')) !== 'true', 10_000);
    await chooseInContextMenu(host, resultRow(second.jobId), 'Make Views Transparent');
  });
  const record = await waitForExport(second, 'transparent-views');
  await host.step('the second result’s seven transparent files, each view against its known mask', async () => {
    checkTransparentViews(second, record.files);
    assert.equal(readSidecar(first).exports.filter((entry) => entry.kind === 'transparent-views').length, 1, 'the first result was not made transparent again');
  });
  await waitForMessage(new RegExp(`saved 7 files: ${escapeRe(record.files[0])}`));
  await host.step('the second result’s panel shows its views cut out', async () => {
    // Selecting a row opens its panel; a click while the tree re-renders (its watcher refreshing after the export
    // wrote its files) can miss its command ("Actual command not found"): click again until the panel is there.
    await waitFor('the panel of the second result', async () => {
      if (await host.editorTab(new RegExp(`Multiview: ${escapeRe(second.image)}`)).first().isVisible()) return true;
      await resultRow(second.jobId).click();
      await host.editorTab(new RegExp(`Multiview: ${escapeRe(second.image)}`)).first().waitFor({ state: 'visible', timeout: 1500 }).catch(() => undefined);
      return false;
    }, 30_000);
    await showPanel(second.image);
    await host.webview().locator('#views.transparent').waitFor({ state: 'attached', timeout: 20_000 });
    await waitForListedInPanel(second.image, 'transparent-views', record.files);
  });
});

/** Clears the notifications (the palette needs the Explorer for its focus), then shows the History again. */
async function resetNotifications(): Promise<void> {
  await showExplorer(host);
  await host.clearNotifications();
  await showHistoryView(host);
}

scenario('(6) from the palette: Export Camera Poses asks which results (several may be picked); one picked, its transforms.json', async () => {
  const second = made.second;
  assert.ok(second);
  await host.step('palette → Multiview: Export Camera Poses', () => host.runPaletteCommand('Multiview: Export Camera Poses'));
  await host.step('a multi-select pick of the results: pick the second', async () => {
    await host.waitQuickInputTitle(/^Export Camera Poses/, 20_000);
    const rows = host.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await waitFor('two result rows', async () => (await rows.count()) === 2, 15_000);
    const texts = ((await rows.allTextContents()) as string[]).map((text) => text.replace(/\s+/g, ' ').trim());
    log(`  rows: ${JSON.stringify(texts)}`);
    assert.ok(texts.some((text) => text.includes(CUTOUT.name)) && texts.some((text) => text.includes('mug.png')), 'both results are offered');
    // In a multi-select pick, clicking a row's label toggles its check box; the header counts what is checked.
    const row = rows.filter({ hasText: `${second.stem}.json` }).first();
    await row.locator('.quick-input-list-label').first().click();
    const count = host.page.locator('.quick-input-widget .quick-input-count');
    const counted = await waitFor('one picked', async () => {
      const text = ((await count.textContent().catch(() => '')) ?? '').trim();
      return /\b1\b/.test(text) && (await count.isVisible()) ? text : undefined;
    }, 10_000);
    log(`  the pick counts: ${counted}`);
    const ok = host.page.locator('.quick-input-widget .quick-input-action .monaco-button', { hasText: 'OK' }).first();
    if (await ok.isVisible()) await ok.click();
    else await host.pressEnter();
    await host.quickInputHidden();
  });
  const poses = await waitForExport(second, 'camera-poses');
  await host.step('its transforms.json names its transparent views', async () => {
    assert.deepEqual(poses.files, [`${second.stem}-transforms.json`]);
    const json = JSON.parse(fs.readFileSync(path.join(second.folder, poses.files[0]), 'utf8')) as { frames: { file_path: string }[] };
    assert.deepEqual(json.frames.map((frame) => frame.file_path), byAzimuth(second.views).map((view) => transparentViewFile(second, view)));
    for (const frame of json.frames) assert.ok(fs.existsSync(path.join(second.folder, frame.file_path)), `${frame.file_path} exists`);
    assert.equal(readSidecar(made.first!).exports.filter((entry) => entry.kind === 'camera-poses').length, 2, 'the first result got nothing new');
  });
  await waitForMessage(new RegExp(`saved ${escapeRe(poses.files[0])}`));
});

scenario('(7) Delete… on the first result removes every file made from it, nothing of the other', async () => {
  const { first, second } = made;
  assert.ok(first && second);
  const ws = host.workspace.dir;
  const everything = () => listFiles(ws);
  const before = everything();
  const own = before.filter((f) => path.dirname(path.join(ws, f)) === first.folder && (path.basename(f).startsWith(`${first.stem}.`) || path.basename(f).startsWith(`${first.stem}-`)));
  const kinds = ['-transparent.png', '-transparent-view-', '-turntable.gif', '-turntable.png', '-spritesheet.png', '-spritesheet-2.tres', '-transforms.json', '-transforms-2.json'];
  for (const kind of kinds) assert.ok(own.some((f) => f.includes(`${first.stem}${kind}`)), `the first result has a ${kind} file`);
  log(`  the first result's ${own.length} files: ${own.map((f) => path.basename(f)).join(', ')}`);

  await showHistoryView(host);
  await host.step('select the first row alone', async () => {
    await resultRow(first.jobId).click();
    await waitFor('the first row selected', async () => (await resultRow(first.jobId).getAttribute('aria-selected')) === 'true', 10_000);
  });
  await chooseInContextMenu(host, resultRow(first.jobId), 'Delete...');
  const asked = await readDialog(host);
  log(`  confirmation: ${JSON.stringify(asked)}`);
  assert.match(asked.message, new RegExp(`Delete the Multiview result of ${escapeRe(CUTOUT.name)} \\(${own.length} files\\)`));
  await clickDialogButton(host, 'Move to Trash');
  // code-server's remote file system has no trash: the view asks again before deleting permanently.
  const outcome = await waitFor('files gone, or asked about deleting permanently', async () => {
    if (await dialog(host).isVisible()) return 'asked';
    return own.every((f) => !fs.existsSync(path.join(ws, f))) ? 'trashed' : undefined;
  }, 30_000);
  if (outcome === 'asked') {
    await readDialog(host);
    await clickDialogButton(host, 'Delete Permanently');
  }
  await host.step('every file of the first result gone, nothing else', async () => {
    await waitFor('its files removed', async () => own.every((f) => !fs.existsSync(path.join(ws, f))), 20_000);
    assert.deepEqual(everything(), before.filter((f) => !own.includes(f)), 'nothing else was removed');
    assert.ok(fs.existsSync(path.join(ws, CUTOUT.name)), 'the input picture stays');
    await waitFor('its row gone', async () => (await resultRow(first.jobId).count()) === 0, 20_000);
    assert.equal(await resultRow(second.jobId).count(), 1, 'the second result’s row stays');
    assert.equal(await historyRows(host).filter({ hasText: /job \S+$/ }).count(), 1, 'one result is left');
    assertNoModelJob();
  });
  await host.step('the deleted result’s panel is closed: it would offer exports of files that are gone', async () => {
    await waitFor('no panel of the deleted result', async () => (await host.editorTab(new RegExp(`Multiview: ${escapeRe(CUTOUT.name)}`)).count()) === 0, 15_000);
  });
});
