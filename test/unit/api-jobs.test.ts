/**
 * The two jobs beside the six views (docs/api-contract.md §12), through the API client against the contract
 * server: background removal gives a cut-out PNG, image to 3D a model file in the asked-for format, each checked by
 * its bytes; their quirks end in one clear error; a queued 3D job is polled where 3D jobs are, also after a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { MultiviewClient } from '../../src/api/client';
import { RESULT_IMAGE } from '../../src/api/download';
import { MultiviewApiError } from '../../src/api/errors';
import { encodeBackgroundRemovalRequest, encodeImageTo3dRequest, type ImageTo3dFields, type ModelOutputFormat } from '../../src/api/jobRequests';
import type { EndpointPresetId } from '../../src/api/presetIds';
import { endpointsForPreset } from '../../src/api/presets';
import type { QueuedJob } from '../../src/api/types';
import { modelLinksFirst, resultModel } from '../../src/core/modelDownload';
import { startContractServer, type ContractServer, type ScenarioName } from '../contract-server/server';

const API_KEY = 'mvk-Jobs-3d7Hq2Lw9ZxC4vBn';

const FIELDS: ImageTo3dFields = {
  output_format: 'glb',
  resolution: 256,
  multi_image: false,
  ss_guidance_strength: 7.5,
  ss_sampling_steps: 12,
  slat_guidance_strength: 3,
  slat_sampling_steps: 12,
  mesh_simplify: 0.9,
  seed: 0,
};

let server: ContractServer;

before(async () => {
  server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
});

after(async () => {
  await server.close();
});

function clientFor(scenario: ScenarioName, preset: EndpointPresetId = 'stablediffusionapi-v5'): MultiviewClient {
  const base = `${server.baseUrl}/scenario/${scenario}`;
  return new MultiviewClient({
    apiKey: API_KEY,
    endpoints: endpointsForPreset(preset, { apiBaseUrl: base, modelslabBaseUrl: base, customBaseUrl: base }),
    requestTimeoutMs: 5_000,
    pollIntervalMs: { min: 20, max: 100 },
    sleep: (ms, signal) => new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, Math.min(ms, 20));
      signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new MultiviewApiError('cancelled', 'cancelled'))), { once: true });
    }),
  });
}

/** A preset's endpoints at any reachable base: what a request is encoded for (not where it is sent). */
function endpointsAt(preset: EndpointPresetId) {
  return endpointsForPreset(preset, { apiBaseUrl: 'https://api.example', modelslabBaseUrl: 'https://modelslab.example', customBaseUrl: 'https://custom.example' });
}

/** A photo-like 160x120 PNG: a dark subject in the middle of a light, flat backdrop. */
function photoDataUri(): string {
  const png = new PNG({ width: 160, height: 120 });
  for (let y = 0; y < 120; y++) {
    for (let x = 0; x < 160; x++) {
      const i = (y * 160 + x) * 4;
      const subject = (x - 80) ** 2 / 40 ** 2 + (y - 60) ** 2 / 35 ** 2 < 1;
      png.data.set(subject ? [150, 40, 30, 255] : [235, 232, 228, 255], i);
    }
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

async function expectApiError(kind: MultiviewApiError['kind'], work: () => Promise<unknown>): Promise<MultiviewApiError> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof MultiviewApiError, String(error));
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  return assert.fail(`expected a ${kind} error`);
}

describe('background removal', () => {
  for (const [preset, transport] of [
    ['stablediffusionapi-v5', 'uploaded first'],
    ['modelslab-v6', 'sent inline'],
  ] as const) {
    test(`${preset}: the photo ${transport}, the cut-out comes back as a PNG with a transparent background`, async () => {
      const client = clientFor('success', preset);
      const endpoint = endpointsForPreset(preset, { apiBaseUrl: server.baseUrl, modelslabBaseUrl: server.baseUrl }).backgroundRemoval;
      const image = await client.imageForRequest(photoDataUri(), {}, 'background-removal');
      assert.equal(image.startsWith('data:'), endpoint.imageTransport === 'inline-base64');
      const result = await client.removeBackground(encodeBackgroundRemovalRequest(image, endpoint));
      const cutout = await client.downloadFile(result, RESULT_IMAGE);
      assert.equal(cutout.mime, 'image/png');
      const png = PNG.sync.read(Buffer.from(cutout.bytes));
      assert.deepEqual([png.width, png.height], [160, 120]);
      assert.equal(png.data[3], 0, 'the backdrop (top left) is transparent');
      assert.equal(png.data[(60 * 160 + 80) * 4 + 3], 255, 'the subject (centre) is opaque');
    });
  }

  test('queued: polled until the cut-out is ready', async () => {
    const client = clientFor('queued');
    const stages: string[] = [];
    const image = await client.imageForRequest(photoDataUri(), {}, 'background-removal');
    const result = await client.removeBackground(encodeBackgroundRemovalRequest(image, endpointsAt('stablediffusionapi-v5').backgroundRemoval), {
      onStage: (stage) => stages.push(stage.stage),
    });
    assert.ok(stages.includes('queued'));
    assert.equal((await client.downloadFile(result, RESULT_IMAGE)).mime, 'image/png');
  });

  test('an inline image where the endpoint wants a URL is refused before anything is sent', () => {
    const v5 = endpointsAt('stablediffusionapi-v5').backgroundRemoval;
    assert.throws(() => encodeBackgroundRemovalRequest(photoDataUri(), v5), (error: unknown) => error instanceof MultiviewApiError && error.kind === 'invalid-request');
  });
});

describe('image to 3D', () => {
  const formats: ModelOutputFormat[] = ['glb', 'obj', 'stl', 'ply'];
  for (const format of formats) {
    test(`${format}: queued, polled at the 3D fetch route, the model file checked by its bytes`, async () => {
      const client = clientFor('success');
      const queued: QueuedJob[] = [];
      const stages: string[] = [];
      const endpoint = endpointsAt('stablediffusionapi-v5').imageTo3d;
      const result = await client.imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', { ...FIELDS, output_format: format }, endpoint), {
        onQueued: (job) => queued.push(job),
        onStage: (stage) => stages.push(stage.stage),
      });
      assert.equal(queued.length, 1, 'a 3D job is always queued first');
      assert.equal(queued[0].kind, 'image-to-3d');
      assert.ok(stages.includes('queued'));
      const polls = server.requests.filter((request) => /\/api\/v6\/3d\/fetch\//.test(request.path));
      assert.ok(polls.length > 0, 'polled at /api/v6/3d/fetch/{id}');
      const model = await client.downloadFile(result, resultModel(format), {}, modelLinksFirst(result.outputUrls, format));
      assert.equal(model.facts.format, format);
      assert.ok(model.facts.triangles > 500, `${model.facts.triangles} triangles`);
    });
  }

  test('a queued 3D job resumed after a reload is polled where 3D jobs are', async () => {
    const client = clientFor('success');
    let saved: QueuedJob | undefined;
    const controller = new AbortController();
    const endpoint = endpointsAt('stablediffusionapi-v5').imageTo3d;
    await client
      .imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', FIELDS, endpoint), {
        signal: controller.signal,
        onQueued: (job) => {
          saved = JSON.parse(JSON.stringify(job)) as QueuedJob;
          controller.abort(); // the window reloads while the job is queued
        },
      })
      .catch(() => undefined);
    assert.ok(saved, 'the queued job was handed over');
    const result = await clientFor('success').resume(saved);
    const model = await client.downloadFile(result, resultModel('glb'));
    assert.equal(model.facts.format, 'glb');
  });

  test('the enterprise preset submits and polls at its own 3D routes', async () => {
    const client = clientFor('success', 'modelslab-enterprise');
    const endpoint = endpointsAt('modelslab-enterprise').imageTo3d;
    const before = server.requests.length;
    const result = await client.imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', FIELDS, endpoint));
    const paths = server.requests.slice(before).map((request) => request.path);
    assert.ok(paths.some((path) => path.endsWith('/api/v1/enterprise/3d/image_to_3d')));
    assert.ok(paths.some((path) => /\/api\/v1\/enterprise\/3d\/fetch\//.test(path)));
    assert.ok(result.outputUrls.length > 0);
  });

  test('a .glb link that serves an HTML page: one clear error, no model', async () => {
    const client = clientFor('model-is-html');
    const result = await client.imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', FIELDS, endpointsAt('stablediffusionapi-v5').imageTo3d));
    const error = await expectApiError('download', () => client.downloadFile(result, resultModel('glb')));
    assert.match(error.message, /is not a 3D model \(it is not a GLB file\)/);
  });

  test('half a model file: "cut short", no model', async () => {
    const client = clientFor('model-truncated');
    const result = await client.imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', FIELDS, endpointsAt('stablediffusionapi-v5').imageTo3d));
    const error = await expectApiError('download', () => client.downloadFile(result, resultModel('glb')));
    assert.match(error.message, /cut short/);
  });

  test('an expired link: the storage refusal, named', async () => {
    const client = clientFor('link-expired');
    const result = await client.imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', FIELDS, endpointsAt('stablediffusionapi-v5').imageTo3d));
    const error = await expectApiError('download', () => client.downloadFile(result, resultModel('glb')));
    assert.match(error.message, /HTTP 403/);
  });

  test('a job that fails while queued: "failed", with its id', async () => {
    const client = clientFor('failed-on-fetch');
    const error = await expectApiError('failed', () =>
      client.imageTo3d(encodeImageTo3dRequest('https://img.example/mug.png', FIELDS, endpointsAt('stablediffusionapi-v5').imageTo3d)),
    );
    assert.ok(error.jobId, 'the failed job is named');
  });
});
