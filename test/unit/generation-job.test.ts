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
import { endpointsFromBaseUrls } from '../../src/api/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import { endpointsForPreset, type EndpointPresetId } from '../../src/api/presets';
import { describeProgress, type GenerationJobInput, type JobProgress, runGenerationJob } from '../../src/core/generationJob';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readImageSize } from '../../src/image/imageFormat';
import { startContractServer, type ContractServer, type ScenarioName } from '../contract-server/server';

const API_KEY = 'mvk-Job-Key-5s8QpLm2Zt';
let server: ContractServer;
let workspace: string;
let imagePath: string;

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
      api: { apiKey: API_KEY, endpoints, requestTimeoutMs: 2000, jobTimeoutMs: 10_000, pollIntervalMs: { min: 50, max: 200 }, log: (line) => logs.push(line) },
      extensionVersion: '0.0.0-test',
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

    assert.deepEqual(progress.map((p) => p.stage).filter((s, i, all) => all.indexOf(s) === i), ['preparing', 'uploading', 'submitting', 'downloading', 'saving']);
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
    assert.deepEqual(stages, ['preparing', 'embedding', 'submitting', 'queued', 'downloading', 'saving']);
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
    await assert.rejects(runGenerationJob(input), { name: 'UnsupportedImageError' });
    assert.equal(server.requests.length, requestsBefore);
  });
});
