/**
 * A batch of fifty images while the account's queue is full (the contract server's 'queue-limit': at most 5 queued
 * jobs, then 429 with retry_after): every result right, each refused submission retried no sooner than the service
 * said, every job submitted once past its refusals (fifty jobs, fifty results), and memory bounded. The batch is run
 * as the Explorer's batch runs it (src/vscode/jobs/batchGeneration.ts: runBatch, a StartGate held by each job's
 * rate limit, runGenerationJob per image), at the highest concurrency the setting allows.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { runBatch, StartGate } from '../../src/core/batch';
import { runGenerationJob } from '../../src/core/generationJob';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readSavedResult } from '../../src/core/readSidecar';
import { ImageEngine } from '../../src/image/engine';
import { startContractServer, type ContractServer } from '../contract-server/server';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { testEngineOptions } from '../support/imageEngine';

const IMAGES = 50;
const CONCURRENCY = 8;
const engine = new ImageEngine(testEngineOptions());
let server: ContractServer;
let workspace: string;

before(async () => {
  server = await startContractServer({ scenario: 'queue-limit', etaSeconds: 1, retryAfterSeconds: 1 });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-batch-'));
});
after(async () => {
  engine.dispose();
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});

/** The picture a submission names (`init_image` or `image`, as the endpoint spells it). */
function imageOf(body: unknown): string {
  const fields = body as { init_image?: unknown; image?: unknown };
  return String(fields.init_image ?? fields.image ?? '');
}

test('fifty images under a full queue: fifty results, each refusal waited out, memory bounded', { timeout: 240_000 }, async () => {
  const images: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const file = path.join(workspace, `item-${String(i).padStart(2, '0')}.png`);
    const png = new PNG({ width: 48, height: 48 });
    for (let p = 0; p < png.data.length; p += 4) png.data.set([(i * 5) % 256, 120, 200, 255], p);
    await fs.writeFile(file, PNG.sync.write(png));
    images.push(file);
  }
  const rssBefore = process.memoryUsage().rss;
  let rssMost = rssBefore;
  const gate = new StartGate();
  const outcomes = await runBatch(images, { concurrency: CONCURRENCY, gate }, (image) =>
    runGenerationJob({
      imagePath: image,
      workspaceFolder: workspace,
      outputFolder: '${imageFolder}/multiview',
      parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a batch', seed: 7 },
      longSide: 1024,
      engine,
      connection: { apiKey: 'batch-key', endpoints: endpointsFromBaseUrls(server.baseUrl, server.baseUrl), requestTimeoutMs: 5000, jobTimeoutMs: 60_000, pollIntervalMs: { min: 100, max: 300 } },
      extensionVersion: '0.0.0-test',
      cameraLayout: 'zero123plus-v1.2',
      saveViews: true,
      onRateLimited: (retryAfterMs) => gate.holdFor(retryAfterMs),
      onProgress: () => {
        rssMost = Math.max(rssMost, process.memoryUsage().rss);
      },
    }),
  );

  const failed = outcomes.filter((outcome) => !outcome.ok).map((outcome) => String((outcome as { error: unknown }).error));
  assert.deepEqual(failed, [], 'every image has its result');
  assert.ok(server.queueLimitRefusals.length > 0, 'the queue was full at times (else this test proves nothing)');

  // Each result on disk, its own job, read back from its sidecar.
  const jobIds = new Set<string>();
  for (const outcome of outcomes) {
    assert.ok(outcome.ok);
    const saved = await readSavedResult(outcome.value.sidecarPath, workspace);
    assert.equal(saved.viewPaths.length, 6);
    for (const file of [saved.gridPath, ...saved.viewPaths]) await fs.access(file);
    assert.equal(path.basename(saved.sourceImagePath), path.basename(outcome.item));
    jobIds.add(saved.sidecar.jobId);
  }
  assert.equal(jobIds.size, IMAGES, 'fifty jobs, none saved twice');

  // Submissions: fifty accepted, and each refused one came back no sooner than retry_after.
  const submissions = server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/multiview'));
  assert.equal(submissions.length, IMAGES + server.queueLimitRefusals.length, 'one accepted submission per image, plus one per refusal');
  for (const refusal of server.queueLimitRefusals) {
    const retry = submissions.find((request) => request.at > refusal.at && imageOf(request.body) === refusal.image);
    assert.ok(retry, `the refused submission of ${refusal.image} was retried`);
    assert.ok(retry.at - refusal.at >= refusal.retryAfterMs - 5, `retried ${retry.at - refusal.at} ms after a retry_after of ${refusal.retryAfterMs} ms`);
  }
  const grewMb = (rssMost - rssBefore) / 1e6;
  assert.ok(grewMb < 300, `memory stayed bounded: the process grew ${grewMb.toFixed(0)} MB during fifty jobs`);
});
