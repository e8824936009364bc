/**
 * The ops on what the service returns: checking a downloaded grid (it decodes fully, and has the expected shape)
 * before it is called a result, then cutting its six views; checking any downloaded image. All run inside the worker.
 */
import { encodePngAsync } from '../codecs/pngFast';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage, type Decoded } from '../decode';
import { isImageProblem, type ImageProblem } from '../problems';
import { cropRgba, hasTransparency } from '../raster';
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
