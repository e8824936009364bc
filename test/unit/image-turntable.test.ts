/**
 * The turntable: the input upright then the six views, looping. The GIF is read back with omggif; the APNG with
 * test/support/apngReader.ts (chunks, sequence, acTL/fcTL fields; each frame decoded by pngjs).
 * Plus: the GIF of opaque views byte for byte what it was before APNG existed, and both formats through the worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import { apngDelay } from '../../src/image/codecs/apng';
import { ImageEngine } from '../../src/image/engine';
import { splitGrid } from '../../src/image/ops/gridOps';
import { encodeTurntable } from '../../src/image/ops/turntable';
import type { RgbaImage } from '../../src/image/raster';
import { decodePng, readApng } from '../support/apngReader';
import { corpusFile, makeGrid, MARKER, photoPixels } from '../support/imageCorpus';
import { testCodecs, testEngineOptions } from '../support/imageEngine';

const codecs = testCodecs();

/** A photo-like PNG (RGBA with `transparentOutside`: the subject opaque, the rest transparent). */
function photoPng(width: number, height: number, seed: number, transparentOutside = false): Uint8Array {
  const { data, channels } = photoPixels(width, height, 12, { seed, alphaOutside: transparentOutside });
  const colorType = channels === 4 ? 6 : 2;
  // sync.write reads only width, height and data.
  return new Uint8Array(PNG.sync.write({ width, height, data } as unknown as PNG, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4 }));
}

/** Six opaque views, the fourth of another size (so it is fitted), and an opaque input picture on disk. */
function opaqueTurntableInputs(): { views: Uint8Array[]; inputPath: string } {
  const views = [1, 2, 3, 4, 5, 6].map((seed) => (seed === 4 ? photoPng(256, 200, seed) : photoPng(320, 320, seed)));
  const inputPath = path.join(os.tmpdir(), 'multiview-turntable-input.png');
  fs.writeFileSync(inputPath, photoPng(480, 360, 7));
  return { views, inputPath };
}

/** Six transparent views (a cut-out subject, alpha 0 around it), the fourth of another size; an input with alpha. */
function transparentTurntableInputs(): { views: Uint8Array[]; inputPath: string } {
  const views = [1, 2, 3, 4, 5, 6].map((seed) => (seed === 4 ? photoPng(256, 200, seed, true) : photoPng(320, 320, seed, true)));
  const inputPath = path.join(os.tmpdir(), 'multiview-turntable-cutout.png');
  fs.writeFileSync(inputPath, photoPng(480, 360, 7, true));
  return { views, inputPath };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

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

test('a 48 MP 16-bit RGBA cut-out as the input: read in rows, not refused as too many pixels, and it leads the turntable', async () => {
  const grid = await splitGrid(new Uint8Array(await makeGrid(640, 960, 'png')), {}, codecs, () => undefined);
  const input = await corpusFile('cutout48mp16');
  const turntable = await encodeTurntable({ inputPath: input.file, views: grid.views, framesPerSecond: 8, formats: ['apng'] }, codecs);
  assert.deepEqual([turntable.frames, turntable.inputSkipped], [7, undefined]);
  const first = readApng(turntable.apng).frames[0].image;
  // The cut-out's subject (left of centre, most of the frame) is there, on the grey where the cut-out is transparent.
  const at = (x: number, y: number) => [...first.data.subarray((y * 320 + x) * 4, (y * 320 + x) * 4 + 3)];
  assert.deepEqual(at(2, 2), [127, 127, 127], 'a corner: the grey');
  assert.notDeepEqual(at(140, 165), [127, 127, 127], 'the subject');
});

test('turntable without its input: the views alone, and why', async () => {
  const grid = await splitGrid(new Uint8Array(await makeGrid(640, 960, 'png')), {}, codecs, () => undefined);
  const missing = await encodeTurntable({ inputPath: path.join(os.tmpdir(), 'gone-multiview.jpg'), views: grid.views, framesPerSecond: 8 }, codecs);
  assert.deepEqual([missing.frames, missing.inputSkipped], [6, 'missing']);
  const truncated = await corpusFile('truncatedJpeg');
  const unreadable = await encodeTurntable({ inputPath: truncated.file, views: grid.views, framesPerSecond: 8 }, codecs);
  assert.deepEqual([unreadable.frames, unreadable.inputSkipped], [6, 'unreadable']);
});

test('opaque views: the GIF is byte for byte the one made before APNG existed', async () => {
  // Hashes of the GIFs that gridOps.ts's encodeTurntable made from these inputs (commit b2a99bf).
  const { views, inputPath } = opaqueTurntableInputs();
  const withInput = await encodeTurntable({ inputPath, views, framesPerSecond: 8 }, codecs);
  assert.equal(sha256(withInput.gif), '0d715365d71fd91dc3af64dd6a069a4b6ceddb7f477aade9f152ac08210918bf');
  const viewsOnly = await encodeTurntable({ views, framesPerSecond: 5 }, codecs);
  assert.equal(sha256(viewsOnly.gif), '65e133490c30a280c1b1117f6768fdfb6399bcb117c70d0b12fc0c00f4ceb775');
});

test('APNG: 7 frames, looping forever at 1/8 s, the views pixel for pixel (lossless RGB), made with the GIF in one pass', async () => {
  const { inputPath } = opaqueTurntableInputs();
  const views = [1, 2, 3, 4, 5, 6].map((seed) => photoPng(320, 320, seed));
  const turntable = await encodeTurntable({ inputPath, views, framesPerSecond: 8, formats: ['gif', 'apng'] }, codecs);
  assert.deepEqual([turntable.frames, turntable.width, turntable.height, turntable.inputSkipped], [7, 320, 320, undefined]);
  const apng = readApng(turntable.apng);
  assert.deepEqual([apng.colourType, apng.plays, apng.frames.length], [2, 0, 7]);
  for (const frame of apng.frames) {
    assert.deepEqual([frame.delayNumerator, frame.delayDenominator, frame.dispose, frame.blend], [1, 8, 0, 0]);
  }
  views.forEach((view, index) => assert.ok(Buffer.from(apng.frames[index + 1].image.data).equals(decodePng(view).data), `frame ${index + 1} is view ${index}`));
  const gifOnly = await encodeTurntable({ inputPath, views, framesPerSecond: 8 }, codecs);
  assert.ok(Buffer.from(turntable.gif).equals(Buffer.from(gifOnly.gif)), 'the GIF made beside the APNG is the GIF alone');
});

test('APNG delay: 1 / frames per second as a reduced fraction', () => {
  assert.deepEqual([apngDelay(8), apngDelay(7.5), apngDelay(30), apngDelay(1)], [
    { numerator: 1, denominator: 8 },
    { numerator: 2, denominator: 15 },
    { numerator: 1, denominator: 30 },
    { numerator: 1, denominator: 1 },
  ]);
  assert.throws(() => apngDelay(0), RangeError);
});

test('transparent views: the APNG keeps every alpha exactly, margins of a fitted view and the input\'s cut-out too', async () => {
  const { views, inputPath } = transparentTurntableInputs();
  const turntable = await encodeTurntable({ inputPath, views, framesPerSecond: 6, formats: ['apng'] }, codecs);
  const apng = readApng(turntable.apng);
  assert.deepEqual([apng.colourType, apng.frames.length, apng.frames[0].delayDenominator], [6, 7, 6]);
  views.forEach((view, index) => {
    if (index !== 3) {
      assert.ok(Buffer.from(apng.frames[index + 1].image.data).equals(decodePng(view).data), `frame ${index + 1} is view ${index}, alpha included`);
    }
  });
  // The 256x200 view fitted to 320x250: transparent bands above and below, the subject opaque in the middle.
  const fitted = apng.frames[4].image;
  assert.equal(alphaAt(fitted, 160, 5), 0);
  assert.equal(alphaAt(fitted, 160, 176), 255);
  // The input (a cut-out) keeps its transparency: its corner is transparent, its subject opaque.
  assert.equal(alphaAt(apng.frames[0].image, 5, 160), 0);
  assert.equal(alphaAt(apng.frames[0].image, 160, 176), 255);
});

test('transparent views: the GIF has a transparent index where the view is transparent; an opaque input stays on the grey', async () => {
  const { views } = transparentTurntableInputs();
  const { inputPath: opaqueInput } = opaqueTurntableInputs();
  const turntable = await encodeTurntable({ inputPath: opaqueInput, views, framesPerSecond: 8 }, codecs);
  const reader = new GifReader(Buffer.from(turntable.gif));
  assert.equal(reader.numFrames(), 7);
  const unwritten = 7; // decodeAndBlitFrameRGBA leaves a transparent pixel as it was
  for (let frame = 0; frame < 7; frame++) {
    const info = reader.frameInfo(frame);
    assert.notEqual(info.transparent_index, null, `frame ${frame} has a transparent index`);
    assert.equal(info.disposal, 2, 'each frame is cleared before the next');
    const pixels = new Uint8Array(320 * 320 * 4).fill(unwritten);
    reader.decodeAndBlitFrameRGBA(frame, pixels);
    if (frame === 0) {
      assert.ok(pixels.every((value, i) => i % 4 !== 3 || value === 255), 'the opaque input, bars of grey included, is wholly opaque');
      continue;
    }
    const source = frame === 4 ? undefined : decodePng(views[frame - 1]);
    for (const [x, y] of [[5, 5], [160, 176], [314, 300]]) {
      const shown = pixels[(y * 320 + x) * 4 + 3] === 255;
      if (source) {
        assert.equal(shown, alphaAt(source, x, y) >= 128, `frame ${frame} at ${x},${y}`);
      }
    }
    assert.equal(pixels[(5 * 320 + 5) * 4 + 3], unwritten, `frame ${frame}'s transparent corner`);
  }
});

test('through the worker: GIF and APNG in one request, both transferred back', async () => {
  const images = new ImageEngine(testEngineOptions({ idleMs: 200 }));
  try {
    const { views, inputPath } = opaqueTurntableInputs();
    const turntable = await images.encodeTurntable({ inputPath, views, framesPerSecond: 8, formats: ['gif', 'apng'] });
    assert.equal(turntable.frames, 7);
    assert.equal(Buffer.from(turntable.gif.subarray(0, 6)).toString('latin1'), 'GIF89a');
    assert.equal(readApng(turntable.apng).frames.length, 7);
    assert.ok(views.every((view) => view.byteLength === 0), 'the views were moved to the worker');
  } finally {
    images.dispose();
  }
});

function alphaAt(image: RgbaImage, x: number, y: number): number {
  return image.data[(y * image.width + x) * 4 + 3];
}
