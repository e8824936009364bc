/**
 * The turntable: the input upright then the six views, looping (read back with omggif, an independent decoder); and
 * the GIF of opaque views byte for byte what it was before the turntable had its own module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import { splitGrid } from '../../src/image/ops/gridOps';
import { encodeTurntable } from '../../src/image/ops/turntable';
import { corpusFile, makeGrid, MARKER, photoPixels } from '../support/imageCorpus';
import { testCodecs } from '../support/imageEngine';

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
