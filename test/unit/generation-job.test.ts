/**
 * The whole pipeline a user triggers, without VS Code: a real image file in a workspace folder, the contract
 * server as the API, files on disk as the outcome.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import type { EndpointPresetId } from '../../src/api/presetIds';
import { endpointsForPreset } from '../../src/api/presets';
import { type GenerationJobInput, type ResumableJob, resumeGenerationJob, runGenerationJob } from '../../src/core/generationJob';
import { describeProgress, type JobProgress } from '../../src/core/jobSession';
import type { UploadRecord } from '../../src/image/engine';
import { ImageEngine, ImageProblemError } from '../../src/image/engine';
import { testEngineOptions } from '../support/imageEngine';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readImageSize } from '../../src/image/imageFormat';
import { TILE_COLOURS } from '../contract-server/grid-image';
import { startContractServer, type ContractServer, type ScenarioName } from '../contract-server/server';

const API_KEY = 'mvk-Job-Key-5s8QpLm2Zt';
let server: ContractServer;
let workspace: string;
let imagePath: string;
const engine = new ImageEngine(testEngineOptions());

before(async () => {
  server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-job-'));
  await fs.mkdir(path.join(workspace, 'assets'));
  imagePath = path.join(workspace, 'assets', 'red shoe.png');
  const png = new PNG({ width: 64, height: 64 });
  png.data.fill(200);
  await fs.writeFile(imagePath, PNG.sync.write(png));
});

after(async () => {
  engine.dispose();
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});

function job(
  scenario: ScenarioName,
  overrides: Partial<GenerationJobInput> = {},
  preset?: EndpointPresetId,
): { input: GenerationJobInput; progress: JobProgress[]; logs: string[] } {
  const base = `${server.baseUrl}/scenario/${scenario}`;
  const endpoints = preset
    ? endpointsForPreset(preset, { apiBaseUrl: base, modelslabBaseUrl: base, customBaseUrl: base })
    : endpointsFromBaseUrls(base, base);
  const progress: JobProgress[] = [];
  const logs: string[] = [];
  return {
    progress,
    logs,
    input: {
      imagePath,
      workspaceFolder: workspace,
      outputFolder: '${imageFolder}/multiview',
      parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a red shoe', seed: 12345 },
      longSide: 1024,
      engine,
      connection: { apiKey: API_KEY, endpoints, requestTimeoutMs: 10_000, jobTimeoutMs: 10_000, pollIntervalMs: { min: 50, max: 200 }, log: (line) => logs.push(line) },
      extensionVersion: '0.0.0-test',
      cameraLayout: 'zero123plus-v1.2',
      saveViews: true,
      onProgress: (stage) => progress.push(stage),
      ...overrides,
    },
  };
}

async function filesIn(folder: string): Promise<string[]> {
  return (await fs.readdir(folder).catch(() => [] as string[])).sort();
}

describe('a generation from a local image', () => {
  test('saves the grid and its sidecar beside the image, with every parameter and no key', async () => {
    const { input, progress, logs } = job('success');
    const output = await runGenerationJob(input);
    const folder = path.join(workspace, 'assets', 'multiview');
    assert.equal(path.dirname(output.gridPath), folder);
    assert.match(path.basename(output.gridPath), /^red-shoe-multiview-[A-Za-z0-9_-]+\.png$/);
    assert.equal(output.sidecarPath, output.gridPath.replace(/\.png$/, '.json'));

    const grid = await fs.readFile(output.gridPath);
    assert.deepEqual(readImageSize(grid), { width: 640, height: 960 }, 'the grid is the requested size');
    const sidecar = JSON.parse(await fs.readFile(output.sidecarPath, 'utf8'));
    assert.equal(sidecar.sourceImage, 'assets/red shoe.png');
    assert.equal(sidecar.grid, path.basename(output.gridPath));
    assert.deepEqual(sidecar.parameters, {
      prompt: 'a red shoe', negative_prompt: '', width: 640, height: 960, num_inference_steps: 50, guidance_scale: 4, seed: 12345, temp: 'no',
      webhook: null, track_id: null,
    });
    assert.equal(sidecar.endpointPreset, 'stablediffusionapi-v5');
    assert.equal(sidecar.upload.transport, 'upload');
    assert.equal(sidecar.seed, 12345);
    assert.equal(sidecar.jobId, output.sidecar.jobId);
    assert.equal(typeof sidecar.meta, 'object');
    assert.ok(sidecar.timings.totalMs >= 0);

    assert.deepEqual(progress.map((p) => p.stage).filter((s, i, all) => all.indexOf(s) === i), ['preparing', 'uploading', 'submitting', 'downloading', 'saving', 'cutting-views']);
    const everything = [await fs.readFile(output.sidecarPath, 'utf8'), ...logs, ...progress.map(describeProgress)].join('\n');
    assert.ok(!everything.includes(API_KEY), 'the key is nowhere in the sidecar, logs or progress');
  });

  test('a queued job is polled until done and reports its queue position', async () => {
    const { input, progress } = job('queued');
    const output = await runGenerationJob(input);
    assert.ok(progress.some((p) => p.stage === 'queued'), 'the user saw "Queued"');
    assert.match(describeProgress(progress.find((p) => p.stage === 'queued')!), /^Queued \(job .+\)…$/);
    assert.ok((await fs.stat(output.gridPath)).size > 0);
  });

  test('cancelling while queued stops and leaves no file at all', async () => {
    const abort = new AbortController();
    const before = await filesIn(path.join(workspace, 'assets', 'multiview'));
    const { input } = job('queued-forever', {
      signal: abort.signal,
      onProgress: (stage) => stage.stage === 'queued' && abort.abort(),
    });
    await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof MultiviewApiError && error.kind === 'cancelled');
    assert.deepEqual(await filesIn(path.join(workspace, 'assets', 'multiview')), before);
  });

  test('a job queued when the window reloads is finished by a later session from what onQueued gave, which holds no key', async () => {
    const folder = path.join(workspace, 'assets', 'multiview');
    const before = await filesIn(folder);
    const reload = new AbortController();
    let saved: string | undefined;
    const { input } = job('queued-until-released', {
      signal: reload.signal,
      onQueued: (queued) => {
        saved = JSON.stringify(queued); // what goes into workspace state
        reload.abort();
      },
    });
    await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof MultiviewApiError && error.kind === 'cancelled');
    assert.ok(saved, 'the queued job was handed over');
    assert.ok(!saved.includes(API_KEY), 'the state kept for a reload holds no key');
    assert.deepEqual(await filesIn(folder), before, 'nothing saved before the job ends');

    const submissions = () => server.requests.filter((r) => /\/multiview$/.test(r.path)).length;
    const submittedBefore = submissions();
    server.releaseQueuedJobs();
    const resumed: ResumableJob = JSON.parse(saved);
    const progress: JobProgress[] = [];
    const output = await resumeGenerationJob({ job: resumed, connection: input.connection, engine, extensionVersion: '0.0.0-test', onProgress: (stage) => progress.push(stage) });
    assert.equal(output.sidecar.jobId, resumed.queued.jobId, 'the same job, not a new one');
    assert.equal(output.sidecar.parameters.prompt, 'a red shoe');
    assert.equal(output.sidecar.seed, 12345);
    assert.equal(output.viewPaths.length, 6, 'the views are cut as in a normal run');
    assert.ok(progress.some((p) => p.stage === 'downloading') && progress.some((p) => p.stage === 'saving'));
    assert.equal(submissions(), submittedBefore, 'resuming submits nothing: no second job is paid for');
    assert.ok(!(await fs.readFile(output.sidecarPath, 'utf8')).includes(API_KEY));
  });

  test('a hostile server cannot choose where files go, and its echo of the key is not saved', async () => {
    const { input } = job('hostile');
    const output = await runGenerationJob(input);
    assert.equal(path.dirname(output.gridPath), path.join(workspace, 'assets', 'multiview'));
    const sidecarText = await fs.readFile(output.sidecarPath, 'utf8');
    assert.ok(!sidecarText.includes(API_KEY));
    assert.ok(!(await filesIn(path.join(workspace, 'assets', 'multiview'))).some((name) => name.endsWith('.tmp')));
  });

  test('a rejected key ends with an invalid-key error before anything is written', async () => {
    const before = await filesIn(path.join(workspace, 'assets', 'multiview'));
    const { input } = job('invalid-key');
    await assert.rejects(runGenerationJob(input), (error: unknown) => {
      assert.ok(error instanceof MultiviewApiError);
      assert.equal(error.kind, 'invalid-key');
      assert.ok(!error.message.includes(API_KEY));
      return true;
    });
    assert.deepEqual(await filesIn(path.join(workspace, 'assets', 'multiview')), before);
  });

  test('modelslab-v6: the image travels inline (no upload call, an "embedding" stage) and the sidecar records what was sent', async () => {
    const requestsBefore = server.requests.length;
    const { input, progress } = job('queued', { parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a red shoe', seed: 12345, steps: 41, proxyLinks: true } }, 'modelslab-v6');
    const output = await runGenerationJob(input);
    const routes = server.requests.slice(requestsBefore).map((recorded) => `${recorded.method} ${recorded.path.replace(/^\/scenario\/[^/]+/, '')}`);
    assert.deepEqual(routes.filter((route) => route.startsWith('POST')).map((route) => route.replace(/\/\d+$/, '/{id}')), [
      'POST /api/v6/image_editing/multiview',
      'POST /api/v6/image_editing/fetch/{id}',
      'POST /api/v6/image_editing/fetch/{id}',
    ]);
    const submitted = server.requests[requestsBefore].body as Record<string, unknown>;
    assert.match(String(submitted.image), /^data:image\/png;base64,/);
    assert.equal(submitted.base64, true);
    assert.equal(submitted.temp, true);
    assert.equal(submitted.num_inference_steps, 41);

    const stages = progress.map((p) => p.stage).filter((s, i, all) => all.indexOf(s) === i);
    assert.deepEqual(stages, ['preparing', 'embedding', 'submitting', 'queued', 'downloading', 'saving', 'cutting-views']);
    assert.equal(describeProgress({ stage: 'embedding' }), 'Embedding image in the request…');
    const sidecar = JSON.parse(await fs.readFile(output.sidecarPath, 'utf8'));
    assert.equal(sidecar.endpointPreset, 'modelslab-v6');
    assert.equal(sidecar.upload.transport, 'inline-base64');
    assert.equal(sidecar.parameters.temp, true);
    assert.ok(!JSON.stringify(sidecar).includes('base64,'), 'the inline image is not copied into the sidecar');
  });

  for (const preset of ['stablediffusionapi-v5', 'modelslab-v6', 'modelslab-enterprise', 'custom'] as const) {
    test(`${preset}: webhook and track_id are sent and recorded in the sidecar (the webhook without its query)`, async () => {
      const requestsBefore = server.requests.length;
      const webhook = 'https://hooks.example/multiview/done?token=s3cr3t-hook';
      const { input } = job('success', { parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a red shoe', steps: 31, webhook: ` ${webhook} `, trackId: '1042' } }, preset);
      const output = await runGenerationJob(input);
      const submitted = server.requests.slice(requestsBefore).find((recorded) => /multiview$/.test(recorded.path))!.body as Record<string, unknown>;
      const trackId = preset === 'modelslab-v6' ? 1042 : '1042';
      assert.equal(submitted.webhook, webhook);
      assert.equal(submitted.track_id, trackId);

      const text = await fs.readFile(output.sidecarPath, 'utf8');
      const sidecar = JSON.parse(text);
      assert.equal(sidecar.parameters.webhook, 'https://hooks.example/multiview/done');
      assert.equal(sidecar.parameters.track_id, trackId);
      assert.equal(sidecar.endpointPreset, preset);
      assert.equal(sidecar.meta.track_id, trackId, 'the server echo is kept');
      assert.equal(sidecar.meta.webhook, 'https://hooks.example/multiview/done', 'the echo of the webhook loses its query too');
      assert.ok(!text.includes('s3cr3t-hook'));
      assert.deepEqual(JSON.parse(JSON.stringify(output.sidecar)), sidecar, 'the returned sidecar is the saved one');
    });
  }

  test('modelslab-v6 refuses 50 steps (the v5 default) before reading the image or making any request', async () => {
    const before = await filesIn(path.join(workspace, 'assets', 'multiview'));
    const requestsBefore = server.requests.length;
    const { input, progress } = job('success', {}, 'modelslab-v6');
    await assert.rejects(runGenerationJob(input), (error: unknown) => {
      assert.ok(error instanceof MultiviewApiError);
      assert.equal(error.kind, 'invalid-request');
      assert.equal(error.message, 'ModelsLab v6 accepts only 21, 31 or 41 inference steps, not 50; choose one of those.');
      return true;
    });
    assert.equal(server.requests.length, requestsBefore);
    assert.deepEqual(progress, []);
    assert.deepEqual(await filesIn(path.join(workspace, 'assets', 'multiview')), before);
  });

  test('an invalid webhook or a text track id for v6 is refused before any request', async () => {
    const requestsBefore = server.requests.length;
    const cases: [Partial<GenerationJobInput['parameters']>, EndpointPresetId, RegExp][] = [
      [{ webhook: 'http://hooks.example/x' }, 'stablediffusionapi-v5', /must be an https:\/\/ URL/],
      [{ steps: 31, trackId: 'order-7' }, 'modelslab-v6', /whole number/],
    ];
    for (const [extra, preset, message] of cases) {
      const { input } = job('success', { parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a red shoe', ...extra } }, preset);
      await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof MultiviewApiError && error.kind === 'invalid-request' && message.test(error.message));
    }
    assert.equal(server.requests.length, requestsBefore);
  });

  test('an output folder outside the workspace is refused before any request is made', async () => {
    const requestsBefore = server.requests.length;
    const { input } = job('success', { outputFolder: '../outside' });
    await assert.rejects(runGenerationJob(input), /outside the workspace folder/);
    assert.equal(server.requests.length, requestsBefore);
  });

  test('a file that is not an image is refused before any request is made', async () => {
    const fake = path.join(workspace, 'fake.png');
    await fs.writeFile(fake, 'this is text, not a PNG');
    const requestsBefore = server.requests.length;
    const { input } = job('success', { imagePath: fake });
    await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof ImageProblemError && error.reason === 'not-an-image');
    assert.equal(server.requests.length, requestsBefore);
  });
});

const V12_SUFFIXES = ['-view-az030-el+20', '-view-az090-el-10', '-view-az150-el+20', '-view-az210-el-10', '-view-az270-el+20', '-view-az330-el-10'];

/** The RGB of pixel (x, y) of a decoded PNG. */
function rgbAt(png: PNG, x: number, y: number): [number, number, number] {
  const offset = (y * png.width + x) * 4;
  return [png.data[offset], png.data[offset + 1], png.data[offset + 2]];
}

describe('preparing the input image', () => {
  /** The image the contract server received in its last base64_to_url upload. */
  function lastUploadedImage(requestsBefore: number): Buffer {
    const upload = server.requests.slice(requestsBefore).find((recorded) => recorded.path.endsWith('/api/v6/base64_to_url'));
    assert.ok(upload, 'the image was uploaded');
    const dataUri = String((upload.body as Record<string, unknown>).base64_string);
    return Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');
  }

  test('a tall image is padded to a square by default; the upload is square and the sidecar records it', async () => {
    const tallPath = path.join(workspace, 'assets', 'tall.png');
    const tall = new PNG({ width: 48, height: 64 });
    tall.data.fill(200);
    await fs.writeFile(tallPath, PNG.sync.write(tall));
    const requestsBefore = server.requests.length;
    const { input, logs } = job('success', { imagePath: tallPath });
    const { sidecar } = await runGenerationJob(input);
    assert.deepEqual(readImageSize(lastUploadedImage(requestsBefore)), { width: 64, height: 64 });
    assert.deepEqual({ width: sidecar.upload.width, height: sidecar.upload.height }, { width: 64, height: 64 });
    const record = sidecar.inputPreparation as UploadRecord;
    assert.deepEqual(
      record.steps.find((step) => step.step === 'padded'),
      { step: 'padded', from: { width: 48, height: 64 }, to: { width: 64, height: 64 }, background: '#7f7f7f' },
    );
    assert.ok(logs.some((line) => /Input image: .*padded to 64×64 on #7f7f7f/.test(line)), 'the log says what was done');
  });

  test('padToSquare: false uploads the original bytes, and the sidecar says padding was not asked for', async () => {
    // Opaque: a picture with transparency is composited onto grey even unpadded (the model wants no alpha).
    const tallPath = path.join(workspace, 'assets', 'tall-opaque.png');
    const tall = new PNG({ width: 48, height: 64, colorType: 2 });
    tall.data.fill(200);
    await fs.writeFile(tallPath, PNG.sync.write(tall, { colorType: 2 }));
    const requestsBefore = server.requests.length;
    const { input } = job('success', { imagePath: tallPath, parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a tall thing', padToSquare: false } });
    const { sidecar } = await runGenerationJob(input);
    assert.ok(lastUploadedImage(requestsBefore).equals(await fs.readFile(tallPath)), 'the file as it is');
    const record = sidecar.inputPreparation as UploadRecord;
    assert.equal(record.options.padToSquare, false);
    assert.ok(record.steps.some((step) => step.step === 'sent-untouched'));
    assert.ok(!record.steps.some((step) => step.step === 'padded'));
  });
});

describe('the six views', () => {
  test('a success run saves the grid, six 320 x 320 PNG views in row-major order and the sidecar, all on one stem', async () => {
    const { input } = job('success', { outputFolder: '${imageFolder}/views-default' });
    const output = await runGenerationJob(input);
    const folder = path.join(workspace, 'assets', 'views-default');
    const stem = path.basename(output.gridPath, '.png');
    assert.match(stem, /^red-shoe-multiview-[A-Za-z0-9_-]+$/);
    assert.deepEqual(output.viewPaths, V12_SUFFIXES.map((suffix) => path.join(folder, `${stem}${suffix}.png`)));
    assert.deepEqual(await filesIn(folder), [`${stem}.json`, `${stem}.png`, ...V12_SUFFIXES.map((suffix) => `${stem}${suffix}.png`)].sort());
    assert.deepEqual([...output.viewPaths].sort(), output.viewPaths, 'the names sort by azimuth');

    for (const [index, viewPath] of output.viewPaths.entries()) {
      const view = PNG.sync.read(await fs.readFile(viewPath));
      assert.deepEqual([view.width, view.height], [320, 320], `view ${index} is 320 x 320`);
      // Each contract-server tile is one flat colour (a darker square in its centre, grey gutters at its edges).
      const [r, g, b] = TILE_COLOURS[index];
      assert.deepEqual(rgbAt(view, 40, 40), [r, g, b], `view ${index} is tile ${index}'s colour`);
      assert.deepEqual(rgbAt(view, 160, 160), [r, g, b].map((c) => Math.round(c * 0.55)), `view ${index}'s centre is its tile's square`);
      assert.deepEqual(rgbAt(view, 0, 0), [128, 128, 128], `view ${index} starts at its tile's gutter`);
      assert.deepEqual(rgbAt(view, 319, 319), [128, 128, 128], `view ${index} ends at its tile's gutter`);
    }

    const sidecar = JSON.parse(await fs.readFile(output.sidecarPath, 'utf8'));
    assert.equal(sidecar.cameraLayout, 'zero123plus-v1.2');
    assert.deepEqual(sidecar.gridSize, { width: 640, height: 960 });
    assert.equal(sidecar.viewsSkipped, null);
    assert.deepEqual(sidecar.views.map((view: { file: string }) => view.file), output.viewPaths.map((viewPath) => path.basename(viewPath)));
    assert.deepEqual(sidecar.views[3], {
      index: 3, row: 1, column: 1, azimuthDegrees: 210, elevationDegrees: -10,
      file: `${stem}-view-az210-el-10.png`, rect: { x: 320, y: 320, width: 320, height: 320 },
    });
    assert.deepEqual(sidecar.views.map((view: { elevationDegrees: number }) => view.elevationDegrees), [20, -10, 20, -10, 20, -10]);
    assert.deepEqual(JSON.parse(JSON.stringify(output.sidecar)), sidecar);
  });

  test('saveViews: false saves only the grid and the sidecar, and says why', async () => {
    const { input } = job('success', { outputFolder: '${imageFolder}/views-off', saveViews: false });
    const output = await runGenerationJob(input);
    const stem = path.basename(output.gridPath, '.png');
    assert.deepEqual(output.viewPaths, []);
    assert.deepEqual(await filesIn(path.join(workspace, 'assets', 'views-off')), [`${stem}.json`, `${stem}.png`]);
    const sidecar = JSON.parse(await fs.readFile(output.sidecarPath, 'utf8'));
    assert.deepEqual(sidecar.views, []);
    assert.equal(sidecar.viewsSkipped.reason, 'disabled');
    assert.match(sidecar.viewsSkipped.message, /multiview\.saveViews/);
  });

  test('the v1.1 layout changes the names and the elevations in the sidecar', async () => {
    const { input } = job('success', { outputFolder: '${imageFolder}/views-v11', cameraLayout: 'zero123plus-v1.1' });
    const output = await runGenerationJob(input);
    const stem = path.basename(output.gridPath, '.png');
    const suffixes = ['-view-az030-el+30', '-view-az090-el-20', '-view-az150-el+30', '-view-az210-el-20', '-view-az270-el+30', '-view-az330-el-20'];
    assert.deepEqual(output.viewPaths.map((viewPath) => path.basename(viewPath)), suffixes.map((suffix) => `${stem}${suffix}.png`));
    const sidecar = JSON.parse(await fs.readFile(output.sidecarPath, 'utf8'));
    assert.equal(sidecar.cameraLayout, 'zero123plus-v1.1');
    assert.deepEqual(sidecar.views.map((view: { elevationDegrees: number }) => view.elevationDegrees), [30, -20, 30, -20, 30, -20]);
    assert.deepEqual(sidecar.views.map((view: { azimuthDegrees: number }) => view.azimuthDegrees), [30, 90, 150, 210, 270, 330]);
  });

  test('a second result with the same job id gets the -2 stem for all eight files', async () => {
    // A fresh contract server numbers its jobs from the same first id, so two servers give the same name.
    const runOnFreshServer = async () => {
      const fresh = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
      try {
        const base = `${fresh.baseUrl}/scenario/success`;
        const { input } = job('success', { outputFolder: '${imageFolder}/views-twice' });
        return await runGenerationJob({ ...input, connection: { ...input.connection, endpoints: endpointsFromBaseUrls(base, base) } });
      } finally {
        await fresh.close();
      }
    };
    const first = await runOnFreshServer();
    const second = await runOnFreshServer();
    const stem = path.basename(first.gridPath, '.png');
    assert.equal(path.basename(second.gridPath), `${stem}-2.png`);
    assert.equal(path.basename(second.sidecarPath), `${stem}-2.json`);
    assert.deepEqual(second.viewPaths.map((viewPath) => path.basename(viewPath)), V12_SUFFIXES.map((suffix) => `${stem}-2${suffix}.png`));
    const files = await filesIn(path.join(workspace, 'assets', 'views-twice'));
    assert.equal(files.length, 16);
    assert.equal(files.filter((name) => name.startsWith(`${stem}-2`)).length, 8);
    const sidecar = JSON.parse(await fs.readFile(second.sidecarPath, 'utf8'));
    assert.equal(sidecar.grid, `${stem}-2.png`);
    assert.ok(sidecar.views.every((view: { file: string }) => view.file.startsWith(`${stem}-2-view-`)));
  });

  test('cancelling while saving leaves none of the eight files', async () => {
    const abort = new AbortController();
    const folder = path.join(workspace, 'assets', 'views-cancelled');
    const { input } = job('success', {
      outputFolder: '${imageFolder}/views-cancelled',
      signal: abort.signal,
      onProgress: (stage) => stage.stage === 'saving' && abort.abort(),
    });
    await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof Error && (error.name === 'AbortError' || (error as { kind?: string }).kind === 'cancelled'));
    assert.deepEqual(await filesIn(folder), []);
  });

  test('a grid that does not decode is refused before anything is saved', async () => {
    const folder = path.join(workspace, 'assets', 'views-damaged');
    const { input } = job('damaged-grid', { outputFolder: '${imageFolder}/views-damaged' });
    await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof ImageProblemError && error.reason === 'damaged-grid');
    assert.deepEqual(await filesIn(folder), []);
  });

  test('a grid of the wrong shape is refused before anything is saved', async () => {
    const folder = path.join(workspace, 'assets', 'views-wrong');
    const { input } = job('wrong-size-grid', { outputFolder: '${imageFolder}/views-wrong' });
    await assert.rejects(runGenerationJob(input), (error: unknown) => error instanceof ImageProblemError && error.reason === 'wrong-size-grid');
    assert.deepEqual(await filesIn(folder), []);
  });
});
