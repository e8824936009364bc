/**
 * Pixel codecs (pngjs, jpeg-js: pure JavaScript, so the .vsix is the same on every platform). Bundled apart as
 * dist/codecs.js and loaded by `loadCodecs()` only when an image must really be decoded or encoded, which keeps
 * them out of the extension's start-up and its common path.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { RgbaImage } from './pixels';

export function decodePng(buffer: Buffer): RgbaImage {
  const png = PNG.sync.read(buffer);
  return { width: png.width, height: png.height, data: png.data };
}

export function decodeJpeg(buffer: Buffer, limits: { maxResolutionInMP: number; maxMemoryUsageInMB: number }): RgbaImage {
  const decoded = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, tolerantDecoding: true, ...limits });
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

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Decodes a grid (PNG or JPEG) and returns one PNG per rectangle, in order. Rectangles are clipped to the image;
 * an empty one throws. WebP cannot be decoded here (no pure-JS WebP decoder is bundled): the caller skips it.
 */
export function cropToPngs(
  bytes: Uint8Array,
  mime: 'image/png' | 'image/jpeg',
  rects: readonly CropRect[],
  limits: { maxResolutionInMP: number; maxMemoryUsageInMB: number },
): Uint8Array[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const image = mime === 'image/png' ? decodePng(buffer) : decodeJpeg(buffer, limits);
  return rects.map((rect) => encodePng(cropRgba(image, rect), 'fast'));
}

export function cropRgba(image: RgbaImage, rect: CropRect): RgbaImage {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(image.width, Math.floor(rect.x + rect.width));
  const y1 = Math.min(image.height, Math.floor(rect.y + rect.height));
  const width = x1 - x0;
  const height = y1 - y0;
  if (width <= 0 || height <= 0) {
    throw new RangeError(`Empty crop ${JSON.stringify(rect)} of a ${image.width}x${image.height} image.`);
  }
  const data = new Uint8Array(width * height * 4);
  const rowBytes = width * 4;
  for (let y = 0; y < height; y++) {
    const start = ((y0 + y) * image.width + x0) * 4;
    data.set(image.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return { width, height, data };
}
