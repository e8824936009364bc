/**
 * The first frame of an animated WebP as a still WebP that libwebp's simple decoder accepts (`WebPDecodeRGBA`
 * refuses animations): the first ANMF chunk's ALPH / VP8 / VP8L sub-chunks wrapped in a new RIFF container, and
 * where on the canvas that frame sits. Bounds-checked; undefined when there is no usable frame.
 */
import { walkWebpChunks } from '../imageFormat';

export interface WebpFrame {
  /** A standalone still WebP of the frame. */
  still: Uint8Array;
  /** Where the frame goes on the animation's canvas (frames can be smaller than the canvas). */
  x: number;
  y: number;
  width: number;
  height: number;
}

function u24le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
}

function riffChunk(fourcc: string, payload: Uint8Array): Uint8Array {
  const padded = payload.length + (payload.length & 1);
  const out = new Uint8Array(8 + padded);
  for (let i = 0; i < 4; i++) {
    out[i] = fourcc.charCodeAt(i);
  }
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

export function firstWebpFrame(bytes: Uint8Array): WebpFrame | undefined {
  let frame: WebpFrame | undefined;
  walkWebpChunks(bytes, (fourcc, start, length) => {
    if (fourcc !== 'ANMF') {
      return false;
    }
    if (length < 16) {
      return true;
    }
    const x = u24le(bytes, start) * 2;
    const y = u24le(bytes, start + 3) * 2;
    const width = u24le(bytes, start + 6) + 1;
    const height = u24le(bytes, start + 9) + 1;
    const frameData = bytes.subarray(start + 16, start + length);
    const parts: Uint8Array[] = [];
    let alpha: Uint8Array | undefined;
    let image: { fourcc: string; payload: Uint8Array } | undefined;
    // The sub-chunks use the same RIFF layout; walkWebpChunks skips a 12-byte file header, so offset by 12.
    const padded = new Uint8Array(12 + frameData.length);
    padded.set(frameData, 12);
    walkWebpChunks(padded, (sub, subStart, subLength) => {
      if (sub === 'ALPH') {
        alpha = padded.subarray(subStart, subStart + subLength);
      } else if (sub === 'VP8 ' || sub === 'VP8L') {
        image = { fourcc: sub, payload: padded.subarray(subStart, subStart + subLength) };
        return true;
      }
      return false;
    });
    if (!image) {
      return true;
    }
    if (alpha && image.fourcc === 'VP8 ') {
      // A lossy frame with a separate alpha plane needs the extended header that says so.
      const vp8x = new Uint8Array(10);
      vp8x[0] = 0x10;
      vp8x[4] = (width - 1) & 0xff;
      vp8x[5] = ((width - 1) >> 8) & 0xff;
      vp8x[6] = ((width - 1) >> 16) & 0xff;
      vp8x[7] = (height - 1) & 0xff;
      vp8x[8] = ((height - 1) >> 8) & 0xff;
      vp8x[9] = ((height - 1) >> 16) & 0xff;
      parts.push(riffChunk('VP8X', vp8x), riffChunk('ALPH', alpha));
    }
    parts.push(riffChunk(image.fourcc, image.payload));
    const body = parts.reduce((sum, part) => sum + part.length, 0);
    const still = new Uint8Array(12 + body);
    still.set([0x52, 0x49, 0x46, 0x46], 0);
    new DataView(still.buffer).setUint32(4, 4 + body, true);
    still.set([0x57, 0x45, 0x42, 0x50], 8);
    let offset = 12;
    for (const part of parts) {
      still.set(part, offset);
      offset += part.length;
    }
    frame = { still, x, y, width, height };
    return true;
  });
  return frame;
}
