/**
 * The three image types Multiview reads and writes, recognised by content (magic bytes), never by file name.
 * A leaf: no imports, browser-safe, so `src/api` (downloads), `src/image` and webviews can all sniff.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

/** `bytes` holds `expected` at `offset` (bounds-checked: false past the end). */
export function bytesAt(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
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

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const RIFF = [0x52, 0x49, 0x46, 0x46] as const;
const WEBP = [0x57, 0x45, 0x42, 0x50] as const;
/** 'VP8 ', 'VP8L', 'VP8X': the first chunk a WebP file may start with. */
const WEBP_FIRST_CHUNKS = [
  [0x56, 0x50, 0x38, 0x20],
  [0x56, 0x50, 0x38, 0x4c],
  [0x56, 0x50, 0x38, 0x58],
] as const;

/**
 * The image type from the first bytes of the content (16 are enough). File names and extensions play no part:
 * a `.png` that holds HTML is not an image, and a JPEG named `.png` is a JPEG.
 *
 * - PNG: the full 8-byte signature.
 * - JPEG: SOI (FF D8) followed by the start of a marker (FF).
 * - WebP: `RIFF` size `WEBP` and a first chunk of `VP8 `, `VP8L` or `VP8X`.
 */
export function sniffImageMime(bytes: Uint8Array): ImageMime | undefined {
  if (bytesAt(bytes, 0, PNG_SIGNATURE)) {
    return 'image/png';
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (bytesAt(bytes, 0, RIFF) && bytesAt(bytes, 8, WEBP) && WEBP_FIRST_CHUNKS.some((chunk) => bytesAt(bytes, 12, chunk))) {
    return 'image/webp';
  }
  return undefined;
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
