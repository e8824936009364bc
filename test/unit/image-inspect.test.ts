/**
 * Inspection when the user chooses a file (header only, on the calling thread): each corpus input's facts, and the
 * inputs refused before any question is asked (bomb, unreadable header, not an image, unsupported variant).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectImageBytes, inspectImageFile, type ImageInspection } from '../../src/image/inspect';
import { readImageHeader } from '../../src/image/imageFormat';
import { sniffImageMime, extensionForMime } from '../../src/shared/imageMime';
import { corpusFile, type CorpusName } from '../support/imageCorpus';

async function inspect(name: CorpusName): Promise<ImageInspection> {
  return inspectImageFile((await corpusFile(name)).file);
}

function info(inspection: ImageInspection) {
  assert.ok(inspection.ok, `expected an image, got ${JSON.stringify(inspection)}`);
  return inspection.info;
}

test('the 12 MP phone photo: stored 4000x3000, orientation 6, shown 3000x4000, progressive RGB', async () => {
  const i = info(await inspect('phone12mp'));
  assert.deepEqual([i.mime, i.storedWidth, i.storedHeight, i.width, i.height, i.orientation], ['image/jpeg', 4000, 3000, 3000, 4000, 6]);
  assert.equal(i.progressive, true);
  assert.equal(i.colourModel, 'rgb');
  assert.ok(i.byteSize > 500_000);
});

test('the 48 MP photo is accepted (scaled decode) and the 20000x20000 PNG bomb is refused as too many pixels', async () => {
  const photo = info(await inspect('photo48mp'));
  assert.deepEqual([photo.width, photo.height, photo.progressive], [8000, 6000, false]);
  const bomb = await inspect('pngBomb');
  assert.equal(bomb.ok, false);
  assert.ok(!bomb.ok && bomb.problem.reason === 'too-many-pixels');
  assert.ok(!bomb.ok && bomb.problem.reason === 'too-many-pixels' && bomb.problem.details.megapixels === 400);
});

test('a JPEG named .png is a JPEG; CMYK, greyscale, palette, 16-bit and interlaced are told apart', async () => {
  assert.equal(info(await inspect('jpegNamedPng')).mime, 'image/jpeg');
  assert.equal(info(await inspect('cmykJpeg')).colourModel, 'cmyk');
  assert.equal(info(await inspect('greyJpeg')).colourModel, 'grey');
  const palette = info(await inspect('palettePng'));
  assert.deepEqual([palette.colourModel, palette.hasAlpha], ['palette', true]);
  const cutout = info(await inspect('png16Rgba'));
  assert.deepEqual([cutout.bitDepth, cutout.hasAlpha, cutout.colourModel], [16, true, 'rgb']);
  const interlaced = info(await inspect('interlacedPng16'));
  assert.deepEqual([interlaced.bitDepth, interlaced.progressive, interlaced.hasAlpha], [16, true, false]);
});

test('WebP: size, and the animation flag of an animated one', async () => {
  const still = info(await inspect('webp'));
  assert.deepEqual([still.mime, still.width, still.height, still.animated], ['image/webp', 1000, 700, false]);
  const animated = info(await inspect('animatedWebp'));
  assert.deepEqual([animated.width, animated.height, animated.animated], [320, 240, true]);
});

test('refused when chosen: not an image, an unreadable header, arithmetic coding, a missing file', async () => {
  const reasons = await Promise.all((['notAnImage', 'brokenHeaderPng', 'arithmeticJpeg'] as const).map(async (name) => {
    const result = await inspect(name);
    return result.ok ? 'ok' : result.problem.reason;
  }));
  assert.deepEqual(reasons, ['not-an-image', 'unreadable-header', 'unsupported-variant']);
  const missing = await inspectImageFile(path.join(os.tmpdir(), 'no-such-multiview-image.png'));
  assert.ok(!missing.ok && missing.problem.reason === 'unreadable-file' && missing.problem.details.code === 'ENOENT');
});

test('a truncated JPEG still inspects (the header is whole): the decode says truncated later', async () => {
  const i = info(await inspect('truncatedJpeg'));
  assert.deepEqual([i.width, i.height], [1200, 900]);
});

test('orientation from a WebP EXIF chunk at the end of the file, and from a PNG eXIf chunk', async () => {
  const sharp = require('sharp') as (options: unknown) => import('sharp').Sharp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-inspect-'));
  try {
    const webp = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).webp().withMetadata({ orientation: 8 }).toBuffer();
    fs.writeFileSync(path.join(dir, 'o.webp'), webp);
    const w = info(await inspectImageFile(path.join(dir, 'o.webp')));
    assert.deepEqual([w.orientation, w.width, w.height], [8, 30, 40]);
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).png().withMetadata({ orientation: 6 }).toBuffer();
    const header = readImageHeader(new Uint8Array(png));
    assert.ok(png.includes(Buffer.from('eXIf')), 'libvips writes PNG orientation as an eXIf chunk');
    assert.equal(header?.orientation, 6);
    const shown = info(inspectImageBytes(new Uint8Array(png)));
    assert.deepEqual([shown.width, shown.height], [30, 40]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sniffing lives in the shared leaf and agrees with the old import path', () => {
  assert.equal(sniffImageMime(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
  assert.equal(extensionForMime('image/webp'), '.webp');
});

test('12-bit and lossless JPEG frames are refused as unsupported variants, by name', async () => {
  const jpeg = fs.readFileSync((await corpusFile('squareJpeg')).file);
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  const twelveBit = Buffer.from(jpeg);
  twelveBit[sof + 4] = 12; // the frame's sample precision
  const lossless = Buffer.from(jpeg);
  lossless[sof + 1] = 0xc3;
  const variant = (bytes: Buffer) => {
    const result = inspectImageBytes(new Uint8Array(bytes));
    return !result.ok && result.problem.reason === 'unsupported-variant' ? result.problem.details.variant : 'accepted';
  };
  assert.equal(variant(twelveBit), '12-bit');
  assert.equal(variant(lossless), 'lossless');
});

test('header parsing never throws: every truncation of each input\'s first bytes, and random damage', async () => {
  const { CORPUS_NAMES } = await import('../support/imageCorpus');
  let seed = 99;
  const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296;
  for (const name of CORPUS_NAMES) {
    const head = new Uint8Array(fs.readFileSync((await corpusFile(name)).file).subarray(0, 2048));
    for (let length = 0; length <= Math.min(head.length, 700); length++) {
      readImageHeader(head.subarray(0, length));
    }
    for (let round = 0; round < 200; round++) {
      const damaged = head.slice();
      for (let flips = 0; flips < 4; flips++) {
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      }
      readImageHeader(damaged);
      inspectImageBytes(damaged);
    }
  }
});
