/**
 * Pixel codecs (pngjs, jpeg-js: pure JavaScript, so the .vsix is the same on every platform). Bundled apart as
 * dist/codecs.js and loaded by `loadCodecs()` only when an image must really be decoded or encoded, which keeps
 * them out of the extension's start-up and its common path.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { encodeAnimatedGif, fitInto } from './animation';
import { readJpegExifOrientation, sniffImageMime } from './imageFormat';
import { applyExifOrientation, JPEG_DECODE_LIMITS, type RgbaImage } from './pixels';
import { type CropRect, cropRgba } from './raster';

export { cropRgba, type CropRect } from './raster';

/** A PNG or a JPEG (with jpeg-js's guards, JPEG_DECODE_LIMITS) as RGBA pixels, as stored (no EXIF rotation). */
export function decodeImage(bytes: Uint8Array, mime: 'image/png' | 'image/jpeg'): RgbaImage {
  const buffer = asBuffer(bytes);
  if (mime === 'image/png') {
    const png = PNG.sync.read(buffer);
    return { width: png.width, height: png.height, data: png.data };
  }
  const decoded = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, tolerantDecoding: true, ...JPEG_DECODE_LIMITS });
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

export function encodeJpeg(image: RgbaImage, quality: number): Uint8Array {
  return jpeg.encode({ width: image.width, height: image.height, data: image.data }, quality).data;
}

/**
 * `smallest` (for uploads, where every byte counts against the 5 MB limit) lets pngjs try every row filter at the
 * highest compression; `fast` (for the six views, on the path to showing the result) uses one filter, about 2.5x
 * faster for files about 3% larger.
 */
export function encodePng(image: RgbaImage, effort: 'smallest' | 'fast' = 'smallest'): Uint8Array {
  // sync.write reads only width, height and data; its typings ask for a whole PNG stream object.
  const source = {
    width: image.width,
    height: image.height,
    data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
  } as unknown as PNG;
  const compression = effort === 'smallest' ? { deflateLevel: 9 } : { deflateLevel: 6, filterType: 1 };
  return PNG.sync.write(source, { colorType: 6, inputColorType: 6, inputHasAlpha: true, ...compression });
}

/**
 * Decodes a grid (PNG or JPEG) and returns one PNG per rectangle, in order. Rectangles are clipped to the image;
 * an empty one throws. WebP cannot be decoded here (no pure-JS WebP decoder is bundled): the caller skips it.
 */
export function cropToPngs(bytes: Uint8Array, mime: 'image/png' | 'image/jpeg', rects: readonly CropRect[]): Uint8Array[] {
  const image = decodeImage(bytes, mime);
  return rects.map((rect) => encodePng(cropRgba(image, rect), 'fast'));
}

export interface TurntableSource {
  /** The input image's file, shown first (azimuth 0°); undefined when it is gone. */
  input: Uint8Array | undefined;
  /** The six view PNGs, in azimuth order. */
  views: readonly Uint8Array[];
  framesPerSecond: number;
}

export interface Turntable {
  gif: Uint8Array;
  frames: number;
  width: number;
  height: number;
  /** Why the input is not the first frame, when it is not: WebP cannot be decoded here, or the file is gone. */
  inputSkipped?: 'webp' | 'missing' | 'unreadable';
}

/**
 * The turntable as a looping animated GIF: the input (upright, fitted into the views' size on a neutral
 * background), then the views.
 */
export function encodeTurntableGif(source: TurntableSource): Turntable {
  const views = source.views.map((bytes) => decodeImage(bytes, 'image/png'));
  if (views.length === 0) {
    throw new RangeError('There are no views to animate.');
  }
  const { width, height } = views[0];
  const frames = views.map((view) => (view.width === width && view.height === height ? view : fitInto(view, width, height)));
  const input = source.input && decodeInput(source.input);
  if (input && 'image' in input) {
    frames.unshift(fitInto(input.image, width, height));
  }
  const inputSkipped = !source.input ? 'missing' : input && 'skipped' in input ? input.skipped : undefined;
  return { gif: encodeAnimatedGif(frames, source.framesPerSecond), frames: frames.length, width, height, ...(inputSkipped ? { inputSkipped } : {}) };
}

function decodeInput(bytes: Uint8Array): { image: RgbaImage } | { skipped: 'webp' | 'unreadable' } {
  const mime = sniffImageMime(bytes);
  if (mime === 'image/webp') {
    return { skipped: 'webp' };
  }
  try {
    if (mime === 'image/png') {
      return { image: decodeImage(bytes, mime) };
    }
    if (mime === 'image/jpeg') {
      return { image: applyExifOrientation(decodeImage(bytes, mime), readJpegExifOrientation(bytes)) };
    }
  } catch {
    // A damaged input still leaves six good views to animate.
  }
  return { skipped: 'unreadable' };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
