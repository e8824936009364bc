/**
 * The contract server itself: the e2e tests and the demo rely on its routes, control API, recording,
 * input validation, clean shutdown and CLI, so they are pinned down here with plain HTTP calls.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { startContractServer, type ContractServer } from '../contract-server/server';

const KEY = 'server-test-key';

let server: ContractServer;

before(async () => {
  server = await startContractServer();
});

after(async () => {
  await server.close();
});

async function post(url: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) };
}

function multiviewBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { key: KEY, prompt: 'mug', image: 'https://img.example/in.png', width: 512, height: 768, seed: null, temp: 'yes', ...extra };
}

describe('contract server', () => {
  test('answers the documented success shape, with a real PNG grid of the requested size', async () => {
    const { status, json } = await post(`${server.baseUrl}/api/v5/multiview`, multiviewBody());
    assert.equal(status, 200);
    assert.equal(json.status, 'success');
    assert.equal(typeof json.id, 'number');
    assert.equal(json.proxy_links.length, 1, 'temp "yes" adds proxy links');
    assert.equal(json.meta.outdir, 'out');
    assert.equal(json.meta.key, undefined, 'meta echoes the request minus the key');
    assert.equal(typeof json.meta.seed, 'number', 'a null seed becomes a random one');
    assert.match(json.meta.image, new RegExp(`^${server.baseUrl}/uploads/`));

    const image = await fetch(json.output[0]);
    assert.equal(image.headers.get('content-type'), 'image/png');
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    assert.deepEqual([png.width, png.height], [512, 768]);
  });

  test('records every request with method, path, body and headers', async () => {
    const countBefore = server.requests.length;
    await post(`${server.baseUrl}/api/v3/fetch/999999`, { key: KEY });
    const [recorded] = server.requests.slice(countBefore);
    assert.equal(recorded.method, 'POST');
    assert.equal(recorded.path, '/api/v3/fetch/999999');
    assert.deepEqual(recorded.body, { key: KEY });
    assert.equal(recorded.headers['content-type'], 'application/json');
    assert.ok(Math.abs(recorded.at - Date.now()) < 5_000);
    const viaControl = (await (await fetch(`${server.baseUrl}/__control/requests`)).json()) as unknown[];
    assert.equal(viaControl.length, server.requests.length);
  });

  test('validates its input: key, JSON, content type, request fields', async () => {
    const url = `${server.baseUrl}/api/v5/multiview`;
    assert.deepEqual(await post(url, multiviewBody({ key: undefined })), {
      status: 400,
      json: { status: 'error', message: { key: ['The key field is required.'] } },
    });
    assert.equal((await post(url, '{"key": "x", ')).json.message, 'Invalid API Request');
    assert.equal((await post(url, JSON.stringify(multiviewBody()), 'text/plain')).json.message, 'Invalid API Request');
    const invalid = await post(url, multiviewBody({ width: 4000, image: 'file:///x.png' }));
    assert.deepEqual(invalid.json.message, {
      image: ['The image field must be a valid URL.'],
      width: ['width must be between 256 and 1024'],
    });
  });

  test('a key starting with "invalid" is refused on every route', async () => {
    for (const route of [
      '/api/v5/multiview',
      '/api/v6/image_editing/multiview',
      '/api/v1/enterprise/image_editing/multiview',
      '/api/v6/base64_to_url',
      '/api/v3/base64_crop',
      '/api/v3/fetch/657',
      '/api/v6/image_editing/fetch/657',
      '/api/v1/enterprise/fetch',
    ]) {
      const { json } = await post(`${server.baseUrl}${route}`, { ...multiviewBody(), key: 'invalid-123' });
      assert.equal(json.message, 'Invalid Api Key', route);
    }
  });

  test('the scenario can be set by control route, by setScenario, by path prefix or by prompt marker', async () => {
    const url = `${server.baseUrl}/api/v5/multiview`;
    assert.equal((await post(`${server.baseUrl}/__control/scenario`, { name: 'no-credits' })).status, 200);
    assert.equal((await post(url, multiviewBody())).status, 402);
    assert.equal((await post(`${server.baseUrl}/__control/scenario`, { name: 'nope' })).status, 400);
    server.setScenario('success');
    assert.equal((await post(url, multiviewBody())).json.status, 'success');
    assert.equal((await post(`${server.baseUrl}/scenario/messege/api/v5/multiview`, multiviewBody())).json.messege, 'Unable to fetch image from provided URL');
    assert.equal((await post(url, multiviewBody({ prompt: 'x [scenario:queued]' }))).json.status, 'processing');
    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as { status: string; scenario: string };
    assert.deepEqual(health, { status: 'alive', scenario: 'success' });
  });

  test('the hostile scenario points fetch_result at another origin', async () => {
    const { json } = await post(`${server.baseUrl}/scenario/hostile/api/v5/multiview`, multiviewBody());
    assert.equal(json.status, 'processing');
    assert.match(json.fetch_result, /^http:\/\/evil\.invalid\/steal\//);
    assert.equal(json.meta.file_prefix, '../../etc/passwd');
  });

  test('the v5 route wants temp "yes"/"no"', async () => {
    const { status, json } = await post(`${server.baseUrl}/api/v5/multiview`, multiviewBody({ temp: true }));
    assert.equal(status, 400);
    assert.deepEqual(json.message, { temp: ['The selected temp is invalid. Use "yes" or "no".'] });
  });

  test('the v6 route: inline data URI with base64:true, boolean temp, steps 21/31/41, integer track_id, its own fetch', async () => {
    const url = `${server.baseUrl}/api/v6/image_editing/multiview`;
    const png = PNG.sync.write(new PNG({ width: 3, height: 3 }));
    const dataUri = `data:image/png;base64,${png.toString('base64')}`;
    const v6 = (extra: Record<string, unknown> = {}) => multiviewBody({ image: dataUri, base64: true, temp: false, num_inference_steps: 31, ...extra });

    const ok = await post(url, v6({ track_id: 1042 }));
    assert.equal(ok.status, 200);
    assert.equal(ok.json.status, 'success');
    assert.equal(ok.json.meta.track_id, 1042);
    assert.match(ok.json.meta.image, /\/uploads\/\d+\.png$/, 'the inline image is re-hosted, not echoed');
    assert.deepEqual(Buffer.from(await (await fetch(ok.json.meta.image)).arrayBuffer()), png);
    assert.equal((await post(url, v6({ image: 'https://img.example/in.png', base64: undefined }))).status, 200, 'a URL works too');

    assert.deepEqual((await post(url, v6({ num_inference_steps: 30 }))).json, {
      status: 'error',
      message: { num_inference_steps: ['The selected num inference steps is invalid. Allowed values: 21, 31, 41.'] },
    });
    assert.deepEqual((await post(url, v6({ temp: 'no' }))).json.message, { temp: ['The temp field must be true or false.'] });
    assert.deepEqual((await post(url, v6({ base64: undefined }))).json.message, {
      base64: ['The base64 field must be true when the image is a base64 data URI.'],
    });
    assert.deepEqual((await post(url, v6({ track_id: 'order-7' }))).json.message, { track_id: ['The track id must be an integer.'] });
    assert.deepEqual((await post(url, v6({ webhook: 'not a url' }))).json.message, { webhook: ['The webhook must be a valid URL.'] });

    const queued = await post(url, v6({ prompt: 'mug [scenario:queued]' }));
    assert.equal(queued.json.fetch_result, `${server.baseUrl}/api/v6/image_editing/fetch/${queued.json.id}`);
    assert.equal((await post(queued.json.fetch_result, { key: KEY })).json.status, 'processing');
    assert.equal((await post(`${server.baseUrl}/api/v3/fetch/${queued.json.id}`, { key: KEY })).status, 404, 'the v3 fetch does not know v6 jobs');
    assert.equal((await post(queued.json.fetch_result, { key: KEY })).json.status, 'success');
  });

  test('the enterprise route: boolean temp, image URL, fetch with {key, request_id}', async () => {
    const url = `${server.baseUrl}/api/v1/enterprise/image_editing/multiview`;
    assert.deepEqual((await post(url, multiviewBody({ temp: 'yes' }))).json.message, { temp: ['The temp field must be true or false.'] });
    assert.deepEqual((await post(url, multiviewBody({ temp: true, image: 'data:image/png;base64,AAAA', base64: true }))).json.message, {
      image: ['The image field must be a valid URL.'],
    });
    const ok = await post(url, multiviewBody({ temp: true }));
    assert.equal(ok.json.status, 'success');
    assert.equal(ok.json.proxy_links.length, 1, 'temp true adds proxy links');

    const queued = await post(`${server.baseUrl}/scenario/queued/api/v1/enterprise/image_editing/multiview`, multiviewBody({ temp: false }));
    const fetchUrl = `${server.baseUrl}/scenario/queued/api/v1/enterprise/fetch`;
    assert.equal(queued.json.fetch_result, fetchUrl, 'the enterprise fetch_result names the job only in the body it expects');
    assert.deepEqual(await post(fetchUrl, { key: KEY }), {
      status: 400,
      json: { status: 'error', message: { request_id: ['The request id field is required.'] } },
    });
    assert.equal((await post(fetchUrl, { key: KEY, request_id: queued.json.id })).json.status, 'processing');
    assert.equal((await post(`${fetchUrl}/${queued.json.id}`, { key: KEY })).json.status, 'success', 'the path form works too');
    assert.equal((await post(`${server.baseUrl}/api/v6/image_editing/fetch/${queued.json.id}`, { key: KEY })).status, 404);
  });

  test('uploads are served back byte for byte', async () => {
    const png = new PNG({ width: 2, height: 2 });
    const bytes = PNG.sync.write(png);
    const { json } = await post(`${server.baseUrl}/api/v6/base64_to_url`, { key: KEY, base64_string: `data:image/png;base64,${bytes.toString('base64')}` });
    const served = await fetch(json.output[0]);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
  });

  test('close() returns promptly while an endless body streams and a request hangs', async () => {
    const own = await startContractServer();
    const { json } = await post(`${own.baseUrl}/scenario/endless-body/api/v5/multiview`, multiviewBody());
    await new Promise<void>((resolve) => {
      http.get(json.output[0], (response) => {
        assert.equal(response.headers['content-type'], 'image/png');
        response.once('data', () => resolve());
      });
    });
    const hanging = fetch(`${own.baseUrl}/scenario/never-answers/api/v5/multiview`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(multiviewBody()),
    }).catch(() => 'closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await own.close();
    assert.ok(Date.now() - started < 1_000);
    assert.equal(await hanging, 'closed');
  });
});

describe('contract server CLI', () => {
  test('prints its URL, serves the chosen scenario and stops on SIGTERM', async () => {
    const cli = spawn(process.execPath, [path.join(__dirname, '../contract-server/cli.js'), '--port', '0', '--scenario', 'queued'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      cli.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /^CONTRACT_SERVER_URL=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
        if (match) resolve(match[1]);
      });
      cli.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as { scenario: string };
    assert.equal(health.scenario, 'queued');
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
