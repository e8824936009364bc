/**
 * Inspection of the file the user chose, on the calling thread, before any question is asked: what it is, how big,
 * which way up, and whether it can be decoded at all. Reads only what it needs (the first 256 KB, plus a few 8-byte
 * RIFF chunk headers to find a WebP's EXIF chunk near the end), with async reads, and parses headers in well under
 * a millisecond: nothing here decodes pixels.
 */
import { open } from 'node:fs/promises';
import { type ImageHeader, readImageHeader, readRiffChunkHeader, readWebpExifOrientation } from './imageFormat';
import { MAX_IMAGE_SIDE, maxPixelsFor } from './limits';
import type { ImageProblem } from './problems';
import { sniffImageMime } from '../shared/imageMime';

/** Enough for the PNG chunks before the pixels, or a JPEG's EXIF, ICC profile and frame header. */
export const HEADER_BYTES = 256 * 1024;
/** When a JPEG's frame header is not in the first HEADER_BYTES (huge metadata), read this much once more. */
const LONG_HEADER_BYTES = 4 * 1024 * 1024;
/** At most this many RIFF chunk headers are read looking for a WebP's EXIF chunk (an animation has one per frame). */
const MAX_WEBP_CHUNK_READS = 64;
const MAX_EXIF_BYTES = 64 * 1024;

/** The header's facts (see ImageHeader), with the size both as stored and as shown, and the file's size. */
export interface ImageInfo extends Pick<ImageHeader, 'mime' | 'orientation' | 'colourModel' | 'bitDepth' | 'hasAlpha' | 'progressive' | 'animated'> {
  storedWidth: number;
  storedHeight: number;
  /** As a viewer shows it (EXIF orientation 5-8 swaps the sides). */
  width: number;
  height: number;
  byteSize: number;
}

export type ImageInspection = { ok: true; info: ImageInfo } | { ok: false; problem: ImageProblem };

/** Padding to a square changes something only for an image that is not square or may have transparency. */
export function paddingMatters(info: ImageInfo): boolean {
  return info.width !== info.height || info.hasAlpha;
}

/**
 * Background removal is worth offering for a picture with a background: one that has no transparency already (a
 * cut-out does), whatever its format.
 */
export function backgroundRemovalMatters(info: ImageInfo): boolean {
  return !info.hasAlpha;
}

/** Inspects the image file at `path` (see the file comment). Never throws: an unreadable file is a problem too. */
export async function inspectImageFile(path: string): Promise<ImageInspection> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    return { ok: false, problem: { reason: 'unreadable-file', details: { code: errorCode(error) } } };
  }
  try {
    const { size: byteSize } = await file.stat();
    const readAt = async (position: number, length: number): Promise<Uint8Array> => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, byteSize - position)));
      const { bytesRead } = buffer.length > 0 ? await file.read(buffer, 0, buffer.length, position) : { bytesRead: 0 };
      return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
    };
    let head = await readAt(0, HEADER_BYTES);
    let header = readImageHeader(head);
    if (!header && sniffImageMime(head) === 'image/jpeg' && byteSize > head.length) {
      head = await readAt(0, LONG_HEADER_BYTES);
      header = readImageHeader(head);
    }
    if (header?.webp?.hasExifChunk && header.orientation === 1) {
      header = { ...header, orientation: (await findWebpOrientation(readAt, byteSize)) ?? 1 };
    }
    return inspectHeader(head, header, byteSize);
  } catch (error) {
    return { ok: false, problem: { reason: 'unreadable-file', details: { code: errorCode(error) } } };
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * The same judgement from bytes in memory (the whole file, or its first bytes with `byteSize` the file's size), for
 * the worker's ops, which may be given bytes rather than a path.
 */
export function inspectImageBytes(bytes: Uint8Array, byteSize = bytes.byteLength): ImageInspection {
  return inspectHeader(bytes, readImageHeader(bytes), byteSize);
}

function inspectHeader(head: Uint8Array, header: ImageHeader | undefined, byteSize: number): ImageInspection {
  const mime = sniffImageMime(head);
  if (!mime) {
    return { ok: false, problem: { reason: 'not-an-image', details: { byteSize } } };
  }
  if (!header) {
    return { ok: false, problem: { reason: 'unreadable-header', details: { mime, byteSize } } };
  }
  const { width, height } = header;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    return { ok: false, problem: { reason: 'too-large-dimensions', details: { mime, width, height, maxSide: MAX_IMAGE_SIDE } } };
  }
  const maxPixels = maxPixelsFor(header);
  if (width * height > maxPixels) {
    const megapixels = Math.round((width * height) / 1e5) / 10;
    return {
      ok: false,
      problem: { reason: 'too-many-pixels', details: { mime, width, height, megapixels, maxMegapixels: Math.floor(maxPixels / 1e6) } },
    };
  }
  if (header.jpeg?.unsupported) {
    return { ok: false, problem: { reason: 'unsupported-variant', details: { mime, variant: header.jpeg.unsupported } } };
  }
  const swapped = header.orientation >= 5;
  return {
    ok: true,
    info: {
      mime,
      storedWidth: width,
      storedHeight: height,
      width: swapped ? height : width,
      height: swapped ? width : height,
      orientation: header.orientation,
      colourModel: header.colourModel,
      bitDepth: header.bitDepth,
      hasAlpha: header.hasAlpha,
      progressive: header.progressive,
      animated: header.animated,
      byteSize,
    },
  };
}

/** Hops from RIFF chunk header to chunk header (8-byte reads) to the EXIF chunk, usually the last one. */
async function findWebpOrientation(readAt: (position: number, length: number) => Promise<Uint8Array>, byteSize: number): Promise<number | undefined> {
  let position = 12;
  for (let reads = 0; reads < MAX_WEBP_CHUNK_READS && position + 8 <= byteSize; reads++) {
    const chunk = readRiffChunkHeader(await readAt(position, 8));
    if (!chunk) {
      return undefined;
    }
    if (chunk.fourcc === 'EXIF') {
      return readWebpExifOrientation(await readAt(position + 8, Math.min(chunk.length, MAX_EXIF_BYTES)));
    }
    position += 8 + chunk.length + (chunk.length & 1);
  }
  return undefined;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'EIO';
}
