/**
 * The input picture as one more frame beside a result's views (the turntable's first frame, the sprite sheet's
 * optional first one): decoded SCALED to about the views' size (a 48 MP 16-bit cut-out streamed, never held whole),
 * turned upright, fitted into their size.
 */
import { readFile } from 'node:fs/promises';
import type { WasmCodecs } from '../codecs/wasm';
import { isImageProblem } from '../problems';
import { applyExifOrientation, fitInto, hasTransparency, NEUTRAL_GREY, type RgbaImage } from '../raster';
import { decodeNearLongSide } from './prepareUpload';

/** Why the input is not a frame: the file is gone, or it does not decode (the views are still good to use). */
export type InputSkipped = 'missing' | 'unreadable';

/**
 * The frame, or why there is none. `keepTransparency`: the frames around it are transparent, so an input with
 * transparency keeps it (an opaque input stays on the grey either way).
 */
export async function inputFrame(path: string, width: number, height: number, keepTransparency: boolean, codecs: WasmCodecs): Promise<RgbaImage | InputSkipped> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return 'missing';
  }
  try {
    const decoded = await decodeNearLongSide(bytes, codecs, Math.max(width, height));
    const upright = applyExifOrientation(decoded.image, decoded.info.orientation);
    return fitInto(upright, width, height, keepTransparency && hasTransparency(upright) ? null : NEUTRAL_GREY);
  } catch (error) {
    if (isImageProblem(error)) {
      return 'unreadable';
    }
    throw error;
  }
}
