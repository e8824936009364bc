/**
 * The ops on what the service returns, and the turntable: checking a downloaded grid (it decodes fully, and has the
 * expected shape) before it is called a result, then cutting its six views; checking any downloaded image; and the
 * turntable GIF. All run inside the worker.
 */
import { readFile } from 'node:fs/promises';
import { encodeAnimatedGif } from '../codecs/gif';
import { encodePngAsync } from '../codecs/pngFast';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage, type Decoded } from '../decode';
import { isImageProblem, type ImageProblem } from '../problems';
import { applyExifOrientation, cropRgba, fitInto, hasTransparency, NEUTRAL_GREY, type RgbaImage } from '../raster';
import { type Rect, viewRects } from '../../shared/gridGeometry';
import { gridShapeProblem } from '../gridShape';
import { sniffImageMime, type ImageMime } from '../../shared/imageMime';

/**
 * Views deflated in parallel on the libuv thread pool. The pool is the whole process's (the extension host's file
 * reads use it too) and has 4 threads; 2 keeps both cores busy without taking it over.
 */
const VIEWS_DEFLATED_AT_ONCE = 2;

export interface GridVerified {
  mime: ImageMime;
  width: number;
  height: number;
  /** Some pixel of the grid is not opaque (the 3D issue's `multi_image` needs to know). */
  hasTransparency: boolean;
}

export interface GridViews extends GridVerified {
  /** Six PNGs, row-major, cut by the measured size (src/shared/gridGeometry.ts `viewRects`). */
  views: Uint8Array[];
  rects: Rect[];
}


/** Decodes a downloaded image fully, every failure (including "not an image") reported as a damaged grid. */
function decodeGrid(bytes: Uint8Array, codecs: WasmCodecs): Decoded {
  try {
    return decodeImage(bytes, codecs);
  } catch (error) {
    if (!isImageProblem(error)) {
      throw error;
    }
    const damaged: ImageProblem = { reason: 'damaged-grid', details: { mime: sniffImageMime(bytes) ?? null, byteSize: bytes.byteLength, cause: error.reason } };
    throw damaged;
  }
}

/**
 * Phase 1 (reported through `onVerified` before phase 2 starts): the grid decodes fully and is the shape asked for
 * (`requestedSize`'s aspect, or the native 2:3) with views of at least MIN_VIEW_SIDE. Phase 2: the six view PNGs.
 */
export async function splitGrid(
  bytes: Uint8Array,
  options: { requestedSize?: { width: number; height: number } },
  codecs: WasmCodecs,
  onVerified: (verified: GridVerified) => void,
): Promise<GridViews> {
  const decoded = decodeGrid(bytes, codecs);
  const { image } = decoded;
  const { width, height } = image;
  const problem = gridShapeProblem(width, height, options.requestedSize);
  if (problem) {
    throw problem;
  }
  const transparent = hasTransparency(image);
  const verified: GridVerified = { mime: decoded.info.mime, width, height, hasTransparency: transparent };
  onVerified(verified);
  const rects = viewRects(width, height);
  const views: Uint8Array[] = [];
  for (let i = 0; i < rects.length; i += VIEWS_DEFLATED_AT_ONCE) {
    const batch = rects.slice(i, i + VIEWS_DEFLATED_AT_ONCE);
    views.push(...(await Promise.all(batch.map((rect) => encodePngAsync(cropRgba(image, rect), !transparent)))));
  }
  return { ...verified, views, rects };
}

export interface VerifiedImage {
  mime: ImageMime;
  width: number;
  height: number;
  /** Some pixel is not opaque. */
  hasTransparency: boolean;
}

/** A downloaded image (a cut-out, later) decodes fully: its size and whether it has transparency, or a problem. */
export function verifyImage(bytes: Uint8Array, codecs: WasmCodecs): VerifiedImage {
  const { image, info } = decodeImage(bytes, codecs);
  return { mime: info.mime, width: image.width, height: image.height, hasTransparency: hasTransparency(image) };
}

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
