/**
 * The contract server itself: the e2e tests, the demo and the bench rely on its routes, control API, recording,
 * input validation, scenarios, result files, clean shutdown and CLI, so they are pinned down here with plain
 * HTTP calls (never the extension's client) and independent readers of the files it serves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { TILE_COLOURS } from '../contract-server/grid-image';
import { encodeGlb, encodeModel, latheMesh, MODEL_FORMATS, modelFile, triangleCountOf, vertexCountOf } from '../contract-server/model-files';
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
      '/api/v5/removebg_mask',
      '/api/v6/image_editing/removebg_mask',
      '/api/v6/3d/image_to_3d',
      '/api/v1/enterprise/3d/image_to_3d',
      '/api/v6/3d/fetch/657',
      '/api/v1/enterprise/3d/fetch/657',
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

// ---- helpers for the sibling endpoints ------------------------------------------------------------

async function download(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Polls a fetch_result until the job leaves "processing"; returns every answer, the last one final. */
async function pollUntilDone(url: string, maxPolls = 5): Promise<Array<{ status: number; json: any }>> {
  const answers: Array<{ status: number; json: any }> = [];
  for (let poll = 0; poll < maxPolls; poll++) {
    const answer = await post(url, { key: KEY });
    answers.push(answer);
    if (answer.json.status !== 'processing') return answers;
  }
  return answers;
}

function alphaAt(png: PNG, x: number, y: number): number {
  return png.data[(y * png.width + x) * 4 + 3];
}

function rgbaAt(png: PNG, x: number, y: number): number[] {
  const offset = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(offset, offset + 4));
}

/** A 120 x 90 "product photo": a blue box on an off-white backdrop. */
const PHOTO_BACKDROP = [240, 240, 235];
const PHOTO_BOX = [30, 60, 200];
function photoPng(): Buffer {
  const png = new PNG({ width: 120, height: 90 });
  for (let y = 0; y < 90; y++) {
    for (let x = 0; x < 120; x++) {
      const inBox = x >= 40 && x < 80 && y >= 30 && y < 60;
      png.data.set([...(inBox ? PHOTO_BOX : PHOTO_BACKDROP), 255], (y * 120 + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

function dataUri(bytes: Buffer, mime = 'image/png'): string {
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

async function uploadPhoto(): Promise<string> {
  const { json } = await post(`${server.baseUrl}/api/v6/base64_to_url`, { key: KEY, base64_string: dataUri(photoPng()) });
  return json.output[0] as string;
}

interface GlbFile {
  json: any;
  bin: Buffer;
}

/** Reads a GLB the way the glTF 2.0 spec lays it out, asserting the container is sound. */
function readGlb(bytes: Buffer): GlbFile {
  assert.ok(bytes.length >= 28, 'a GLB has a header and two chunk headers');
  assert.equal(bytes.toString('latin1', 0, 4), 'glTF', 'magic');
  assert.equal(bytes.readUInt32LE(4), 2, 'version 2');
  assert.equal(bytes.readUInt32LE(8), bytes.length, 'the header length is the file length');
  const jsonLength = bytes.readUInt32LE(12);
  assert.equal(bytes.toString('latin1', 16, 20), 'JSON', 'the first chunk is JSON');
  assert.equal(jsonLength % 4, 0, 'chunks are 4-byte aligned');
  const json = JSON.parse(bytes.toString('utf8', 20, 20 + jsonLength));
  const binStart = 20 + jsonLength;
  const binLength = bytes.readUInt32LE(binStart);
  assert.equal(bytes.toString('latin1', binStart + 4, binStart + 8), 'BIN\0', 'the second chunk is BIN');
  assert.equal(binStart + 8 + binLength, bytes.length, 'nothing after the BIN chunk');
  return { json, bin: bytes.subarray(binStart + 8, binStart + 8 + binLength) };
}

const COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3 };

/** An accessor's values as numbers (float, uint16 or uint32 components), checked against its buffer view. */
function accessorValues(glb: GlbFile, index: number): number[] {
  const accessor = glb.json.accessors[index];
  const view = glb.json.bufferViews[accessor.bufferView];
  assert.ok(view.byteOffset + view.byteLength <= glb.bin.length, `buffer view ${accessor.bufferView} is inside BIN`);
  const size = accessor.componentType === 5123 ? 2 : 4;
  const count = accessor.count * COMPONENTS[accessor.type];
  assert.ok(count * size <= view.byteLength, `accessor ${index} fits its view`);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = view.byteOffset + (accessor.byteOffset ?? 0) + i * size;
    values.push(accessor.componentType === 5126 ? glb.bin.readFloatLE(at) : size === 2 ? glb.bin.readUInt16LE(at) : glb.bin.readUInt32LE(at));
  }
  return values;
}

/** Checks a GLB as a viewer would need it; returns its triangle and vertex counts. */
function checkGlbMesh(bytes: Buffer): { triangles: number; vertices: number; json: any } {
  const glb = readGlb(bytes);
  const { json } = glb;
  assert.equal(json.asset.version, '2.0');
  assert.equal(json.meshes.length, 1, 'one mesh');
  assert.equal(json.materials.length, 1, 'one material');
  assert.equal(json.nodes[json.scenes[json.scene].nodes[0]].mesh, 0, 'the default scene shows the mesh');
  const [primitive] = json.meshes[0].primitives;
  assert.equal(primitive.mode ?? 4, 4, 'triangles');
  const position = json.accessors[primitive.attributes.POSITION];
  const normal = json.accessors[primitive.attributes.NORMAL];
  assert.equal(position.type, 'VEC3');
  assert.equal(normal.count, position.count, 'a normal per vertex');
  if (primitive.attributes.TEXCOORD_0 !== undefined) assert.equal(json.accessors[primitive.attributes.TEXCOORD_0].count, position.count);
  assert.equal(position.min.length, 3, 'POSITION has the bounds glTF requires');
  const positions = accessorValues(glb, primitive.attributes.POSITION);
  for (let axis = 0; axis < 3; axis++) {
    const values = positions.filter((_, i) => i % 3 === axis);
    assert.equal(Math.min(...values), position.min[axis]);
    assert.equal(Math.max(...values), position.max[axis]);
  }
  const normals = accessorValues(glb, primitive.attributes.NORMAL);
  for (let i = 0; i < normals.length; i += 3) assert.ok(Math.abs(Math.hypot(normals[i], normals[i + 1], normals[i + 2]) - 1) < 1e-4, 'unit normals');
  const indices = accessorValues(glb, primitive.indices);
  assert.equal(indices.length % 3, 0);
  assert.ok(indices.every((index) => index < position.count), 'every index names a vertex');
  // Counter-clockwise seen from outside (glTF's front face): every face agrees with its vertex normals, and the
  // closed mesh has a positive signed volume.
  let agreeing = 0;
  let volume = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const corners = [0, 1, 2].map((k) => indices[t + k]);
    const [a, b, c] = corners.map((index) => positions.slice(index * 3, index * 3 + 3));
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const vertexNormal = [0, 1, 2].map((axis) => corners.reduce((sum, index) => sum + normals[index * 3 + axis], 0));
    if (n[0] * vertexNormal[0] + n[1] * vertexNormal[1] + n[2] * vertexNormal[2] > 0) agreeing++;
    volume += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
  }
  assert.equal(agreeing, indices.length / 3, 'every triangle is wound the way its normals point');
  assert.ok(volume > 0, 'the surface is closed and faces outwards');
  return { triangles: indices.length / 3, vertices: position.count, json };
}

function modelBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { key: KEY, image: 'https://img.example/in.png', output_format: 'glb', resolution: 256, seed: 0, temp: 'no', ...extra };
}

// ---- background removal ----------------------------------------------------------------------------

describe('contract server: background removal', () => {
  test('v5 removebg_mask cuts the uploaded photo out: a real PNG, background transparent, subject untouched', async () => {
    const image = await uploadPhoto();
    const { status, json } = await post(`${server.baseUrl}/api/v5/removebg_mask`, { key: KEY, image, seed: null, alpha_matting: false });
    assert.equal(status, 200);
    assert.equal(json.status, 'success');
    assert.equal(typeof json.id, 'number');
    assert.match(json.output[0], /\/generations\/[0-9a-f-]+\.png$/);
    assert.equal(json.proxy_links.length, 1);
    assert.equal(json.meta.image, image);
    assert.equal(json.meta.key, undefined);

    const cutout = await download(json.output[0]);
    assert.equal(cutout.type, 'image/png');
    const png = PNG.sync.read(cutout.bytes);
    assert.deepEqual([png.width, png.height], [120, 90], 'the cut-out keeps the input size');
    assert.equal(alphaAt(png, 0, 0), 0, 'the backdrop is transparent');
    assert.equal(alphaAt(png, 119, 89), 0);
    assert.deepEqual(rgbaAt(png, 60, 45), [...PHOTO_BOX, 255], 'the subject keeps its colour, opaque');
    let transparent = 0;
    for (let y = 0; y < 90; y++) for (let x = 0; x < 120; x++) if (alphaAt(png, x, y) === 0) transparent++;
    assert.equal(transparent, 120 * 90 - 40 * 30, 'exactly the backdrop is gone');
    assert.deepEqual((await download(json.proxy_links[0])).bytes, cutout.bytes, 'the proxy link serves the same file');
  });

  test('a soft edge: pixels between backdrop and subject get partial alpha', async () => {
    // A disc in the box colour whose rim blends into the backdrop over 12 pixels.
    const png = new PNG({ width: 64, height: 64 });
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const t = Math.max(0, Math.min(1, (24 - Math.hypot(x - 32, y - 32)) / 12));
        const colour = PHOTO_BACKDROP.map((channel, i) => Math.round(channel + t * (PHOTO_BOX[i] - channel)));
        png.data.set([...colour, 255], (y * 64 + x) * 4);
      }
    }
    const { json } = await post(`${server.baseUrl}/api/v6/image_editing/removebg_mask`, { key: KEY, image: dataUri(PNG.sync.write(png)) });
    const cut = PNG.sync.read((await download(json.output[0])).bytes);
    const alphas = Array.from({ length: 33 }, (_, x) => alphaAt(cut, x, 32));
    assert.equal(alphas[0], 0);
    assert.equal(alphas[32], 255);
    assert.ok(alphas.some((alpha) => alpha > 0 && alpha < 255), 'some alpha in between');
    assert.deepEqual([...alphas].sort((a, b) => a - b), alphas, 'alpha grows towards the subject');
  });

  test('only_mask answers the mask alone (white subject on black, opaque), inverse_mask (v6) swaps it', async () => {
    const image = await uploadPhoto();
    const mask = PNG.sync.read((await download((await post(`${server.baseUrl}/api/v5/removebg_mask`, { key: KEY, image, only_mask: true })).json.output[0])).bytes);
    assert.deepEqual(rgbaAt(mask, 0, 0), [0, 0, 0, 255]);
    assert.deepEqual(rgbaAt(mask, 60, 45), [255, 255, 255, 255]);

    const inverse = await post(`${server.baseUrl}/api/v6/image_editing/removebg_mask`, { key: KEY, image, inverse_mask: true });
    const inverted = PNG.sync.read((await download(inverse.json.output[0])).bytes);
    assert.equal(alphaAt(inverted, 60, 45), 0, 'inverse: the subject goes');
    assert.deepEqual(rgbaAt(inverted, 0, 0), [...PHOTO_BACKDROP, 255], 'inverse: the backdrop stays');
    const v5 = await post(`${server.baseUrl}/api/v5/removebg_mask`, { key: KEY, image, inverse_mask: true });
    assert.equal(alphaAt(PNG.sync.read((await download(v5.json.output[0])).bytes), 60, 45), 255, 'v5 does not know inverse_mask');
  });

  test('an image URL the server cannot reach stands for a made-up photo that still has a backdrop', async () => {
    const { json } = await post(`${server.baseUrl}/api/v5/removebg_mask`, { key: KEY, image: 'https://img.example/mug.jpg' });
    const cut = PNG.sync.read((await download(json.output[0])).bytes);
    assert.equal(alphaAt(cut, 0, 0), 0);
    assert.equal(alphaAt(cut, 120, 130), 255);
  });

  test('validates v5 and v6 bodies Laravel-style', async () => {
    const v5 = `${server.baseUrl}/api/v5/removebg_mask`;
    const v6 = `${server.baseUrl}/api/v6/image_editing/removebg_mask`;
    assert.deepEqual(await post(v5, { key: KEY }), { status: 400, json: { status: 'error', message: { image: ['The image field is required.'] } } });
    assert.deepEqual((await post(v5, { key: KEY, image: dataUri(photoPng()) })).json.message, { image: ['The image field must be a valid URL.'] });
    assert.deepEqual((await post(v6, { key: KEY, image: 'not a url' })).json.message, { image: ['The image field must be a valid URL or a base64 image.'] });
    assert.deepEqual(
      (
        await post(v6, {
          key: KEY,
          image: 'https://img.example/in.png',
          alpha_matting: 'yes',
          only_mask: 1,
          inverse_mask: 'no',
          seed: -1,
          alpha_matting_foreground_threshold: 241,
          alpha_matting_background_threshold: 21,
          alpha_matting_erode_size: 2.5,
          webhook: 'ftp://x',
        })
      ).json.message,
      {
        alpha_matting: ['The alpha matting field must be true or false.'],
        only_mask: ['The only mask field must be true or false.'],
        inverse_mask: ['The inverse mask field must be true or false.'],
        seed: ['The seed field must be at least 0.'],
        alpha_matting_foreground_threshold: ['The alpha matting foreground threshold field must be between 0 and 240.'],
        alpha_matting_background_threshold: ['The alpha matting background threshold field must be between 0 and 20.'],
        alpha_matting_erode_size: ['The alpha matting erode size field must be an integer.'],
        webhook: ['The webhook must be a valid URL.'],
      },
    );
    const webp = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(16)]);
    assert.deepEqual(await post(v6, { key: KEY, image: dataUri(webp, 'image/webp') }), {
      status: 400,
      json: { status: 'error', message: 'The image must be a PNG or JPEG file.' },
    });
  });

  test('queued: processing with eta and fetch_result, polled like image editing (v5 and v6), then success', async () => {
    const image = await uploadPhoto();
    for (const [route, fetchPath] of [
      ['/api/v5/removebg_mask', '/api/v5/fetch/'],
      ['/api/v6/image_editing/removebg_mask', '/api/v6/image_editing/fetch/'],
    ]) {
      const queued = await post(`${server.baseUrl}/scenario/queued${route}`, { key: KEY, image });
      assert.equal(queued.json.status, 'processing');
      assert.equal(queued.json.eta, 1);
      assert.equal(queued.json.fetch_result, `${server.baseUrl}/scenario/queued${fetchPath}${queued.json.id}`);
      assert.deepEqual(queued.json.output, []);
      const answers = await pollUntilDone(queued.json.fetch_result);
      assert.deepEqual(answers.map((answer) => answer.json.status), ['processing', 'success']);
      assert.equal(answers[1].json.output[0], queued.json.future_links[0], 'the file appears where future_links said');
      assert.equal(alphaAt(PNG.sync.read((await download(answers[1].json.output[0])).bytes), 0, 0), 0);
    }
  });

  test('error scenarios, chosen by prefix or by a marker in track_id', async () => {
    const image = await uploadPhoto();
    const route = '/api/v6/image_editing/removebg_mask';
    assert.equal(
      (await post(`${server.baseUrl}/api/v5/removebg_mask`, { key: KEY, image, track_id: 'cut [scenario:messege]' })).json.messege,
      'Unable to fetch image from provided URL',
    );
    assert.deepEqual((await post(`${server.baseUrl}${route}`, { key: KEY, image, track_id: 'cut-7' })).json.message, {
      track_id: ['The track id must be an integer.'],
    });
    assert.equal((await post(`${server.baseUrl}/scenario/no-credits${route}`, { key: KEY, image })).status, 402);
    assert.deepEqual((await post(`${server.baseUrl}/scenario/validation-object${route}`, { key: KEY, image })).json.message.image, [
      'The image field is required.',
    ]);
    const failed = await post(`${server.baseUrl}/scenario/failed-on-fetch${route}`, { key: KEY, image });
    assert.deepEqual((await post(failed.json.fetch_result, { key: KEY })).json, { status: 'failed', id: '', message: 'Failed, Try Again', output: '' });
  });

  test('cutout-not-png: the link is named .png and typed image/png but serves a JPEG without transparency', async () => {
    const { json } = await post(`${server.baseUrl}/scenario/cutout-not-png/api/v5/removebg_mask`, { key: KEY, image: await uploadPhoto() });
    assert.match(json.output[0], /\.png$/);
    const served = await download(json.output[0]);
    assert.equal(served.type, 'image/png');
    assert.deepEqual([...served.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG bytes');
    assert.throws(() => PNG.sync.read(served.bytes));
  });
});

// ---- image to 3D -------------------------------------------------------------------------------------

describe('contract server: image to 3D', () => {
  test('v6: processing with an integer eta, fetch_result and extra_assets; the fetch answers success with a GLB', async () => {
    const submitted = await post(`${server.baseUrl}/api/v6/3d/image_to_3d`, modelBody({ track_id: 'asset-7' }));
    assert.equal(submitted.status, 200);
    const processing = submitted.json;
    assert.equal(processing.status, 'processing');
    assert.ok(Number.isInteger(processing.eta));
    assert.equal(processing.fetch_result, `${server.baseUrl}/api/v6/3d/fetch/${processing.id}`);
    assert.deepEqual(processing.output, []);
    assert.deepEqual(processing.extra_assets, []);
    assert.match(processing.future_links[0], /\/generations\/[0-9a-f-]+\.glb$/);

    assert.equal((await post(`${server.baseUrl}/api/v6/image_editing/fetch/${processing.id}`, { key: KEY })).status, 404, 'not an image-editing job');
    const [done] = await pollUntilDone(processing.fetch_result);
    assert.equal(done.json.status, 'success');
    assert.equal(done.json.id, processing.id);
    assert.equal(typeof done.json.generationTime, 'number');
    assert.deepEqual(done.json.output, processing.future_links);
    assert.deepEqual(done.json.proxy_links, [], 'temp "no": no proxy links');
    const { meta } = done.json;
    assert.equal(meta.output_format, 'glb');
    assert.equal(meta.multi_image, false);
    assert.equal(meta.texture_size, 1024);
    assert.equal(meta.resolution, 256);
    assert.equal(meta.track_id, 'asset-7');
    assert.match(meta.file_prefix, /^[0-9a-f-]{36}$/);
    assert.ok(Number.isInteger(meta.seed) && meta.seed !== 0, 'seed 0 means random: meta tells which one was used');
    assert.equal(meta.key, undefined);

    const model = await download(done.json.output[0]);
    assert.equal(model.type, 'model/gltf-binary');
    const { triangles, vertices, json } = checkGlbMesh(model.bytes);
    assert.ok(triangles >= 300 && triangles <= 5000, `${triangles} triangles`);
    assert.ok(vertices >= 100, `${vertices} vertices`);
    const texture = json.images[0];
    const view = json.bufferViews[texture.bufferView];
    const glb = readGlb(model.bytes);
    const texturePng = PNG.sync.read(glb.bin.subarray(view.byteOffset, view.byteOffset + view.byteLength));
    assert.ok(texturePng.width > 0, 'the embedded texture is a real PNG');
  });

  test('enterprise: init_image, its own fetch route, OBJ with the same geometry', async () => {
    const { json: processing } = await post(
      `${server.baseUrl}/api/v1/enterprise/3d/image_to_3d`,
      modelBody({ image: undefined, init_image: 'https://img.example/in.png', output_format: 'obj' }),
    );
    assert.equal(processing.fetch_result, `${server.baseUrl}/api/v1/enterprise/3d/fetch/${processing.id}`);
    assert.equal((await post(`${server.baseUrl}/api/v6/3d/fetch/${processing.id}`, { key: KEY })).status, 404);
    const [done] = await pollUntilDone(processing.fetch_result);
    assert.equal(done.json.meta.init_image, 'https://img.example/in.png');
    assert.match(done.json.output[0], /\.obj$/);
    const obj = (await download(done.json.output[0])).bytes.toString('utf8');
    const lines = obj.split('\n');
    const count = (prefix: string): number => lines.filter((line) => line.startsWith(`${prefix} `)).length;
    const { triangles, vertices } = checkGlbMesh(modelFile('glb'));
    assert.deepEqual([count('v'), count('vt'), count('vn'), count('f')], [vertices, vertices, vertices, triangles]);
    for (const face of lines.filter((line) => line.startsWith('f '))) {
      for (const corner of face.slice(2).split(' ')) {
        const [v, vt, vn] = corner.split('/').map(Number);
        assert.ok(v >= 1 && v <= vertices && vt >= 1 && vn >= 1, corner);
      }
    }
  });

  test('STL and PLY: binary, with the same triangles', async () => {
    const { triangles, vertices } = checkGlbMesh(modelFile('glb'));
    const files: Record<string, Buffer> = {};
    for (const format of ['stl', 'ply']) {
      const { json } = await post(`${server.baseUrl}/api/v6/3d/image_to_3d`, modelBody({ output_format: format }));
      const [done] = await pollUntilDone(json.fetch_result);
      assert.match(done.json.output[0], new RegExp(`\\.${format}$`));
      files[format] = (await download(done.json.output[0])).bytes;
    }
    const stl = files.stl;
    assert.ok(!stl.toString('latin1', 0, 5).startsWith('solid'), 'a binary STL header must not read as ASCII STL');
    assert.equal(stl.readUInt32LE(80), triangles);
    assert.equal(stl.length, 84 + 50 * triangles, 'STL size matches its triangle count');

    const ply = files.ply;
    const headerEnd = ply.indexOf('end_header\n') + 'end_header\n'.length;
    const header = ply.toString('ascii', 0, headerEnd).split('\n');
    assert.equal(header[0], 'ply');
    assert.equal(header[1], 'format binary_little_endian 1.0');
    assert.ok(header.includes(`element vertex ${vertices}`));
    assert.ok(header.includes(`element face ${triangles}`));
    assert.ok(header.includes('property list uchar uint vertex_indices'));
    assert.equal(ply.length - headerEnd, vertices * 6 * 4 + triangles * 13, 'the body holds exactly the declared elements');
  });

  test('validates the body Laravel-style (formats, ranges, booleans, temp yes/no, image URL)', async () => {
    const url = `${server.baseUrl}/api/v6/3d/image_to_3d`;
    assert.deepEqual(await post(url, modelBody({ image: undefined })), {
      status: 400,
      json: { status: 'error', message: { image: ['The image field is required when init image is not present.'] } },
    });
    assert.deepEqual(
      (
        await post(
          url,
          modelBody({
            image: dataUri(photoPng()),
            output_format: 'fbx',
            render: 'yes',
            resolution: 1024,
            multi_image: 'true',
            ss_guidance_strength: -1,
            ss_sampling_steps: 0,
            slat_guidance_strength: 11,
            slat_sampling_steps: 51,
            mesh_simplify: 0.5,
            chunk_size: 20000,
            seed: 1.5,
            temp: true,
            webhook: 'nope',
          }),
        )
      ).json.message,
      {
        image: ['The image field must be a valid URL.'],
        output_format: ['The selected output format is invalid. Allowed values: glb, obj, stl, ply.'],
        render: ['The render field must be true or false.'],
        multi_image: ['The multi image field must be true or false.'],
        resolution: ['The resolution field must be between 1 and 512.'],
        ss_guidance_strength: ['The ss guidance strength field must be at least 0.'],
        ss_sampling_steps: ['The ss sampling steps field must be between 1 and 50.'],
        slat_guidance_strength: ['The slat guidance strength field must be between 0 and 10.'],
        slat_sampling_steps: ['The slat sampling steps field must be between 1 and 50.'],
        mesh_simplify: ['The mesh simplify field must be between 0.9 and 0.98.'],
        chunk_size: ['The chunk size field must be between 1 and 12000.'],
        seed: ['The seed field must be an integer.'],
        temp: ['The selected temp is invalid. Use "yes" or "no".'],
        webhook: ['The webhook must be a valid URL.'],
      },
    );
    const full = modelBody({
      render: false,
      resolution: 512,
      multi_image: true,
      ss_guidance_strength: 7.5,
      ss_sampling_steps: 12,
      slat_guidance_strength: 3,
      slat_sampling_steps: 12,
      mesh_simplify: 0.95,
      chunk_size: 8192,
      seed: 42,
      webhook: 'https://hooks.example/3d',
      track_id: 9,
    });
    const { json } = await post(url, full);
    assert.equal(json.status, 'processing', 'every documented field at a valid value is accepted');
    assert.equal(json.meta.seed, 42);
    assert.equal(json.meta.multi_image, true);
    assert.equal(json.meta.mesh_simplify, 0.95);
  });

  test('temp "yes" adds a proxy link that serves the same model', async () => {
    const { json } = await post(`${server.baseUrl}/api/v6/3d/image_to_3d`, modelBody({ temp: 'yes' }));
    const [done] = await pollUntilDone(json.fetch_result);
    assert.equal(done.json.proxy_links.length, 1);
    assert.deepEqual((await download(done.json.proxy_links[0])).bytes, (await download(done.json.output[0])).bytes);
  });

  test('scenarios: eta as a float string, failed, message object, messege, 429, processing forever', async () => {
    const url = (name: string): string => `${server.baseUrl}/scenario/${name}/api/v6/3d/image_to_3d`;
    const floating = (await post(url('eta-float-string'), modelBody())).json;
    assert.equal(typeof floating.eta, 'string');
    assert.ok(Number.parseFloat(floating.eta) > 1 && !Number.isInteger(Number(floating.eta)), floating.eta);
    assert.equal((await pollUntilDone(floating.fetch_result))[0].json.status, 'success');

    const failing = (await post(url('failed-on-fetch'), modelBody())).json;
    assert.equal(failing.status, 'processing');
    assert.equal((await post(failing.fetch_result, { key: KEY })).json.status, 'failed');

    const invalid = await post(url('validation-object'), modelBody());
    assert.equal(invalid.status, 400);
    assert.deepEqual(Object.keys(invalid.json.message), ['output_format', 'resolution']);
    assert.ok(Array.isArray(invalid.json.message.output_format));

    assert.equal((await post(url('messege'), modelBody())).json.messege, 'Unable to fetch image from provided URL');

    const limited = await post(url('rate-limit-always'), modelBody());
    assert.equal(limited.status, 429);
    assert.equal(limited.json.retry_after, 1);

    const stuck = (await post(url('queued-forever'), modelBody())).json;
    const answers = await pollUntilDone(stuck.fetch_result, 3);
    assert.deepEqual(answers.map((answer) => answer.json.status), ['processing', 'processing', 'processing']);
    assert.equal(answers[2].json.fetch_result, stuck.fetch_result, 'the 3D fetch repeats the 3D processing shape');
    assert.ok(Number.isInteger(answers[2].json.eta));

    const marked = (await post(`${server.baseUrl}/api/v6/3d/image_to_3d`, modelBody({ track_id: 'x [scenario:failed-on-fetch]' }))).json;
    assert.equal((await post(marked.fetch_result, { key: KEY })).json.status, 'failed', 'a marker in track_id picks the scenario');
  });

  test('"a GLB that is not one": HTML typed application/octet-stream, or the first half of the file', async () => {
    const html = (await post(`${server.baseUrl}/scenario/model-is-html/api/v6/3d/image_to_3d`, modelBody())).json;
    const [htmlDone] = await pollUntilDone(html.fetch_result);
    assert.match(htmlDone.json.output[0], /\.glb$/);
    const page = await download(htmlDone.json.output[0]);
    assert.equal(page.status, 200);
    assert.equal(page.type, 'application/octet-stream');
    assert.match(page.bytes.toString('utf8'), /^<!DOCTYPE html>/);

    const cut = (await post(`${server.baseUrl}/scenario/model-truncated/api/v6/3d/image_to_3d`, modelBody())).json;
    const [cutDone] = await pollUntilDone(cut.fetch_result);
    const truncated = await download(cutDone.json.output[0]);
    assert.equal(truncated.type, 'model/gltf-binary');
    assert.equal(truncated.bytes.toString('latin1', 0, 4), 'glTF', 'the magic bytes are right');
    assert.ok(truncated.bytes.readUInt32LE(8) > truncated.bytes.length, 'the header promises more than there is');
    assert.throws(() => readGlb(truncated.bytes));
  });

  test('"a link that expires": the first download works, later ones (proxy too) get the storage expiry error', async () => {
    const { json } = await post(`${server.baseUrl}/scenario/link-expires/api/v6/3d/image_to_3d`, modelBody({ temp: 'yes' }));
    const [done] = await pollUntilDone(json.fetch_result);
    assert.equal((await download(done.json.output[0])).status, 200);
    for (const link of [done.json.output[0], done.json.proxy_links[0]]) {
      const expired = await download(link);
      assert.equal(expired.status, 403);
      assert.equal(expired.type, 'application/xml');
      assert.match(expired.bytes.toString('utf8'), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    }
    const lived = (await post(`${server.baseUrl}/scenario/link-expired/api/v6/3d/image_to_3d`, modelBody())).json;
    const [livedDone] = await pollUntilDone(lived.fetch_result);
    assert.equal(livedDone.json.status, 'success');
    assert.equal((await download(livedDone.json.output[0])).status, 403, 'link-expired: dead from the first download');
  });
});

// ---- the multiview grid's faults ---------------------------------------------------------------------

describe('contract server: grid scenarios', () => {
  async function gridOf(name: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
    const { json } = await post(`${server.baseUrl}/scenario/${name}/api/v5/multiview`, multiviewBody({ width: 640, height: 960, ...extra }));
    assert.equal(json.status, 'success');
    const served = await download(json.output[0]);
    assert.equal(served.status, 200);
    assert.equal(served.type, 'image/png');
    return served.bytes;
  }

  test('damaged-grid: PNG signature and a valid IHDR of the asked size, but pngjs cannot decode the body', async () => {
    const bytes = await gridOf('damaged-grid');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [640, 960]);
    assert.throws(() => PNG.sync.read(bytes));
  });

  test('wrong-size-grid: a valid PNG, 64 x 64 whatever was asked', async () => {
    const png = PNG.sync.read(await gridOf('wrong-size-grid'));
    assert.deepEqual([png.width, png.height], [64, 64]);
  });

  test('transparent-grid: 640 x 960, transparent background, one opaque subject per view in its colour', async () => {
    const png = PNG.sync.read(await gridOf('transparent-grid'));
    assert.deepEqual([png.width, png.height], [640, 960]);
    assert.equal(alphaAt(png, 0, 0), 0);
    assert.equal(alphaAt(png, 330, 10), 0, 'gutters and tile edges are transparent too');
    TILE_COLOURS.forEach((colour, view) => {
      const x = (view % 2) * 320 + 160;
      const y = Math.floor(view / 2) * 320 + 160;
      assert.deepEqual(rgbaAt(png, x, y), [...colour, 255], `view ${view + 1}`);
    });
    let transparent = 0;
    for (let i = 3; i < png.data.length; i += 4) if (png.data[i] === 0) transparent++;
    assert.ok(transparent > 0.5 * 640 * 960, 'mostly background');
  });

  test('a 3D job can take a transparent grid with multi_image, and background removal can take any result', async () => {
    const { json: grid } = await post(`${server.baseUrl}/scenario/transparent-grid/api/v5/multiview`, multiviewBody());
    const model = (await post(`${server.baseUrl}/api/v6/3d/image_to_3d`, modelBody({ image: grid.output[0], multi_image: true }))).json;
    assert.equal(model.meta.multi_image, true);
    assert.equal(model.meta.image, grid.output[0]);

    const { json: plainGrid } = await post(`${server.baseUrl}/api/v5/multiview`, multiviewBody({ width: 640, height: 960 }));
    const { json: cut } = await post(`${server.baseUrl}/api/v5/removebg_mask`, { key: KEY, image: plainGrid.output[0] });
    const cutout = PNG.sync.read((await download(cut.output[0])).bytes);
    assert.deepEqual([cutout.width, cutout.height], [640, 960], 'the server cut its own grid out');
    assert.equal(alphaAt(cutout, 0, 0), 0, 'the grey gutter is the backdrop');
    assert.equal(alphaAt(cutout, 160, 160), 255);
  });

  test('link-expired and link-expires apply to grids as well', async () => {
    const { json } = await post(`${server.baseUrl}/scenario/link-expires/api/v5/multiview`, multiviewBody());
    assert.equal((await download(json.output[0])).status, 200);
    assert.equal((await download(json.output[0])).status, 403);
  });
});

// ---- model files for tests of their own --------------------------------------------------------------

describe('model-files', () => {
  test('any lathe mesh encodes to a sound GLB, with or without texture, small or past 65535 vertices', () => {
    for (const [segments, texture] of [
      [8, false],
      [48, true],
      [6000, true],
    ] as const) {
      const mesh = latheMesh({ segments });
      const { triangles, vertices, json } = checkGlbMesh(encodeGlb(mesh, { texture }));
      assert.equal(triangles, triangleCountOf(mesh));
      assert.equal(vertices, vertexCountOf(mesh));
      assert.equal(json.textures?.length ?? 0, texture ? 1 : 0);
      assert.equal(json.accessors[json.meshes[0].primitives[0].indices].componentType, vertices > 65535 ? 5125 : 5123);
    }
  });

  test('the default model has a few hundred to a few thousand triangles in every format', () => {
    const mesh = latheMesh();
    assert.ok(triangleCountOf(mesh) >= 300 && triangleCountOf(mesh) <= 5000);
    for (const format of MODEL_FORMATS) assert.deepEqual(modelFile(format), encodeModel(mesh, format), format);
  });
});

describe('contract server CLI', () => {
  test('prints its URL, serves the chosen scenario with the chosen eta and stops on SIGTERM', async () => {
    const cli = spawn(process.execPath, [path.join(__dirname, '../contract-server/cli.js'), '--port', '0', '--scenario', 'queued', '--eta', '7'], {
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
    assert.equal((await post(`${baseUrl}/api/v6/3d/image_to_3d`, modelBody())).json.eta, 7);
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
