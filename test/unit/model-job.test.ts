/**
 * Make 3D Model from a saved result, without VS Code: a real generation saved in a temporary workspace (with and
 * without its cut-out subject), the contract server as the API, the model file and the sidecar on disk as the
 * outcome.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { MultiviewApiError } from '../../src/api/errors';
import { runGenerationJob } from '../../src/core/generationJob';
import type { JobProgress } from '../../src/core/jobSession';
import { checkModelFile } from '../../src/core/modelFiles';
import { type ModelJobInput, type ResumableModelJob, resumeModelJob, runModelJob } from '../../src/core/modelJob';
import { recordModel } from '../../src/core/results/sidecarUpdates';
import { MODEL_DEFAULTS, type ModelParameters } from '../../src/core/modelParameters';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readSavedResult, type SavedResult } from '../../src/core/readSidecar';
import type { SidecarModel } from '../../src/core/sidecarSchema';
import { ImageEngine } from '../../src/image/engine';
import { startContractServer, type ContractServer, type ScenarioName } from '../contract-server/server';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { decodeWithSharp, type RawImage } from '../support/imageChecks';
import { testEngineOptions } from '../support/imageEngine';

const API_KEY = 'mvk-Model-Job-8fQ2wLx7Rv';
const PHOTO = { width: 120, height: 80 };
const BACKDROP = [235, 232, 228] as const;
const SUBJECT = [150, 40, 30] as const;
const GLB_MAGIC = Buffer.from('glTF', 'latin1');

let server: ContractServer;
let workspace: string;
let imagePath: string;
let folder: string;
const engine = new ImageEngine(testEngineOptions());

before(async () => {
  server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-model-'));
  await fs.mkdir(path.join(workspace, 'assets'));
  imagePath = path.join(workspace, 'assets', 'red mug.png');
  folder = path.join(workspace, 'assets', 'multiview');
  // Wider than tall, so that padding to a square shows; a dark subject on a light, flat backdrop.
  const png = new PNG(PHOTO);
  for (let y = 0; y < PHOTO.height; y++) {
    for (let x = 0; x < PHOTO.width; x++) {
      const inside = (x - 60) ** 2 / 30 ** 2 + (y - 40) ** 2 / 25 ** 2 < 1;
      png.data.set([...(inside ? SUBJECT : BACKDROP), 255], (y * PHOTO.width + x) * 4);
    }
  }
  await fs.writeFile(imagePath, PNG.sync.write(png));
});

after(async () => {
  engine.dispose();
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});

function connectionFor(scenario: ScenarioName, logs: string[] = []): ModelJobInput['connection'] {
  const base = `${server.baseUrl}/scenario/${scenario}`;
  return {
    apiKey: API_KEY,
    endpoints: endpointsFromBaseUrls(base, base),
    requestTimeoutMs: 10_000,
    jobTimeoutMs: 10_000,
    pollIntervalMs: { min: 20, max: 100 },
    log: (line) => logs.push(line),
  };
}

/** A saved result as the History would hand it over: a real generation, read back from its sidecar. */
async function savedResult(options: { removeBackground?: boolean; scenario?: ScenarioName } = {}): Promise<SavedResult> {
  const output = await runGenerationJob({
    imagePath,
    workspaceFolder: workspace,
    outputFolder: '${imageFolder}/multiview',
    parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a red mug', seed: 12345, removeBackground: options.removeBackground ?? false },
    longSide: 1024,
    engine,
    connection: connectionFor(options.scenario ?? 'success'),
    extensionVersion: '0.0.0-test',
    cameraLayout: 'zero123plus-v1.2',
    saveViews: false,
  });
  return readSavedResult(output.sidecarPath, workspace);
}

function modelJob(
  result: SavedResult,
  scenario: ScenarioName,
  parameters: Partial<ModelParameters> = {},
  overrides: Partial<ModelJobInput> = {},
): { input: ModelJobInput; progress: JobProgress[]; logs: string[] } {
  const progress: JobProgress[] = [];
  const logs: string[] = [];
  return {
    progress,
    logs,
    input: {
      result,
      workspaceFolder: workspace,
      parameters: { ...MODEL_DEFAULTS, ...parameters },
      longSide: 1024,
      engine,
      connection: connectionFor(scenario, logs),
      extensionVersion: '0.0.0-test',
      onProgress: (stage) => progress.push(stage),
      ...overrides,
    },
  };
}

async function filesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).sort();
}

function isSubmission(request: { path: string }): boolean {
  return request.path.endsWith('/api/v6/3d/image_to_3d');
}

/** The image-to-3D submissions the server received since `index` into its request log. */
function submissionsSince(index: number): Record<string, unknown>[] {
  return server.requests.slice(index).filter(isSubmission).map((request) => request.body as Record<string, unknown>);
}

/** The picture behind the submission's image URL, as the server holds it, decoded with its alpha. */
async function sentPicture(body: Record<string, unknown>): Promise<RawImage> {
  assert.equal(typeof body.image, 'string');
  assert.match(String(body.image), /^http:\/\/127\.0\.0\.1:\d+\/scenario\/[a-z-]+\/uploads\/\d+\.png$/, 'the picture was uploaded first and sent as a URL');
  const response = await fetch(String(body.image));
  assert.equal(response.status, 200);
  return decodeWithSharp(new Uint8Array(await response.arrayBuffer()), { keepAlpha: true });
}

function rgbaAt(image: RawImage, x: number, y: number): number[] {
  const offset = (y * image.width + x) * image.channels;
  const pixel = [...image.data.subarray(offset, offset + image.channels)];
  return image.channels === 4 ? pixel : image.channels === 3 ? [...pixel, 255] : [pixel[0], pixel[0], pixel[0], pixel[1] ?? 255];
}

function near(actual: number[], expected: readonly number[], tolerance: number, label: string): void {
  assert.ok(
    expected.every((value, index) => Math.abs(actual[index] - value) <= tolerance),
    `${label}: ${JSON.stringify(actual)} is not within ${tolerance} of ${JSON.stringify(expected)}`,
  );
}

function withoutModels(sidecar: Record<string, unknown>): Record<string, unknown> {
  const { models: _models, ...rest } = sidecar;
  return rest;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
}

async function expectApiError(kind: MultiviewApiError['kind'], work: Promise<unknown>): Promise<MultiviewApiError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof MultiviewApiError, String(error));
    assert.equal(error.kind, kind, error.message);
    assert.ok(!error.message.includes(API_KEY), 'the key is not in the message');
    return error;
  }
  return assert.fail(`expected a ${kind} error`);
}

describe('a 3D model from a result with a cut-out subject', () => {
  test('saves <stem>-3d.glb beside the grid, a GLB that checks out, made from the cut-out with the chosen parameters', async () => {
    const result = await savedResult({ removeBackground: true });
    assert.ok(result.sidecar.subject, 'the generation recorded its cut-out');
    const stem = path.basename(result.sidecarPath, '.json');
    const sidecarBefore = await readJson(result.sidecarPath);
    const requestsBefore = server.requests.length;
    const { input, progress } = modelJob(result, 'success', { format: 'glb', resolution: 512, seed: 4242, structureSteps: 20, meshSimplify: 0.95 });

    const saved = await runModelJob(input);

    assert.equal(saved.modelPath, path.join(path.dirname(result.gridPath), `${stem}-3d.glb`));
    const bytes = await fs.readFile(saved.modelPath);
    assert.ok(bytes.subarray(0, 4).equals(GLB_MAGIC), 'the file starts with the GLB magic');
    const check = checkModelFile(bytes, 'glb');
    assert.ok(check.ok, JSON.stringify(check));

    const [submitted, ...others] = submissionsSince(requestsBefore);
    assert.equal(others.length, 0, 'one job submitted');
    assert.equal(submitted.output_format, 'glb');
    assert.equal(submitted.resolution, 512);
    assert.equal(submitted.seed, 4242);
    assert.equal(submitted.ss_sampling_steps, 20);
    assert.equal(submitted.mesh_simplify, 0.95);
    assert.equal(submitted.multi_image, false);
    const picture = await sentPicture(submitted);
    assert.equal(picture.width, picture.height, 'the cut-out is padded to a square');
    assert.equal(picture.width, PHOTO.width, 'at the photo\'s long side');
    assert.equal(rgbaAt(picture, 0, 0)[3], 0, 'the padding (top left) is transparent: the cut-out, not the photo');
    assert.equal(rgbaAt(picture, 2, picture.height / 2)[3], 0, 'so is the backdrop the service cut away');
    near(rgbaAt(picture, picture.width / 2, picture.height / 2), [...SUBJECT, 255], 12, 'the subject in the middle');

    const stages = progress.map((p) => p.stage).filter((stage, index, all) => all.indexOf(stage) === index);
    assert.deepEqual(stages, ['preparing', 'uploading', 'submitting', 'queued', 'downloading', 'saving']);

    const sidecarAfter = await readJson(result.sidecarPath);
    assert.deepEqual(withoutModels(sidecarAfter), withoutModels(sidecarBefore), 'every other field is as it was');
    const models = sidecarAfter.models as SidecarModel[];
    assert.equal(models.length, 1);
    const [model] = models;
    assert.equal(model.file, `${stem}-3d.glb`);
    assert.equal(model.format, 'glb');
    assert.equal(model.input, 'subject');
    assert.equal(model.triangles, check.ok ? check.triangles : -1);
    assert.ok(model.triangles > 0);
    assert.equal(model.vertices, check.ok ? check.vertices : -1);
    assert.equal(model.bytes, bytes.byteLength);
    assert.equal(model.seed, 4242);
    assert.equal(typeof model.jobId, 'string');
    assert.notEqual(model.jobId, '');
    assert.notEqual(model.jobId, result.sidecar.jobId, 'the 3D job, not the generation');
    assert.deepEqual(model.parameters, {
      output_format: 'glb', resolution: 512, multi_image: false, ss_guidance_strength: 7.5, ss_sampling_steps: 20,
      slat_guidance_strength: 3, slat_sampling_steps: 12, mesh_simplify: 0.95, seed: 4242,
    });
    assert.ok(Number.isFinite(Date.parse(model.finishedAt)));
    assert.deepEqual(saved.model, model, 'the returned record is the saved one');
    assert.deepEqual(saved.result.sidecar.models, models, 'the returned result is read back with its model');
    assert.equal(saved.sidecarProblem, undefined);
  });

  test('a cut-out the sidecar names but that was deleted: the source image is used instead', async () => {
    const result = await savedResult({ removeBackground: true });
    await fs.unlink(path.join(folder, result.sidecar.subject!.file));
    const requestsBefore = server.requests.length;
    const saved = await runModelJob(modelJob(result, 'success').input);
    assert.equal(saved.model.input, 'input-image');
    const picture = await sentPicture(submissionsSince(requestsBefore)[0]);
    assert.equal(rgbaAt(picture, 0, 0)[3], 255, 'an opaque picture: the source on grey');
  });
});

describe('a 3D model from a result without a cut-out', () => {
  test('the source image goes padded to a square on grey, and the model is recorded with input "input-image"', async () => {
    const result = await savedResult();
    assert.equal(result.sidecar.subject, null);
    const requestsBefore = server.requests.length;
    const saved = await runModelJob(modelJob(result, 'success').input);

    const [submitted] = submissionsSince(requestsBefore);
    const picture = await sentPicture(submitted);
    assert.equal(picture.width, picture.height, 'padded to a square');
    assert.equal(picture.width, PHOTO.width);
    near(rgbaAt(picture, 0, 0), [127, 127, 127, 255], 6, 'the padding above the photo is the neutral grey');
    near(rgbaAt(picture, 2, picture.height / 2), [...BACKDROP, 255], 8, 'the photo\'s own backdrop is kept');
    near(rgbaAt(picture, picture.width / 2, picture.height / 2), [...SUBJECT, 255], 12, 'the subject in the middle');
    assert.equal(submitted.seed, 0, 'no seed chosen: the service chooses');
    assert.equal(submitted.resolution, 256);
    assert.equal(saved.model.input, 'input-image');
    assert.equal((await readJson(result.sidecarPath) as { models: SidecarModel[] }).models[0].input, 'input-image');
  });

  for (const format of ['obj', 'stl', 'ply'] as const) {
    test(`${format}: saved as <stem>-3d.${format}, the ${format.toUpperCase()} file checks out`, async () => {
      const result = await savedResult();
      const stem = path.basename(result.sidecarPath, '.json');
      const requestsBefore = server.requests.length;
      const saved = await runModelJob(modelJob(result, 'success', { format }).input);
      assert.equal(saved.modelPath, path.join(folder, `${stem}-3d.${format}`));
      assert.equal(submissionsSince(requestsBefore)[0].output_format, format);
      const check = checkModelFile(await fs.readFile(saved.modelPath), format);
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.format, format);
      const [model] = (await readJson(result.sidecarPath)).models as SidecarModel[];
      assert.equal(model.format, format);
      assert.equal(model.file, `${stem}-3d.${format}`);
      assert.equal(model.triangles, check.triangles);
      assert.ok(model.triangles > 0);
    });
  }
});

describe('more than one model, and the sidecar as the user left it', () => {
  test('a second model gets -3d-2, the first stays as it was, and both are listed oldest first', async () => {
    const result = await savedResult();
    const stem = path.basename(result.sidecarPath, '.json');
    const first = await runModelJob(modelJob(result, 'success').input);
    const firstBytes = await fs.readFile(first.modelPath);
    // The next one starts from the result as the History reads it now (with its first model).
    const second = await runModelJob(modelJob(first.result, 'success', { seed: 7 }).input);
    assert.equal(path.basename(first.modelPath), `${stem}-3d.glb`);
    assert.equal(second.modelPath, path.join(folder, `${stem}-3d-2.glb`));
    assert.ok((await fs.readFile(first.modelPath)).equals(firstBytes), 'the first model is untouched');
    const models = (await readJson(result.sidecarPath)).models as SidecarModel[];
    assert.deepEqual(models.map((model) => model.file), [`${stem}-3d.glb`, `${stem}-3d-2.glb`]);
    assert.equal(models[1].seed, 7);
    assert.notEqual(models[0].jobId, models[1].jobId);
  });

  test('a file of the user\'s under the model\'s name is never overwritten', async () => {
    const result = await savedResult();
    const stem = path.basename(result.sidecarPath, '.json');
    const mine = path.join(folder, `${stem}-3d.glb`);
    await fs.writeFile(mine, 'my own model, do not touch');
    const saved = await runModelJob(modelJob(result, 'success').input);
    assert.equal(saved.modelPath, path.join(folder, `${stem}-3d-2.glb`));
    assert.equal(await fs.readFile(mine, 'utf8'), 'my own model, do not touch');
    assert.equal(saved.model.file, `${stem}-3d-2.glb`);
  });

  test('fields added by hand (and by a newer version) stay in the sidecar, every field as it was', async () => {
    const result = await savedResult();
    const edited = { ...(await readJson(result.sidecarPath)), handNote: { text: 'keep me', tags: ['a', 'b'] }, zFuture: 42 };
    await fs.writeFile(result.sidecarPath, JSON.stringify(edited, null, 4));
    const saved = await runModelJob(modelJob(await readSavedResult(result.sidecarPath, workspace), 'success').input);
    const after = await readJson(result.sidecarPath);
    assert.deepEqual(withoutModels(after), withoutModels(edited));
    assert.deepEqual(after.handNote, { text: 'keep me', tags: ['a', 'b'] });
    assert.equal(after.zFuture, 42);
    assert.deepEqual((after.models as SidecarModel[]).map((model) => model.file), [saved.model.file]);
  });

  test('recordModel appends to the models already listed, even ones this version cannot read, and redacts the key', async () => {
    const result = await savedResult();
    const foreign = { file: 'other.usdz', format: 'usdz', note: 'from a newer version' };
    await fs.writeFile(result.sidecarPath, JSON.stringify({ ...(await readJson(result.sidecarPath)), models: [foreign] }));
    const model: SidecarModel = {
      file: 'x-3d.glb', format: 'glb', jobId: '900', parameters: { note: `sent with ${API_KEY}` }, input: 'input-image',
      triangles: 10, vertices: 12, bytes: 1000, seed: null, serverGenerationSeconds: null, finishedAt: new Date().toISOString(),
    };
    await recordModel(result.sidecarPath, model, API_KEY);
    const text = await fs.readFile(result.sidecarPath, 'utf8');
    assert.ok(!text.includes(API_KEY), 'the key never reaches the file');
    const models = JSON.parse(text).models;
    assert.deepEqual(models[0], foreign);
    assert.equal(models[1].file, 'x-3d.glb');
    assert.equal(models[1].parameters.note, 'sent with ***');
  });

  test('recordModel refuses a JSON file that is not a sidecar and leaves it as it was', async () => {
    const other = path.join(folder, 'package-like.json');
    await fs.writeFile(other, '{"name":"not a sidecar"}');
    const model = { file: 'x-3d.glb', format: 'glb', jobId: '1', parameters: {}, input: 'subject', triangles: 1, vertices: 3, bytes: 1, seed: null, serverGenerationSeconds: null, finishedAt: '' } as const;
    await assert.rejects(recordModel(other, model, API_KEY), /package-like\.json is not a Multiview sidecar/);
    assert.equal(await fs.readFile(other, 'utf8'), '{"name":"not a sidecar"}');
    await fs.unlink(other);
  });
  test('two models recorded at the same moment are both listed', async () => {
    const result = await savedResult();
    const model = (file: string): SidecarModel => ({
      file, format: 'glb', jobId: file, parameters: {}, input: 'input-image', triangles: 1, vertices: 3, bytes: 1, seed: null, serverGenerationSeconds: null, finishedAt: '',
    });
    await Promise.all([recordModel(result.sidecarPath, model('a-3d.glb'), API_KEY), recordModel(result.sidecarPath, model('b-3d.glb'), API_KEY)]);
    const files = ((await readJson(result.sidecarPath)).models as SidecarModel[]).map((entry) => entry.file).sort();
    assert.deepEqual(files, ['a-3d.glb', 'b-3d.glb'], 'neither update is lost');
  });

  test('two models of one result finishing together are both saved and both listed', async () => {
    const result = await savedResult();
    const stem = path.basename(result.sidecarPath, '.json');
    const [glb, obj] = await Promise.all([runModelJob(modelJob(result, 'success').input), runModelJob(modelJob(result, 'success', { format: 'obj' }).input)]);
    assert.deepEqual([path.basename(glb.modelPath), path.basename(obj.modelPath)], [`${stem}-3d.glb`, `${stem}-3d.obj`]);
    const files = ((await readJson(result.sidecarPath)).models as SidecarModel[]).map((model) => model.file).sort();
    assert.deepEqual(files, [`${stem}-3d.glb`, `${stem}-3d.obj`]);
  });
});

describe('a queued 3D job', () => {
  test('is polled to the end: "Queued" is shown and onQueued hands over the job once', async () => {
    const result = await savedResult({ removeBackground: true });
    const handed: ResumableModelJob[] = [];
    const { input, progress } = modelJob(result, 'queued', { format: 'stl', seed: 99 }, { onQueued: (job) => handed.push(job) });
    const saved = await runModelJob(input);
    assert.ok(progress.some((p) => p.stage === 'queued'));
    assert.equal(handed.length, 1);
    const [job] = handed;
    assert.equal(job.sidecarPath, result.sidecarPath);
    assert.equal(job.imagePath, imagePath);
    assert.equal(job.workspaceFolder, workspace);
    assert.equal(job.input, 'subject');
    assert.equal(job.parameters.format, 'stl');
    assert.equal(job.sent.output_format, 'stl');
    assert.equal(job.sent.seed, 99);
    assert.equal(job.queued.jobId, saved.model.jobId);
    assert.equal(job.queued.kind, 'image-to-3d');
    assert.deepEqual(JSON.parse(JSON.stringify(job)), job, 'JSON-serialisable as it is');
    assert.ok(checkModelFile(await fs.readFile(saved.modelPath), 'stl').ok);
  });

  test('queued when the window reloads: resumeModelJob finishes it from what onQueued gave (no key), without submitting again', async () => {
    const result = await savedResult({ removeBackground: true });
    const before = await filesIn(folder);
    const sidecarText = await fs.readFile(result.sidecarPath, 'utf8');
    const reload = new AbortController();
    let stored: string | undefined;
    const { input } = modelJob(result, 'queued-until-released', { format: 'ply', resolution: 512, seed: 31337 }, {
      signal: reload.signal,
      onQueued: (job) => {
        stored = JSON.stringify(job); // what goes into workspace state
        reload.abort();
      },
    });
    await expectApiError('cancelled', runModelJob(input));
    assert.ok(stored, 'the queued job was handed over');
    assert.ok(!stored.includes(API_KEY), 'the state kept for a reload holds no key');
    assert.deepEqual(await filesIn(folder), before, 'nothing saved before the job ends');
    assert.equal(await fs.readFile(result.sidecarPath, 'utf8'), sidecarText);

    const submittedBefore = server.requests.filter(isSubmission).length;
    server.releaseQueuedJobs();
    const job = JSON.parse(stored) as ResumableModelJob;
    const progress: JobProgress[] = [];
    const saved = await resumeModelJob({ job, connection: connectionFor('queued-until-released'), engine, extensionVersion: '0.0.0-test', onProgress: (p) => progress.push(p) });
    assert.equal(server.requests.filter(isSubmission).length, submittedBefore, 'resuming submits nothing: no second job is paid for');
    assert.equal(saved.model.jobId, job.queued.jobId, 'the same job');
    assert.equal(saved.modelPath, path.join(folder, `${path.basename(result.sidecarPath, '.json')}-3d.ply`));
    assert.ok(checkModelFile(await fs.readFile(saved.modelPath), 'ply').ok);
    assert.equal(saved.model.input, 'subject');
    assert.equal(saved.model.seed, 31337);
    assert.equal(saved.model.parameters.resolution, 512);
    assert.ok(progress.some((p) => p.stage === 'downloading') && progress.some((p) => p.stage === 'saving'));
    const sidecar = await readJson(result.sidecarPath);
    assert.deepEqual((sidecar.models as SidecarModel[]).map((model) => model.jobId), [job.queued.jobId]);
    assert.ok(!JSON.stringify(sidecar).includes(API_KEY));
  });
});

describe('a 3D job that does not give a model saves nothing', () => {
  const cases: [ScenarioName, MultiviewApiError['kind'], RegExp][] = [
    ['model-is-html', 'download', /is not a 3D model \(it is not a GLB file\)/],
    ['model-truncated', 'download', /cut short/],
    ['link-expired', 'download', /HTTP 403/],
    ['failed-on-fetch', 'failed', /fail/i],
    ['invalid-key', 'invalid-key', /key/i],
    ['echo-key', 'rejected', /not allowed/],
  ];
  for (const [scenario, kind, message] of cases) {
    test(`${scenario}: a ${kind} error in clear words, no model file, no .tmp, the sidecar untouched`, async () => {
      const result = await savedResult();
      const before = await filesIn(folder);
      const sidecarText = await fs.readFile(result.sidecarPath, 'utf8');
      const error = await expectApiError(kind, runModelJob(modelJob(result, scenario).input));
      assert.match(error.message, message);
      assert.deepEqual(await filesIn(folder), before, 'no model file and no temporary file');
      assert.equal(await fs.readFile(result.sidecarPath, 'utf8'), sidecarText);
    });
  }

  test('cancelled while queued: no file, the sidecar untouched', async () => {
    const result = await savedResult();
    const before = await filesIn(folder);
    const abort = new AbortController();
    const { input } = modelJob(result, 'queued-forever', {}, { signal: abort.signal, onProgress: (p) => p.stage === 'queued' && abort.abort() });
    await expectApiError('cancelled', runModelJob(input));
    assert.deepEqual(await filesIn(folder), before);
    assert.deepEqual((await readJson(result.sidecarPath)).models, []);
  });

  test('cancelled while the model downloads: no file, no .tmp', async () => {
    const result = await savedResult();
    const before = await filesIn(folder);
    const abort = new AbortController();
    // The link streams forever: only the cancellation ends the download.
    const { input } = modelJob(result, 'endless-body', {}, { signal: abort.signal, onProgress: (p) => p.stage === 'downloading' && abort.abort() });
    await expectApiError('cancelled', runModelJob(input));
    assert.deepEqual(await filesIn(folder), before);
    assert.deepEqual((await readJson(result.sidecarPath)).models, []);
  });
});

describe('the six views as points of view (multi_image)', () => {
  test('an opaque grid is refused before any request, with the reason', async () => {
    const result = await savedResult();
    const before = await filesIn(folder);
    const requestsBefore = server.requests.length;
    const { input, progress } = modelJob(result, 'success', { multiImage: true });
    const error = await expectApiError('invalid-request', runModelJob(input));
    assert.match(error.message, /opaque background/);
    assert.equal(server.requests.length, requestsBefore, 'nothing was sent, nothing paid for');
    assert.deepEqual(progress, []);
    assert.deepEqual(await filesIn(folder), before);
  });

  test('a grid on a transparent background is sent whole, unpadded, with multi_image, and recorded as "views"', async () => {
    const result = await savedResult({ scenario: 'transparent-grid' });
    const requestsBefore = server.requests.length;
    const saved = await runModelJob(modelJob(result, 'success', { multiImage: true }).input);
    const [submitted] = submissionsSince(requestsBefore);
    assert.equal(submitted.multi_image, true);
    const picture = await sentPicture(submitted);
    const grid = await decodeWithSharp(await fs.readFile(result.gridPath), { keepAlpha: true });
    assert.deepEqual([picture.width, picture.height], [grid.width, grid.height], 'the grid as it is, not a square');
    assert.equal(rgbaAt(picture, 0, 0)[3], 0, 'its transparency kept');
    assert.equal(saved.model.input, 'views');
    assert.equal(saved.model.parameters.multi_image, true);
  });
});

describe('what the service does on its side', () => {
  test('a rate limit on the submission is waited out: one job, one model', async () => {
    const result = await savedResult();
    const requestsBefore = server.requests.length;
    const waits: number[] = [];
    const { input, progress } = modelJob(result, 'rate-limit-then-success', {}, { onRateLimited: (ms) => waits.push(ms) });
    input.connection = { ...input.connection, sleep: () => Promise.resolve() }; // the wait itself is the client's business
    const saved = await runModelJob(input);
    assert.deepEqual(waits, [1000]);
    assert.ok(progress.some((p) => p.stage === 'rate-limited'));
    assert.equal(submissionsSince(requestsBefore).length, 2, 'refused once, accepted once');
    assert.equal(((await readJson(result.sidecarPath)).models as SidecarModel[]).length, 1);
    assert.ok(checkModelFile(await fs.readFile(saved.modelPath), 'glb').ok);
  });

  test('a hostile server cannot choose where the model goes or slip its text into the sidecar', async () => {
    const result = await savedResult();
    const stem = path.basename(result.sidecarPath, '.json');
    const saved = await runModelJob(modelJob(result, 'hostile').input);
    assert.equal(saved.modelPath, path.join(folder, `${stem}-3d.glb`));
    const text = await fs.readFile(result.sidecarPath, 'utf8');
    assert.ok(!text.includes('<script>') && !text.includes('../../etc/passwd'));
    assert.ok(!(await filesIn(folder)).some((name) => name.endsWith('.tmp')));
  });
});

test('the key is in no file of the workspace', async () => {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(full);
    }
  };
  await walk(workspace);
  assert.ok(files.some((file) => /-3d(-\d+)?\.glb$/.test(file)), 'models were saved');
  for (const file of files) {
    assert.ok(!(await fs.readFile(file, 'latin1')).includes(API_KEY), `${path.relative(workspace, file)} holds no key`);
  }
});
