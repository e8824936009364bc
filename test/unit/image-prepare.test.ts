import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { imageFixture } from '../support/fixtures';
import * as jpeg from 'jpeg-js';
import {
  MAX_UPLOAD_DATA_URI_CHARS,
  MIN_LONG_SIDE,
  prepareUpload,
  UnsupportedImageError,
  type PreparedUpload,
} from '../../src/image/prepareUpload';
import { readImageSize } from '../../src/image/imageFormat';

// ---------------------------------------------------------------------------------------------
// helpers

const fixture = imageFixture;

type Rgba = [number, number, number, number];

/** Deterministic noise so PNG/JPEG cannot compress it away (keeps the test images small in pixels). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) >>> 24) - 128;
}

/** RGBA pixels: each quadrant a base colour, with +-`amplitude` noise on the colour channels. */
function quadrants(width: number, height: number, colors: [Rgba, Rgba, Rgba, Rgba], amplitude: number): Uint8Array {
  const rand = noise(width * 31 + height);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colors[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
      const i = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) {
        data[i + k] = Math.max(0, Math.min(255, c[k] + Math.round((rand() * amplitude) / 128)));
      }
      data[i + 3] = c[3];
    }
  }
  return data;
}

function encodePng(width: number, height: number, data: Uint8Array, colorType: 2 | 6 = 6): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(data);
  return new Uint8Array(PNG.sync.write(png, { colorType }));
}

function encodeJpeg(width: number, height: number, data: Uint8Array, quality = 95): Uint8Array {
  return new Uint8Array(jpeg.encode({ width, height, data }, quality).data);
}

function payloadOf(result: PreparedUpload): Buffer {
  const prefix = `data:${result.mime};base64,`;
  assert.ok(result.dataUri.startsWith(prefix), `data URI starts with ${prefix}`);
  return Buffer.from(result.dataUri.slice(prefix.length), 'base64');
}

/** Decode the uploaded image for real and check it against what prepareUpload reported. */
function decodeResult(result: PreparedUpload): { width: number; height: number; data: Uint8Array } {
  const payload = payloadOf(result);
  assert.equal(payload.length, result.uploadedBytes);
  const decoded =
    result.mime === 'image/png' ? PNG.sync.read(payload) : jpeg.decode(payload, { useTArray: true, formatAsRGBA: true });
  assert.equal(decoded.width, result.width, 'reported width is the real width');
  assert.equal(decoded.height, result.height, 'reported height is the real height');
  return decoded;
}

/** Mean RGBA over a rectangle given in fractions of the image. */
function meanColor(img: { width: number; height: number; data: Uint8Array }, x0: number, y0: number, x1: number, y1: number): Rgba {
  const sum = [0, 0, 0, 0];
  let n = 0;
  for (let y = Math.floor(y0 * img.height); y < Math.floor(y1 * img.height); y++) {
    for (let x = Math.floor(x0 * img.width); x < Math.floor(x1 * img.width); x++) {
      const i = (y * img.width + x) * 4;
      for (let k = 0; k < 4; k++) sum[k] += img.data[i + k];
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n)) as Rgba;
}

function assertColorNear(actual: Rgba, expected: Rgba, tolerance: number, what: string): void {
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= tolerance, `${what}: got ${actual}, expected ~${expected}`);
  }
}

/** The source's own mean over a rectangle (noise is clamped at 0/255, so not exactly the base colour). */
const sourceMean = (width: number, height: number, data: Uint8Array, x0: number, y0: number, x1: number, y1: number): Rgba =>
  meanColor({ width, height, data }, x0, y0, x1, y1);

const RED: Rgba = [220, 40, 40, 255];
const GREEN: Rgba = [40, 200, 40, 255];
const BLUE: Rgba = [40, 40, 220, 255];
const GREY: Rgba = [200, 200, 200, 255];

const dataUriChars = (mime: string, bytes: number) => `data:${mime};base64,`.length + 4 * Math.ceil(bytes / 3);

// ---------------------------------------------------------------------------------------------
// fast path

test('the limit is 5,000,000 data-URI characters', () => {
  assert.equal(MAX_UPLOAD_DATA_URI_CHARS, 5_000_000);
});

test('fast path: an image that fits is returned byte for byte, undecoded', async () => {
  const png = encodePng(64, 48, quadrants(64, 48, [RED, GREEN, BLUE, GREY], 40));
  const j = encodeJpeg(64, 48, quadrants(64, 48, [RED, GREEN, BLUE, GREY], 40));
  const cases: Array<[Uint8Array, string, number, number]> = [
    [png, 'image/png', 64, 48],
    [j, 'image/jpeg', 64, 48],
    [fixture('progressive-160x120.jpg'), 'image/jpeg', 160, 120],
    [fixture('lossy-37x23.webp'), 'image/webp', 37, 23],
    [fixture('alpha-37x23.webp'), 'image/webp', 37, 23],
  ];
  for (const [input, mime, width, height] of cases) {
    const result = await prepareUpload(input);
    assert.equal(result.mime, mime);
    assert.equal(result.width, width);
    assert.equal(result.height, height);
    assert.equal(result.originalBytes, input.length);
    assert.equal(result.uploadedBytes, input.length);
    assert.equal(result.reencoded, undefined);
    assert.deepEqual(new Uint8Array(payloadOf(result)), input, 'identical bytes');
    assert.equal(result.dataUri, `data:${mime};base64,${Buffer.from(input).toString('base64')}`);
  }
});

test('fast path: a view into a larger buffer sends only the view', async () => {
  const png = encodePng(8, 8, quadrants(8, 8, [RED, GREEN, BLUE, GREY], 0));
  const big = new Uint8Array(png.length + 20).fill(0x41);
  big.set(png, 10);
  const result = await prepareUpload(big.subarray(10, 10 + png.length));
  assert.deepEqual(new Uint8Array(payloadOf(result)), png);
});

test('the limit applies to the whole data-URI string, exactly', async () => {
  const png = encodePng(40, 30, quadrants(40, 30, [RED, GREEN, BLUE, GREY], 60), 2);
  const exact = dataUriChars('image/png', png.length);
  const atLimit = await prepareUpload(png, { maxDataUriChars: exact });
  assert.equal(atLimit.reencoded, undefined);
  assert.equal(atLimit.dataUri.length, exact);
  const below = await prepareUpload(png, { maxDataUriChars: exact - 1 });
  assert.ok(below.reencoded, 'one character less forces a re-encode');
  assert.ok(below.dataUri.length <= exact - 1);
});

test('fast path loads no codec (pngjs / jpeg-js stay unloaded)', () => {
  const modulePath = path.resolve(__dirname, '../../src/image/prepareUpload');
  const png = encodePng(16, 16, quadrants(16, 16, [RED, GREEN, BLUE, GREY], 10));
  const script = `
    const { prepareUpload } = require(${JSON.stringify(modulePath)});
    const bytes = Buffer.from(${JSON.stringify(Buffer.from(png).toString('base64'))}, 'base64');
    prepareUpload(bytes).then((r) => {
      const loaded = Object.keys(require.cache).filter((k) => /[\\\\/](pngjs|jpeg-js)[\\\\/]/.test(k));
      process.stdout.write(JSON.stringify({ mime: r.mime, reencoded: !!r.reencoded, loaded }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  assert.deepEqual(out, { mime: 'image/png', reencoded: false, loaded: [] });
});

// ---------------------------------------------------------------------------------------------
// slow path

test('oversize PNG without alpha becomes a JPEG that fits, aspect ratio and content kept', async () => {
  const width = 900;
  const height = 600;
  const source = quadrants(width, height, [RED, GREEN, BLUE, GREY], 90);
  const png = encodePng(width, height, source, 2);
  const limit = 150_000;
  assert.ok(dataUriChars('image/png', png.length) > limit, 'test image is over the limit');
  const result = await prepareUpload(png, { maxDataUriChars: limit });
  assert.equal(result.mime, 'image/jpeg');
  assert.ok(result.dataUri.length <= limit, `${result.dataUri.length} <= ${limit}`);
  assert.equal(result.originalBytes, png.length);
  assert.ok(result.reencoded);
  assert.equal(result.reencoded.fromMime, 'image/png');
  assert.equal(result.reencoded.toMime, 'image/jpeg');
  assert.deepEqual(result.reencoded.fromSize, { width, height });
  assert.deepEqual(result.reencoded.toSize, { width: result.width, height: result.height });
  assert.match(result.reencoded.reason, /JPEG/);
  const decoded = decodeResult(result);
  assert.deepEqual(readImageSize(payloadOf(result)), { width: result.width, height: result.height });
  assert.ok(Math.max(decoded.width, decoded.height) >= MIN_LONG_SIDE, 'not below 512 when avoidable');
  assert.ok(Math.abs(decoded.width / decoded.height - width / height) < 0.01, `aspect ${decoded.width}x${decoded.height}`);
  for (const [x0, y0, x1, y1] of [[0.05, 0.05, 0.45, 0.45], [0.55, 0.05, 0.95, 0.45], [0.05, 0.55, 0.45, 0.95], [0.55, 0.55, 0.95, 0.95]]) {
    assertColorNear(meanColor(decoded, x0, y0, x1, y1), sourceMean(width, height, source, x0, y0, x1, y1), 6, `region ${x0},${y0}`);
  }
});

test('oversize PNG that fits once converted to JPEG keeps its full size', async () => {
  const png = encodePng(300, 200, quadrants(300, 200, [RED, GREEN, BLUE, GREY], 20), 6);
  const limit = dataUriChars('image/png', png.length) - 1;
  const result = await prepareUpload(png, { maxDataUriChars: limit });
  assert.equal(result.mime, 'image/jpeg', 'opaque RGBA PNG goes to JPEG');
  assert.deepEqual([result.width, result.height], [300, 200]);
  decodeResult(result);
});

test('oversize PNG with transparency stays PNG with alpha, fits, edges not darkened', async () => {
  const width = 800;
  const height = 500;
  const TRANSPARENT: Rgba = [0, 0, 0, 0];
  const HALF: Rgba = [40, 40, 220, 128];
  const data = quadrants(width, height, [RED, TRANSPARENT, HALF, GREY], 90);
  const png = encodePng(width, height, data, 6);
  const limit = 900_000;
  assert.ok(dataUriChars('image/png', png.length) > limit);
  const result = await prepareUpload(png, { maxDataUriChars: limit });
  assert.equal(result.mime, 'image/png');
  assert.ok(result.dataUri.length <= limit);
  assert.equal(result.reencoded?.toMime, 'image/png');
  const decoded = decodeResult(result);
  assert.ok(decoded.width < width, 'was shrunk');
  assert.ok(Math.max(decoded.width, decoded.height) >= MIN_LONG_SIDE);
  assert.ok(Math.abs(decoded.width / decoded.height - width / height) < 0.01);
  const expected = (x0: number, y0: number, x1: number, y1: number) => sourceMean(width, height, data, x0, y0, x1, y1);
  assertColorNear(meanColor(decoded, 0.05, 0.05, 0.45, 0.45), expected(0.05, 0.05, 0.45, 0.45), 3, 'opaque quadrant');
  assert.equal(meanColor(decoded, 0.55, 0.05, 0.95, 0.45)[3], 0, 'transparent quadrant stays transparent');
  assertColorNear(meanColor(decoded, 0.05, 0.55, 0.45, 0.95), expected(0.05, 0.55, 0.45, 0.95), 3, 'half-transparent quadrant');
  assert.equal(meanColor(decoded, 0.05, 0.55, 0.45, 0.95)[3], 128);
  // The column straddling the red | transparent edge: partly transparent, but still red, not darkened.
  const edgeX = Math.floor(decoded.width / 2) - 1;
  for (let y = 5; y < decoded.height / 2 - 5; y += 7) {
    const i = (y * decoded.width + edgeX) * 4;
    if (decoded.data[i + 3] > 0 && decoded.data[i + 3] < 255) {
      assert.ok(decoded.data[i] > 150, `edge pixel red channel ${decoded.data[i]} (premultiplied averaging)`);
    }
  }
});

test('oversize JPEG shrinks and fits, aspect ratio and content kept', async () => {
  const width = 640;
  const height = 960;
  const source = quadrants(width, height, [RED, GREEN, BLUE, GREY], 120);
  const input = encodeJpeg(width, height, source, 98);
  const limit = 200_000;
  assert.ok(dataUriChars('image/jpeg', input.length) > limit);
  const result = await prepareUpload(input, { maxDataUriChars: limit });
  assert.equal(result.mime, 'image/jpeg');
  assert.ok(result.dataUri.length <= limit);
  assert.equal(result.reencoded?.fromMime, 'image/jpeg');
  const decoded = decodeResult(result);
  assert.ok(decoded.height < height, 'was shrunk');
  assert.ok(decoded.height >= MIN_LONG_SIDE, 'long side not below 512');
  assert.ok(Math.abs(decoded.width / decoded.height - width / height) < 0.01);
  for (const [x0, y0, x1, y1] of [[0.05, 0.05, 0.45, 0.45], [0.55, 0.05, 0.95, 0.45], [0.05, 0.55, 0.45, 0.95], [0.55, 0.55, 0.95, 0.95]]) {
    assertColorNear(meanColor(decoded, x0, y0, x1, y1), sourceMean(width, height, source, x0, y0, x1, y1), 6, `region ${x0},${y0}`);
  }
});

test('below 512 px only when unavoidable, with quality lowered first', async () => {
  const input = encodeJpeg(1024, 768, quadrants(1024, 768, [RED, GREEN, BLUE, GREY], 127), 95);
  const limit = 20_000; // far too small for 512 px of noise
  const result = await prepareUpload(input, { maxDataUriChars: limit });
  assert.ok(result.dataUri.length <= limit);
  assert.ok(result.width < MIN_LONG_SIDE);
  assert.match(result.reencoded?.reason ?? '', /quality 40/);
  decodeResult(result);
});

test('a JPEG with EXIF orientation 6 is turned upright when re-encoded', async () => {
  // Stored: top half red, bottom half blue. Orientation 6 = shown rotated 90° clockwise,
  // so upright the left half is blue and the right half is red.
  const width = 600;
  const height = 400;
  const source = quadrants(width, height, [RED, RED, BLUE, BLUE], 120);
  const stored = encodeJpeg(width, height, source, 98);
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
  const app1Payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, (app1Payload.length + 2) >> 8, (app1Payload.length + 2) & 255, ...app1Payload];
  const input = new Uint8Array([...stored.subarray(0, 2), ...app1, ...stored.subarray(2)]);
  const result = await prepareUpload(input, { maxDataUriChars: 100_000 });
  const decoded = decodeResult(result);
  assert.ok(decoded.height > decoded.width, `portrait after rotation: ${decoded.width}x${decoded.height}`);
  assert.ok(Math.abs(decoded.height / decoded.width - width / height) < 0.01);
  // Upright left half = stored bottom half; upright right half = stored top half.
  assertColorNear(meanColor(decoded, 0.05, 0.05, 0.45, 0.95), sourceMean(width, height, source, 0.05, 0.55, 0.95, 0.95), 6, 'left half');
  assertColorNear(meanColor(decoded, 0.55, 0.05, 0.95, 0.95), sourceMean(width, height, source, 0.05, 0.05, 0.95, 0.45), 6, 'right half');
  assert.ok(meanColor(decoded, 0.05, 0.05, 0.45, 0.95)[2] > 150, 'left half is blue');
  assert.ok(meanColor(decoded, 0.55, 0.05, 0.95, 0.95)[0] > 150, 'right half is red');
  assert.deepEqual(result.reencoded?.fromSize, { width, height });
});

test('a progressive JPEG is decoded and re-encoded when over the limit', async () => {
  const input = fixture('progressive-160x120.jpg');
  const limit = dataUriChars('image/jpeg', input.length) - 100;
  const result = await prepareUpload(input, { maxDataUriChars: limit });
  assert.ok(result.dataUri.length <= limit);
  const decoded = decodeResult(result);
  assert.ok(Math.abs(decoded.width / decoded.height - 4 / 3) < 0.05);
  assertColorNear(meanColor(decoded, 0.1, 0.1, 0.4, 0.4), RED, 25, 'top-left');
  assertColorNear(meanColor(decoded, 0.6, 0.1, 0.9, 0.4), GREEN, 25, 'top-right');
  assertColorNear(meanColor(decoded, 0.1, 0.6, 0.4, 0.9), BLUE, 25, 'bottom-left');
});

// ---------------------------------------------------------------------------------------------
// refusals

async function rejectsWith(input: Uint8Array, reason: string, message: RegExp, options?: { maxDataUriChars?: number }) {
  await assert.rejects(prepareUpload(input, options), (error: unknown) => {
    assert.ok(error instanceof UnsupportedImageError, `UnsupportedImageError, got ${String(error)}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'UnsupportedImageError');
    assert.equal(error.reason, reason);
    assert.match(error.message, message);
    return true;
  });
}

test('content that is not an image is refused, whatever it is called', async () => {
  for (const text of ['hello', '<!DOCTYPE html><html></html>', '%PDF-1.7\n', '']) {
    await rejectsWith(new Uint8Array(Buffer.from(text)), 'not-an-image', /not a PNG, JPEG or WebP image/);
  }
  await rejectsWith(new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), 'not-an-image', /PNG, JPEG or WebP/);
});

test('an unreadable, zero or absurd size is refused', async () => {
  const png = encodePng(10, 10, quadrants(10, 10, [RED, GREEN, BLUE, GREY], 0));
  await rejectsWith(png.subarray(0, 20), 'unreadable-size', /size cannot be read/);
  const zero = png.slice();
  zero.set([0, 0, 0, 0], 16);
  await rejectsWith(zero, 'unreadable-size', /PNG/);
  const huge = png.slice();
  huge.set([0, 0, 0x4e, 0x20], 16); // 20000 wide
  await rejectsWith(huge, 'too-large-dimensions', /20000×10/);
  await rejectsWith(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xda]), 'unreadable-size', /JPEG/);
});

test('a corrupt image is refused when it has to be decoded', async () => {
  const png = encodePng(120, 80, quadrants(120, 80, [RED, GREEN, BLUE, GREY], 100), 2);
  const badCrc = png.slice();
  badCrc[60] ^= 0xff; // inside IDAT
  await rejectsWith(badCrc, 'corrupt', /PNG image could not be read/, { maxDataUriChars: 1000 });
  assert.ok(png.length > 4000);
  const truncated = png.subarray(0, 3000);
  await rejectsWith(truncated, 'corrupt', /could not be read/, { maxDataUriChars: 2000 });
  const j = encodeJpeg(120, 80, quadrants(120, 80, [RED, GREEN, BLUE, GREY], 100));
  await rejectsWith(j.subarray(0, Math.floor(j.length / 2)), 'corrupt', /JPEG image could not be read/, { maxDataUriChars: 1000 });
});

test('an oversize WebP is refused with advice to convert it', async () => {
  const webp = fixture('lossless-37x23.webp');
  await rejectsWith(webp, 'webp-too-large', /Convert it to PNG or JPEG/, { maxDataUriChars: 50 });
});

test('too many pixels to decode is refused before decoding', async () => {
  const png = encodePng(10, 10, quadrants(10, 10, [RED, GREEN, BLUE, GREY], 0));
  const big = png.slice();
  big.set([0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10], 16); // 10000 x 10000 (CRC now wrong; never decoded)
  await rejectsWith(big, 'too-many-pixels', /megapixels/, { maxDataUriChars: 100 });
});

test('a limit too small for any image is a RangeError, not a hang', async () => {
  const png = encodePng(20, 20, quadrants(20, 20, [RED, GREEN, BLUE, GREY], 100), 2);
  await assert.rejects(prepareUpload(png, { maxDataUriChars: 200 }), RangeError);
  await assert.rejects(prepareUpload(png, { maxDataUriChars: 0 }), RangeError);
});
