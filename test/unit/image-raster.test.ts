/** The pixel operations the worker relies on: the opaque downscale agrees with the general one, CMYK conversion. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmykToRgba, downscaleArea, type RgbaImage } from '../../src/image/raster';

function noisy(width: number, height: number, alpha: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = (i & 3) === 3 ? alpha : s >>> 24;
  }
  return { width, height, data };
}

test('the opaque fast path of downscaleArea gives the general path\'s pixels (within rounding)', () => {
  const opaque = noisy(301, 203, 255);
  // Alpha 254 takes the general (premultiplied) path on the same colours.
  const almost = noisy(301, 203, 254);
  for (const [w, h] of [[150, 101], [97, 64], [300, 1], [1, 200]]) {
    const fast = downscaleArea(opaque, w, h);
    const general = downscaleArea(almost, w, h);
    let worst = 0;
    for (let i = 0; i < fast.data.length; i++) {
      if ((i & 3) !== 3) worst = Math.max(worst, Math.abs(fast.data[i] - general.data[i]));
    }
    assert.ok(worst <= 1, `${w}x${h}: differs by ${worst}`);
    assert.ok(fast.data.every((v, i) => (i & 3) !== 3 || v === 255));
  }
});

test('CMYK to RGB: Adobe-inverted samples and plain ones', () => {
  // Pure cyan ink, no black: as Photoshop stores it (inverted) and plainly.
  const inverted = cmykToRgba(new Uint8Array([0, 255, 255, 255]), 1, 1, true);
  const plain = cmykToRgba(new Uint8Array([255, 0, 0, 0]), 1, 1, false);
  assert.deepEqual([...inverted.data], [0, 255, 255, 255]);
  assert.deepEqual([...plain.data], [0, 255, 255, 255]);
});
