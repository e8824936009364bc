/**
 * One activation sample, in a fresh Node process (run by bench.ts):
 *   node activation-sample.js EXTENSION_ROOT WORKSPACE IMAGE
 * Times require(dist/extension.js) + activate() under the stub host, then invokes
 * 'multiview.generateFromExplorer' on IMAGE and times until the first quick input is shown.
 * Prints one JSON line: { requireMs, activateMs, firstInputMs, firstInput }.
 * With BENCH_PRELOAD=1, the Node built-ins the bundle uses and undici (behind the global fetch/Request, which
 * axios probes at load) are loaded before timing, as a host process that already uses them would have them.
 */
import * as path from 'node:path';
import { installFakeVscode } from './fake-vscode';

const API_KEY_SECRET = 'multiview.apiKey';

async function main(): Promise<void> {
  const [extensionRoot, workspace, image] = process.argv.slice(2);
  const host = installFakeVscode({ extensionPath: extensionRoot, workspacePath: workspace, secrets: { [API_KEY_SECRET]: 'bench-key-0123456789' } });
  const bundle = path.join(extensionRoot, 'dist', 'extension.js');
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

  const handler = host.commands.get('multiview.generateFromExplorer');
  if (!handler) throw new Error("activate() did not register 'multiview.generateFromExplorer'");
  const t3 = process.hrtime.bigint();
  const running = Promise.resolve(handler(host.Uri.file(image)));
  const shown = await Promise.race([
    host.firstInputShown,
    running.then(() => {
      throw new Error('the command finished without showing a quick input');
    }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no quick input within 5 s')), 5000).unref()),
  ]);
  const { input } = shown;
  process.stdout.write(
    JSON.stringify({
      requireMs: ms(t0, t1),
      activateMs: ms(t1, t2),
      firstInputMs: ms(t3, shown.at),
      firstInput: `${input.kind} step ${String(input.step)}/${String(input.totalSteps)}: ${String(input.prompt ?? input.placeholder)}`,
    }) + '\n',
  );
  process.exit(0); // The quick input never answers; nothing else to wait for.
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
