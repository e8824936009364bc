/**
 * The old engine's turntable helpers, now re-exported from the new engine's modules (raster.ts, codecs/gif.ts) for
 * the modules that still import them.
 */
export { fitInto, resizeBilinear } from './raster';
export { encodeAnimatedGif, gifDelayCentiseconds } from './codecs/gif';
