/**
 * Recognising an image by its content (magic bytes), never by its file name, and reading its
 * pixel size from the header alone. Nothing here decodes pixels, allocates in proportion to the
 * file, or imports a decoding library: these run on every image the user picks.
 *
 * Every read is bounds-checked, so a truncated or hostile file gives `undefined`, never an
 * exception or an out-of-range read.
 */

import { bytesAt as startsWith, extensionForMime, type ImageMime, PNG_SIGNATURE, sniffImageMime } from '../shared/imageMime';

// Moved to the shared leaf so `src/api` can sniff without importing `src/image`; re-exported for existing imports.
export { extensionForMime, sniffImageMime };
export type { ImageMime };

export interface ImageSize {
  width: number;
  height: number;
}


function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const VP8_LOSSY = ascii('VP8 ');
const VP8_LOSSLESS = ascii('VP8L');
const VP8_EXTENDED = ascii('VP8X');
const IHDR = ascii('IHDR');

function u16be(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
function u24le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
}
function u32be(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** The fourcc of the first chunk of a WebP file ('VP8 ', 'VP8L' or 'VP8X'), if the RIFF header says WebP. */
function webpFirstChunk(bytes: Uint8Array): 'VP8 ' | 'VP8L' | 'VP8X' | undefined {
  if (!startsWith(bytes, 0, RIFF) || !startsWith(bytes, 8, WEBP)) {
    return undefined;
  }
  if (startsWith(bytes, 12, VP8_LOSSY)) return 'VP8 ';
  if (startsWith(bytes, 12, VP8_LOSSLESS)) return 'VP8L';
  if (startsWith(bytes, 12, VP8_EXTENDED)) return 'VP8X';
  return undefined;
}

/**
 * The pixel size stored in the image's header, without decoding the image. `undefined` when the
 * content is not a PNG/JPEG/WebP or the header is truncated or malformed. A zero dimension is
 * reported as read (the caller decides what it accepts).
 *
 * For a JPEG this is the size of the coded frame; an EXIF orientation of 5 to 8 means a viewer
 * shows it rotated, with width and height swapped (see `readJpegExifOrientation`).
 */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  switch (sniffImageMime(bytes)) {
    case 'image/png':
      return readPngSize(bytes);
    case 'image/jpeg':
      return readJpegSize(bytes);
    case 'image/webp':
      return readWebpSize(bytes);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// PNG

/** PNG colour type and whether the header chunks before the image data announce transparency. */
export interface PngHeaderInfo extends ImageSize {
  bitDepth: number;
  colorType: number;
  /** The colour type has an alpha channel (4, 6) or a tRNS chunk precedes IDAT. */
  mayHaveAlpha: boolean;
}

function readPngSize(bytes: Uint8Array): ImageSize | undefined {
  const info = readPngHeader(bytes);
  return info && { width: info.width, height: info.height };
}

/** IHDR must be the first chunk, 13 bytes long: width, height (u32 BE), bit depth, colour type, ... */
export function readPngHeader(bytes: Uint8Array): PngHeaderInfo | undefined {
  if (!startsWith(bytes, 0, PNG_SIGNATURE) || bytes.length < 8 + 8 + 13) {
    return undefined;
  }
  if (u32be(bytes, 8) !== 13 || !startsWith(bytes, 12, IHDR)) {
    return undefined;
  }
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  if (width > 0x7fffffff || height > 0x7fffffff) {
    return undefined; // the PNG spec limits both to 2^31 - 1
  }
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  let mayHaveAlpha = colorType === 4 || colorType === 6;
  if (!mayHaveAlpha) {
    // Walk the chunks up to the first IDAT looking for tRNS. Bounded by the file length.
    let pos = 8;
    while (pos + 8 <= bytes.length) {
      const length = u32be(bytes, pos);
      const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
      if (type === 'tRNS') {
        mayHaveAlpha = true;
        break;
      }
      if (type === 'IDAT' || type === 'IEND' || length > 0x7fffffff) {
        break;
      }
      pos += 12 + length;
    }
  }
  return { width, height, bitDepth, colorType, mayHaveAlpha };
}

// ---------------------------------------------------------------------------------------------
// JPEG

/** SOF markers: C0-CF except C4 (DHT), C8 (JPG extension) and CC (DAC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers that stand alone, without a length: TEM, RST0-7, SOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

interface JpegSegment {
  marker: number;
  /** Offset of the segment's payload (after the 2 length bytes). */
  start: number;
  /** Payload length (the length field minus 2). */
  length: number;
}

/**
 * Walk the JPEG header segments (everything before the first SOS) and call `visit` on each one;
 * stop when `visit` returns true. Fill bytes (FF FF ...) are skipped, as are stray bytes between
 * segments (as libjpeg does); every length is checked against the buffer.
 */
function walkJpegSegments(bytes: Uint8Array, visit: (segment: JpegSegment) => boolean): void {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    return;
  }
  let pos = 2;
  while (pos < bytes.length) {
    // Find the next marker prefix.
    if (bytes[pos] !== 0xff) {
      pos++;
      continue;
    }
    // Skip fill bytes.
    while (pos < bytes.length && bytes[pos] === 0xff) {
      pos++;
    }
    if (pos >= bytes.length) {
      return;
    }
    const marker = bytes[pos];
    pos++;
    if (marker === 0x00 || isStandalone(marker)) {
      continue; // a stuffed zero cannot occur here but is harmless to step over
    }
    if (marker === 0xd9 || marker === 0xda) {
      return; // EOI, or SOS: the entropy-coded data starts, no frame header after this point
    }
    if (pos + 2 > bytes.length) {
      return;
    }
    const segmentLength = u16be(bytes, pos);
    if (segmentLength < 2) {
      return;
    }
    const start = pos + 2;
    const length = segmentLength - 2;
    if (start + length > bytes.length) {
      // Truncated segment: still let a SOF be read if its fixed part is present.
      visit({ marker, start, length: Math.max(0, bytes.length - start) });
      return;
    }
    if (visit({ marker, start, length })) {
      return;
    }
    pos = start + length;
  }
}

function readJpegSize(bytes: Uint8Array): ImageSize | undefined {
  let size: ImageSize | undefined;
  walkJpegSegments(bytes, ({ marker, start, length }) => {
    if (!isStartOfFrame(marker)) {
      return false;
    }
    // precision (1), height (2), width (2), then the component count and table
    if (length >= 5) {
      const height = u16be(bytes, start + 1);
      const width = u16be(bytes, start + 3);
      // A height of 0 means it is given later by a DNL marker: not readable from the header.
      if (height > 0) {
        size = { width, height };
      }
    }
    return true;
  });
  return size;
}

/**
 * The EXIF orientation (1-8) of a JPEG, or 1 when absent or unreadable. 1 = as stored;
 * 2 = mirrored; 3 = 180°; 4 = flipped; 5 = transposed; 6 = 90° clockwise; 7 = transversed;
 * 8 = 90° counter-clockwise.
 */
export function readJpegExifOrientation(bytes: Uint8Array): number {
  let orientation = 1;
  walkJpegSegments(bytes, ({ marker, start, length }) => {
    if (marker !== 0xe1 || length < 14 || !startsWith(bytes, start, [...ascii('Exif'), 0, 0])) {
      return false;
    }
    orientation = readTiffOrientation(bytes, start + 6, start + length) ?? 1;
    return true;
  });
  return orientation;
}

// ---------------------------------------------------------------------------------------------
// WebP

function readWebpSize(bytes: Uint8Array): ImageSize | undefined {
  const chunk = webpFirstChunk(bytes);
  const payload = 20; // 'RIFF' size 'WEBP' fourcc chunk-size
  switch (chunk) {
    case 'VP8 ': {
      // Frame tag (3 bytes; bit 0 of the first is 0 for a key frame), start code 9D 01 2A,
      // then 14-bit width and height (the top 2 bits of each are a scaling hint).
      if (bytes.length < payload + 10 || (bytes[payload] & 1) !== 0) {
        return undefined;
      }
      if (!startsWith(bytes, payload + 3, [0x9d, 0x01, 0x2a])) {
        return undefined;
      }
      return {
        width: u16le(bytes, payload + 6) & 0x3fff,
        height: u16le(bytes, payload + 8) & 0x3fff,
      };
    }
    case 'VP8L': {
      // Signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha, 3 bits version (0).
      if (bytes.length < payload + 5 || bytes[payload] !== 0x2f) {
        return undefined;
      }
      const bits = u32le(bytes, payload + 1);
      if (bits >>> 29 !== 0) {
        return undefined;
      }
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    case 'VP8X': {
      // Flags (1 byte), reserved (3), canvas width-1 (24 bits LE), canvas height-1 (24 bits LE).
      if (bytes.length < payload + 10) {
        return undefined;
      }
      return { width: u24le(bytes, payload + 4) + 1, height: u24le(bytes, payload + 7) + 1 };
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Everything a header says (for inspection before any pixel is decoded)

/** How the stored samples describe colour. `ycck` and `cmyk` are 4-channel JPEGs (print). */
export type ColourModel = 'rgb' | 'grey' | 'cmyk' | 'ycck' | 'palette';

/** JPEG coding processes that the decoder here refuses (libjpeg-turbo's TurboJPEG API). */
export type UnsupportedJpegVariant = 'arithmetic-coding' | 'lossless' | 'hierarchical' | '12-bit' | 'unusual-components';

export interface JpegHeaderFacts {
  /** SOF marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive, ...). */
  frameMarker: number;
  precision: number;
  components: number;
  /** Largest horizontal and vertical sampling factors (2,2 = 4:2:0; 1,1 = 4:4:4). */
  maxSampling: { horizontal: number; vertical: number };
  /** Stored samples per pixel over all components (1.5 for 4:2:0 YCbCr, 3 for 4:4:4, 4 for CMYK at full size). */
  samplesPerPixel: number;
  /** The APP14 "Adobe" segment's transform (0 = none/CMYK, 1 = YCbCr, 2 = YCCK), when present. */
  adobeTransform?: number;
  /** Why the decoder here cannot decode it, when it cannot. */
  unsupported?: UnsupportedJpegVariant;
}

export interface WebpHeaderFacts {
  /** The first chunk: simple lossy, simple lossless, or extended (VP8X: alpha, animation, metadata). */
  kind: 'VP8 ' | 'VP8L' | 'VP8X';
  /** VP8X says an EXIF chunk follows somewhere in the file (usually after the image data). */
  hasExifChunk: boolean;
}

/** Facts from the header alone; nothing here needs the pixels. */
export interface ImageHeader {
  mime: ImageMime;
  /** As stored (before EXIF orientation). */
  width: number;
  height: number;
  /** EXIF orientation 1-8 found in the header (1 when absent). A WebP's EXIF chunk at the end is read by inspect. */
  orientation: number;
  colourModel: ColourModel;
  /** Bits per sample (8 for JPEG and WebP; 1-16 for PNG). */
  bitDepth: number;
  /** May have transparency: an alpha channel, a tRNS chunk, or WebP's alpha flag. Only the pixels can say if any is. */
  hasAlpha: boolean;
  /** Progressive JPEG or Adam7-interlaced PNG. */
  progressive: boolean;
  /** APNG (acTL before IDAT) or animated WebP (VP8X animation flag). */
  animated: boolean;
  jpeg?: JpegHeaderFacts;
  webp?: WebpHeaderFacts;
}

/**
 * Every fact in the header of a PNG, JPEG or WebP whose first bytes (or all of them) are `bytes`; `undefined` when
 * the content is not one of them or the header is truncated or malformed before the size. Never throws.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  switch (sniffImageMime(bytes)) {
    case 'image/png':
      return readPngImageHeader(bytes);
    case 'image/jpeg':
      return readJpegImageHeader(bytes);
    case 'image/webp':
      return readWebpImageHeader(bytes);
    default:
      return undefined;
  }
}

function readPngImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const info = readPngHeader(bytes);
  if (!info || bytes.length < 29) {
    return undefined;
  }
  const colourModel: ColourModel | undefined = ({ 0: 'grey', 2: 'rgb', 3: 'palette', 4: 'grey', 6: 'rgb' } as Record<number, ColourModel>)[info.colorType];
  if (!colourModel) {
    return undefined;
  }
  let animated = false;
  let orientation = 1;
  walkPngChunks(bytes, (type, start, length) => {
    if (type === 'acTL') {
      animated = true;
    } else if (type === 'eXIf') {
      orientation = readTiffOrientation(bytes, start, start + length) ?? orientation;
    }
    return type === 'IDAT';
  });
  return {
    mime: 'image/png',
    width: info.width,
    height: info.height,
    orientation,
    colourModel,
    bitDepth: info.bitDepth,
    hasAlpha: info.mayHaveAlpha,
    progressive: bytes[28] === 1,
    animated,
  };
}

/** Calls `visit(type, payloadStart, payloadLength)` for each chunk present in `bytes`, until it returns true. */
export function walkPngChunks(bytes: Uint8Array, visit: (type: string, start: number, length: number) => boolean): void {
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const length = u32be(bytes, pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    if (length > 0x7fffffff || visit(type, pos + 8, Math.min(length, Math.max(0, bytes.length - pos - 8))) || type === 'IEND') {
      return;
    }
    pos += 12 + length;
  }
}

function readJpegImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  let frame:
    | { marker: number; precision: number; width: number; height: number; components: number; h: number; v: number; samplesPerPixel: number }
    | undefined;
  let adobeTransform: number | undefined;
  walkJpegSegments(bytes, ({ marker, start, length }) => {
    if (marker === 0xee && length >= 12 && startsWith(bytes, start, ascii('Adobe'))) {
      adobeTransform = bytes[start + 11];
    } else if (isStartOfFrame(marker) && length >= 6) {
      const components = bytes[start + 5];
      const factors: Array<[number, number]> = [];
      for (let i = 0; i < components && start + 6 + i * 3 + 2 <= start + length; i++) {
        const sampling = bytes[start + 6 + i * 3 + 1];
        factors.push([Math.max(1, sampling >> 4), Math.max(1, sampling & 15)]);
      }
      const h = Math.max(1, ...factors.map(([x]) => x));
      const v = Math.max(1, ...factors.map(([, y]) => y));
      const samplesPerPixel = factors.reduce((sum, [x, y]) => sum + (x * y) / (h * v), 0) || components;
      frame = { marker, precision: bytes[start], height: u16be(bytes, start + 1), width: u16be(bytes, start + 3), components, h, v, samplesPerPixel };
      // Keep walking: an Adobe segment may (rarely) follow the frame header.
    }
    return false;
  });
  if (!frame || frame.height === 0 || frame.width === 0) {
    return undefined;
  }
  const { marker, precision, components } = frame;
  const unsupported: UnsupportedJpegVariant | undefined =
    marker >= 0xc9 ? 'arithmetic-coding' // C9-CB, CD-CF (CC is DAC, not a frame)
    : marker === 0xc3 || marker === 0xc7 ? 'lossless'
    : marker >= 0xc5 ? 'hierarchical'
    : precision !== 8 ? '12-bit'
    : components !== 1 && components !== 3 && components !== 4 ? 'unusual-components'
    : undefined;
  const colourModel: ColourModel = components === 1 ? 'grey' : components === 4 ? (adobeTransform === 2 ? 'ycck' : 'cmyk') : 'rgb';
  return {
    mime: 'image/jpeg',
    width: frame.width,
    height: frame.height,
    orientation: readJpegExifOrientation(bytes),
    colourModel,
    bitDepth: precision,
    hasAlpha: false,
    progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
    animated: false,
    jpeg: {
      frameMarker: marker,
      precision,
      components,
      maxSampling: { horizontal: frame.h, vertical: frame.v },
      samplesPerPixel: frame.samplesPerPixel,
      ...(adobeTransform !== undefined ? { adobeTransform } : {}),
      ...(unsupported ? { unsupported } : {}),
    },
  };
}

function readWebpImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const kind = webpFirstChunk(bytes);
  const size = readWebpSize(bytes);
  if (!kind || !size || size.width === 0 || size.height === 0) {
    return undefined;
  }
  const flags = kind === 'VP8X' ? bytes[20] : 0;
  // VP8L's header has an "alpha is used" hint bit (bit 28 of the 32 bits after the signature).
  const losslessAlpha = kind === 'VP8L' && bytes.length >= 25 && ((u32le(bytes, 21) >>> 28) & 1) === 1;
  let orientation = 1;
  if (kind === 'VP8X' && (flags & 0x08) !== 0) {
    walkWebpChunks(bytes, (fourcc, start, length) => {
      if (fourcc === 'EXIF') {
        orientation = readWebpExifOrientation(bytes.subarray(start, start + length)) ?? 1;
        return true;
      }
      return false;
    });
  }
  return {
    mime: 'image/webp',
    width: size.width,
    height: size.height,
    orientation,
    colourModel: 'rgb',
    bitDepth: 8,
    hasAlpha: kind === 'VP8X' ? (flags & 0x10) !== 0 : losslessAlpha,
    progressive: false,
    animated: kind === 'VP8X' && (flags & 0x02) !== 0,
    webp: { kind, hasExifChunk: kind === 'VP8X' && (flags & 0x08) !== 0 },
  };
}

/** RIFF chunks of a WebP after the 12-byte file header, while they are inside `bytes`; stops when `visit` returns true. */
export function walkWebpChunks(bytes: Uint8Array, visit: (fourcc: string, start: number, length: number) => boolean): void {
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const fourcc = String.fromCharCode(bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]);
    const length = u32le(bytes, pos + 4);
    if (visit(fourcc, pos + 8, Math.min(length, Math.max(0, bytes.length - pos - 8)))) {
      return;
    }
    pos += 8 + length + (length & 1); // chunks are padded to an even length
  }
}

/** One RIFF chunk header (8 bytes): its fourcc and payload length. */
export function readRiffChunkHeader(bytes: Uint8Array): { fourcc: string; length: number } | undefined {
  if (bytes.length < 8) {
    return undefined;
  }
  return { fourcc: String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]), length: u32le(bytes, 4) };
}

/** A WebP EXIF chunk's payload is a TIFF header, though some writers put JPEG's "Exif\0\0" before it. */
export function readWebpExifOrientation(payload: Uint8Array): number | undefined {
  const offset = startsWith(payload, 0, [...ascii('Exif'), 0, 0]) ? 6 : 0;
  return readTiffOrientation(payload, offset, payload.length);
}

/** The Orientation tag (0x0112) of IFD0 of the TIFF structure at `tiff` (bounded by `end`), if valid. */
export function readTiffOrientation(bytes: Uint8Array, tiff: number, end: number): number | undefined {
  end = Math.min(end, bytes.length);
  if (tiff + 8 > end) {
    return undefined;
  }
  const little = bytes[tiff] === 0x49 && bytes[tiff + 1] === 0x49; // "II"
  const big = bytes[tiff] === 0x4d && bytes[tiff + 1] === 0x4d; // "MM"
  if (!little && !big) {
    return undefined;
  }
  const r16 = (o: number) => (little ? u16le(bytes, o) : u16be(bytes, o));
  const r32 = (o: number) => (little ? u32le(bytes, o) : u32be(bytes, o));
  if (r16(tiff + 2) !== 42) {
    return undefined;
  }
  const ifd = tiff + r32(tiff + 4);
  if (ifd + 2 > end) {
    return undefined;
  }
  const count = r16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) {
      return undefined;
    }
    if (r16(entry) === 0x0112) {
      const value = r16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** Offset of the first byte after the first SOS segment's header (where entropy-coded data starts), or undefined. */
export function jpegScanStart(bytes: Uint8Array): number | undefined {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) {
      pos++;
      continue;
    }
    const marker = bytes[pos + 1];
    if (marker === 0xff || marker === 0x00 || isStandalone(marker)) {
      pos += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = u16be(bytes, pos + 2);
    if (marker === 0xda) {
      return pos + 2 + length <= bytes.length ? pos + 2 + length : undefined;
    }
    if (marker === 0xd9 || length < 2) {
      return undefined;
    }
    pos += 2 + length;
  }
  return undefined;
}

/**
 * Whether a JPEG's data ends well: an EOI marker (FF D9) after the start of the scan data, within the file's last
 * 64 KB (some cameras and editors append a trailer after EOI). A file cut short ends inside the entropy data, without
 * EOI; an EXIF thumbnail's own EOI (in the header, before the scan) does not count.
 */
export function jpegEndsWithEoi(bytes: Uint8Array): boolean {
  const scan = jpegScanStart(bytes);
  if (scan === undefined) {
    return false;
  }
  const from = Math.max(scan, bytes.length - 65536);
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) {
      return true;
    }
  }
  return false;
}
