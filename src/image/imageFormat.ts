/**
 * Recognising an image by its content (magic bytes), never by its file name, and reading its
 * pixel size from the header alone. Nothing here decodes pixels, allocates in proportion to the
 * file, or imports a decoding library: these run on every image the user picks.
 *
 * Every read is bounds-checked, so a truncated or hostile file gives `undefined`, never an
 * exception or an out-of-range read.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

function startsWith(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  if (offset < 0 || offset + expected.length > bytes.length) {
    return false;
  }
  for (let i = 0; i < expected.length; i++) {
    if (bytes[offset + i] !== expected[i]) {
      return false;
    }
  }
  return true;
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
 * The image type from the first bytes of the content. File names and extensions play no part:
 * a `.png` that holds HTML is not an image, and a JPEG named `.png` is a JPEG.
 *
 * - PNG: the full 8-byte signature.
 * - JPEG: SOI (FF D8) followed by the start of a marker (FF).
 * - WebP: `RIFF` size `WEBP` and a first chunk of `VP8 `, `VP8L` or `VP8X`.
 */
export function sniffImageMime(bytes: Uint8Array): ImageMime | undefined {
  if (startsWith(bytes, 0, PNG_SIGNATURE)) {
    return 'image/png';
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (webpFirstChunk(bytes) !== undefined) {
    return 'image/webp';
  }
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

export function extensionForMime(mime: ImageMime): '.png' | '.jpg' | '.webp' {
  switch (mime) {
    case 'image/png':
      return '.png';
    case 'image/jpeg':
      return '.jpg';
    case 'image/webp':
      return '.webp';
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
    const tiff = start + 6;
    const end = start + length;
    const little = bytes[tiff] === 0x49 && bytes[tiff + 1] === 0x49; // "II"
    const big = bytes[tiff] === 0x4d && bytes[tiff + 1] === 0x4d; // "MM"
    if (!little && !big) {
      return true;
    }
    const r16 = (o: number) => (little ? u16le(bytes, o) : u16be(bytes, o));
    const r32 = (o: number) => (little ? u32le(bytes, o) : u32be(bytes, o));
    if (r16(tiff + 2) !== 42) {
      return true;
    }
    const ifd = tiff + r32(tiff + 4);
    if (ifd + 2 > end) {
      return true;
    }
    const count = r16(ifd);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      if (entry + 12 > end) {
        break;
      }
      if (r16(entry) === 0x0112) {
        const value = r16(entry + 8);
        if (value >= 1 && value <= 8) {
          orientation = value;
        }
        break;
      }
    }
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
