/**
 * The image engine as the extension host sees it: a few async methods, each running in the image worker (started on
 * first use, stopped when idle). Buffers passed in are TRANSFERRED (the caller's Uint8Array is emptied: pass a copy
 * to keep one), results come back transferred. An AbortSignal cancels (the worker is terminated, so the work
 * really stops). A problem with the image rejects as ImageProblemError (reason + details, for the host to word);
 * a worker that crashes or runs out of memory rejects as the runtime's WorkerTaskError and the next call works.
 */
import type { GridVerified, GridViews, VerifiedImage } from './ops/gridOps';
import type { Turntable, TurntableFormat, TurntableRequest } from './ops/turntable';
import type { PreparedUpload, PrepareUploadOptions, UploadSource } from './ops/prepareUpload';
import type { SpriteSheet, SpriteSheetRequest } from './ops/spriteSheet';
import type { TransparentViewsResult } from './ops/transparentViews';
import type { Preview, PreviewRequest } from './ops/preview';
import { ImageProblemError, isImageProblem } from './problems';
import { ownedBytes } from './transfer';
import { WorkerClient, WorkerTaskError } from './worker/client';
import type { GridVerifiedEvent } from './workerHandlers';

export { ImageProblemError } from './problems';
export type { ImageProblem, ImageProblemReason } from './problems';
export type { GridVerified, GridViews, VerifiedImage } from './ops/gridOps';
export type { Turntable, TurntableFormat, TurntableRequest } from './ops/turntable';
export type { SpriteSheet, SpriteSheetRequest } from './ops/spriteSheet';
export type { TransparentViewsResult } from './ops/transparentViews';
export type { Preview, PreviewRequest } from './ops/preview';
export type { ViewCutoutStats } from './ops/viewCutout';
export type { PreparedUpload, PrepareUploadOptions, UploadRecord, UploadSource, UploadStep } from './ops/prepareUpload';
export type { ImageInfo, ImageInspection } from './inspect';
export { backgroundRemovalMatters, inspectImageFile, paddingMatters } from './inspect';
export { createPngStreamVerifier, type PngStreamVerdict, type PngStreamVerifier } from './pngStreamVerifier';
export { dataUriLength, DEFAULT_LONG_SIDE, MAX_UPLOAD_DATA_URI_CHARS, ORIGINAL_LONG_SIDE_CAP } from './uploadLimits';

export interface ImageEngineOptions {
  /** The worker entry: dist/imageWorker.js when shipped, out/src/image/workerMain.js in tests. */
  workerScript: string;
  /** Where jpeg-turbo.wasm and webp.wasm are (dist/wasm/ when shipped). */
  wasmDir: string;
  /** How long the worker stays alive after the last task (default 5 s). */
  idleMs?: number;
  log?: (line: string) => void;
}

/** The worker's JS heap cap: pixel buffers live outside it (typed arrays, WASM memory); this catches runaway objects. */
const WORKER_HEAP_MB = 512;

export class ImageEngine {
  private readonly client: WorkerClient;
  private readonly log: ((line: string) => void) | undefined;

  constructor(options: ImageEngineOptions) {
    this.log = options.log;
    this.client = new WorkerClient({
      script: options.workerScript,
      workerData: { wasmDir: options.wasmDir },
      idleMs: options.idleMs ?? 5000,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      log: options.log,
    });
  }

  /**
   * Starts the worker and compiles the codecs now, without waiting: call it when the user chooses a picture, so the
   * upload is prepared at full speed once the questions are answered (about 80-150 ms saved on the first call).
   * `viewCutout`: also run the views' cut-out once on a made-up view (views to be made transparent soon).
   * The worker still stops `idleMs` after its last task.
   */
  warmUp(options: { viewCutout?: boolean } = {}): void {
    this.client.run('warmUp', options).catch((error: unknown) => this.log?.(`image worker warm-up failed: ${String(error)}`));
  }

  /** The upload for the chosen picture; `{ path }` is read in the worker (the host never holds the file). */
  prepareUpload(source: UploadSource, options: PrepareUploadOptions, signal?: AbortSignal): Promise<PreparedUpload> {
    const payloadSource = 'bytes' in source ? { bytes: ownedBytes(source.bytes) } : source;
    return this.run('prepareUpload', { source: payloadSource, options }, 'bytes' in payloadSource ? [payloadSource.bytes] : [], signal);
  }

  /**
   * Verifies the downloaded grid, reports it through `onVerified` (so the host can save and show the grid), then
   * cuts the six views. Rejects with `damaged-grid` or `wrong-size-grid` before `onVerified` when it is not a result.
   */
  splitGrid(bytes: Uint8Array, options: { requestedSize?: { width: number; height: number } }, signal?: AbortSignal, onVerified?: (verified: GridVerified) => void): Promise<GridViews> {
    const owned = ownedBytes(bytes);
    return this.run('splitGrid', { bytes: owned, options }, [owned], signal, (event) => {
      const verified = event as GridVerifiedEvent;
      if (verified.kind === 'grid-verified') {
        onVerified?.(verified.verified);
      }
    });
  }

  verifyImage(bytes: Uint8Array, signal?: AbortSignal): Promise<VerifiedImage> {
    const owned = ownedBytes(bytes);
    return this.run('verifyImage', { bytes: owned }, [owned], signal);
  }

  /** The frames packed into one atlas PNG (padded, edges extruded), with each frame's rectangle. */
  encodeSpriteSheet(request: SpriteSheetRequest, signal?: AbortSignal): Promise<SpriteSheet> {
    const frames = request.frames.map((frame) => ({ ...frame, png: ownedBytes(frame.png) }));
    return this.run('encodeSpriteSheet', { ...request, frames }, frames.map((frame) => frame.png), signal);
  }

  /** The saved grid's views cut out of the model's grey backdrop: six RGBA PNGs and the transparent grid. */
  makeViewsTransparent(gridBytes: Uint8Array, signal?: AbortSignal): Promise<TransparentViewsResult> {
    const owned = ownedBytes(gridBytes);
    return this.run('makeViewsTransparent', { bytes: owned }, [owned], signal);
  }

  /** The turntable in each of `request.formats` (default GIF), every animation transferred back. */
  encodeTurntable<Format extends TurntableFormat = 'gif'>(request: TurntableRequest<Format>, signal?: AbortSignal): Promise<Turntable<Format>> {
    const views = request.views.map(ownedBytes);
    return this.run('encodeTurntable', { ...request, views }, views, signal);
  }

  /** A small JPEG of a saved image (its longer side at most `request.longSide`), for a chat agent to look at. */
  makePreview(bytes: Uint8Array, request: PreviewRequest, signal?: AbortSignal): Promise<Preview> {
    const owned = ownedBytes(bytes);
    return this.run('makePreview', { bytes: owned, request }, [owned], signal);
  }

  dispose(): void {
    this.client.dispose();
  }

  private async run<Result>(op: string, payload: unknown, buffers: Uint8Array[], signal?: AbortSignal, onEvent?: (event: unknown) => void): Promise<Result> {
    try {
      return await this.client.run<Result>(op, payload, { transfer: buffers.map((bytes) => bytes.buffer as ArrayBuffer), signal, onEvent });
    } catch (error) {
      if (error instanceof WorkerTaskError && error.kind === 'failed' && isImageProblem(error.data)) {
        throw new ImageProblemError(error.data);
      }
      throw error;
    }
  }
}
