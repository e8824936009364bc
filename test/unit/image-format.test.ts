import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { imageFixture } from '../support/fixtures';
import * as jpeg from 'jpeg-js';
import {
  extensionForMime,
  readImageSize,
  readJpegExifOrientation,
  readPngHeader,
  sniffImageMime,
} from '../../src/image/imageFormat';

// ---------------------------------------------------------------------------------------------
// helpers

const fixture = imageFixture;

function makePng(width: number, height: number, alpha = 255): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[i * 4] = (i * 7) & 255;
    png.data[i * 4 + 1] = (i * 13) & 255;
    png.data[i * 4 + 2] = (i * 29) & 255;
    png.data[i * 4 + 3] = alpha;
  }
  return new Uint8Array(PNG.sync.write(png));
}

function makeJpeg(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = (i * 3) & 255;
    data[i * 4 + 1] = 128;
    data[i * 4 + 2] = (i * 5) & 255;
    data[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 80).data);
}

const bytes = (...parts: Array<number[] | string | Uint8Array>): Uint8Array =>
  new Uint8Array(
    parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : Array.from(p))),
  );
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const be16 = (n: number) => [(n >>> 8) & 255, n & 255];

/** A JPEG segment: FF marker, 2-byte length (payload + 2), payload. */
const segment = (marker: number, payload: number[]) => [0xff, marker, ...be16(payload.length + 2), ...payload];
/** SOF payload: precision 8, height, width, 3 components. */
const sofPayload = (width: number, height: number) => [8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];

function riffWebp(fourcc: string, payload: number[]): Uint8Array {
  const chunk = bytes(fourcc, le32(payload.length), payload, payload.length % 2 ? [0] : []);
  return bytes('RIFF', le32(4 + chunk.length), 'WEBP', chunk);
}

/** Minimal VP8L header: signature 0x2F, then 14 bits width-1, 14 bits height-1, alpha bit, version 0. */
function vp8lHeader(width: number, height: number, alpha: boolean): Uint8Array {
  const bits = ((width - 1) | ((height - 1) << 14) | ((alpha ? 1 : 0) << 28)) >>> 0;
  return riffWebp('VP8L', [0x2f, ...le32(bits), 0, 0, 0]);
}

/** Minimal VP8X header: flags (alpha), 3 reserved, canvas width-1 and height-1 as 24-bit LE. */
function vp8xHeader(width: number, height: number): Uint8Array {
  return riffWebp('VP8X', [0x10, 0, 0, 0, ...le24(width - 1), ...le24(height - 1)]);
}

/** Minimal lossy VP8 key frame header: frame tag, start code 9D 01 2A, 14-bit width/height + 2-bit scale. */
function vp8Header(width: number, height: number, scaleBits = 0): Uint8Array {
  const w = width | (scaleBits << 14);
  const h = height | (scaleBits << 14);
  return riffWebp('VP8 ', [0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, w & 255, w >>> 8, h & 255, h >>> 8, 0, 0]);
}

// ---------------------------------------------------------------------------------------------
// sniffImageMime

test('sniffs PNG, JPEG and WebP by content', () => {
  assert.equal(sniffImageMime(makePng(3, 2)), 'image/png');
  assert.equal(sniffImageMime(makeJpeg(9, 9)), 'image/jpeg');
  assert.equal(sniffImageMime(fixture('progressive-160x120.jpg')), 'image/jpeg');
  assert.equal(sniffImageMime(fixture('lossy-37x23.webp')), 'image/webp');
  assert.equal(sniffImageMime(fixture('lossless-37x23.webp')), 'image/webp');
  assert.equal(sniffImageMime(fixture('alpha-37x23.webp')), 'image/webp');
  assert.equal(sniffImageMime(vp8lHeader(10, 10, false)), 'image/webp');
  assert.equal(sniffImageMime(vp8xHeader(10, 10)), 'image/webp');
  assert.equal(sniffImageMime(vp8Header(10, 10)), 'image/webp');
});

test('rejects text, HTML, other formats and truncated signatures', () => {
  const notImages: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['text', bytes('hello, this is a text file\n')],
    ['HTML', bytes('<!DOCTYPE html><html><body><img src="x.png"></body></html>')],
    ['HTML with BOM', bytes([0xef, 0xbb, 0xbf], '<html></html>')],
    ['JSON', bytes('{"image":"data:image/png;base64,iVBORw0KGgo="}')],
    ['base64 of a PNG', bytes('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==')],
    ['GIF', bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0])],
    ['BMP', bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['WAV (RIFF but not WEBP)', bytes('RIFF', le32(36), 'WAVEfmt ', le32(16), [1, 0, 1, 0])],
    ['RIFF WEBP with an unknown first chunk', bytes('RIFF', le32(20), 'WEBP', 'ABCD', le32(4), [0, 0, 0, 0])],
    ['PNG signature cut to 4 bytes', makePng(2, 2).subarray(0, 4)],
    ['PNG signature cut to 7 bytes', makePng(2, 2).subarray(0, 7)],
    ['PNG signature with a wrong byte', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00])],
    ['JPEG SOI only', bytes([0xff, 0xd8])],
    ['WebP cut inside the RIFF header', fixture('lossy-37x23.webp').subarray(0, 11)],
    ['WebP cut before the chunk fourcc completes', fixture('lossy-37x23.webp').subarray(0, 14)],
  ];
  for (const [name, content] of notImages) {
    assert.equal(sniffImageMime(content), undefined, name);
    assert.equal(readImageSize(content), undefined, name);
  }
});

test('extensionForMime', () => {
  assert.equal(extensionForMime('image/png'), '.png');
  assert.equal(extensionForMime('image/jpeg'), '.jpg');
  assert.equal(extensionForMime('image/webp'), '.webp');
});

// ---------------------------------------------------------------------------------------------
// PNG

test('reads the PNG size from IHDR', () => {
  assert.deepEqual(readImageSize(makePng(123, 45)), { width: 123, height: 45 });
  assert.deepEqual(readImageSize(makePng(1, 300)), { width: 1, height: 300 });
});

test('PNG: truncated or malformed IHDR gives undefined', () => {
  const png = makePng(50, 40);
  for (let n = 8; n < 29; n++) {
    assert.equal(readImageSize(png.subarray(0, n)), undefined, `cut at ${n}`);
  }
  assert.deepEqual(readImageSize(png.subarray(0, 29)), { width: 50, height: 40 });
  const wrongType = png.slice();
  wrongType[12] = 0x58; // 'XHDR'
  assert.equal(readImageSize(wrongType), undefined);
  const wrongLength = png.slice();
  wrongLength[11] = 12;
  assert.equal(readImageSize(wrongLength), undefined);
});

test('PNG header tells whether the image may have alpha', () => {
  assert.equal(readPngHeader(makePng(4, 4))?.colorType, 6);
  assert.equal(readPngHeader(makePng(4, 4))?.mayHaveAlpha, true);
  const rgb = new Uint8Array(PNG.sync.write(new PNG({ width: 4, height: 4 }), { colorType: 2 }));
  assert.equal(readPngHeader(rgb)?.colorType, 2);
  assert.equal(readPngHeader(rgb)?.mayHaveAlpha, false);
  // An RGB PNG with a tRNS chunk before IDAT may be transparent.
  const ihdrEnd = 8 + 12 + 13;
  const trns = bytes(be16(0), be16(6), 'tRNS', [0, 0, 0, 0, 0, 0], [0, 0, 0, 0]); // CRC not checked here
  const withTrns = bytes(rgb.subarray(0, ihdrEnd), trns, rgb.subarray(ihdrEnd));
  assert.equal(readPngHeader(withTrns)?.mayHaveAlpha, true);
});

// ---------------------------------------------------------------------------------------------
// JPEG

test('reads the size of a baseline JPEG (SOF0)', () => {
  const j = makeJpeg(77, 33);
  assert.ok(indexOfMarker(j, 0xc0) > 0, 'jpeg-js writes a baseline SOF0');
  assert.deepEqual(readImageSize(j), { width: 77, height: 33 });
  assert.deepEqual(readImageSize(makeJpeg(1, 1)), { width: 1, height: 1 });
});

test('reads the size of a progressive JPEG (SOF2)', () => {
  const j = fixture('progressive-160x120.jpg');
  assert.ok(indexOfMarker(j, 0xc2) > 0, 'fixture is progressive');
  assert.equal(indexOfMarker(j, 0xc0), -1, 'fixture has no baseline SOF0');
  assert.deepEqual(readImageSize(j), { width: 160, height: 120 });
});

function indexOfMarker(b: Uint8Array, marker: number): number {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1] === marker) return i;
  }
  return -1;
}

test('JPEG: skips APPn payloads (even with SOF-like bytes inside), fill bytes and standalone markers', () => {
  // An EXIF-like APP1 whose payload contains a fake SOF0 for a 16x16 thumbnail.
  const app1 = segment(0xe1, [...Array.from('Exif', (c) => c.charCodeAt(0)), 0, 0, 0xff, 0xc0, 0, 17, ...sofPayload(16, 16)]);
  const j = bytes(
    [0xff, 0xd8],
    segment(0xe0, Array.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', (c) => c.charCodeAt(0))),
    app1,
    [0xff, 0xff, 0xff], // fill bytes before the next marker
    segment(0xfe, Array.from('a comment with \xff\xc0 inside', (c) => c.charCodeAt(0))),
    segment(0xdb, new Array(65).fill(1)),
    segment(0xc2, sofPayload(640, 480)),
    segment(0xda, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]),
    [0x12, 0x34, 0xff, 0x00, 0xff, 0xd9],
  );
  assert.deepEqual(readImageSize(j), { width: 640, height: 480 });
  // Stray bytes between two segments are skipped up to the next marker, as libjpeg does.
  const stray = bytes([0xff, 0xd8], segment(0xe0, [1, 2, 3]), [0x00, 0x12, 0x00], segment(0xc0, sofPayload(33, 44)));
  assert.deepEqual(readImageSize(stray), { width: 33, height: 44 });
  // Every SOFn except DHT (C4), JPG (C8), DAC (CC).
  for (const marker of [0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) {
    assert.deepEqual(readImageSize(bytes([0xff, 0xd8], segment(marker, sofPayload(300, 200)))), { width: 300, height: 200 }, marker.toString(16));
  }
  for (const marker of [0xc4, 0xc8, 0xcc]) {
    assert.equal(readImageSize(bytes([0xff, 0xd8], segment(marker, sofPayload(300, 200)))), undefined, marker.toString(16));
  }
});

test('JPEG: malformed or truncated headers give undefined, never a throw', () => {
  const soi = [0xff, 0xd8];
  const cases: Array<[string, Uint8Array]> = [
    ['SOS before any SOF', bytes(soi, segment(0xda, [1, 1, 0, 0, 63, 0]), segment(0xc0, sofPayload(10, 10)))],
    ['EOI before any SOF', bytes(soi, [0xff, 0xd9], segment(0xc0, sofPayload(10, 10)))],
    ['segment length below 2', bytes(soi, [0xff, 0xe0, 0x00, 0x01], segment(0xc0, sofPayload(10, 10)))],
    ['APP0 length past the end', bytes(soi, [0xff, 0xe0, 0xff, 0xff, 1, 2, 3])],
    ['SOF cut inside its fixed part', bytes(soi, [0xff, 0xc0, 0, 17, 8, 0, 10])],
    ['SOF with height 0 (DNL)', bytes(soi, segment(0xc0, sofPayload(10, 0)))],
    ['only fill bytes', bytes(soi, [0xff, 0xff, 0xff, 0xff])],
  ];
  for (const [name, content] of cases) {
    assert.equal(sniffImageMime(content), 'image/jpeg', name);
    assert.equal(readImageSize(content), undefined, name);
  }
  // Every prefix of a real JPEG: either undefined or the right size, never a throw.
  const real = makeJpeg(31, 17);
  const sofAt = indexOfMarker(real, 0xc0);
  for (let n = 0; n <= real.length; n++) {
    const size = readImageSize(real.subarray(0, n));
    if (n >= sofAt + 9) {
      assert.deepEqual(size, { width: 31, height: 17 }, `prefix ${n}`);
    } else {
      assert.equal(size, undefined, `prefix ${n}`);
    }
  }
});

test('JPEG: random bytes after SOI never throw', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let round = 0; round < 500; round++) {
    const body = Array.from({ length: 1 + (round % 97) }, () => (rand() < 40 ? 0xff : rand()));
    const size = readImageSize(bytes([0xff, 0xd8, 0xff], body));
    if (size) {
      assert.ok(Number.isInteger(size.width) && size.width >= 0 && size.width <= 65535);
      assert.ok(Number.isInteger(size.height) && size.height > 0 && size.height <= 65535);
    }
    readJpegExifOrientation(bytes([0xff, 0xd8, 0xff], body));
  }
});

test('JPEG EXIF orientation', () => {
  const exif = (order: 'II' | 'MM', orientation: number) => {
    const u16 = (n: number) => (order === 'II' ? [n & 255, n >>> 8] : be16(n));
    const u32 = (n: number) => (order === 'II' ? le32(n) : [...be16(n >>> 16), ...be16(n & 0xffff)]);
    const tiff = [...Array.from(order, (c) => c.charCodeAt(0)), ...u16(42), ...u32(8), ...u16(2),
      ...u16(0x010f), ...u16(2), ...u32(4), ...Array.from('Cam\0', (c) => c.charCodeAt(0)), // Make
      ...u16(0x0112), ...u16(3), ...u32(1), ...u16(orientation), 0, 0, // Orientation (SHORT)
      ...u32(0)];
    return segment(0xe1, [...Array.from('Exif', (c) => c.charCodeAt(0)), 0, 0, ...tiff]);
  };
  const base = makeJpeg(8, 8);
  const withExif = (seg: number[]) => bytes(base.subarray(0, 2), seg, base.subarray(2));
  assert.equal(readJpegExifOrientation(base), 1);
  assert.equal(readJpegExifOrientation(withExif(exif('MM', 6))), 6);
  assert.equal(readJpegExifOrientation(withExif(exif('II', 8))), 8);
  assert.equal(readJpegExifOrientation(withExif(exif('II', 3))), 3);
  assert.equal(readJpegExifOrientation(withExif(exif('II', 9))), 1, 'out of range value ignored');
  // Size is still read past the APP1 segment.
  assert.deepEqual(readImageSize(withExif(exif('MM', 6))), { width: 8, height: 8 });
  // Truncated EXIF: no throw, default orientation.
  const cut = withExif(exif('MM', 6));
  for (let n = 0; n < 60; n++) {
    const o = readJpegExifOrientation(cut.subarray(0, n));
    assert.ok(o === 1 || o === 6);
  }
});

// ---------------------------------------------------------------------------------------------
// WebP

test('reads WebP sizes from real encoder output (VP8, VP8L, VP8X)', () => {
  for (const [name, fourcc] of [
    ['lossy-37x23.webp', 'VP8 '],
    ['lossless-37x23.webp', 'VP8L'],
    ['alpha-37x23.webp', 'VP8X'],
  ] as const) {
    const b = fixture(name);
    assert.equal(String.fromCharCode(...b.subarray(12, 16)), fourcc, name);
    assert.deepEqual(readImageSize(b), { width: 37, height: 23 }, name);
  }
});

test('reads hand-built VP8L headers', () => {
  assert.deepEqual(readImageSize(vp8lHeader(1, 1, false)), { width: 1, height: 1 });
  assert.deepEqual(readImageSize(vp8lHeader(1000, 700, true)), { width: 1000, height: 700 });
  assert.deepEqual(readImageSize(vp8lHeader(16384, 16384, false)), { width: 16384, height: 16384 });
  assert.deepEqual(readImageSize(vp8lHeader(12345, 3, true)), { width: 12345, height: 3 });
  const badSignature = vp8lHeader(10, 10, false);
  badSignature[20] = 0x2e;
  assert.equal(readImageSize(badSignature), undefined);
  const badVersion = vp8lHeader(10, 10, false);
  badVersion[24] |= 0x20; // version bits (29-31) must be 0
  assert.equal(readImageSize(badVersion), undefined);
  assert.equal(readImageSize(vp8lHeader(10, 10, false).subarray(0, 24)), undefined);
});

test('reads hand-built VP8X headers (24-bit canvas size)', () => {
  assert.deepEqual(readImageSize(vp8xHeader(5000, 3000)), { width: 5000, height: 3000 });
  assert.deepEqual(readImageSize(vp8xHeader(1, 1)), { width: 1, height: 1 });
  assert.deepEqual(readImageSize(vp8xHeader(1 << 24, 70000)), { width: 1 << 24, height: 70000 });
  assert.equal(readImageSize(vp8xHeader(5000, 3000).subarray(0, 29)), undefined);
});

test('reads hand-built VP8 (lossy) headers, ignoring the scale bits', () => {
  assert.deepEqual(readImageSize(vp8Header(640, 480)), { width: 640, height: 480 });
  assert.deepEqual(readImageSize(vp8Header(16383, 2, 3)), { width: 16383, height: 2 });
  const badStart = vp8Header(640, 480);
  badStart[24] = 0x02;
  assert.equal(readImageSize(badStart), undefined);
  const interFrame = vp8Header(640, 480);
  interFrame[20] |= 1; // not a key frame
  assert.equal(readImageSize(interFrame), undefined);
  assert.equal(readImageSize(vp8Header(640, 480).subarray(0, 29)), undefined);
});
