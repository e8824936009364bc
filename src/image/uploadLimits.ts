/**
 * The upload's limits and defaults, in a module of their own so the host (settings, messages) can use them without
 * pulling the worker's codecs into its bundle.
 */
import type { ImageMime } from '../shared/imageMime';

/** The service's limit, measured on the whole data URI (`data:<mime>;base64,` + base64). */
export const MAX_UPLOAD_DATA_URI_CHARS = 5_000_000;
/** The model works at 320 px; 1024 keeps its quality with margin. */
export const DEFAULT_LONG_SIDE = 1024;
/** `longSide: 'original'` still stops here: past it no photo fits the 5 MB limit at a useful quality. */
export const ORIGINAL_LONG_SIDE_CAP = 4096;

/** Length of `data:<mime>;base64,<base64 of byteLength bytes>`. */
export function dataUriLength(mime: ImageMime, byteLength: number): number {
  return `data:${mime};base64,`.length + 4 * Math.ceil(byteLength / 3);
}
