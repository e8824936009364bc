/**
 * A row-streaming PNG decoder for pictures too big to hold whole (a 48 MP 16-bit RGBA studio cut-out is 384 MB of
 * samples): non-interlaced, every bit depth (1-16) and colour type (0, 2, 3, 4, 6), tRNS. The IDAT data is inflated
 * by an async zlib stream (on the thread pool, in chunks) and unfiltered one row at a time here, so memory is a few
 * rows plus whatever the consumer keeps. Every chunk's CRC and the exact inflated length are checked, as the
 * whole-image decoders do; a failure is a PngStreamError (the caller tells truncated from damaged by the bytes).
 */
import { createInflate, crc32 } from 'node:zlib';

/** Thrown for any inconsistency: CRC, zlib data, inflated length, filter type, palette index, missing chunks. */
export class PngStreamError extends Error {}

export interface PngStreamLayout {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** Bytes of one unfiltered row (without its filter byte). */
  rowBytes: number;
  /** Bytes per complete pixel, at least 1 (the filters' left distance). */
  filterStride: number;
  /** Colour type 3: 256 RGBA entries (alpha from tRNS, 255 when absent); an index past the PLTE is damage. */
  palette?: Uint8Array;
  paletteEntries?: number;
  /** tRNS for colour types 0 and 2: the raw sample values (1 or 3) that are fully transparent. */
  transparentSamples?: number[];
  /** The IDAT payloads, in order (views into the file's bytes, nothing copied). */
  idat: Uint8Array[];
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Output chunks of the inflater: big enough that its per-chunk overhead is negligible, small enough to stay short. */
const INFLATE_CHUNK_BYTES = 1 << 20;

/**
 * Walks every chunk of `bytes`, checking each CRC. Throws PngStreamError for a damaged or cut-short file, and for an
 * interlaced one (callers only stream non-interlaced PNGs: limits.ts keeps interlaced ones to the whole-image path).
 */
export function readPngStreamLayout(bytes: Uint8Array): PngStreamLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: { width: number; height: number; bitDepth: number; colourType: number; interlaced: boolean } | undefined;
  let plte: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    if (pos + 12 + length > bytes.length) {
      throw new PngStreamError('chunk past the end');
    }
    const typeAndData = bytes.subarray(pos + 4, pos + 8 + length);
    if ((crc32(typeAndData) >>> 0) !== view.getUint32(pos + 8 + length)) {
      throw new PngStreamError('CRC');
    }
    const type = String.fromCharCode(typeAndData[0], typeAndData[1], typeAndData[2], typeAndData[3]);
    const data = typeAndData.subarray(4);
    if (type === 'IHDR' && length === 13) {
      header = { width: view.getUint32(pos + 8), height: view.getUint32(pos + 12), bitDepth: data[8], colourType: data[9], interlaced: data[12] === 1 };
    } else if (type === 'PLTE') {
      plte = data;
    } else if (type === 'tRNS') {
      trns = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos += 12 + length;
  }
  if (!header || !ended || idat.length === 0 || !CHANNELS[header.colourType] || header.width === 0 || header.height === 0) {
    throw new PngStreamError('no IHDR, IDAT or IEND');
  }
  if (header.interlaced) {
    throw new PngStreamError('interlaced');
  }
  const { width, height, bitDepth, colourType } = header;
  const bitsPerPixel = CHANNELS[colourType] * bitDepth;
  const layout: PngStreamLayout = {
    width,
    height,
    bitDepth,
    colourType,
    rowBytes: Math.ceil((width * bitsPerPixel) / 8),
    filterStride: Math.max(1, bitsPerPixel >> 3),
    idat,
  };
  if (colourType === 3) {
    if (!plte || plte.length % 3 !== 0) {
      throw new PngStreamError('no PLTE');
    }
    const palette = new Uint8Array(256 * 4);
    for (let i = 0; i < plte.length / 3; i++) {
      palette.set(plte.subarray(i * 3, i * 3 + 3), i * 4);
      palette[i * 4 + 3] = trns && i < trns.length ? trns[i] : 255;
    }
    layout.palette = palette;
    layout.paletteEntries = plte.length / 3;
  } else if (trns && (colourType === 0 || colourType === 2)) {
    const samples = colourType === 0 ? 1 : 3;
    if (trns.length >= samples * 2) {
      layout.transparentSamples = Array.from({ length: samples }, (_, i) => (trns[i * 2] << 8) | trns[i * 2 + 1]);
    }
  }
  return layout;
}

/**
 * Inflates and unfilters the rows in order, handing each (unfiltered, without its filter byte; valid only during the
 * call) to `onRow`; `onRow` returns false to stop early (the rest is neither inflated nor checked). `alphaOnly`
 * (colour types 4 and 6, 8 or 16 bits): only the alpha sample's first byte is unfiltered (the PNG filters work on
 * each byte position of a pixel separately), for a pass that only needs where the subject is.
 */
export async function streamPngRows(layout: PngStreamLayout, onRow: (row: Uint8Array, y: number) => boolean, options: { alphaOnly?: boolean } = {}): Promise<void> {
  const { rowBytes, height, filterStride } = layout;
  const alphaByte = options.alphaOnly ? alphaByteOffset(layout) : undefined;
  const inflate = createInflate({ chunkSize: INFLATE_CHUNK_BYTES });
  for (const part of layout.idat) {
    inflate.write(part);
  }
  inflate.end();
  let line = new Uint8Array(rowBytes + 1);
  let prior = new Uint8Array(rowBytes + 1);
  let filled = 0;
  let y = 0;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        if (y === height) {
          throw new PngStreamError('more data than rows');
        }
        const take = Math.min(rowBytes + 1 - filled, chunk.length - offset);
        line.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === rowBytes + 1) {
          unfilterRow(line, y === 0 ? undefined : prior, filterStride, alphaByte);
          if (!onRow(line.subarray(1), y)) {
            return;
          }
          [line, prior] = [prior, line];
          filled = 0;
          y++;
        }
      }
    }
  } catch (error) {
    throw error instanceof PngStreamError ? error : new PngStreamError(`zlib: ${(error as Error).message}`);
  } finally {
    inflate.destroy();
  }
  if (y !== height || filled !== 0) {
    throw new PngStreamError('fewer rows than the header says');
  }
}

/**
 * The offset within a pixel of the alpha sample's most significant byte (8 or 16 bits), so an alpha-only pass reads
 * pixel x's alpha at `row[x * filterStride + offset]` (for 16 bits within 1 of the exact 8-bit value); undefined when
 * alpha is not a channel of its own.
 */
export function alphaByteOffset(layout: PngStreamLayout): number | undefined {
  if (layout.bitDepth < 8 || (layout.colourType !== 4 && layout.colourType !== 6)) {
    return undefined;
  }
  return (CHANNELS[layout.colourType] - 1) * (layout.bitDepth >> 3);
}

/** Reverses `line`'s filter in place (`line[0]` is the filter type); only byte position `only` of each pixel when given. */
function unfilterRow(line: Uint8Array, prior: Uint8Array | undefined, bpp: number, only: number | undefined): void {
  const end = line.length;
  const first = 1 + (only ?? 0);
  const step = only === undefined ? 1 : bpp;
  switch (line[0]) {
    case 0:
      return;
    case 1:
      for (let i = first + bpp; i < end; i += step) line[i] += line[i - bpp];
      return;
    case 2:
      if (prior) for (let i = first; i < end; i += step) line[i] += prior[i];
      return;
    case 3:
      for (let i = first; i < end; i += step) {
        const left = i - bpp >= 1 ? line[i - bpp] : 0;
        line[i] += (left + (prior ? prior[i] : 0)) >> 1;
      }
      return;
    case 4:
      if (!prior) {
        // Paeth on the first row is Sub (the row above is zeros).
        for (let i = first + bpp; i < end; i += step) line[i] += line[i - bpp];
        return;
      }
      for (let i = first; i < first + bpp && i < end; i += step) line[i] += prior[i];
      for (let i = first + bpp; i < end; i += step) {
        const a = line[i - bpp];
        const b = prior[i];
        const c = prior[i - bpp];
        const pa = b > c ? b - c : c - b; // |p - a| where p = a + b - c
        const pb = a > c ? a - c : c - a;
        const pac = a + b - c - c;
        const pc = pac > 0 ? pac : -pac;
        line[i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      return;
    default:
      throw new PngStreamError('filter');
  }
}

/**
 * One unfiltered row's pixels `from` to `to` as 8-bit RGBA into `out` (from its start), exactly as pngjs converts:
 * samples scaled by floor(v * 255 / max + 0.5), palette entries with their tRNS alpha, a tRNS colour fully
 * transparent (all four bytes 0).
 */
export function rowToRgba(layout: PngStreamLayout, row: Uint8Array, out: Uint8Array, from = 0, to = layout.width): void {
  const { bitDepth, colourType, palette, transparentSamples } = layout;
  const channels = CHANNELS[colourType];
  if (bitDepth === 8 && !transparentSamples && colourType !== 3) {
    for (let x = from, s = from * channels, o = 0; x < to; x++, o += 4) {
      if (channels >= 3) {
        out[o] = row[s];
        out[o + 1] = row[s + 1];
        out[o + 2] = row[s + 2];
        out[o + 3] = channels === 4 ? row[s + 3] : 255;
      } else {
        out[o] = out[o + 1] = out[o + 2] = row[s];
        out[o + 3] = channels === 2 ? row[s + 1] : 255;
      }
      s += channels;
    }
    return;
  }
  const max = (1 << bitDepth) - 1;
  const sample = (index: number): number => {
    if (bitDepth === 16) return (row[index * 2] << 8) | row[index * 2 + 1];
    if (bitDepth === 8) return row[index];
    const bit = index * bitDepth;
    return (row[bit >> 3] >> (8 - bitDepth - (bit & 7))) & max;
  };
  const scale = (value: number): number => Math.floor((value * 255) / max + 0.5);
  for (let x = from, o = 0; x < to; x++, o += 4) {
    const base = x * channels;
    if (colourType === 3) {
      const index = sample(base);
      if (index >= layout.paletteEntries!) {
        throw new PngStreamError('palette index');
      }
      out.set(palette!.subarray(index * 4, index * 4 + 4), o);
      continue;
    }
    const first = sample(base);
    if (channels >= 3) {
      const g = sample(base + 1);
      const b = sample(base + 2);
      if (transparentSamples && first === transparentSamples[0] && g === transparentSamples[1] && b === transparentSamples[2]) {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
        continue;
      }
      out[o] = scale(first);
      out[o + 1] = scale(g);
      out[o + 2] = scale(b);
      out[o + 3] = channels === 4 ? scale(sample(base + 3)) : 255;
    } else {
      if (transparentSamples && first === transparentSamples[0]) {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
        continue;
      }
      out[o] = out[o + 1] = out[o + 2] = scale(first);
      out[o + 3] = channels === 2 ? scale(sample(base + 1)) : 255;
    }
  }
}
