/**
 * What the service returns, checked before it is called a result: a good grid (PNG, JPEG, WebP) verifies, then
 * splits into six views of the right size and colour; a damaged one or one of the wrong size is a clear problem
 * before any view exists. Plus verifyImage and the fast PNG path. (The turntable: image-turntable.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { splitGrid, verifyImage, type GridVerified } from '../../src/image/ops/gridOps';
import { isImageProblem } from '../../src/image/problems';
import { corpusFile, GRID_TILE_COLOURS, makeGrid } from '../support/imageCorpus';
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
