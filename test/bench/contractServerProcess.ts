/**
 * The contract server in a child process (test/contract-server/cli.ts), for the benches: the product measured in one
 * process must not share its event loop with the server that answers it. Resolves once it listens.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** `args`: the server's own flags (--eta N, --textured-grids…). */
export async function startContractServerProcess(root: string, args: string[]): Promise<{ baseUrl: string; stop(): void }> {
  const child = spawn(process.execPath, [path.join(root, 'out', 'test', 'contract-server', 'cli.js'), '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /CONTRACT_SERVER_URL=(\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the contract server exited (${code}) before listening`)));
  });
  return { baseUrl, stop: () => child.kill() };
}
