/**
 * "Remove Background" on its own (subjectJob.ts), without VS Code: a photo in a temporary workspace, the contract
 * server as the API, the cut-out PNG on disk as the outcome.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { MultiviewApiError } from '../../src/api/errors';
import type { EndpointPresetId } from '../../src/api/presetIds';
import { endpointsForPreset } from '../../src/api/presets';
import type { JobProgress } from '../../src/core/jobSession';
import { OutputLocationError } from '../../src/core/outputFiles';
import { type BackgroundRemovalInput, runBackgroundRemovalJob } from '../../src/core/subjectJob';
import { ImageEngine } from '../../src/image/engine';
import { startContractServer, type ContractServer, type ScenarioName } from '../contract-server/server';
import { testEngineOptions } from '../support/imageEngine';

const API_KEY = 'mvk-Subject-Job-3nVt6Yp1Qa';
const PHOTO = { width: 120, height: 80 };
const BACKDROP = [235, 232, 228] as const;
const SUBJECT = [150, 40, 30] as const;

let server: ContractServer;
let workspace: string;
let imagePath: string;
let folder: string;
const engine = new ImageEngine(testEngineOptions());

before(async () => {
  server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-subject-'));
  await fs.mkdir(path.join(workspace, 'photos'));
  imagePath = path.join(workspace, 'photos', 'red mug.png');
  folder = path.join(workspace, 'photos', 'multiview');
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

function job(
  scenario: ScenarioName,
  overrides: Partial<BackgroundRemovalInput> = {},
  preset: EndpointPresetId = 'stablediffusionapi-v5',
): { input: BackgroundRemovalInput; progress: JobProgress[]; logs: string[] } {
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
      longSide: 1024,
      engine,
      connection: {
        apiKey: API_KEY,
        endpoints: endpointsForPreset(preset, { apiBaseUrl: base, modelslabBaseUrl: base, customBaseUrl: base }),
        requestTimeoutMs: 10_000,
        jobTimeoutMs: 10_000,
        pollIntervalMs: { min: 20, max: 100 },
        log: (line) => logs.push(line),
      },
      extensionVersion: '0.0.0-test',
      onProgress: (stage) => progress.push(stage),
      ...overrides,
    },
  };
}

async function filesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).sort();
}

function alphaAt(png: PNG, x: number, y: number): number {
  return png.data[(y * png.width + x) * 4 + 3];
}

async function expectApiError(kind: MultiviewApiError['kind'], work: Promise<unknown>): Promise<MultiviewApiError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof MultiviewApiError, String(error));
    assert.equal(error.kind, kind, error.message);
    assert.ok(!error.message.includes(API_KEY));
    return error;
  }
  return assert.fail(`expected a ${kind} error`);
}

describe('Remove Background', () => {
  for (const preset of ['stablediffusionapi-v5', 'modelslab-v6'] as const) {
    test(`${preset}: saves <image stem>-subject.png in the output folder, a PNG whose backdrop is transparent`, async () => {
      const { input, progress, logs } = job('success', {}, preset);
      const before = await filesIn(folder);
      const saved = await runBackgroundRemovalJob(input);
      const name = path.basename(saved.path);
      assert.equal(path.dirname(saved.path), folder);
      assert.match(name, /^red-mug(-\d+)?-subject\.png$/);
      assert.deepEqual(await filesIn(folder), [...before, name].sort(), 'one file added, nothing else');

      const bytes = await fs.readFile(saved.path);
      const png = PNG.sync.read(bytes);
      assert.deepEqual([png.width, png.height], [PHOTO.width, PHOTO.height], 'the photo\'s size: not padded');
      assert.deepEqual([saved.width, saved.height], [png.width, png.height]);
      assert.equal(alphaAt(png, 0, 0), 0, 'the backdrop (top left) is transparent');
      assert.equal(alphaAt(png, 60, 40), 255, 'the subject (centre) is opaque');
      assert.deepEqual([...png.data.subarray((40 * png.width + 60) * 4, (40 * png.width + 60) * 4 + 3)], [...SUBJECT]);
      assert.notEqual(saved.jobId, '');

      const stages = progress.map((p) => p.stage).filter((stage, index, all) => all.indexOf(stage) === index);
      assert.deepEqual(stages, ['removing-background', preset === 'modelslab-v6' ? 'embedding' : 'uploading', 'submitting', 'downloading', 'saving']);
      assert.ok(![...logs, bytes.toString('latin1')].join('\n').includes(API_KEY));
    });
  }

  test('a second run never overwrites the first: <stem>-2-subject.png', async () => {
    const otherFolder = path.join(workspace, 'cutouts-again');
    const first = await runBackgroundRemovalJob(job('success', { outputFolder: otherFolder }).input);
    const firstBytes = await fs.readFile(first.path);
    const second = await runBackgroundRemovalJob(job('success', { outputFolder: otherFolder }).input);
    assert.equal(first.path, path.join(otherFolder, 'red-mug-subject.png'));
    assert.equal(second.path, path.join(otherFolder, 'red-mug-2-subject.png'));
    assert.ok((await fs.readFile(first.path)).equals(firstBytes), 'the first cut-out is untouched');
    assert.deepEqual(await filesIn(otherFolder), ['red-mug-2-subject.png', 'red-mug-subject.png']);
  });

  test('a file of the user\'s under the cut-out\'s name stays as it was', async () => {
    const userFolder = path.join(workspace, 'mine');
    await fs.mkdir(userFolder);
    await fs.writeFile(path.join(userFolder, 'red-mug-subject.png'), 'mine');
    const saved = await runBackgroundRemovalJob(job('success', { outputFolder: '${workspaceFolder}/mine' }).input);
    assert.equal(saved.path, path.join(userFolder, 'red-mug-2-subject.png'));
    assert.equal(await fs.readFile(path.join(userFolder, 'red-mug-subject.png'), 'utf8'), 'mine');
  });

  test('a queued removal is polled until the cut-out is ready', async () => {
    const { input, progress } = job('queued', { outputFolder: '${workspaceFolder}/queued' });
    const saved = await runBackgroundRemovalJob(input);
    assert.ok(progress.some((p) => p.stage === 'queued'));
    assert.equal(alphaAt(PNG.sync.read(await fs.readFile(saved.path)), 0, 0), 0);
  });

  test('a cut-out that comes back as a JPEG is refused: no transparent background, nothing saved', async () => {
    const before = await filesIn(folder);
    const error = await expectApiError('download', runBackgroundRemovalJob(job('cutout-not-png').input));
    assert.match(error.message, /without a transparent background, so there is no cut-out to use/);
    assert.deepEqual(await filesIn(folder), before);
  });

  for (const [scenario, kind] of [['invalid-key', 'invalid-key'], ['echo-key', 'rejected'], ['failed-on-fetch', 'failed'], ['link-expired', 'download']] as const) {
    test(`${scenario}: a ${kind} error and nothing saved`, async () => {
      const before = await filesIn(folder);
      await expectApiError(kind, runBackgroundRemovalJob(job(scenario).input));
      assert.deepEqual(await filesIn(folder), before);
    });
  }

  test('cancelled while queued: nothing saved', async () => {
    const before = await filesIn(folder);
    const abort = new AbortController();
    const { input } = job('queued-forever', { signal: abort.signal, onProgress: (p) => p.stage === 'queued' && abort.abort() });
    await expectApiError('cancelled', runBackgroundRemovalJob(input));
    assert.deepEqual(await filesIn(folder), before);
  });

  test('an output folder outside the workspace is refused before any request', async () => {
    const requestsBefore = server.requests.length;
    await assert.rejects(runBackgroundRemovalJob(job('success', { outputFolder: '../elsewhere' }).input), OutputLocationError);
    assert.equal(server.requests.length, requestsBefore);
  });

  test('a hostile server cannot choose where the cut-out goes', async () => {
    const saved = await runBackgroundRemovalJob(job('hostile', { outputFolder: '${workspaceFolder}/hostile' }).input);
    assert.equal(saved.path, path.join(workspace, 'hostile', 'red-mug-subject.png'));
    assert.deepEqual(await filesIn(path.join(workspace, 'hostile')), ['red-mug-subject.png']);
    assert.equal(alphaAt(PNG.sync.read(await fs.readFile(saved.path)), 0, 0), 0);
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
  assert.ok(files.some((file) => file.endsWith('-subject.png')), 'cut-outs were saved');
  for (const file of files) {
    assert.ok(!(await fs.readFile(file, 'latin1')).includes(API_KEY), `${path.relative(workspace, file)} holds no key`);
  }
});
