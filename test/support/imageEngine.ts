/**
 * Engine options for tests and the bench: the compiled worker entry (out/src/image/workerMain.js) and a folder
 * holding the two .wasm files, laid out as the build lays out dist/wasm/ (copied from node_modules/@cwasm/*).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JPEG_TURBO_WASM, WEBP_WASM, WasmCodecs } from '../../src/image/codecs/wasm';
import { MOZJPEG_ENC_WASM } from '../../src/image/codecs/mozjpeg';

/** The repository root, found from the sources or from the compiled out/ tree alike. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'out') {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json above ${__dirname}`);
    }
    dir = parent;
  }
  return dir;
}

/** out/wasm/ with jpeg-turbo.wasm, webp.wasm and mozjpeg_enc.wasm, copied from node_modules when missing or older. */
export function testWasmDir(): string {
  const root = repoRoot();
  const dir = path.join(root, 'out', 'wasm');
  fs.mkdirSync(dir, { recursive: true });
  for (const [pkg, file] of [['@cwasm/jpeg-turbo', JPEG_TURBO_WASM], ['@cwasm/webp', WEBP_WASM], ['@jsquash/jpeg/codec/enc', MOZJPEG_ENC_WASM]] as const) {
    const from = path.join(root, 'node_modules', pkg, file);
    const to = path.join(dir, file);
    if (!fs.existsSync(to) || fs.statSync(to).size !== fs.statSync(from).size) {
      fs.copyFileSync(from, to);
    }
  }
  return dir;
}

/** What `new ImageEngine(...)` needs in a test. */
export function testEngineOptions(extra: { idleMs?: number; log?: (line: string) => void } = {}): { workerScript: string; wasmDir: string; idleMs?: number; log?: (line: string) => void } {
  return { workerScript: path.join(repoRoot(), 'out', 'src', 'image', 'workerMain.js'), wasmDir: testWasmDir(), ...extra };
}

/** The codecs for calling the ops directly, without a worker. */
export function testCodecs(): WasmCodecs {
  return new WasmCodecs(testWasmDir());
}
