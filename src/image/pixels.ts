/**
 * The old engine's decode limits and padding; the pixel operations themselves live in raster.ts (the new engine's)
 * and are re-exported here for the modules that still import them.
 */

/**
 * Decoding holds the whole image in memory (jpeg-js needs roughly 30 bytes a pixel at its peak,
 * about 1.5 GB at this size), so no more pixels than this are decoded. Covers 48-50 MP
 * phone cameras (8160 x 6120).
 */
export const MAX_DECODE_PIXELS = 50_000_000;

/** jpeg-js's guards for every decode: MAX_DECODE_PIXELS, and a memory cap its accounting at 4:4:4 stays under. */
export const JPEG_DECODE_LIMITS = { maxResolutionInMP: MAX_DECODE_PIXELS / 1e6, maxMemoryUsageInMB: 2048 } as const;

import { centreOnBackground, hasTransparency, type RgbaImage, type RgbColor } from './raster';

export { applyExifOrientation, centreOnBackground, downscaleArea, hasTransparency, NEUTRAL_GREY } from './raster';
export type { RgbaImage, RgbColor } from './raster';

/**
 * The image centred on an opaque square of `background` whose side is the image's longer side (nothing is scaled),
 * with every pixel's alpha composited over that background, so every output pixel is opaque.
 *
 * An image that is already square and opaque is returned as it is (the same object): nothing to do.
 */
export function padToSquare(image: RgbaImage, background: RgbColor): RgbaImage {
  if (image.width === image.height && !hasTransparency(image)) {
    return image;
  }
  const side = Math.max(image.width, image.height);
  return centreOnBackground(image, side, side, background);
}

