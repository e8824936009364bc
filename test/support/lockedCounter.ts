/**
 * A contending process for test/unit/sidecar-updates.test.ts: adds 1 to the number in `counterFile`, `count` times,
 * each read-and-write under the product's file lock, retrying at once when it is held (as hard as contention gets).
 *
 *   node out/test/support/lockedCounter.js <counterFile> <count>
 */
import { promises as fs } from 'node:fs';
import { withLock } from '../../src/core/fileLock';

async function main(): Promise<void> {
  const [counterFile, count] = process.argv.slice(2);
  for (let i = 0; i < Number(count); i++) {
    await withLock(
      `${counterFile}.lock`,
      async () => {
        const value = Number(await fs.readFile(counterFile, 'utf8'));
        await fs.writeFile(counterFile, String(value + 1));
      },
      { waitMs: 60_000, pollMs: 1 },
    );
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
