/**
 * The image ops as worker-runtime handlers: payloads in, results out with their buffers in the transfer list (moved
 * to the host, not copied). Kept apart from workerMain.ts so a test worker can serve the same handlers plus its own.
 */
import type { WasmCodecs } from './codecs/wasm';
import { splitGrid, verifyImage, type GridVerified } from './ops/gridOps';
import { encodeTurntable, turntableFormats, type TurntableFormat, type TurntableRequest } from './ops/turntable';
import { prepareUpload, type PrepareUploadOptions, type UploadSource } from './ops/prepareUpload';
import { encodeSpriteSheet, type SpriteSheetRequest } from './ops/spriteSheet';
import { makeViewsTransparent, warmUpViewCutout } from './ops/transparentViews';
import { makePreview, type PreviewRequest } from './ops/preview';
import { ownedBytes } from './transfer';
import type { TaskHandler } from './worker/serve';

/** The event splitGrid emits between its two phases. */
export interface GridVerifiedEvent {
  kind: 'grid-verified';
  verified: GridVerified;
}

export function imageHandlers(codecs: WasmCodecs): Record<string, TaskHandler> {
  return {
    /** Starting the worker (loading the codecs) and compiling the WASM, ahead of the first real task. */
    async warmUp(payload: { viewCutout?: boolean } | null) {
      await codecs.compile();
      if (payload?.viewCutout) warmUpViewCutout();
      return { result: null };
    },
    async prepareUpload(payload: { source: UploadSource; options: PrepareUploadOptions }) {
      const prepared = await prepareUpload(payload.source, payload.options, codecs);
      const bytes = ownedBytes(prepared.bytes);
      return { result: { ...prepared, bytes }, transfer: [bytes.buffer as ArrayBuffer] };
    },
    async splitGrid(payload: { bytes: Uint8Array; options: { requestedSize?: { width: number; height: number } } }, context) {
      const grid = await splitGrid(payload.bytes, payload.options, codecs, (verified) => {
        const event: GridVerifiedEvent = { kind: 'grid-verified', verified };
        context.emit(event);
      });
      const views = grid.views.map(ownedBytes);
      return { result: { ...grid, views }, transfer: views.map((view) => view.buffer as ArrayBuffer) };
    },
    async verifyImage(payload: { bytes: Uint8Array }) {
      return { result: verifyImage(payload.bytes, codecs) };
    },
    async encodeSpriteSheet(payload: SpriteSheetRequest) {
      const sheet = await encodeSpriteSheet(payload, codecs);
      const png = ownedBytes(sheet.png);
      return { result: { ...sheet, png }, transfer: [png.buffer as ArrayBuffer] };
    },
    async makeViewsTransparent(payload: { bytes: Uint8Array }) {
      const made = await makeViewsTransparent(payload.bytes, codecs);
      const grid = ownedBytes(made.grid);
      const views = made.views.map(ownedBytes);
      return { result: { ...made, grid, views }, transfer: [grid, ...views].map((bytes) => bytes.buffer as ArrayBuffer) };
    },
    async makePreview(payload: { bytes: Uint8Array; request: PreviewRequest }) {
      const preview = await makePreview(payload.bytes, payload.request, codecs);
      const bytes = ownedBytes(preview.bytes);
      return { result: { ...preview, bytes }, transfer: [bytes.buffer as ArrayBuffer] };
    },
    async encodeTurntable(payload: TurntableRequest<TurntableFormat>) {
      const turntable = await encodeTurntable(payload, codecs);
      const animations = turntableFormats(payload).map((format) => [format, ownedBytes(turntable[format])] as const);
      return { result: { ...turntable, ...Object.fromEntries(animations) }, transfer: animations.map(([, bytes]) => bytes.buffer as ArrayBuffer) };
    },
  };
}
