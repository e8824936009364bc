/**
 * The engine through the real worker thread: buffers are moved (the sender's are emptied), the grid's "verified"
 * event comes before its views, a problem is one ImageProblemError, Cancel stops the work (the worker is terminated
 * and nothing is returned), a crashed worker is one clear error and the next call works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { ImageEngine, ImageProblemError } from '../../src/image/engine';
import { WorkerTaskError } from '../../src/image/worker/client';
import { ownedBytes } from '../../src/image/transfer';
import { corpusFile, makeGrid } from '../support/imageCorpus';
import { repoRoot, testEngineOptions } from '../support/imageEngine';

function engine(log?: (line: string) => void): ImageEngine {
  return new ImageEngine(testEngineOptions({ idleMs: 200, log }));
}

test('prepareUpload in the worker: the photo comes back as a padded JPEG', async () => {
  const images = engine();
  try {
    const prepared = await images.prepareUpload({ path: (await corpusFile('phone12mp')).file }, { padToSquare: true });
    assert.deepEqual([prepared.mime, prepared.width, prepared.height], ['image/jpeg', 1024, 1024]);
    assert.ok(prepared.bytes instanceof Uint8Array && prepared.bytes.byteLength > 10_000);
  } finally {
    images.dispose();
  }
});

test('splitGrid in the worker: the grid bytes are transferred, "verified" arrives before the six views', async () => {
  const images = engine();
  try {
    const grid = new Uint8Array(await makeGrid(640, 960, 'png'));
    const events: string[] = [];
    const result = await images.splitGrid(grid, { requestedSize: { width: 640, height: 960 } }, undefined, (verified) => {
      events.push(`verified ${verified.width}x${verified.height}`);
    });
    events.push(`views ${result.views.length}`);
    assert.deepEqual(events, ['verified 640x960', 'views 6']);
    assert.equal(grid.byteLength, 0, "the caller's buffer was moved to the worker, not copied");
    assert.ok(result.views.every((view) => view.byteLength > 0));
  } finally {
    images.dispose();
  }
});

test('a problem in the worker is one ImageProblemError with its reason and details', async () => {
  const images = engine();
  try {
    await assert.rejects(images.prepareUpload({ path: (await corpusFile('truncatedJpeg')).file }, { padToSquare: true }), (error: unknown) => {
      assert.ok(error instanceof ImageProblemError);
      assert.equal(error.reason, 'truncated');
      assert.equal((error.details as { mime: string }).mime, 'image/jpeg');
      return true;
    });
    await assert.rejects(images.splitGrid(new Uint8Array(await makeGrid(500, 500, 'png')), {}), (error: unknown) => error instanceof ImageProblemError && error.reason === 'wrong-size-grid');
  } finally {
    images.dispose();
  }
});

test('Cancel terminates the worker mid-decode: the call rejects as cancelled, the work stops, the next call works', async () => {
  const images = engine();
  try {
    const big = await corpusFile('photo48mp');
    const controller = new AbortController();
    const running = images.prepareUpload({ path: big.file }, { padToSquare: true }, controller.signal);
    setTimeout(() => controller.abort(), 150);
    await assert.rejects(running, (error: unknown) => error instanceof WorkerTaskError && error.kind === 'cancelled');
    // The work really stopped: the 48 MP decode would keep a core busy for most of a second, yet this process uses
    // next to no CPU in the 400 ms after Cancel. (Whatever the worker runtime logs, this is what a user would notice.)
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const used = process.cpuUsage(before);
    const usedMs = (used.user + used.system) / 1000;
    assert.ok(usedMs < 150, `the process used ${usedMs.toFixed(0)} ms of CPU after Cancel`);
    const next = await images.prepareUpload({ path: (await corpusFile('squareJpeg')).file }, { padToSquare: true });
    assert.equal(next.width, 900);
  } finally {
    images.dispose();
  }
});

test('a worker that crashes is one clear error, and the next call works in a fresh worker', async () => {
  const options = testEngineOptions({ idleMs: 200 });
  const images = new ImageEngine({ ...options, workerScript: path.join(repoRoot(), 'out', 'test', 'support', 'crashingImageWorker.js') });
  try {
    await assert.rejects(images.verifyImage(new Uint8Array(13)), (error: unknown) => error instanceof WorkerTaskError && error.kind === 'crashed');
    const verified = await images.verifyImage(new Uint8Array(await makeGrid(640, 960, 'jpeg')));
    assert.deepEqual([verified.width, verified.height], [640, 960]);
  } finally {
    images.dispose();
  }
});

test('the GIF export runs in the worker and returns the GIF transferred', async () => {
  const images = engine();
  try {
    const grid = await images.splitGrid(new Uint8Array(await makeGrid(640, 960, 'png')), {});
    const turntable = await images.encodeTurntable({ inputPath: (await corpusFile('webp')).file, views: grid.views, framesPerSecond: 8 });
    assert.equal(turntable.frames, 7);
    assert.equal(Buffer.from(turntable.gif.subarray(0, 6)).toString('latin1'), 'GIF89a');
    assert.ok(grid.views.every((view) => view.byteLength === 0), 'the views were moved to the worker');
  } finally {
    images.dispose();
  }
});

test('makePreview in the worker: a 640 x 960 grid comes back as a JPEG of 341 x 512, small enough for a chat', async () => {
  const images = engine();
  try {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const preview = await images.makePreview(new Uint8Array(await makeGrid(640, 960, format)), { longSide: 512 });
      assert.deepEqual([preview.mime, preview.width, preview.height], ['image/jpeg', 341, 512], format);
      assert.deepEqual([...preview.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], `${format}: the bytes are a JPEG`);
      assert.ok(preview.bytes.byteLength > 1000 && preview.bytes.byteLength < 200_000, `${format}: ${preview.bytes.byteLength} bytes`);
    }
    const small = await images.makePreview(new Uint8Array(await makeGrid(320, 480, 'png', { alpha: true })), { longSide: 512 });
    assert.deepEqual([small.width, small.height], [320, 480], 'a smaller picture is not enlarged');
  } finally {
    images.dispose();
  }
});

test('a Buffer that is a view into larger memory (a download, a file read) is copied before its buffer is transferred: the caller keeps its bytes', async () => {
  const pooled = Buffer.alloc(4096, 7); // Buffer.concat and readFile hand out such views; Node 24 refuses to transfer their memory
  const view = pooled.subarray(100, 1100);
  const owned = ownedBytes(view);
  assert.notEqual(owned.buffer, pooled.buffer, 'a copy, not another view of the same memory');
  assert.deepEqual([owned.byteOffset, owned.byteLength, owned.buffer.byteLength], [0, 1000, 1000]);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(owned, [owned.buffer as ArrayBuffer]);
  port1.close();
  port2.close();
  assert.equal(owned.byteLength, 0, 'the copy went to the other thread');
  assert.equal(view.byteLength, 1000, 'the caller’s bytes are still there');
  assert.equal(view[999], 7);
  // Through the worker too: a Buffer view of a real grid verifies, and the caller's Buffer is untouched.
  const grid = await makeGrid(640, 960, 'png');
  const padded = Buffer.concat([Buffer.alloc(10), Buffer.from(grid), Buffer.alloc(10)]);
  const gridView = padded.subarray(10, 10 + grid.byteLength);
  const engine = new ImageEngine(testEngineOptions());
  try {
    assert.equal((await engine.verifyImage(gridView)).width, 640);
    assert.equal(gridView.byteLength, grid.byteLength);
  } finally {
    engine.dispose();
  }
});
