/**
 * Client behaviour for answers the named contract scenarios do not produce: transient failures while
 * polling, poll URLs that all 404, redirects, oversized JSON, rate limits mid-poll. A tiny scripted server
 * answers each path from a list (the last answer repeats).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultiviewClient } from '../../src/api/client';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import type { EndpointPresetId } from '../../src/api/presetIds';
import { endpointsForPreset } from '../../src/api/presets';
import type { ApiErrorKind, JobStage, MultiviewRequest } from '../../src/api/types';
import { sampleRequest } from '../support/requests';

const KEY = 'poll-Test-Key-5mZ8';
const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

interface Reply {
  status?: number;
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

interface ScriptedServer {
  baseUrl: string;
  /** "METHOD /path" of every request, in order. */
  calls: string[];
  bodies: unknown[];
  script(path: string, replies: Reply[]): void;
  /** Forgets scripts and recorded calls. */
  reset(): void;
  close(): Promise<void>;
}

async function startScriptedServer(): Promise<ScriptedServer> {
  const scripts = new Map<string, Reply[]>();
  const calls: string[] = [];
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      calls.push(`${req.method} ${path}`);
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(text ? JSON.parse(text) : undefined);
      const replies = scripts.get(path) ?? [{ status: 404, json: { status: 'error', message: 'no script' } }];
      const reply = replies.length > 1 ? replies.shift()! : replies[0];
      const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
      res.writeHead(reply.status ?? 200, { 'Content-Type': reply.json !== undefined ? 'application/json' : 'application/octet-stream', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    bodies,
    script: (path, replies) => scripts.set(path, [...replies]),
    reset: () => {
      scripts.clear();
      calls.length = 0;
      bodies.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let api: ScriptedServer;
let elsewhere: ScriptedServer;

before(async () => {
  api = await startScriptedServer();
  elsewhere = await startScriptedServer();
});

after(async () => {
  await Promise.all([api.close(), elsewhere.close()]);
});

/** A fresh start per test: no scripts, no recorded calls, and a client pointed at `api`. */
function setup(options: { maxJsonBytes?: number; preset?: EndpointPresetId } = {}): { client: MultiviewClient; stages: JobStage[]; logs: string[] } {
  api.reset();
  elsewhere.reset();
  const stages: JobStage[] = [];
  const logs: string[] = [];
  const { preset, ...clientOptions } = options;
  const client = new MultiviewClient({
    apiKey: KEY,
    endpoints: preset
      ? endpointsForPreset(preset, { apiBaseUrl: api.baseUrl, modelslabBaseUrl: api.baseUrl, customBaseUrl: api.baseUrl })
      : endpointsFromBaseUrls(api.baseUrl, api.baseUrl),
    requestTimeoutMs: 10_000,
    jobTimeoutMs: 5_000,
    pollIntervalMs: { min: 1, max: 2 },
    sleep: async () => undefined,
    log: (line) => logs.push(line),
    ...clientOptions,
  });
  return { client, stages, logs };
}

const REQUEST: MultiviewRequest = sampleRequest({ prompt: '' });

const processing = (extra: Record<string, unknown> = {}): Reply => ({ json: { status: 'processing', id: 42, eta: 1, output: [], ...extra } });
const success = (extra: Record<string, unknown> = {}): Reply => ({
  json: { status: 'success', id: 42, output: [`${api.baseUrl}/out.png`], meta: { seed: 5 }, ...extra },
});

async function expectKind(kind: ApiErrorKind, work: () => Promise<unknown>): Promise<MultiviewApiError> {
  const error = await work().then(
    () => assert.fail(`expected '${kind}'`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof MultiviewApiError, String(error));
  assert.equal(error.kind, kind, error.message);
  return error;
}

describe('polling edge cases', () => {
  test('a same-origin fetch_result with an unusual path is used verbatim', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [processing({ fetch_result: `${api.baseUrl}/api/v3/dreambooth/fetch/42` })]);
    api.script('/api/v3/dreambooth/fetch/42', [success()]);
    const result = await client.generate(REQUEST);
    assert.deepEqual(api.calls, ['POST /api/v5/multiview', 'POST /api/v3/dreambooth/fetch/42']);
    assert.equal(result.seed, 5);
  });

  test('transient failures while polling are retried', async () => {
    const { client, logs } = setup();
    api.script('/api/v5/multiview', [processing()]);
    api.script('/api/v6/image_editing/fetch/42', [
      { status: 502, body: '<html><title>502 Bad Gateway</title></html>', headers: { 'Content-Type': 'text/html' } },
      { status: 200, body: '{"status":"proc' },
      success(),
    ]);
    const result = await client.generate(REQUEST);
    assert.equal(result.jobId, '42');
    assert.equal(logs.filter((line) => line.includes('will retry')).length, 2);
  });

  test('three transient failures in a row end the job with its id', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [processing()]);
    api.script('/api/v6/image_editing/fetch/42', [{ status: 503, json: { status: 'error', message: 'Service temporarily unavailable' } }]);
    const error = await expectKind('server', () => client.generate(REQUEST));
    assert.equal(error.jobId, '42');
    assert.equal(api.calls.length, 4);
  });

  test('when every poll URL 404s the error says the job may still finish', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [processing()]);
    const error = await expectKind('server', () => client.generate(REQUEST));
    assert.deepEqual(api.calls, ['POST /api/v5/multiview', 'POST /api/v6/image_editing/fetch/42', 'POST /api/v3/fetch/42']);
    assert.match(error.message, /None of the 2 poll URLs could report on job 42; it may still finish on the server/);
  });

  test('an "error" from a guessed fallback moves on; from the server\'s fetch_result it is final', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [processing()]);
    api.script('/api/v6/image_editing/fetch/42', [{ json: { status: 'error', message: 'Request not found' } }]);
    api.script('/api/v3/fetch/42', [success()]);
    assert.equal((await client.generate(REQUEST)).jobId, '42');

    const second = setup();
    api.script('/api/v5/multiview', [processing({ fetch_result: `${api.baseUrl}/api/v5/fetch/42` })]);
    api.script('/api/v5/fetch/42', [{ json: { status: 'error', message: 'Image could not be generated' } }]);
    const error = await expectKind('rejected', () => second.client.generate(REQUEST));
    assert.equal(error.jobId, '42');
    assert.equal(api.calls.length, 2);
  });

  test('a rate limit while polling is waited out and reported', async () => {
    const { client, stages } = setup();
    api.script('/api/v5/multiview', [processing()]);
    api.script('/api/v6/image_editing/fetch/42', [
      { status: 429, json: { status: 'error', message: 'Rate limit exceeded' }, headers: { 'Retry-After': '4' } },
      success(),
    ]);
    await client.generate(REQUEST, { onStage: (stage) => stages.push(stage) });
    assert.ok(stages.some((stage) => stage.stage === 'rate-limited' && stage.retryAfterSeconds === 4 && stage.attempt === 1));
  });

  test('a same-origin fetch_result that does not name the job is polled with {key, request_id}', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [processing({ fetch_result: `${api.baseUrl}/api/v1/enterprise/fetch` })]);
    api.script('/api/v1/enterprise/fetch', [processing(), success()]);
    await client.generate(REQUEST);
    assert.deepEqual(api.calls, ['POST /api/v5/multiview', 'POST /api/v1/enterprise/fetch', 'POST /api/v1/enterprise/fetch']);
    assert.deepEqual(api.bodies.slice(1), [
      { request_id: 42, key: KEY },
      { request_id: 42, key: KEY },
    ]);
  });

  test('enterprise: without fetch_result the fallback gets the job id in the body, as text when it is not a number', async () => {
    const { client } = setup({ preset: 'modelslab-enterprise' });
    api.script('/api/v1/enterprise/image_editing/multiview', [processing({ id: 'job-7f3' })]);
    api.script('/api/v1/enterprise/fetch', [success({ id: 'job-7f3' })]);
    const result = await client.generate({ ...REQUEST, temp: 'yes' });
    assert.equal(result.jobId, 'job-7f3');
    assert.deepEqual(api.calls, ['POST /api/v1/enterprise/image_editing/multiview', 'POST /api/v1/enterprise/fetch']);
    assert.equal((api.bodies[0] as Record<string, unknown>).temp, true);
    assert.deepEqual(api.bodies[1], { request_id: 'job-7f3', key: KEY });
  });

  test('enterprise: when its only poll route cannot find the job, the error says it may still finish', async () => {
    const { client } = setup({ preset: 'modelslab-enterprise' });
    api.script('/api/v1/enterprise/image_editing/multiview', [processing()]);
    const error = await expectKind('server', () => client.generate(REQUEST));
    assert.match(error.message, /None of the 1 poll URLs could report on job 42; it may still finish on the server/);
  });

  test('v6: a fetch_result on the configured host is polled once per round, not twice as a fallback too', async () => {
    const { client } = setup({ preset: 'modelslab-v6' });
    api.script('/api/v6/image_editing/multiview', [processing({ fetch_result: `${api.baseUrl}/api/v6/image_editing/fetch/42` })]);
    api.script('/api/v6/image_editing/fetch/42', [{ status: 404, json: { status: 'error', message: 'Request not found' } }]);
    const error = await expectKind('server', () => client.generate(REQUEST));
    assert.match(error.message, /None of the 1 poll URLs/);
    assert.deepEqual(api.calls, ['POST /api/v6/image_editing/multiview', 'POST /api/v6/image_editing/fetch/42']);
  });

  test('success with an empty output uses future_links', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [success({ output: '', future_links: [`${api.baseUrl}/future.png`] })]);
    const result = await client.generate(REQUEST);
    assert.deepEqual(result.outputUrls, [`${api.baseUrl}/future.png`]);
  });
});

describe('transport safety', () => {
  test('an API call is never redirected (the body holds the key)', async () => {
    const { client } = setup();
    api.script('/api/v5/multiview', [{ status: 307, headers: { Location: `${elsewhere.baseUrl}/steal` } }]);
    await expectKind('malformed', () => client.generate(REQUEST));
    assert.deepEqual(elsewhere.calls, []);
  });

  test('a result link may redirect to a CDN', async () => {
    const { client } = setup();
    api.script('/out.png', [{ status: 302, headers: { Location: `${elsewhere.baseUrl}/cdn.png` } }]);
    elsewhere.script('/cdn.png', [{ body: PNG_BYTES, headers: { 'Content-Type': 'image/png' } }]);
    const image = await client.downloadResult({ jobId: '1', outputUrls: [`${api.baseUrl}/out.png`], proxyUrls: [], meta: {} });
    assert.deepEqual(Buffer.from(image.bytes), PNG_BYTES);
  });

  test('bytes that are not an image are refused even with an image content type', async () => {
    const { client } = setup();
    api.script('/fake.png', [{ body: 'GIF89a....', headers: { 'Content-Type': 'image/png' } }]);
    const error = await expectKind('download', () =>
      client.downloadResult({ jobId: '1', outputUrls: [`${api.baseUrl}/fake.png`], proxyUrls: [], meta: {} }),
    );
    assert.match(error.message, /is not a PNG, JPEG or WebP image/);
  });

  test('a result served as base64 text (bare or as a data URI) is decoded and checked like any image', async () => {
    const { client } = setup();
    const png = Buffer.concat([PNG_BYTES, Buffer.alloc(32, 7)]);
    api.script('/out.base64', [{ body: png.toString('base64'), headers: { 'Content-Type': 'text/plain; charset=utf-8' } }]);
    api.script('/out2.base64', [{ body: `data:image/png;base64,${png.toString('base64')}\n` }]);
    for (const file of ['/out.base64', '/out2.base64']) {
      const image = await client.downloadResult({ jobId: '1', outputUrls: [`${api.baseUrl}${file}`], proxyUrls: [], meta: {} });
      assert.equal(image.mime, 'image/png');
      assert.deepEqual(Buffer.from(image.bytes), png);
    }
    api.script('/note.txt', [{ body: 'Your image will be ready soon, please check back later.', headers: { 'Content-Type': 'text/plain' } }]);
    const error = await expectKind('download', () => client.downloadResult({ jobId: '1', outputUrls: [`${api.baseUrl}/note.txt`], proxyUrls: [], meta: {} }));
    assert.match(error.message, /sent text\/plain instead of an image/);
    api.script('/gif.base64', [{ body: Buffer.from('GIF89a-not-an-accepted-image-format').toString('base64'), headers: { 'Content-Type': 'text/plain' } }]);
    await expectKind('download', () => client.downloadResult({ jobId: '1', outputUrls: [`${api.baseUrl}/gif.base64`], proxyUrls: [], meta: {} }));
  });

  test('a JSON answer over maxJsonBytes is refused', async () => {
    const { client } = setup({ maxJsonBytes: 1024 });
    api.script('/api/v5/multiview', [success({ padding: 'x'.repeat(4096) })]);
    await expectKind('too-large', () => client.generate(REQUEST));
  });

  test('a result without links is malformed, not a crash', async () => {
    const { client } = setup();
    await expectKind('malformed', () => client.downloadResult({ jobId: '7', outputUrls: ['javascript:x'], proxyUrls: [], meta: {} }));
  });

  test('the key is in the body of every API call and nowhere else', async () => {
    const { client, logs } = setup();
    api.script('/api/v5/multiview', [processing()]);
    api.script('/api/v6/image_editing/fetch/42', [success()]);
    await client.generate(REQUEST);
    assert.deepEqual(api.bodies[1], { key: KEY });
    assert.ok(!logs.join('\n').includes(KEY));
  });
});
