/**
 * The free exports of a saved result, without VS Code: a real generation against the contract server (grids drawn
 * as the model draws them, with known masks), then each export as the commands run it (runExport), its files on
 * disk decoded and checked, the sidecar's record, never a file overwritten, nothing left behind on failure.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import { runGenerationJob } from '../../src/core/generationJob';
import type { ModelJobInput } from '../../src/core/modelJob';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readSavedResult, type SavedResult } from '../../src/core/readSidecar';
import { cameraPosesExport } from '../../src/core/results/exports/cameraPoses';
import { type ExportOutcome, type ResultExport, runExport } from '../../src/core/results/exports/resultExport';
import { spriteSheetExport } from '../../src/core/results/exports/spriteSheet';
import { NoViewsError, transparentViewsExport } from '../../src/core/results/exports/transparentViews';
import { turntableExport } from '../../src/core/results/exports/turntable';
import { findSavedResultOfJob, ownedFiles } from '../../src/core/results/resultFiles';
import { listedTransparentViews } from '../../src/core/results/resultViews';
import { ImageEngine } from '../../src/image/engine';
import { gridSubjectMask } from '../contract-server/grid-image';
import { startContractServer, type ContractServer, type ScenarioName } from '../contract-server/server';
import { readApng } from '../support/apngReader';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { testEngineOptions } from '../support/imageEngine';
import { alphaMaskIou } from '../support/viewCutoutCorpus';

const API_KEY = 'mvk-Exports-Test-5hQ9zT';
const GRID = { width: 640, height: 960 };

let server: ContractServer;
let workspace: string;
let imagePath: string;
let folder: string;
const engine = new ImageEngine(testEngineOptions());

before(async () => {
  server = await startContractServer({ etaSeconds: 1 });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-exports-'));
  imagePath = path.join(workspace, 'mug.png');
  folder = path.join(workspace, 'multiview');
  const png = new PNG({ width: 96, height: 96 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([200, 60, 40, 255], i);
  await fs.writeFile(imagePath, PNG.sync.write(png));
});

after(async () => {
  engine.dispose();
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});

function connectionFor(scenario: ScenarioName): ModelJobInput['connection'] {
  const base = `${server.baseUrl}/scenario/${scenario}`;
  return { apiKey: API_KEY, endpoints: endpointsFromBaseUrls(base, base), requestTimeoutMs: 10_000, jobTimeoutMs: 10_000, pollIntervalMs: { min: 20, max: 100 } };
}

/** A result as the History hands it over: a generation with its six views saved, read back from its sidecar. */
async function savedResult(options: { saveViews?: boolean } = {}): Promise<SavedResult> {
  const output = await runGenerationJob({
    imagePath,
    workspaceFolder: workspace,
    outputFolder: '${imageFolder}/multiview',
    parameters: { ...BUILT_IN_DEFAULTS, ...GRID, prompt: 'a mug', seed: 7 },
    longSide: 1024,
    engine,
    connection: connectionFor('model-views'),
    extensionVersion: '0.0.0-test',
    cameraLayout: 'zero123plus-v1.2',
    saveViews: options.saveViews ?? true,
  });
  return readSavedResult(output.sidecarPath, workspace);
}

function run<Options>(exporter: ResultExport<Options>, saved: SavedResult, options: Options, signal?: AbortSignal): Promise<ExportOutcome> {
  return runExport(exporter, saved, options, { engine, secret: API_KEY, workspaceFolder: workspace, ...(signal ? { signal } : {}) });
}

async function filesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

async function decode(file: string): Promise<PNG> {
  return PNG.sync.read(await fs.readFile(file));
}

describe('Make Views Transparent', () => {
  test('six views cut out of the backdrop beside the views (matching the known masks), the grid they make, listed in the sidecar; the views as generated untouched', async () => {
    const saved = await savedResult();
    const opaque = await Promise.all(saved.viewPaths.map((file) => fs.readFile(file)));
    const outcome = await run(transparentViewsExport, saved, undefined);
    const stem = path.basename(saved.sidecarPath, '.json');
    assert.deepEqual(
      outcome.paths.map((file) => path.basename(file)),
      [`${stem}-transparent.png`, ...saved.sidecar.views.map((view) => view.file.replace(stem, `${stem}-transparent`))],
    );
    for (const view of saved.sidecar.views) {
      const cut = await decode(outcome.paths[1 + saved.sidecar.views.indexOf(view)]);
      assert.deepEqual([cut.width, cut.height], [view.rect.width, view.rect.height]);
      const iou = alphaMaskIou(cut.data, gridSubjectMask(GRID.width, GRID.height, view.index));
      assert.ok(iou >= 0.97, `view ${view.index}: IoU ${iou.toFixed(4)} against the known mask`);
      assert.equal(cut.data[3], 0, `view ${view.index}: its corner (backdrop) is transparent`);
    }
    const grid = await decode(outcome.paths[0]);
    assert.deepEqual([grid.width, grid.height], [GRID.width, GRID.height]);
    const firstView = await decode(outcome.paths[1]);
    assert.deepEqual(grid.data.subarray(0, firstView.width * 4), firstView.data.subarray(0, firstView.width * 4), 'the grid is the views put back together');
    assert.deepEqual(await Promise.all(saved.viewPaths.map((file) => fs.readFile(file))), opaque, 'the views as generated are untouched');
    assert.deepEqual(outcome.result.sidecar.exports.map((entry) => [entry.kind, entry.files]), [['transparent-views', outcome.paths.map((file) => path.basename(file))]]);
    assert.equal(listedTransparentViews(outcome.result)?.gridPath, outcome.paths[0]);
    assert.ok(!(await fs.readFile(saved.sidecarPath, 'utf8')).includes(API_KEY));
  });

  test('a second run writes a new set, never over the first', async () => {
    const saved = await savedResult();
    const first = await run(transparentViewsExport, saved, undefined);
    const firstBytes = await Promise.all(first.paths.map((file) => fs.readFile(file)));
    const second = await run(transparentViewsExport, first.result, undefined);
    assert.match(path.basename(second.paths[0]), /-transparent-2\.png$/);
    assert.deepEqual(await Promise.all(first.paths.map((file) => fs.readFile(file))), firstBytes);
    assert.equal(second.result.sidecar.exports.length, 2);
  });

  test('a result without saved views, or whose grid is gone, is refused and nothing is written', async () => {
    const noViews = await savedResult({ saveViews: false });
    const before = await filesIn(folder);
    await assert.rejects(run(transparentViewsExport, noViews, undefined), NoViewsError);
    const saved = await savedResult();
    await fs.rm(saved.gridPath);
    const without = await filesIn(folder);
    await assert.rejects(run(transparentViewsExport, saved, undefined), /ENOENT/);
    assert.deepEqual(await filesIn(folder), without);
    assert.equal(before.length + 8, without.length + 1, 'only the second generation’s files (its grid removed) were added');
  });
});

describe('exports from the transparent views', () => {
  let transparent: ExportOutcome;
  before(async () => {
    transparent = await run(transparentViewsExport, await savedResult(), undefined);
  });

  test('the turntable: a GIF and an animated PNG at the speed asked, looping, the views transparent in both', async () => {
    const outcome = await run(turntableExport, transparent.result, { framesPerSecond: 5 });
    const names = outcome.paths.map((file) => path.basename(file));
    assert.match(names[0], /-turntable\.gif$/);
    assert.equal(names[1], names[0].replace(/\.gif$/, '.png'));
    const gif = new GifReader(await fs.readFile(outcome.paths[0]));
    assert.equal(gif.numFrames(), 7, 'the input and the six views');
    assert.equal(gif.loopCount(), 0);
    assert.equal(gif.frameInfo(1).delay, 20, '5 frames per second');
    assert.notEqual(gif.frameInfo(1).transparent_index, null, 'the views are transparent in the GIF');
    const apng = readApng(await fs.readFile(outcome.paths[1]));
    assert.equal(apng.frames.length, 7);
    assert.equal(apng.plays, 0);
    assert.equal(apng.frames[1].delayDenominator / apng.frames[1].delayNumerator, 5);
    const cut = await decode(transparent.paths[1]);
    assert.deepEqual(Buffer.from(apng.frames[1].image.data), cut.data, 'the first view, every pixel and its alpha, as cut');
    assert.deepEqual(outcome.result.sidecar.exports.at(-1)?.details.transparent, true);
  });

  test('the sprite sheet: an atlas with the input first, its TexturePacker JSON naming it, and a Godot SpriteFrames file', async () => {
    const outcome = await run(spriteSheetExport, transparent.result, { includeInput: true, framesPerSecond: 6 });
    const [atlasPath, jsonPath, tresPath] = outcome.paths;
    assert.match(path.basename(atlasPath), /-spritesheet\.png$/);
    const data = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as { frames: Record<string, { frame: { x: number; y: number; w: number; h: number } }>; meta: { image: string } };
    assert.equal(data.meta.image, path.basename(atlasPath));
    assert.deepEqual(Object.keys(data.frames), ['input', 'az030_el+20', 'az090_el-10', 'az150_el+20', 'az210_el-10', 'az270_el+20', 'az330_el-10']);
    const atlas = await decode(atlasPath);
    const cut = await decode(transparent.paths[1]);
    const { x, y, w, h } = data.frames['az030_el+20'].frame;
    assert.deepEqual([w, h], [cut.width, cut.height]);
    for (let row = 0; row < h; row++) {
      const start = ((y + row) * atlas.width + x) * 4;
      assert.deepEqual(atlas.data.subarray(start, start + w * 4), cut.data.subarray(row * w * 4, (row + 1) * w * 4), `row ${row} of the first view`);
    }
    const tres = await fs.readFile(tresPath, 'utf8');
    assert.match(tres, /^\[gd_resource type="SpriteFrames"/);
    assert.ok(tres.includes(`path="${path.basename(atlasPath)}"`), 'the .tres loads the atlas beside it');
  });

  test('the camera poses: transforms.json naming the transparent views beside it, in the layout the result used', async () => {
    const outcome = await run(cameraPosesExport, transparent.result, undefined);
    const poses = JSON.parse(await fs.readFile(outcome.paths[0], 'utf8')) as { frames: { file_path: string }[]; multiview: { layout: string } };
    assert.deepEqual(
      poses.frames.map((frame) => frame.file_path),
      transparent.paths.slice(1).map((file) => path.basename(file)),
    );
    for (const frame of poses.frames) await fs.access(path.join(path.dirname(outcome.paths[0]), frame.file_path));
    assert.equal(poses.multiview.layout, 'zero123plus-v1.2');
  });

  test('deleting the result takes every file made from it, and nothing else', async () => {
    const saved = await readSavedResult(transparent.result.sidecarPath, workspace);
    const names = await filesIn(folder);
    const owned = ownedFiles(saved, names).map((file) => path.basename(file));
    const stem = path.basename(saved.sidecarPath, '.json');
    assert.deepEqual(owned.sort(), names.filter((name) => name.startsWith(`${stem}.`) || name.startsWith(`${stem}-`)).sort());
    assert.ok(owned.some((name) => name.endsWith('-transforms.json')) && owned.some((name) => name.endsWith('-spritesheet.tres')));
  });
});

describe('the result of a job, found by its id', () => {
  test('another window’s saved result is found by the job id its sidecar names, and only by it', async () => {
    const saved = await savedResult();
    const found = await findSavedResultOfJob(folder, 'mug.png', saved.sidecar.jobId, workspace);
    assert.equal(found?.sidecarPath, saved.sidecarPath);
    assert.equal(await findSavedResultOfJob(folder, 'mug.png', 'no-such-job', workspace), undefined);
    assert.equal(await findSavedResultOfJob(folder, 'other.png', saved.sidecar.jobId, workspace), undefined);
  });
});

describe('an export cancelled', () => {
  test('leaves no file and no record', async () => {
    const saved = await savedResult();
    const before = await filesIn(folder);
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(run(turntableExport, saved, { framesPerSecond: 4 }, abort.signal));
    assert.deepEqual(await filesIn(folder), before);
    assert.deepEqual((await readSavedResult(saved.sidecarPath, workspace)).sidecar.exports, []);
  });
});
