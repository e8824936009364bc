/**
 * Background removal for the contract server's removebg routes (docs/api-contract.md §12): decode the image that was
 * sent (PNG or JPEG, with the codecs the repo already has), make the pixels close to the border colour transparent
 * with a soft edge, and encode a real PNG: the cut-out, or the mask alone. A stand-in for the service's model,
 * good enough that a client's compositing, saving and display can be checked on real pixels.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface RgbaImage {
  width: number;
  height: number;
  /** 4 bytes a pixel, row-major. */
  data: Buffer;
}

export interface CutoutOptions {
  /** Return the mask (white subject on black, greyscale PNG) instead of the cut-out. */
  onlyMask?: boolean;
  /** Swap subject and background. */
  inverseMask?: boolean;
  /** Refine the edge with the two thresholds below (on a 0-255 mask): a wider, graded edge. */
  alphaMatting?: boolean;
  /** Snap the mask to fully opaque or fully transparent (a clean mask without a soft edge). */
  postProcessMask?: boolean;
  /** Mask values at or above this are subject (alpha matting only); default 240. */
  foregroundThreshold?: number;
  /** Mask values at or below this are background (alpha matting only); default 20. */
  backgroundThreshold?: number;
}

/** How far (RGB distance) a pixel must be from the border colour to start, and to finish, being subject. */
const EDGE_START = 24;
const EDGE_END = 64;
/** Bigger decodes are refused: the server runs in the test's own process. */
const MAX_DECODE_MEGAPIXELS = 40;

/** PNG or JPEG bytes as RGBA pixels, or a sentence saying why they cannot be read. */
export function decodeImage(bytes: Buffer): RgbaImage | string {
  try {
    if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: png.data };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_DECODE_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
      return { width: decoded.width, height: decoded.height, data: Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength) };
    }
    return 'The image must be a PNG or JPEG file.';
  } catch (error) {
    return `The image could not be read (${error instanceof Error ? error.message : String(error)}).`;
  }
}

/** The cut-out (or mask) of an image, as PNG bytes. */
export function removeBackground(image: RgbaImage, options: CutoutOptions = {}): Buffer {
  const mask = subjectMask(image, options);
  const png = new PNG({ width: image.width, height: image.height });
  for (let pixel = 0; pixel < mask.length; pixel++) {
    const offset = pixel * 4;
    const alpha = mask[pixel];
    if (options.onlyMask) {
      png.data[offset] = png.data[offset + 1] = png.data[offset + 2] = alpha;
      png.data[offset + 3] = 255;
    } else if (alpha > 0) {
      image.data.copy(png.data, offset, offset, offset + 3);
      png.data[offset + 3] = alpha;
    } // else: transparent black, as rembg leaves the background
  }
  return PNG.sync.write(png, options.onlyMask ? { colorType: 0 } : { colorType: 6 });
}

/** One byte a pixel: 255 for subject, 0 for background, graded in between. */
export function subjectMask(image: RgbaImage, options: CutoutOptions = {}): Uint8Array {
  const { width, height, data } = image;
  const [backgroundR, backgroundG, backgroundB] = borderColour(image);
  const foreground = options.foregroundThreshold ?? 240;
  const background = options.backgroundThreshold ?? 20;
  const mask = new Uint8Array(width * height);
  for (let pixel = 0; pixel < mask.length; pixel++) {
    const offset = pixel * 4;
    const distance = Math.hypot(data[offset] - backgroundR, data[offset + 1] - backgroundG, data[offset + 2] - backgroundB);
    let value = Math.round(255 * clamp01((distance - EDGE_START) / (EDGE_END - EDGE_START)));
    if (options.alphaMatting) {
      value = value >= foreground ? 255 : value <= background ? 0 : Math.round((255 * (value - background)) / Math.max(1, foreground - background));
    }
    if (options.inverseMask) value = 255 - value;
    if (options.postProcessMask) value = value >= 128 ? 255 : 0;
    // A pixel that was already transparent stays so.
    mask[pixel] = Math.round((value * data[offset + 3]) / 255);
  }
  return mask;
}

/** The median colour of the outermost pixels: what a photo of an object on a plain backdrop has around it. */
function borderColour({ width, height, data }: RgbaImage): [number, number, number] {
  const channels: [number[], number[], number[]] = [[], [], []];
  const sample = (x: number, y: number): void => {
    const offset = (y * width + x) * 4;
    for (let channel = 0; channel < 3; channel++) channels[channel].push(data[offset + channel]);
  };
  for (let x = 0; x < width; x++) {
    sample(x, 0);
    sample(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    sample(0, y);
    sample(width - 1, y);
  }
  return channels.map((values) => values.sort((a, b) => a - b)[values.length >> 1]) as [number, number, number];
}

/** The cut-out flattened onto white and encoded as JPEG: what a service answers when it drops the transparency. */
export function flattenedJpeg(cutoutPng: Buffer): Buffer {
  const png = PNG.sync.read(cutoutPng);
  const rgba = Buffer.alloc(png.width * png.height * 4);
  for (let offset = 0; offset < rgba.length; offset += 4) {
    const alpha = png.data[offset + 3] / 255;
    for (let channel = 0; channel < 3; channel++) rgba[offset + channel] = Math.round(png.data[offset + channel] * alpha + 255 * (1 - alpha));
    rgba[offset + 3] = 255;
  }
  return Buffer.from(jpeg.encode({ width: png.width, height: png.height, data: rgba }, 85).data);
}

let photoPlaceholder: Buffer | undefined;

/**
 * What the server pretends to find behind an image URL it cannot reach (the tests' made-up hosts): a 256 x 256
 * "photo" of a red mug on a warm, slightly graded backdrop.
 */
export function photoPlaceholderPng(): Buffer {
  if (!photoPlaceholder) {
    const side = 256;
    const png = new PNG({ width: side, height: side });
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const offset = (y * side + x) * 4;
        const body = x >= 78 && x < 168 && y >= 70 && y < 190;
        const handle = Math.abs(Math.hypot(x - 168, y - 130) - 30) < 8 && x >= 168;
        const shade = Math.round((y / side) * 10);
        png.data.set(body || handle ? [200 - (x - 78), 40, 45, 255] : [236 - shade, 228 - shade, 214 - shade, 255], offset);
      }
    }
    photoPlaceholder = PNG.sync.write(png);
  }
  return photoPlaceholder;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
