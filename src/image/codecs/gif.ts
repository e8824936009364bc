/**
 * The turntable as an animated GIF (gifenc, MIT, no dependencies): one palette shared by every frame (so colours do
 * not flicker between frames), looping forever. Runs inside the image worker.
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import type { RgbaImage } from '../raster';

/** Samples per frame used to build the shared palette: plenty for 256 colours, and keeps quantising fast. */
const PALETTE_SAMPLES_PER_FRAME = 40_000;

/** The GIF frame delay, in hundredths of a second (the unit GIF stores), for a speed in frames per second. */
export function gifDelayCentiseconds(framesPerSecond: number): number {
  return Math.max(2, Math.round(100 / framesPerSecond));
}

/**
 * An animated GIF of `frames` (all of one size), looping forever at `framesPerSecond`, with one 256-colour palette
 * quantised from all of them.
 */
export function encodeAnimatedGif(frames: readonly RgbaImage[], framesPerSecond: number): Uint8Array {
  if (frames.length === 0) {
    throw new RangeError('An animation needs at least one frame.');
  }
  const { width, height } = frames[0];
  if (frames.some((frame) => frame.width !== width || frame.height !== height)) {
    throw new RangeError('Every frame of an animation must have the same size.');
  }
  // Palette from a 12-bit colour histogram: with 16-bit bins, noisy frames made quantising take seconds (65536
  // bins); mapping each pixel to the palette still uses 16-bit colour.
  const palette = quantize(paletteSample(frames), 256, { format: 'rgb444' });
  const gif = GIFEncoder();
  const delay = gifDelayCentiseconds(framesPerSecond) * 10;
  frames.forEach((frame, index) => {
    const indexed = applyPalette(frame.data, palette, 'rgb565');
    // The first frame carries the global palette and the loop extension; the others reuse that palette.
    gif.writeFrame(indexed, width, height, index === 0 ? { palette, delay, repeat: 0 } : { delay });
  });
  gif.finish();
  return gif.bytes();
}

/** Evenly spaced pixels of every frame, so each frame's colours weigh the same in the palette. */
function paletteSample(frames: readonly RgbaImage[]): Uint8Array {
  const pixels = frames[0].width * frames[0].height;
  const step = Math.max(1, Math.floor(pixels / PALETTE_SAMPLES_PER_FRAME));
  const perFrame = Math.ceil(pixels / step);
  const sample = new Uint8Array(perFrame * frames.length * 4);
  let o = 0;
  for (const frame of frames) {
    for (let p = 0; p < pixels; p += step, o += 4) {
      sample.set(frame.data.subarray(p * 4, p * 4 + 4), o);
    }
  }
  return sample.subarray(0, o);
}
