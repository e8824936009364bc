/**
 * The turntable as an animated GIF (gifenc, MIT, no dependencies): one palette shared by every frame (so colours do
 * not flicker between frames), looping forever; 1-bit transparency when some frame is not opaque. Runs inside the
 * image worker.
 */
import { applyPalette, GIFEncoder, quantize, type GifFrameOptions } from 'gifenc';
import { hasTransparency, type RgbaImage } from '../raster';

/** Samples per frame used to build the shared palette: plenty for 256 colours, and keeps quantising fast. */
const PALETTE_SAMPLES_PER_FRAME = 40_000;

/** GIF has 1-bit alpha: a pixel below this alpha is transparent, the others are opaque. */
const GIF_ALPHA_THRESHOLD = 128;

/** The GIF frame delay, in hundredths of a second (the unit GIF stores), for a speed in frames per second. */
export function gifDelayCentiseconds(framesPerSecond: number): number {
  return Math.max(2, Math.round(100 / framesPerSecond));
}

/**
 * An animated GIF of `frames` (all of one size), looping forever at `framesPerSecond`, with one 256-colour palette
 * quantised from all of them. When some frame is not opaque, the palette's last entry is the transparent index (255
 * colours for the rest), and each frame clears the canvas before the next (gifenc's dispose 2 with transparency),
 * so no frame shows through another's transparent pixels.
 */
export function encodeAnimatedGif(frames: readonly RgbaImage[], framesPerSecond: number): Uint8Array {
  if (frames.length === 0) {
    throw new RangeError('An animation needs at least one frame.');
  }
  const { width, height } = frames[0];
  if (frames.some((frame) => frame.width !== width || frame.height !== height)) {
    throw new RangeError('Every frame of an animation must have the same size.');
  }
  const transparent = frames.some(hasTransparency);
  // Palette from a 12-bit colour histogram: with 16-bit bins, noisy frames made quantising take seconds (65536
  // bins); mapping each pixel to the palette still uses 16-bit colour.
  const sample = paletteSample(frames);
  // gifenc cannot quantise nothing: every frame wholly transparent leaves one colour that no pixel uses.
  const colours = sample.length > 0 ? quantize(sample, transparent ? 255 : 256, { format: 'rgb444' }) : [[0, 0, 0]];
  const transparentIndex = colours.length;
  const palette = transparent ? [...colours, [0, 0, 0]] : colours;
  const transparency: GifFrameOptions = transparent ? { transparent: true, transparentIndex } : {};
  const gif = GIFEncoder();
  const delay = gifDelayCentiseconds(framesPerSecond) * 10;
  frames.forEach((frame, index) => {
    const indexed = applyPalette(frame.data, colours, 'rgb565');
    if (transparent) {
      for (let p = 0; p < indexed.length; p++) {
        if (frame.data[p * 4 + 3] < GIF_ALPHA_THRESHOLD) {
          indexed[p] = transparentIndex;
        }
      }
    }
    // The first frame carries the global palette and the loop extension; the others reuse that palette.
    gif.writeFrame(indexed, width, height, index === 0 ? { palette, delay, repeat: 0, ...transparency } : { delay, ...transparency });
  });
  gif.finish();
  return gif.bytes();
}

/**
 * Evenly spaced pixels of every frame, so each frame's colours weigh the same in the palette; pixels that will be
 * transparent are left out (their colour is never shown).
 */
function paletteSample(frames: readonly RgbaImage[]): Uint8Array {
  const pixels = frames[0].width * frames[0].height;
  const step = Math.max(1, Math.floor(pixels / PALETTE_SAMPLES_PER_FRAME));
  const perFrame = Math.ceil(pixels / step);
  const sample = new Uint8Array(perFrame * frames.length * 4);
  let o = 0;
  for (const frame of frames) {
    for (let p = 0; p < pixels; p += step) {
      if (frame.data[p * 4 + 3] >= GIF_ALPHA_THRESHOLD) {
        sample.set(frame.data.subarray(p * 4, p * 4 + 4), o);
        o += 4;
      }
    }
  }
  return sample.subarray(0, o);
}
