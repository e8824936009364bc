/**
 * The WASM decoders (libjpeg-turbo's TurboJPEG and libwebp, built for WASI by the @cwasm packages; MIT): one
 * portable .vsix for every platform. Only the .wasm files are used, loaded from `wasmDir` (dist/wasm/ in the
 * extension, the packages' folders in tests); the packages' index.js is not (it instantiates at import time and
 * cannot scale while decoding).
 *
 * Each module is compiled once; every decode gets a fresh instance, because a failed decode (libjpeg's error exit is
 * a longjmp, which here throws through the WASM stack) leaves an instance unusable, and because dropping the
 * instance gives its memory back (WASM memory never shrinks).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbaImage } from '../raster';
import { loadMozjpeg, type JpegEncode } from './mozjpeg';

/**
 * The few WebAssembly JS API members used here. Node has them all; the project's TypeScript setup (lib ES2022,
 * @types/node 20) does not declare the global, so it is typed here rather than pulling in the DOM library.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmModule = object;
type WasmImports = Record<string, Record<string, (...args: number[]) => number>>;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => { exports: unknown };
  RuntimeError: new () => Error;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The file names the build copies into dist/wasm/ (and that the packages ship). */
export const JPEG_TURBO_WASM = 'jpeg-turbo.wasm';
export const WEBP_WASM = 'webp.wasm';

/** TurboJPEG pixel formats (turbojpeg.h). */
const TJPF_RGBA = 7;
const TJPF_CMYK = 11;

interface TurboJpegExports {
  memory: WasmMemory;
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDecompressHeader3(handle: number, src: number, size: number, width: number, height: number, subsampling: number, colourspace: number): number;
  tjDecompress2(handle: number, src: number, size: number, dst: number, width: number, pitch: number, height: number, pixelFormat: number, flags: number): number;
  tjDestroy(handle: number): number;
}

interface WebpExports {
  memory: WasmMemory;
  malloc(size: number): number;
  free(pointer: number): void;
  WebPDecodeRGBA(src: number, size: number, width: number, height: number): number;
}

export type JpegScale = 1 | 2 | 4 | 8;

export type JpegDecoded =
  | { ok: true; width: number; height: number; pixelFormat: 'rgba' | 'cmyk'; data: Uint8Array }
  /** `warning`: libjpeg decoded but reported corrupt or missing data (it fills the rest); `error`: it gave up. */
  | { ok: false; failure: 'warning' | 'error' };

/** Thrown by the stubbed C runtime: libjpeg's error exit (longjmp) or an exit() call. */
class WasmAbort extends Error {}

export class WasmCodecs {
  private jpegModule: WasmModule | undefined;
  private webpModule: WasmModule | undefined;
  private jpegEncoder: Promise<JpegEncode> | undefined;

  constructor(private readonly wasmDir: string) {}

  /** Compiles every module now (a warm-up, so the first real task does not pay for it). */
  async compile(): Promise<void> {
    this.jpegModule ??= new WebAssembly.Module(readFileSync(join(this.wasmDir, JPEG_TURBO_WASM)));
    this.webpModule ??= new WebAssembly.Module(readFileSync(join(this.wasmDir, WEBP_WASM)));
    await this.encoder();
  }

  /**
   * mozjpeg's encode, loaded once: its module keeps its heap between encodes. Should an encode ever throw (an abort
   * leaves an emscripten module unusable), the module is dropped and the next call loads a fresh one.
   */
  encoder(): Promise<JpegEncode> {
    if (!this.jpegEncoder) {
      const loading = loadMozjpeg(this.wasmDir).then((encode): JpegEncode => (image, quality, options) => {
        try {
          return encode(image, quality, options);
        } catch (error) {
          if (this.jpegEncoder === loading) {
            this.jpegEncoder = undefined;
          }
          throw error;
        }
      });
      loading.catch(() => {
        if (this.jpegEncoder === loading) {
          this.jpegEncoder = undefined;
        }
      });
      this.jpegEncoder = loading;
    }
    return this.jpegEncoder;
  }

  /**
   * Decodes a JPEG scaled by 1/`scale` while decoding (libjpeg's DCT scaling: a 1/4 decode reads a 48 MP photo into
   * a 3 MP raster, never the full size). CMYK and YCCK JPEGs must be decoded as `cmyk` (libjpeg cannot turn them into
   * RGB); everything else as `rgba` (greyscale is expanded by libjpeg).
   */
  decodeJpeg(bytes: Uint8Array, scale: JpegScale, pixelFormat: 'rgba' | 'cmyk'): JpegDecoded {
    this.jpegModule ??= new WebAssembly.Module(readFileSync(join(this.wasmDir, JPEG_TURBO_WASM)));
    const e = new WebAssembly.Instance(this.jpegModule, wasiImports()).exports as unknown as TurboJpegExports;
    try {
      const source = copyIn(e, bytes);
      const handle = e.tjInitDecompress();
      const header = e.malloc(16);
      if (handle === 0 || header === 0 || e.tjDecompressHeader3(handle, source, bytes.byteLength, header, header + 4, header + 8, header + 12) !== 0) {
        return { ok: false, failure: 'error' };
      }
      const [width, height] = new Int32Array(e.memory.buffer, header, 2);
      // TurboJPEG picks the largest scaling factor whose output fits the size asked for: ceil(side / scale) is
      // exactly libjpeg's scaled size.
      const outWidth = Math.ceil(width / scale);
      const outHeight = Math.ceil(height / scale);
      const output = e.malloc(outWidth * outHeight * 4);
      if (output === 0) {
        return { ok: false, failure: 'error' };
      }
      const format = pixelFormat === 'cmyk' ? TJPF_CMYK : TJPF_RGBA;
      const status = e.tjDecompress2(handle, source, bytes.byteLength, output, outWidth, outWidth * 4, outHeight, format, 0);
      if (status !== 0) {
        // -1 after a complete pass means libjpeg emitted a warning (corrupt data, premature end): refuse, like
        // sharp's default failOn 'warning', rather than send a half-grey picture.
        return { ok: false, failure: 'warning' };
      }
      const data = new Uint8Array(e.memory.buffer, output, outWidth * outHeight * 4).slice();
      return { ok: true, width: outWidth, height: outHeight, pixelFormat, data };
    } catch (error) {
      if (error instanceof WasmAbort || error instanceof WebAssembly.RuntimeError) {
        return { ok: false, failure: 'error' };
      }
      throw error;
    }
  }

  /** Decodes a still WebP (lossy, lossless, with or without alpha) to RGBA; undefined when libwebp refuses it. */
  decodeWebp(bytes: Uint8Array): RgbaImage | undefined {
    this.webpModule ??= new WebAssembly.Module(readFileSync(join(this.wasmDir, WEBP_WASM)));
    const e = new WebAssembly.Instance(this.webpModule, wasiImports()).exports as unknown as WebpExports;
    try {
      const source = copyIn(e, bytes);
      const size = e.malloc(8);
      const output = size === 0 ? 0 : e.WebPDecodeRGBA(source, bytes.byteLength, size, size + 4);
      if (output === 0) {
        return undefined;
      }
      const [width, height] = new Uint32Array(e.memory.buffer, size, 2);
      return { width, height, data: new Uint8Array(e.memory.buffer, output, width * height * 4).slice() };
    } catch (error) {
      if (error instanceof WasmAbort || error instanceof WebAssembly.RuntimeError) {
        return undefined;
      }
      throw error;
    }
  }
}

function copyIn(e: { memory: WasmMemory; malloc(size: number): number }, bytes: Uint8Array): number {
  const pointer = e.malloc(bytes.byteLength);
  if (pointer === 0) {
    throw new WasmAbort('out of WASM memory');
  }
  new Uint8Array(e.memory.buffer, pointer, bytes.byteLength).set(bytes);
  return pointer;
}

/**
 * The C runtime's imports: setjmp returns 0 (the first return); longjmp (libjpeg's error exit) throws, unwinding
 * the WASM stack; no environment, no files, and exit() throws instead of ending the process.
 */
function wasiImports(): WasmImports {
  const abort = (what: string) => () => {
    throw new WasmAbort(what);
  };
  return {
    env: { setjmp: () => 0, longjmp: abort('longjmp') },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: () => 0,
      proc_exit: abort('exit'),
      fd_close: () => 0,
      fd_seek: () => 0,
      fd_write: () => 0,
    },
  };
}
