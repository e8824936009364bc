/**
 * How big an image may be for each decode path, so that no decode can take the worker (or the machine) down:
 * the limits come from what each decoder holds in memory at its peak, against one budget. Shared by inspection
 * (on the calling thread, before anything is decoded) and the ops (which check again: they may get bytes directly).
 */
import type { ImageHeader } from './imageFormat';

/** The most memory one decode may hold (on top of the file's bytes): the 400 MB budget, with margin. */
export const DECODE_MEMORY_BUDGET_BYTES = 320 * 1024 * 1024;

/** Longer than this on a side is not a picture (JPEG allows 65535; WebP 16383; phone panoramas reach ~20000). */
export const MAX_IMAGE_SIDE = 32768;

/**
 * A sequential JPEG is decoded scaled (1/2 … 1/8) a few rows at a time: memory is the scaled output, so the limit is
 * time: libjpeg-turbo in WASM reads ~100 MP/s here at 1/8, so 200 MP is ~2 s of a worker.
 */
const MAX_SEQUENTIAL_JPEG_PIXELS = 200_000_000;

/**
 * A non-interlaced PNG too big to decode whole is streamed a row at a time (codecs/pngStream.ts): memory is the
 * reduced output and a few rows, so the limit is time: measured ~2.1 s for a 48 MP 16-bit RGBA cut-out framed in two
 * passes, so 100 MP is ~5 s of a worker.
 */
const MAX_STREAMED_PNG_PIXELS = 100_000_000;

/**
 * The most pixels `header`'s decode path can take within DECODE_MEMORY_BUDGET_BYTES: the whole-image path's limit,
 * except for a non-interlaced PNG, which prepareUpload streams when the whole image would not fit (interlaced ones
 * stay limited: Adam7's passes need the whole image).
 */
export function maxPixelsFor(header: ImageHeader): number {
  const wholeImage = maxWholeImagePixelsFor(header);
  return header.mime === 'image/png' && !header.progressive ? Math.max(wholeImage, MAX_STREAMED_PNG_PIXELS) : wholeImage;
}

/**
 * The most pixels `header`'s whole-image decode (decode.ts) can hold within DECODE_MEMORY_BUDGET_BYTES:
 * - progressive JPEG: libjpeg keeps every DCT coefficient of the whole image (2 bytes a stored sample);
 * - PNG (pngjs): the inflated rows twice (inflate, then unfilter) plus the RGBA output (and a 16-bit one first);
 * - WebP (libwebp): the RGBA output, in WASM memory and once copied out.
 */
export function maxWholeImagePixelsFor(header: ImageHeader): number {
  switch (header.mime) {
    case 'image/jpeg': {
      if (!header.progressive) {
        return MAX_SEQUENTIAL_JPEG_PIXELS;
      }
      const samples = header.jpeg?.samplesPerPixel ?? 3;
      return Math.floor(DECODE_MEMORY_BUDGET_BYTES / (2 * samples));
    }
    case 'image/png': {
      // A tRNS chunk adds no channel; only colour types 4 and 6 store alpha (bit depth is per sample).
      const colourChannels = header.colourModel === 'rgb' ? 3 : 1;
      const channels = header.colourModel === 'palette' ? 1 : colourChannels + (header.hasAlpha ? 1 : 0);
      const rawBytesPerPixel = Math.max(1, (channels * header.bitDepth) / 8);
      // 16-bit samples also pass through a 16-bit RGBA bitmap (8 bytes a pixel) before the rescale to 8 bits.
      const sixteenBitBitmap = header.bitDepth === 16 ? 8 : 0;
      return Math.floor(DECODE_MEMORY_BUDGET_BYTES / (2 * rawBytesPerPixel + 4 + sixteenBitBitmap));
    }
    case 'image/webp':
      return Math.floor(DECODE_MEMORY_BUDGET_BYTES / 8);
  }
}
