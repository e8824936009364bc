/**
 * The turntable: the input picture (azimuth 0°) then the six views, as a looping animation. Runs inside the worker.
 */
import { readFile } from 'node:fs/promises';
import { encodeAnimatedGif } from '../codecs/gif';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage } from '../decode';
import { isImageProblem, type ImageProblem } from '../problems';
import { applyExifOrientation, fitInto, hasTransparency, NEUTRAL_GREY, type RgbaImage } from '../raster';

export interface TurntableRequest {
  /** The input picture, shown first (azimuth 0°); absent or unreadable: the GIF starts with the first view. */
  inputPath?: string;
  /** The six view PNGs (any decodable image), in azimuth order. */
  views: Uint8Array[];
  framesPerSecond: number;
}

export interface Turntable {
  gif: Uint8Array;
  frames: number;
  width: number;
  height: number;
  /** Why the input is not the first frame, when it is not. */
  inputSkipped?: 'missing' | 'unreadable';
}

/**
 * The turntable as a looping GIF: the input (decoded SCALED to about the views' size, turned upright, fitted on the
 * grey), then the views, one shared palette.
 */
export async function encodeTurntable(request: TurntableRequest, codecs: WasmCodecs): Promise<Turntable> {
  const views = request.views.map((bytes) => decodeImage(bytes, codecs).image);
  if (views.length === 0) {
    const noViews: ImageProblem = { reason: 'no-views', details: { count: 0 } };
    throw noViews;
  }
  const { width, height } = views[0];
  const frames = views.map((view) => (view.width === width && view.height === height && !hasTransparency(view) ? view : fitInto(view, width, height, NEUTRAL_GREY)));
  let inputSkipped: Turntable['inputSkipped'];
  const input = request.inputPath === undefined ? undefined : await readInput(request.inputPath);
  if (input === undefined) {
    inputSkipped = 'missing';
  } else {
    const frame = inputFrame(input, width, height, codecs);
    if (frame) {
      frames.unshift(frame);
    } else {
      inputSkipped = 'unreadable';
    }
  }
  const gif = encodeAnimatedGif(frames, request.framesPerSecond);
  return { gif, frames: frames.length, width, height, ...(inputSkipped ? { inputSkipped } : {}) };
}

async function readInput(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
}

function inputFrame(bytes: Uint8Array, width: number, height: number, codecs: WasmCodecs): RgbaImage | undefined {
  try {
    const decoded = decodeImage(bytes, codecs, { targetLongSide: Math.max(width, height) });
    return fitInto(applyExifOrientation(decoded.image, decoded.info.orientation), width, height, NEUTRAL_GREY);
  } catch (error) {
    if (isImageProblem(error)) {
      return undefined; // a damaged input still leaves six good views to animate
    }
    throw error;
  }
}
