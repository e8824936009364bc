/**
 * Preparing the input for the model: padding to a square on the grey background, compositing transparency, and
 * what prepareUpload then sends and records. Also the header-only check the quick input uses to decide whether to ask.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readImageSize } from '../../src/image/imageFormat';
import { paddingMatters, readInputImageShape } from '../../src/image/inputShape';
import { padToSquare, type RgbaImage } from '../../src/image/pixels';
import { dataUriLength, PAD_BACKGROUND, PAD_BACKGROUND_HEX, prepareUpload, type PreparedUpload } from '../../src/image/prepareUpload';
import { imageFixture } from '../support/fixtures';

const GREY = [127, 127, 127, 255];

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

/** Deterministic noise, so that encoders cannot compress the test images away. */
function noisyPixels(width: number, height: number, alpha: (x: number, y: number) => number = () => 255): Uint8Array {
  let s = (width * 7919 + height) >>> 0;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) {
        s = (s * 1664525 + 1013904223) >>> 0;
        data[i + k] = 60 + (s >>> 25);
      }
      data[i + 3] = alpha(x, y);
    }
  }
  return data;
}

function png(width: number, height: number, data: Uint8Array, colorType: 2 | 6 = 6): Uint8Array {
  const image = new PNG({ width, height });
  image.data = Buffer.from(data);
  return new Uint8Array(PNG.sync.write(image, { colorType }));
}

function jpg(width: number, height: number, data: Uint8Array): Uint8Array {
  return new Uint8Array(jpeg.encode({ width, height, data }, 92).data);
}

function payload(result: PreparedUpload): Buffer {
  return Buffer.from(result.dataUri.slice(result.dataUri.indexOf(',') + 1), 'base64');
}

function uploaded(result: PreparedUpload): { bytes: Buffer; image: RgbaImage } {
  const bytes = payload(result);
  const decoded = result.mime === 'image/png' ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { bytes, image: { width: decoded.width, height: decoded.height, data: new Uint8Array(decoded.data) } };
}

describe('padToSquare (pixels)', () => {
  test('a 2x3 image becomes 3x3: opaque pixels unchanged, the transparent one and the new column grey, all opaque', () => {
    const source: RgbaImage = {
      width: 2,
      height: 3,
      // row-major: (0,0) red, (1,0) transparent blue, (0,1) green, (1,1) white, (0,2) black, (1,2) half-transparent red
      data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 200, 0, 0, 128]),
    };
    const out = padToSquare(source, PAD_BACKGROUND);
    assert.equal(out.width, 3);
    assert.equal(out.height, 3);
    // One extra column: the image keeps the left (floor of half the difference is 0), the background fills column 2.
    assert.deepEqual(pixel(out, 0, 0), [255, 0, 0, 255], 'opaque red unchanged');
    assert.deepEqual(pixel(out, 0, 1), [0, 255, 0, 255], 'opaque green unchanged');
    assert.deepEqual(pixel(out, 1, 1), [255, 255, 255, 255], 'opaque white unchanged');
    assert.deepEqual(pixel(out, 0, 2), [0, 0, 0, 255], 'opaque black unchanged');
    assert.deepEqual(pixel(out, 1, 0), GREY, 'the fully transparent pixel shows the background, not its hidden blue');
    // 200 * 128/255 + 127 * 127/255 = 163.6; 0 + 127 * 127/255 = 63.3
    assert.deepEqual(pixel(out, 1, 2), [164, 63, 63, 255], 'the half-transparent red is blended with the grey');
    for (let y = 0; y < 3; y++) assert.deepEqual(pixel(out, 2, y), GREY, `padding column, row ${y}`);
    assert.deepEqual(source.data.subarray(4, 8), new Uint8Array([0, 0, 255, 0]), 'the source is not modified');
  });

  test('a wide image is centred vertically, the longer side kept, nothing scaled', () => {
    const data = new Uint8Array(4 * 2 * 4).fill(255); // 4x2 white, opaque
    const out = padToSquare({ width: 4, height: 2, data }, { r: 10, g: 20, b: 30 });
    assert.deepEqual([out.width, out.height], [4, 4]);
    for (let x = 0; x < 4; x++) {
      assert.deepEqual(pixel(out, x, 0), [10, 20, 30, 255], 'row 0 is background');
      assert.deepEqual(pixel(out, x, 1), [255, 255, 255, 255], 'row 1 is the image');
      assert.deepEqual(pixel(out, x, 2), [255, 255, 255, 255], 'row 2 is the image');
      assert.deepEqual(pixel(out, x, 3), [10, 20, 30, 255], 'row 3 is background');
    }
  });

  test('a square opaque image is returned untouched (the same pixels, no copy)', () => {
    const image: RgbaImage = { width: 3, height: 3, data: noisyPixels(3, 3) };
    assert.equal(padToSquare(image, PAD_BACKGROUND), image);
  });

  test('a square image with transparency keeps its size and becomes opaque', () => {
    const image: RgbaImage = { width: 2, height: 2, data: new Uint8Array([9, 9, 9, 255, 1, 2, 3, 0, 9, 9, 9, 255, 9, 9, 9, 255]) };
    const out = padToSquare(image, PAD_BACKGROUND);
    assert.deepEqual([out.width, out.height], [2, 2]);
    assert.deepEqual(pixel(out, 1, 0), GREY);
    assert.deepEqual(pixel(out, 0, 0), [9, 9, 9, 255]);
  });
});

describe('prepareUpload with padToSquare', () => {
  test('a 96x128 JPEG is sent as a 128x128 PNG, centred on grey, and the record says so', async () => {
    const source = jpg(96, 128, noisyPixels(96, 128));
    const result = await prepareUpload(source, { padToSquare: true });
    assert.equal(result.mime, 'image/png');
    assert.deepEqual([result.width, result.height], [128, 128]);
    const { bytes, image } = uploaded(result);
    assert.deepEqual(readImageSize(bytes), { width: 128, height: 128 }, 'the uploaded header says square');
    for (const y of [0, 64, 127]) {
      assert.deepEqual(pixel(image, 0, y), GREY, `left margin, row ${y}`);
      assert.deepEqual(pixel(image, 15, y), GREY, `left margin ends at column 15, row ${y}`);
      assert.deepEqual(pixel(image, 112, y), GREY, `right margin starts at column 112, row ${y}`);
    }
    const original = jpeg.decode(source, { useTArray: true, formatAsRGBA: true });
    assert.deepEqual(pixel(image, 16, 0), pixel(original, 0, 0), 'the image starts at column 16, pixels as decoded');
    assert.deepEqual(pixel(image, 111, 127), pixel(original, 95, 127));
    assert.deepEqual(result.preparation, {
      requested: true,
      padded: true,
      fromSize: { width: 96, height: 128 },
      toSize: { width: 128, height: 128 },
      background: PAD_BACKGROUND_HEX,
      compositedAlpha: false,
      skipped: null,
      note: `The JPEG image was padded from 96×128 to 128×128 on a grey (${PAD_BACKGROUND_HEX}) background.`,
    });
    assert.equal(result.reencoded?.toMime, 'image/png');
    assert.deepEqual(result.reencoded?.toSize, { width: 128, height: 128 });
  });

  test('a transparent PNG is composited: every uploaded pixel is opaque, the transparent ones grey', async () => {
    // 60x40 with a transparent left half.
    const source = png(60, 40, noisyPixels(60, 40, (x) => (x < 30 ? 0 : 255)));
    const result = await prepareUpload(source, { padToSquare: true });
    const { image } = uploaded(result);
    assert.deepEqual([image.width, image.height], [60, 60]);
    for (let i = 3; i < image.data.length; i += 4) assert.equal(image.data[i], 255, 'opaque');
    assert.deepEqual(pixel(image, 10, 30), GREY, 'inside the transparent half');
    assert.deepEqual(pixel(image, 10, 5), GREY, 'in the top margin');
    assert.equal(result.preparation.compositedAlpha, true);
    assert.match(result.preparation.note, /padded from 60×40 to 60×60 .*transparency composited/);
  });

  test('a square opaque image is sent unchanged, byte for byte, even from an RGBA PNG', async () => {
    for (const [name, source] of [
      ['jpeg', jpg(64, 64, noisyPixels(64, 64))],
      ['rgba png', png(64, 64, noisyPixels(64, 64), 6)],
      ['rgb png', png(64, 64, noisyPixels(64, 64), 2)],
    ] as const) {
      const result = await prepareUpload(source, { padToSquare: true });
      assert.ok(payload(result).equals(Buffer.from(source)), `${name}: the original bytes`);
      assert.equal(result.reencoded, undefined, name);
      assert.equal(result.preparation.padded, false, name);
      assert.equal(result.preparation.skipped, 'square-and-opaque', name);
      assert.equal(result.preparation.background, null, name);
    }
  });

  test('"send as it is": the original bytes, and the record says padding was not asked for', async () => {
    const source = png(60, 40, noisyPixels(60, 40, (x) => (x < 30 ? 0 : 255)));
    for (const options of [{ padToSquare: false }, undefined]) {
      const result = await prepareUpload(source, options);
      assert.ok(payload(result).equals(Buffer.from(source)), 'the original bytes');
      assert.deepEqual(result.preparation, {
        requested: false,
        padded: false,
        fromSize: { width: 60, height: 40 },
        toSize: { width: 60, height: 40 },
        background: null,
        compositedAlpha: false,
        skipped: 'not-requested',
        note: 'Sent as it is: padding to a square was not asked for.',
      });
    }
  });

  test('a WebP cannot be decoded here: sent as it is, and the record says why', async () => {
    const source = imageFixture('alpha-37x23.webp');
    const result = await prepareUpload(source, { padToSquare: true });
    assert.equal(result.mime, 'image/webp');
    assert.ok(payload(result).equals(Buffer.from(source)), 'the original bytes');
    assert.equal(result.preparation.requested, true);
    assert.equal(result.preparation.padded, false);
    assert.equal(result.preparation.skipped, 'webp');
    assert.match(result.preparation.note, /WebP images cannot be decoded here/);
  });

  test('the upload limit still holds: a padded image too large as PNG is shrunk to fit, and still square', async () => {
    const source = png(300, 200, noisyPixels(300, 200));
    const limit = 40_000;
    const result = await prepareUpload(source, { padToSquare: true, maxDataUriChars: limit });
    assert.ok(result.dataUri.length <= limit, `${result.dataUri.length} <= ${limit}`);
    assert.equal(result.dataUri.length, dataUriLength(result.mime, result.uploadedBytes));
    assert.equal(result.mime, 'image/jpeg', 'opaque once padded, so JPEG when PNG does not fit');
    assert.equal(result.width, result.height, 'square');
    assert.deepEqual(readImageSize(uploaded(result).bytes), { width: result.width, height: result.height });
    assert.deepEqual(result.preparation.toSize, { width: 300, height: 300 }, 'the padded size, before shrinking');
    assert.match(result.reencoded?.reason ?? '', /padded from 300×200 to 300×300.*above the upload limit.*converted to JPEG/);
  });

  test('with the real 5 MB limit, a padded photo too large as PNG still goes under it', async () => {
    // 1400x1000 of noise: about 5.9 MB as a padded 1400x1400 PNG, over the limit.
    const source = jpg(1400, 1000, noisyPixels(1400, 1000));
    const result = await prepareUpload(source, { padToSquare: true });
    assert.ok(result.dataUri.length <= 5_000_000, `${result.dataUri.length} characters`);
    assert.equal(result.width, result.height);
    assert.equal(result.preparation.padded, true);
  });
});

describe('readInputImageShape (header only, for the quick input)', () => {
  test('a non-square RGBA PNG: not square, may be transparent, worth asking; its first bytes are enough', () => {
    const bytes = png(96, 128, noisyPixels(96, 128));
    const shape = readInputImageShape(bytes.subarray(0, 64));
    assert.deepEqual(shape, { mime: 'image/png', width: 96, height: 128, square: false, mayHaveTransparency: true, canPad: true });
    assert.equal(paddingMatters(shape), true);
  });

  test('square and opaque (RGB PNG, JPEG): not worth asking; square RGBA PNG: worth asking', () => {
    assert.equal(paddingMatters(readInputImageShape(png(32, 32, noisyPixels(32, 32), 2))), false);
    assert.equal(paddingMatters(readInputImageShape(jpg(32, 32, noisyPixels(32, 32)))), false);
    assert.equal(paddingMatters(readInputImageShape(png(32, 32, noisyPixels(32, 32), 6))), true);
    const jpegShape = readInputImageShape(jpg(40, 30, noisyPixels(40, 30)));
    assert.equal(jpegShape?.mayHaveTransparency, false);
    assert.equal(paddingMatters(jpegShape), true, 'not square');
  });

  test('WebP cannot be padded here, so it is not asked about; unreadable content gives nothing', () => {
    const shape = readInputImageShape(imageFixture('alpha-37x23.webp'));
    assert.equal(shape?.canPad, false);
    assert.equal(paddingMatters(shape), false);
    assert.equal(readInputImageShape(new TextEncoder().encode('not an image at all')), undefined);
    assert.equal(paddingMatters(undefined), false);
  });
});
