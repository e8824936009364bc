/**
 * The turntable as an animated GIF: frames fitted into one size on a neutral background, one palette shared by
 * every frame (so colours do not flicker between frames), looping forever. Pure (no `vscode`); bundled into
 * dist/codecs.js with the encoder (gifenc, MIT, no dependencies), so it costs nothing until an export.
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import { centreOnBackground, downscaleArea, NEUTRAL_GREY, type RgbaImage, type RgbColor } from './pixels';

/** Samples per frame used to build the shared palette: plenty for 256 colours, and keeps quantising fast. */
const PALETTE_SAMPLES_PER_FRAME = 40_000;

/**
 * `image` scaled (aspect kept) to fit inside width x height, centred, composited over `background`; the result is
 * opaque. Shrinking averages areas, enlarging interpolates bilinearly.
 */
export function fitInto(image: RgbaImage, width: number, height: number, background: RgbColor = NEUTRAL_GREY): RgbaImage {
  const scale = Math.min(width / image.width, height / image.height);
  const fittedWidth = Math.max(1, Math.min(width, Math.round(image.width * scale)));
  const fittedHeight = Math.max(1, Math.min(height, Math.round(image.height * scale)));
  const fitted =
    fittedWidth <= image.width && fittedHeight <= image.height
      ? downscaleArea(image, fittedWidth, fittedHeight)
      : resizeBilinear(image, fittedWidth, fittedHeight);
  return centreOnBackground(fitted, width, height, background);
}

/** Bilinear resize (for enlarging a small input to the views' size). */
export function resizeBilinear(image: RgbaImage, width: number, height: number): RgbaImage {
  const out = new Uint8Array(width * height * 4);
  const xRatio = image.width / width;
  const yRatio = image.height / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * yRatio - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * xRatio - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const p00 = (y0 * image.width + x0) * 4;
      const p01 = (y0 * image.width + x1) * 4;
      const p10 = (y1 * image.width + x0) * 4;
      const p11 = (y1 * image.width + x1) * 4;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const top = image.data[p00 + c] * (1 - fx) + image.data[p01 + c] * fx;
        const bottom = image.data[p10 + c] * (1 - fx) + image.data[p11 + c] * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data: out };
}

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
