/**
 * The image worker's entry (bundled as dist/imageWorker.js): every pixel operation runs here, on its own thread,
 * never on the extension host's. `workerData.wasmDir` is where the .wasm codecs are (dist/wasm/ when shipped).
 */
import { workerData } from 'node:worker_threads';
import { WasmCodecs } from './codecs/wasm';
import { imageHandlers } from './workerHandlers';
import { serve } from './worker/serve';

const { wasmDir } = workerData as { wasmDir: string };
serve(imageHandlers(new WasmCodecs(wasmDir)));
