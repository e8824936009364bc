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

export function encodePng(image: RgbaImage): Uint8Array {
  // sync.write reads only width, height and data; its typings ask for a whole PNG stream object.
  const source = {
    width: image.width,
    height: image.height,
    data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
  } as unknown as PNG;
  return PNG.sync.write(source, { colorType: 6, inputColorType: 6, inputHasAlpha: true, deflateLevel: 9 });
}
