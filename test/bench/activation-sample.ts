/**
 * One activation sample, in a fresh Node process (run by bench.ts):
 *   node activation-sample.js EXTENSION_ROOT WORKSPACE IMAGE [multiview|hello]
 * Times require(dist/extension.js) + activate() under the stub host, then invokes
 * 'multiview.generateFromExplorer' on IMAGE and times until the first quick input is shown: the shim loading
 * dist/main.js, activateFeatures(), and the command's own way to its first question (timed apart).
 * With `hello`, the same for the reference: hello-extension.js (the `yo code` template's shape) and its command.
 * Prints one JSON line: { requireMs, activateMs, firstInputMs, mainRequireMs, activateFeaturesMs, firstInput }.
 * With BENCH_PRELOAD=1, the Node built-ins the bundle uses and undici (behind the global fetch/Request, which
 * axios probes at load) are loaded before timing, as a host process that already uses them would have them.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { installFakeVscode } from './fake-vscode';

const API_KEY_SECRET = 'multiview.apiKey';

type Exports = Record<string, unknown>;

/** Times the first require() of dist/main.js and its activateFeatures(), whoever calls them (the shim does). */
function timeMainBundle(mainBundle: string): { requireMs?: number; activateFeaturesMs?: number } {
  const timings: { requireMs?: number; activateFeaturesMs?: number } = {};
  const internals = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown; _resolveFilename: (request: string, parent: unknown) => string };
  const load = internals._load;
  internals._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    let resolved = '';
    try {
      resolved = internals._resolveFilename(request, parent);
    } catch {
      // not a file: let load() report it
    }
    if (resolved !== mainBundle || timings.requireMs !== undefined) return load.call(this, request, parent, isMain);
    const start = process.hrtime.bigint();
    const exports = load.call(this, request, parent, isMain) as Exports;
    timings.requireMs = Number(process.hrtime.bigint() - start) / 1e6;
    const activateFeatures = exports.activateFeatures as (...args: unknown[]) => unknown;
    return {
      ...exports,
      activateFeatures: (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        try {
          return activateFeatures(...args);
        } finally {
          timings.activateFeaturesMs = Number(process.hrtime.bigint() - started) / 1e6;
        }
      },
    };
  };
  return timings;
}

async function main(): Promise<void> {
  const [extensionRoot, workspace, image, which = 'multiview'] = process.argv.slice(2);
  const host = installFakeVscode({ extensionPath: extensionRoot, workspacePath: workspace, secrets: { [API_KEY_SECRET]: 'bench-key-0123456789' } });
  const hello = which === 'hello';
  const bundle = hello ? path.join(__dirname, 'hello-extension.js') : path.join(extensionRoot, 'dist', 'extension.js');
  const command = hello ? 'hello.pick' : 'multiview.generateFromExplorer';
  const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;
  if (process.env.BENCH_PRELOAD === '1') {
    ['assert', 'crypto', 'events', 'fs', 'http', 'http2', 'https', 'net', 'path', 'stream', 'tls', 'url', 'util', 'zlib'].forEach((name) => require(name));
    void new Request('http://127.0.0.1/').headers;
  }

  const t0 = process.hrtime.bigint();
  const extension = require(bundle) as { activate(context: unknown): unknown };
  const t1 = process.hrtime.bigint();
  await extension.activate(host.context);
  const t2 = process.hrtime.bigint();

  // Hooked only now, so that activation is timed without it.
  const mainTimings = timeMainBundle(path.join(extensionRoot, 'dist', 'main.js'));
  const handler = host.commands.get(command);
  if (!handler) throw new Error(`activate() did not register '${command}'`);
  const t3 = process.hrtime.bigint();
  const running = Promise.resolve(handler(host.Uri.file(image)));
  const shown = await Promise.race([
    host.firstInputShown,
    running.then(() => {
      throw new Error(`the command finished without showing a quick input${host.messages.length ? ` (it said: ${host.messages.map((m) => m.text).join(' | ')})` : ''}`);
    }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no quick input within 5 s')), 5000).unref()),
  ]);
  const { input } = shown;
  process.stdout.write(
    JSON.stringify({
      requireMs: ms(t0, t1),
      activateMs: ms(t1, t2),
      firstInputMs: ms(t3, shown.at),
      mainRequireMs: mainTimings.requireMs ?? 0,
      activateFeaturesMs: mainTimings.activateFeaturesMs ?? 0,
      firstInput: `${String(input.kind)} ${input.step === undefined ? '' : `step ${String(input.step)}/${String(input.totalSteps)}: `}${String(input.prompt ?? input.placeholder ?? input.title)}`,
    }) + '\n',
  );
  process.exit(0); // The quick input never answers; nothing else to wait for.
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
