/**
 * A small picture of a saved image for a chat agent to look at (the generate tool's image part): decoded near the
 * size asked for, shrunk by area averaging so that its longer side is at most `longSide`, any transparency laid on
 * the neutral grey (JPEG has none), and encoded as a JPEG, a few tens of KB, where a PNG of the same photo-like
 * views is several times larger. Runs in the worker: decoding a grid takes longer than the host may block.
 */
import { applyExifOrientation, compositeInPlace, downscaleArea, hasTransparency, NEUTRAL_GREY } from '../raster';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeNearLongSide, fitSize } from './prepareUpload';

export interface PreviewRequest {
  /** The longer side's cap in pixels (never enlarged). */
  longSide: number;
  /** mozjpeg's quality, 1-100. */
  quality?: number;
}

export interface Preview {
  bytes: Uint8Array;
  mime: 'image/jpeg';
  width: number;
  height: number;
}

export const PREVIEW_JPEG_QUALITY = 80;

export async function makePreview(bytes: Uint8Array, request: PreviewRequest, codecs: WasmCodecs): Promise<Preview> {
  const encoderReady = codecs.encoder();
  const { image: decoded, info } = await decodeNearLongSide(bytes, codecs, request.longSide);
  const fitted = fitSize(decoded, request.longSide);
  let image = fitted.width === decoded.width && fitted.height === decoded.height ? decoded : downscaleArea(decoded, fitted.width, fitted.height);
  if (info.orientation !== 1) image = applyExifOrientation(image, info.orientation);
  if (hasTransparency(image)) compositeInPlace(image, NEUTRAL_GREY);
  const encode = await encoderReady;
  return { bytes: encode(image, request.quality ?? PREVIEW_JPEG_QUALITY), mime: 'image/jpeg', width: image.width, height: image.height };
}
