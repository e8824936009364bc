/**
 * A second process for test/unit/sidecar-updates.test.ts: appends `count` exports to one sidecar through the
 * product's recordExport, as another window on the same workspace would.
 *
 *   node out/test/support/appendExports.js <sidecar> <tag> <count>
 */
import { recordExport } from '../../src/core/results/sidecarUpdates';

async function main(): Promise<void> {
  const [sidecar, tag, count] = process.argv.slice(2);
  for (let i = 0; i < Number(count); i++) {
    await recordExport(sidecar, { kind: 'camera-poses', files: [`${tag}-${i}.json`], createdAt: new Date().toISOString(), details: {} }, 'secret');
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
