/**
 * `npm run demo`: the packaged extension in a real VS Code (code-server) in your browser, wired to
 * the LOCAL contract server. A sandbox: nothing is sent to the real API, the results are
 * placeholder grids (a simple subject on grey in each view), and any API key that does not start with "invalid" is accepted.
 *
 *   node out/test/host/demo.js [--port 8080] [--host 127.0.0.1] [--vsix path] [--theme light|dark]
 *
 * In VS Code 1.100.3 by default; `npm run demo:newest` (MULTIVIEW_VSCODE=1.139) runs it in VS Code 1.139.1.
 *
 * Stops (and removes its temporary folder) on Ctrl+C.
 */
import * as path from 'node:path';
import { startContractServer } from '../contract-server/server';
import { DEFAULT_VSIX, Host, log } from './harness';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  // Grids that look like the model's (a subject on grey in each view), so the free exports have something to cut out.
  const contract = await startContractServer({ subjectGrids: true });
  const port = arg('port') ? Number(arg('port')) : undefined;
  const host = await Host.start({
    label: 'demo',
    noBrowser: true,
    port,
    host: arg('host') ?? '127.0.0.1',
    vsix: path.resolve(arg('vsix') ?? DEFAULT_VSIX),
    theme: arg('theme') === 'light' ? 'light' : 'dark',
    watchdogSeconds: 7 * 24 * 3600,
    settings: {
      'multiview.apiBaseUrl': contract.baseUrl,
      'multiview.uploadBaseUrl': contract.baseUrl,
    },
  });
  process.once('SIGINT', () => void contract.close());
  const url = `${host.baseUrl}/?folder=${encodeURIComponent(host.workspace.dir)}`;
  const line = '='.repeat(78);
  process.stdout.write(
    [
      '',
      line,
      ` Multiview DEMO SANDBOX (real VS Code ${host.version.vscode} via code-server, local fake API)`,
      line,
      ` Open:  ${url}`,
      '',
      ' - Right-click mug.png or photos/shoe.jpg in the Explorer -> "Generate Multiview...",',
      '   or run "Multiview: Generate Multiview from Image..." from the Command Palette.',
      ' - Any API key not starting with "invalid" is accepted; nothing goes to the real service.',
      ' - Results are PLACEHOLDER TILES from the local contract server, not real generations.',
      ' - Add "[scenario:NAME]" to the prompt to see other server behaviours, e.g.',
      '   queued, invalid-key, rate-limit-always, html-502, never-answers, queued-forever.',
      ` - Contract server: ${contract.baseUrl}   Workspace: ${host.workspace.dir}`,
      '',
      ' Press Ctrl+C to stop (the temporary folder is removed).',
      line,
      '',
    ].join('\n'),
  );
  log('demo running');
  // Stay alive until Ctrl+C (the harness's SIGINT handler stops code-server and exits).
  await new Promise<void>(() => setInterval(() => undefined, 1 << 30));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
