/**
 * One decoder for every input the worker gets: PNG (pngjs: every bit depth, palette + tRNS, Adam7, 16-bit), JPEG
 * (TurboJPEG in WASM, scaled while decoding) and WebP (libwebp in WASM, an animation's first frame), always to 8-bit
 * RGBA in the STORED orientation, with what was done recorded. Failures are problems (plain data): truncated vs
 * damaged is decided from the bytes (a missing end marker), not from a decoder's wording.
 */
import { PNG } from 'pngjs';
import { decodePngFast, fastPathLayout, PngFastPathError } from './codecs/pngFast';
import { firstWebpFrame } from './codecs/webpFrames';
import type { JpegScale, WasmCodecs } from './codecs/wasm';
import { jpegEndsWithEoi, readImageHeader, type ColourModel, type ImageHeader } from './imageFormat';
import { inspectImageBytes, type ImageInfo } from './inspect';
import { maxWholeImagePixelsFor } from './limits';
import { type ImageProblem } from './problems';
import { centreOnBackground, cmykToRgba, type RgbaImage } from './raster';

export interface Decoded {
  /** 8-bit RGBA, as stored (EXIF orientation not applied). */
  image: RgbaImage;
  info: ImageInfo;
  header: ImageHeader;
  /** JPEG DCT scaling used: the raster is 1/scale of the stored size (rounded up). 1 for PNG and WebP. */
  scale: JpegScale;
  /** The stored samples were not 8-bit RGB(A): what they were, now converted. */
  convertedFrom?: ColourModel | '16-bit';
  /** An animation: only its first frame was decoded. */
  firstFrameOnly: boolean;
}

export interface DecodeOptions {
  /**
   * The long side the caller will fit the picture into: a JPEG is decoded at the largest power-of-two reduction whose
   * long side is still at least this (never smaller, so the final area-averaged downscale keeps its quality).
   * Undefined: full size.
   */
  targetLongSide?: number;
}

/** The largest of 1/8, 1/4, 1/2, 1/1 whose scaled long side is still >= target. */
export function jpegScaleFor(storedLongSide: number, targetLongSide: number | undefined): JpegScale {
  if (targetLongSide === undefined) {
    return 1;
  }
  for (const scale of [8, 4, 2] as const) {
    if (Math.ceil(storedLongSide / scale) >= targetLongSide) {
      return scale;
    }
  }
  return 1;
}

/** Decodes `bytes` (any PNG/JPEG/WebP), or throws an ImageProblem as plain data. */
export function decodeImage(bytes: Uint8Array, codecs: WasmCodecs, options: DecodeOptions = {}): Decoded {
  const inspection = inspectImageBytes(bytes);
  if (!inspection.ok) {
    throw inspection.problem;
  }
  const { info } = inspection;
  const header = readImageHeader(bytes);
  if (!header) {
    throw problemOf('unreadable-header', info);
  }
  switch (info.mime) {
    case 'image/jpeg':
      return decodeJpeg(bytes, info, header, codecs, options);
    case 'image/png':
      return decodePng(bytes, info, header);
    case 'image/webp':
      return decodeWebp(bytes, info, header, codecs);
  }
}

function decodeJpeg(bytes: Uint8Array, info: ImageInfo, header: ImageHeader, codecs: WasmCodecs, options: DecodeOptions): Decoded {
  const scale = jpegScaleFor(Math.max(info.storedWidth, info.storedHeight), options.targetLongSide);
  const fourChannel = info.colourModel === 'cmyk' || info.colourModel === 'ycck';
  const result = codecs.decodeJpeg(bytes, scale, fourChannel ? 'cmyk' : 'rgba');
  if (!result.ok) {
    throw problemOf(jpegEndsWithEoi(bytes) ? 'damaged' : 'truncated', info);
  }
  // Photoshop's CMYK JPEGs (with the Adobe segment) store inverted samples; YCCK comes out of libjpeg the same way.
  const image = fourChannel
    ? cmykToRgba(result.data, result.width, result.height, header.jpeg?.adobeTransform !== undefined)
    : { width: result.width, height: result.height, data: result.data };
  return {
    image,
    info,
    header,
    scale,
    ...(info.colourModel !== 'rgb' ? { convertedFrom: info.colourModel } : {}),
    firstFrameOnly: false,
  };
}

/** True for a PNG accepted only because it can be streamed (codecs/pngStream.ts): decoding it whole would exceed the budget. */
export function tooBigToDecodeWhole(header: ImageHeader): boolean {
  return header.width * header.height > maxWholeImagePixelsFor(header);
}

function decodePng(bytes: Uint8Array, info: ImageInfo, header: ImageHeader): Decoded {
  if (tooBigToDecodeWhole(header)) {
    const maxPixels = maxWholeImagePixelsFor(header);
    const { width, height } = header;
    const tooMany: ImageProblem = {
      reason: 'too-many-pixels',
      details: { mime: info.mime, width, height, megapixels: Math.round((width * height) / 1e5) / 10, maxMegapixels: Math.floor(maxPixels / 1e6) },
    };
    throw tooMany;
  }
  const layout = info.animated ? undefined : fastPathLayout(bytes);
  if (layout) {
    try {
      const image = decodePngFast(bytes, layout);
      const convertedFrom = info.colourModel !== 'rgb' ? info.colourModel : undefined;
      return { image, info, header, scale: 1, ...(convertedFrom ? { convertedFrom } : {}), firstFrameOnly: false };
    } catch (error) {
      if (!(error instanceof PngFastPathError)) {
        throw error;
      }
      throw problemOf(pngEndsWithIend(bytes) ? 'damaged' : 'truncated', info);
    }
  }
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    throw problemOf(pngEndsWithIend(bytes) ? 'damaged' : 'truncated', info);
  }
  if (png.width !== info.storedWidth || png.height !== info.storedHeight || png.data.length < png.width * png.height * 4) {
    throw problemOf('damaged', info);
  }
  const data = new Uint8Array(png.data.buffer, png.data.byteOffset, png.width * png.height * 4);
  const convertedFrom = info.bitDepth === 16 ? '16-bit' : info.colourModel !== 'rgb' ? info.colourModel : undefined;
  return {
    image: { width: png.width, height: png.height, data },
    info,
    header,
    scale: 1,
    ...(convertedFrom ? { convertedFrom } : {}),
    firstFrameOnly: info.animated,
  };
}

function decodeWebp(bytes: Uint8Array, info: ImageInfo, header: ImageHeader, codecs: WasmCodecs): Decoded {
  const declaredEnd = 8 + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const cutShort = declaredEnd > bytes.byteLength;
  let image: RgbaImage | undefined;
  if (info.animated) {
    const frame = firstWebpFrame(bytes);
    const still = frame && codecs.decodeWebp(frame.still);
    if (frame && still) {
      // The first frame may be smaller than the canvas: place it where the animation shows it.
      const fits = frame.x + still.width <= info.storedWidth && frame.y + still.height <= info.storedHeight;
      image = fits && (still.width !== info.storedWidth || still.height !== info.storedHeight) ? placeOnCanvas(still, frame.x, frame.y, info) : still;
    }
  } else {
    image = codecs.decodeWebp(bytes);
  }
  if (!image) {
    throw problemOf(cutShort ? 'truncated' : 'damaged', info);
  }
  return { image, info, header, scale: 1, firstFrameOnly: info.animated };
}

function placeOnCanvas(frame: RgbaImage, x: number, y: number, info: ImageInfo): RgbaImage {
  const canvas = centreOnBackground({ width: 0, height: 0, data: new Uint8Array(0) }, info.storedWidth, info.storedHeight, null);
  for (let row = 0; row < frame.height; row++) {
    canvas.data.set(frame.data.subarray(row * frame.width * 4, (row + 1) * frame.width * 4), ((y + row) * canvas.width + x) * 4);
  }
  return canvas;
}

/** True when the file ends with the IEND chunk (allowing a little junk after it, as some tools append). */
export function pngEndsWithIend(bytes: Uint8Array): boolean {
  const from = Math.max(8, bytes.length - 1024);
  for (let i = bytes.length - 4; i >= from; i--) {
    if (bytes[i] === 0x49 && bytes[i + 1] === 0x45 && bytes[i + 2] === 0x4e && bytes[i + 3] === 0x44) {
      return true;
    }
  }
  return false;
}

export function problemOf(reason: 'truncated' | 'damaged' | 'unreadable-header', info: ImageInfo): ImageProblem {
  return { reason, details: { mime: info.mime, byteSize: info.byteSize } };
}
