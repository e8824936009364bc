/**
 * A test worker: the real image handlers, except that verifyImage of exactly 13 bytes ends the worker's thread the
 * way a crash would (process.exit inside a worker ends only that worker), so a test can check that a crash is one
 * clear error and that the next call gets a fresh worker.
 */
import { workerData } from 'node:worker_threads';
import { WasmCodecs } from '../../src/image/codecs/wasm';
import { imageHandlers } from '../../src/image/workerHandlers';
import { serve } from '../../src/image/worker/serve';

const handlers = imageHandlers(new WasmCodecs((workerData as { wasmDir: string }).wasmDir));
serve({
  ...handlers,
  async verifyImage(payload: { bytes: Uint8Array }, context) {
    if (payload.bytes.byteLength === 13) {
      process.exit(70);
    }
    return handlers.verifyImage(payload, context);
  },
});
