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

function job(scenario: ScenarioName, overrides: Partial<GenerationJobInput> = {}): { input: GenerationJobInput; progress: JobProgress[]; logs: string[] } {
  const base = `${server.baseUrl}/scenario/${scenario}`;
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
      api: { apiKey: API_KEY, endpoints: endpointsFromBaseUrls(base, base), requestTimeoutMs: 2000, jobTimeoutMs: 10_000, pollIntervalMs: { min: 50, max: 200 }, log: (line) => logs.push(line) },
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
    });
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
