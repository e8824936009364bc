/**
 * PNG encoders for what leaves the worker: palette PNG (written here: PLTE + tRNS + IDAT through Node's zlib; tiny)
 * and RGB/RGBA PNG (pngjs). JPEG is mozjpeg's (mozjpeg.ts).
 */
import { PNG } from 'pngjs';
import { crc32, deflateSync } from 'node:zlib';
import type { RgbaImage } from '../raster';
import { PNG_SIGNATURE } from '../../shared/imageMime';

/**
 * `smallest` tries every row filter at the highest compression (uploads, where bytes count); `fast` uses one filter
 * at level 6 (the six views, on the way to showing the result: about 2.5x faster for files about 3% larger).
 * `opaque` writes RGB (colour type 2): a quarter fewer bytes to deflate, and no alpha channel claiming transparency.
 */
export function encodePng(image: RgbaImage, options: { effort: 'smallest' | 'fast'; opaque: boolean }): Uint8Array {
  // sync.write reads only width, height and data; its typings ask for a whole PNG stream object.
  const source = { width: image.width, height: image.height, data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength) } as unknown as PNG;
  const compression = options.effort === 'smallest' ? { deflateLevel: 9 } : { deflateLevel: 6, filterType: 1 };
  const written = PNG.sync.write(source, { colorType: options.opaque ? 2 : 6, inputColorType: 6, inputHasAlpha: true, ...compression });
  return new Uint8Array(written.buffer, written.byteOffset, written.byteLength);
}

export interface Palette {
  /** RGBA entries. */
  colours: Uint32Array;
  /** One palette index a pixel. */
  indices: Uint8Array;
}

/** The image's palette when it has at most `maxColours` distinct RGBA values; undefined as soon as it has more. */
export function paletteOf(image: RgbaImage, maxColours = 256): Palette | undefined {
  const data = image.data;
  const pixels = image.width * image.height;
  const view = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, pixels) : new Uint32Array(new Uint8Array(data).buffer, 0, pixels);
  const lookup = new Map<number, number>();
  const colours: number[] = [];
  const indices = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const colour = view[p];
    let index = lookup.get(colour);
    if (index === undefined) {
      if (colours.length === maxColours) {
        return undefined;
      }
      index = colours.length;
      colours.push(colour);
      lookup.set(colour, index);
    }
    indices[p] = index;
  }
  return { colours: Uint32Array.from(colours), indices };
}

/** One PNG chunk: length, type, payload, CRC of type and payload. */
export function pngChunk(type: string, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.write(type, 4, 'latin1');
  out.set(payload, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + payload.length)) >>> 0, 8 + payload.length);
  return out;
}

/**
 * An indexed PNG: the smallest bit depth that holds the palette (1, 2, 4 or 8), PLTE, tRNS only when some entry is
 * not opaque (trailing opaque entries omitted, as the spec allows), rows with filter 0 (the usual best for indexed
 * data), deflated at level 9.
 */
export function encodePalettePng(width: number, height: number, palette: Palette): Uint8Array {
  const count = palette.colours.length;
  const bitDepth = count <= 2 ? 1 : count <= 4 ? 2 : count <= 16 ? 4 : 8;
  const perByte = 8 / bitDepth;
  const rowBytes = Math.ceil(width / perByte);
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (rowBytes + 1) + 1; // byte 0 of each row: filter type 0
    const line = y * width;
    for (let x = 0; x < width; x++) {
      const index = palette.indices[line + x];
      raw[row + Math.floor(x / perByte)] |= index << (8 - bitDepth * ((x % perByte) + 1));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 3;
  const plte = new Uint8Array(count * 3);
  const alphas = new Uint8Array(count);
  let lastTransparent = -1;
  palette.colours.forEach((rgba, i) => {
    plte[i * 3] = rgba & 0xff;
    plte[i * 3 + 1] = (rgba >>> 8) & 0xff;
    plte[i * 3 + 2] = (rgba >>> 16) & 0xff;
    alphas[i] = rgba >>> 24;
    if (alphas[i] !== 255) {
      lastTransparent = i;
    }
  });
  const parts = [
    Buffer.from(PNG_SIGNATURE),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', plte),
    ...(lastTransparent >= 0 ? [pngChunk('tRNS', alphas.subarray(0, lastTransparent + 1))] : []),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
