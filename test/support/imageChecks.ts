/**
 * What a test asks of an image a user would look at, decoded by an independent decoder (sharp): where the blue
 * orientation marker is, how close two pictures are (PSNR), the colour of a pixel.
 */
import { MARKER } from './imageCorpus';

type SharpFactory = (input?: unknown, options?: unknown) => import('sharp').Sharp;
const sharp = (): SharpFactory => require('sharp') as SharpFactory;

export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

/** Decoded to RGB by sharp (alpha flattened onto black only if asked; kept otherwise). */
export async function decodeWithSharp(bytes: Uint8Array, options: { keepAlpha?: boolean } = {}): Promise<RawImage> {
  let image = sharp()(Buffer.from(bytes));
  if (!options.keepAlpha) {
    image = image.removeAlpha();
  }
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

/**
 * The centre of the pixels that are clearly the marker's blue (or, in a greyscale picture, the dark grey that blue
 * becomes), as fractions of the width and height; undefined if none.
 */
export function markerCentre(image: RawImage, options: { grey?: boolean } = {}): { x: number; y: number; pixels: number } | undefined {
  const isMarker = options.grey
    ? (r: number, g: number, b: number) => r < 85 && g < 85 && b < 85
    : (r: number, g: number, b: number) => b > 170 && r < 90 && g < 110;
  let sumX = 0;
  let sumY = 0;
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const k = (y * image.width + x) * image.channels;
      if (isMarker(image.data[k], image.data[k + 1], image.data[k + 2])) {
        sumX += x;
        sumY += y;
        count++;
      }
    }
  }
  return count === 0 ? undefined : { x: sumX / count / image.width, y: sumY / count / image.height, pixels: count };
}

/**
 * Where the marker's centre should be in an upload: the upright picture (`upright`) fitted into `content` and centred
 * on a `frame` (the padded square, or the same size when not padded), as fractions of the frame.
 */
export function expectedMarkerCentre(content: { width: number; height: number }, frame: { width: number; height: number }): { x: number; y: number } {
  const cx = (MARKER.x0 + MARKER.x1) / 2;
  const cy = (MARKER.y0 + MARKER.y1) / 2;
  const left = (frame.width - content.width) / 2;
  const top = (frame.height - content.height) / 2;
  return { x: (left + cx * content.width) / frame.width, y: (top + cy * content.height) / frame.height };
}

/** Peak signal-to-noise ratio over the RGB channels of two same-size images, in dB. */
export function psnr(a: RawImage, b: RawImage): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
  let sum = 0;
  const pixels = a.width * a.height;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const d = a.data[p * a.channels + c] - b.data[p * b.channels + c];
      sum += d * d;
    }
  }
  const mse = sum / (pixels * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** sharp's own upload pipeline, the reference: orient, fit in `longSide`, flatten onto grey, pad to a square if asked. */
export async function sharpReference(file: string, options: { longSide: number; pad: boolean; width: number; height: number }): Promise<RawImage> {
  const grey = { r: 127, g: 127, b: 127 };
  let image = sharp()(file).rotate().flatten({ background: grey });
  image = options.pad
    ? image.resize(options.width, options.height, { fit: 'contain', background: grey })
    : image.resize(options.width, options.height, { fit: 'fill' });
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

/** The pixel at (x, y) as [r, g, b]. */
export function pixelAt(image: RawImage, x: number, y: number): [number, number, number] {
  const k = (y * image.width + x) * image.channels;
  return [image.data[k], image.data[k + 1], image.data[k + 2]];
}

/** PNG colour type (IHDR byte 25) and whether a tRNS chunk is present: what the file says about transparency. */
export function pngLayout(bytes: Uint8Array): { colourType: number; bitDepth: number; hasTrns: boolean } {
  const b = Buffer.from(bytes);
  let pos = 8;
  let hasTrns = false;
  while (pos + 8 <= b.length) {
    const length = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (type === 'tRNS') hasTrns = true;
    if (type === 'IEND') break;
    pos += 12 + length;
  }
  return { colourType: b[25], bitDepth: b[24], hasTrns };
}
