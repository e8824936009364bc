/**
 * The upload's JPEG encoder: mozjpeg (libjpeg-turbo's encoder with better Huffman coding; Apache-2.0, from
 * @jsquash/jpeg), as WASM. Chosen by measurement over jpeg-js (pure JS), on a 1024x1024 photo at quality 90: about
 * the same time or faster, and about half the bytes, because it subsamples chroma 4:2:0 as cameras do (jpeg-js can
 * only write 4:4:4, which a model working at 320 px gains nothing from) and optimises its Huffman tables. Greyscale
 * pictures are written as one-channel JPEGs. Trellis quantisation and progressive mode are off: slower for little.
 *
 * The emscripten module is created once per worker (its heap is reused across encodes); the .wasm comes from
 * `wasmDir` like the decoders'.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbaImage } from '../raster';

export const MOZJPEG_ENC_WASM = 'mozjpeg_enc.wasm';

interface MozjpegOptions {
  quality: number;
  baseline: boolean;
  arithmetic: boolean;
  progressive: boolean;
  optimize_coding: boolean;
  smoothing: number;
  /** 1 grey, 2 RGB, 3 YCbCr. */
  color_space: number;
  quant_table: number;
  trellis_multipass: boolean;
  trellis_opt_zero: boolean;
  trellis_opt_table: boolean;
  trellis_loops: number;
  auto_subsample: boolean;
  chroma_subsample: number;
  separate_chroma_quality: boolean;
  chroma_quality: number;
}

interface MozjpegModule {
  encode(data: Uint8ClampedArray, width: number, height: number, options: MozjpegOptions): Uint8Array;
}

type ModuleFactory = (options: {
  noInitialRun: boolean;
  instantiateWasm: (imports: unknown, done: (instance: { exports: unknown }) => void) => unknown;
}) => Promise<MozjpegModule>;

/** Baseline, 4:2:0, optimised Huffman tables, mozjpeg's default quantisation tables, no trellis. */
function optionsFor(quality: number, grey: boolean): MozjpegOptions {
  return {
    quality,
    baseline: true,
    arithmetic: false,
    progressive: false,
    optimize_coding: true,
    smoothing: 0,
    color_space: grey ? 1 : 3,
    quant_table: 3,
    trellis_multipass: false,
    trellis_opt_zero: false,
    trellis_opt_table: false,
    trellis_loops: 1,
    auto_subsample: false,
    chroma_subsample: 2,
    separate_chroma_quality: false,
    chroma_quality: quality,
  };
}

export type JpegEncode = (image: RgbaImage, quality: number, options?: { grey?: boolean }) => Uint8Array;

/** Loads mozjpeg from `wasmDir` and returns its encode function. */
export async function loadMozjpeg(wasmDir: string): Promise<JpegEncode> {
  const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object>; Instance: new (module: object, imports: unknown) => { exports: unknown } } }).WebAssembly;
  // Compiled asynchronously (on V8's background threads): started before a decode, it is ready when the decode ends.
  const compiled = await wasm.compile(await readFile(join(wasmDir, MOZJPEG_ENC_WASM)));
  // The emscripten glue is an ES module; bundled (esbuild) or required (Node 20.19+ loads ES modules with require).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first JPEG encode only
  const factory = (require('@jsquash/jpeg/codec/enc/mozjpeg_enc.js') as { default: ModuleFactory }).default;
  const module = await factory({
    noInitialRun: true,
    instantiateWasm: (imports, done) => {
      const instance = new wasm.Instance(compiled, imports);
      done(instance);
      return instance.exports;
    },
  });
  return (image, quality, options = {}) => {
    const data = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    return module.encode(data, image.width, image.height, optionsFor(quality, options.grey === true));
  };
}
