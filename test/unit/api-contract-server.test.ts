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
    for (const route of ['/api/v5/multiview', '/api/v6/base64_to_url', '/api/v3/base64_crop', '/api/v3/fetch/657']) {
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
