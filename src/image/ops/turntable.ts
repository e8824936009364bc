/**
 * The turntable: the input picture (azimuth 0°) then the six views, as a looping animation. Runs inside the worker.
 */
import { encodeApng } from '../codecs/apng';
import { encodeAnimatedGif } from '../codecs/gif';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage } from '../decode';
import type { ImageProblem } from '../problems';
import { fitInto, hasTransparency, NEUTRAL_GREY, type RgbaImage } from '../raster';
import { inputFrame, type InputSkipped } from './inputFrame';

/** `gif`: 256 colours, 1-bit transparency, plays everywhere; `apng`: lossless RGB(A), full alpha (codecs/apng.ts). */
export type TurntableFormat = 'gif' | 'apng';

export interface TurntableRequest<Format extends TurntableFormat = 'gif'> {
  /** The input picture, shown first (azimuth 0°); absent or unreadable: the animation starts with the first view. */
  inputPath?: string;
  /** The six view PNGs (any decodable image, transparent or not), in azimuth order. */
  views: Uint8Array[];
  framesPerSecond: number;
  /** The animations to make, all from one decoding of the frames; default `['gif']`. */
  formats?: readonly Format[];
}

/** Each animation asked for, under its format's name (`turntable.gif`, `turntable.apng`), and the frames they share. */
export type Turntable<Format extends TurntableFormat = 'gif'> = Record<Format, Uint8Array> & {
  frames: number;
  width: number;
  height: number;
  /** Why the input is not the first frame, when it is not. */
  inputSkipped?: InputSkipped;
};

const ENCODERS: Record<TurntableFormat, (frames: readonly RgbaImage[], framesPerSecond: number) => Uint8Array | Promise<Uint8Array>> = {
  gif: encodeAnimatedGif,
  apng: encodeApng,
};

/** The formats a request asks for, each once. */
export function turntableFormats<Format extends TurntableFormat>(request: TurntableRequest<Format>): Format[] {
  const formats = [...new Set(request.formats ?? ['gif' as Format])];
  if (formats.length === 0) {
    throw new RangeError('A turntable needs at least one format.');
  }
  return formats;
}

/**
 * The turntable, looping: the input (decoded SCALED to about the views' size, turned upright, fitted), then the
 * views, in each format asked for. Frames are the views' size; a view of another size is fitted. Opaque views: every
 * frame on the grey. Transparent views: the views and their margins keep their alpha, and so does an input that has
 * some (an opaque input stays on the grey).
 */
export async function encodeTurntable<Format extends TurntableFormat = 'gif'>(request: TurntableRequest<Format>, codecs: WasmCodecs): Promise<Turntable<Format>> {
  const formats = turntableFormats(request);
  const views = request.views.map((bytes) => decodeImage(bytes, codecs).image);
  if (views.length === 0) {
    const noViews: ImageProblem = { reason: 'no-views', details: { count: 0 } };
    throw noViews;
  }
  const { width, height } = views[0];
  const transparent = views.some(hasTransparency);
  const frames = views.map((view) => (view.width === width && view.height === height ? view : fitInto(view, width, height, transparent ? null : NEUTRAL_GREY)));
  const input = request.inputPath === undefined ? 'missing' : await inputFrame(request.inputPath, width, height, transparent, codecs);
  const inputSkipped = typeof input === 'string' ? input : undefined;
  if (typeof input !== 'string') {
    frames.unshift(input);
  }
  const animations = await Promise.all(formats.map(async (format) => [format, await ENCODERS[format](frames, request.framesPerSecond)] as const));
  // Object.fromEntries types its keys as string; they are exactly `formats`.
  const byFormat = Object.fromEntries(animations) as Record<Format, Uint8Array>;
  return { ...byFormat, frames: frames.length, width, height, ...(inputSkipped ? { inputSkipped } : {}) };
}
