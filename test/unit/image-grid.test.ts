/**
 * What the service returns, checked before it is called a result: a good grid (PNG, JPEG, WebP) verifies, then
 * splits into six views of the right size and colour; a damaged one or one of the wrong size is a clear problem
 * before any view exists. Plus verifyImage and the turntable GIF (read back with omggif, an independent decoder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GifReader } from 'omggif';
import { encodeTurntable, splitGrid, verifyImage, type GridVerified } from '../../src/image/ops/gridOps';
import { isImageProblem } from '../../src/image/problems';
import { corpusFile, GRID_TILE_COLOURS, makeGrid, MARKER } from '../support/imageCorpus';
import { decodeWithSharp, pixelAt } from '../support/imageChecks';
import { testCodecs } from '../support/imageEngine';

const codecs = testCodecs();

async function reasonOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(isImageProblem(error), String(error));
    return error.reason;
  }
  assert.fail('accepted');
}

for (const format of ['png', 'jpeg', 'webp'] as const) {
  test(`a good ${format} grid verifies first, then gives six 320x320 PNG views in row-major order`, async () => {
    const grid = new Uint8Array(await makeGrid(640, 960, format));
    const order: string[] = [];
    let verified: GridVerified | undefined;
    const result = await splitGrid(grid, { requestedSize: { width: 640, height: 960 } }, codecs, (v) => {
      verified = v;
      order.push('verified');
    });
    order.push('views');
    assert.deepEqual(order, ['verified', 'views']);
    assert.deepEqual(verified, { mime: `image/${format}`, width: 640, height: 960, hasTransparency: false });
    assert.equal(result.views.length, 6);
    for (const [index, view] of result.views.entries()) {
      const decoded = await decodeWithSharp(view);
      assert.deepEqual([decoded.width, decoded.height], [320, 320]);
      const [r, g, b] = pixelAt(decoded, 160, 160);
      const [er, eg, eb] = GRID_TILE_COLOURS[index];
      assert.ok(Math.abs(r - er) < 40 && Math.abs(g - eg) < 40 && Math.abs(b - eb) < 40, `view ${index} is its tile: ${[r, g, b]}`);
    }
  });
}

test('a grid with transparency says so (for multi_image later)', async () => {
  const grid = new Uint8Array(await makeGrid(640, 960, 'png', { alpha: true }));
  const result = await splitGrid(grid, {}, codecs, () => undefined);
  assert.equal(result.hasTransparency, true);
});

test('a damaged grid (right magic bytes, broken body) or a truncated one is damaged-grid, and nothing is verified', async () => {
  const good = await makeGrid(640, 960, 'png');
  const damaged = Buffer.from(good);
  for (let i = Math.floor(damaged.length / 2); i < damaged.length / 2 + 200; i++) damaged[i] ^= 0x5a;
  let verifiedCalls = 0;
  assert.equal(await reasonOf(() => splitGrid(new Uint8Array(damaged), {}, codecs, () => verifiedCalls++)), 'damaged-grid');
  assert.equal(await reasonOf(() => splitGrid(new Uint8Array(good.subarray(0, good.length >> 1)), {}, codecs, () => verifiedCalls++)), 'damaged-grid');
  assert.equal(await reasonOf(() => splitGrid(new Uint8Array(Buffer.from('<html>oops</html>')), {}, codecs, () => verifiedCalls++)), 'damaged-grid');
  const jpeg = await makeGrid(640, 960, 'jpeg');
  assert.equal(await reasonOf(() => splitGrid(new Uint8Array(jpeg.subarray(0, jpeg.length >> 1)), {}, codecs, () => verifiedCalls++)), 'damaged-grid');
  assert.equal(verifiedCalls, 0);
});

test('a grid of the wrong shape, or with views under 64 px, is wrong-size-grid with the numbers', async () => {
  let details: unknown;
  try {
    await splitGrid(new Uint8Array(await makeGrid(500, 500, 'png')), { requestedSize: { width: 640, height: 960 } }, codecs, () => undefined);
  } catch (error) {
    assert.ok(isImageProblem(error) && error.reason === 'wrong-size-grid');
    details = error.details;
  }
  assert.deepEqual(details, { width: 500, height: 500, expectedWidth: 640, expectedHeight: 960, minViewSide: 64 });
  assert.equal(await reasonOf(() => splitGrid(new Uint8Array([]), {}, codecs, () => undefined)), 'damaged-grid');
  const tiny = new Uint8Array(await makeGrid(100, 150, 'png'));
  assert.equal(await reasonOf(() => splitGrid(tiny, {}, codecs, () => undefined)), 'wrong-size-grid');
  // A requested non-native aspect is accepted when the grid has it.
  const square = await splitGrid(new Uint8Array(await makeGrid(768, 768, 'png')), { requestedSize: { width: 768, height: 768 } }, codecs, () => undefined);
  assert.deepEqual([square.width, square.height], [768, 768]);
});

test('verifyImage: size and transparency of a good image, a problem for a broken one', async () => {
  const ok = verifyImage(new Uint8Array(await makeGrid(640, 960, 'webp')), codecs);
  assert.deepEqual(ok, { mime: 'image/webp', width: 640, height: 960, hasTransparency: false });
  assert.equal(await reasonOf(() => verifyImage(new Uint8Array(Buffer.from('not an image at all')), codecs)), 'not-an-image');
  const damaged = new Uint8Array(fs.readFileSync((await corpusFile('damagedJpeg')).file));
  assert.equal(await reasonOf(() => verifyImage(damaged, codecs)), 'damaged');
});

test('turntable: the input upright (decoded scaled) then the six views, looping, 320x320', async () => {
  const grid = await splitGrid(new Uint8Array(await makeGrid(640, 960, 'png')), {}, codecs, () => undefined);
  const input = await corpusFile('phone12mp');
  const turntable = await encodeTurntable({ inputPath: input.file, views: grid.views, framesPerSecond: 8 }, codecs);
  assert.deepEqual([turntable.frames, turntable.width, turntable.height, turntable.inputSkipped], [7, 320, 320, undefined]);
  const reader = new GifReader(Buffer.from(turntable.gif));
  assert.equal(reader.numFrames(), 7);
  assert.equal(reader.loopCount(), 0);
  const first = new Uint8Array(320 * 320 * 4);
  reader.decodeAndBlitFrameRGBA(0, first);
  // Upright: the input is 3000x4000 fitted to 240x320, centred; its marker lies in the top-left part.
  const mx = Math.round(40 + ((MARKER.x0 + MARKER.x1) / 2) * 240);
  const my = Math.round(((MARKER.y0 + MARKER.y1) / 2) * 320);
  const k = (my * 320 + mx) * 4;
  assert.ok(first[k + 2] > 170 && first[k] < 90, `the marker is at the top left of the first frame: ${first.subarray(k, k + 3)}`);
});

test('turntable without its input: the views alone, and why', async () => {
  const grid = await splitGrid(new Uint8Array(await makeGrid(640, 960, 'png')), {}, codecs, () => undefined);
  const missing = await encodeTurntable({ inputPath: path.join(os.tmpdir(), 'gone-multiview.jpg'), views: grid.views, framesPerSecond: 8 }, codecs);
  assert.deepEqual([missing.frames, missing.inputSkipped], [6, 'missing']);
  const truncated = await corpusFile('truncatedJpeg');
  const unreadable = await encodeTurntable({ inputPath: truncated.file, views: grid.views, framesPerSecond: 8 }, codecs);
  assert.deepEqual([unreadable.frames, unreadable.inputSkipped], [6, 'unreadable']);
});

test('the fast PNG path decodes every row filter exactly as sharp does (RGB, RGBA, grey)', async () => {
  const { decodeImage } = await import('../../src/image/decode');
  const { photoPixels } = await import('../support/imageCorpus');
  const sharp = require('sharp') as (input: unknown, options?: unknown) => import('sharp').Sharp;
  const { data } = photoPixels(301, 207, 20, { seed: 5, alphaOutside: true });
  for (const make of [
    () => sharp(data, { raw: { width: 301, height: 207, channels: 4 } }).png({ adaptiveFiltering: true }),
    () => sharp(data, { raw: { width: 301, height: 207, channels: 4 } }).removeAlpha().png({ adaptiveFiltering: true }),
    () => sharp(data, { raw: { width: 301, height: 207, channels: 4 } }).removeAlpha().toColourspace('b-w').png({ adaptiveFiltering: true }),
  ]) {
    const png = await make().toBuffer();
    const ours = decodeImage(new Uint8Array(png), codecs).image;
    const theirs = await sharp(png).ensureAlpha().raw().toBuffer();
    assert.equal(Buffer.compare(Buffer.from(ours.data), theirs), 0);
  }
});
