/**
 * The worker runtime (src/image/worker): a WorkerClient running the ops of test/support/testWorker.ts in a real
 * node:worker_threads worker. What a caller relies on: the thread starts on first use and goes away when idle, tasks
 * run in order, buffers move instead of being copied, events arrive before the result, Cancel really stops the
 * work, and a crash or an exhausted heap fails one task with a clear kind while the next task works.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { WorkerClient, type WorkerClientOptions, WorkerTaskError } from '../../src/image/worker/client';

const TEST_WORKER = path.join(__dirname, '..', 'support', 'testWorker.js');

interface Identity {
  threadId: number;
  tag?: string;
  workerData?: unknown;
}

/** Polls `condition` every 20 ms until it holds; fails after `capMs` (a cap, not a speed requirement). */
async function waitUntil(what: string, condition: () => boolean, capMs = 10_000): Promise<void> {
  const end = Date.now() + capMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`gave up after ${capMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts that `promise` rejects with a WorkerTaskError of `kind`; returns the error. */
async function rejectsWith(promise: Promise<unknown>, kind: WorkerTaskError['kind']): Promise<WorkerTaskError> {
  const error = await promise.then(
    (value) => assert.fail(`expected a "${kind}" rejection, got the result ${JSON.stringify(value)}`),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof WorkerTaskError, `a WorkerTaskError (got ${String(error)})`);
  assert.equal(error.kind, kind, `kind ${kind} (${error.message})`);
  return error;
}

describe('WorkerClient', () => {
  let dir: string;
  let startedLog: string;
  let logLines: string[];
  const clients: WorkerClient[] = [];

  /** A client on the test worker; every start of a thread adds a line to `startedLog`. */
  function client(options: Partial<WorkerClientOptions> = {}): WorkerClient {
    const made = new WorkerClient({ script: TEST_WORKER, workerData: { startedLog }, log: (line) => logLines.push(line), ...options });
    clients.push(made);
    return made;
  }
  const threadsStarted = () => (fs.existsSync(startedLog) ? fs.readFileSync(startedLog, 'utf8').trim().split('\n').length : 0);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-worker-'));
    startedLog = path.join(dir, 'started.log');
    logLines = [];
  });

  afterEach(() => {
    for (const made of clients.splice(0)) made.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('starts no thread until the first run, then reuses one thread for the tasks that follow', async () => {
    const runtime = client({ idleMs: 60_000 });
    await sleep(100);
    assert.equal(threadsStarted(), 0, 'constructing the client started no worker');
    const first = await runtime.run<Identity>('identify', { tag: 'one' });
    const second = await runtime.run<Identity>('identify', { tag: 'two' });
    assert.deepEqual(first, { threadId: first.threadId, tag: 'one', workerData: { startedLog } }, 'workerData reached the worker');
    assert.equal(second.threadId, first.threadId, 'the second task ran in the same thread');
    assert.equal(threadsStarted(), 1, 'one worker for both tasks');
  });

  test('runs tasks one at a time, in the order they were asked for', async () => {
    const runtime = client();
    const finished: string[] = [];
    const waits = [120, 10, 60, 0, 30];
    const runs = waits.map((ms, i) => runtime.run<{ tag: string }>('wait', { ms, tag: `t${i}` }).then((r) => finished.push(r.tag)));
    await Promise.all(runs);
    assert.deepEqual(finished, ['t0', 't1', 't2', 't3', 't4'], 'a short task queued behind a long one waits for it');
  });

  test('moves buffers both ways: the sender keeps a detached ArrayBuffer', async () => {
    const runtime = client();
    const bytes = new Uint8Array(1024 * 1024).fill(2);
    const answer = runtime.run<{ sum: number; received: number; reply: ArrayBuffer }>('sumBytes', { bytes: bytes.buffer }, { transfer: [bytes.buffer] });
    assert.equal(bytes.buffer.byteLength, 0, 'the buffer was moved to the worker, not copied');
    const { sum, received, reply } = await answer;
    assert.equal(received, 1024 * 1024);
    assert.equal(sum, 2 * 1024 * 1024, 'the worker saw every byte');
    assert.ok(reply instanceof ArrayBuffer, 'the worker transferred a buffer back');
    assert.deepEqual([...new Uint8Array(reply).subarray(0, 3)], [7, 7, 7]);
  });

  test('delivers the op’s events in order, all before the result', async () => {
    const runtime = client();
    const seen: unknown[] = [];
    const result = await runtime.run('emitThenAnswer', { count: 5 }, { onEvent: (event) => seen.push(event) }).then((r) => {
      seen.push('result');
      return r;
    });
    assert.deepEqual(result, { done: true });
    assert.equal(seen.length, 6);
    const first = seen[0] as { step: number; bytes: ArrayBuffer };
    assert.deepEqual([first.step, [...new Uint8Array(first.bytes)]], [0, [1, 2, 3]], 'an event can carry a transferred buffer');
    assert.deepEqual(seen.slice(1), [{ step: 1 }, { step: 2 }, { step: 3 }, { step: 4 }, 'result']);
  });

  test('a listener that throws does not break the task', async () => {
    const runtime = client();
    const result = await runtime.run('emitThenAnswer', { count: 2 }, {
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    assert.deepEqual(result, { done: true });
    assert.ok(logLines.some((line) => /listener bug/.test(line)), 'the listener’s failure is logged');
  });

  test('cancelling a queued task drops it: it never runs, the others do', async () => {
    const runtime = client();
    const controller = new AbortController();
    const neverWritten = path.join(dir, 'queued.txt');
    const first = runtime.run<{ tag: string }>('wait', { ms: 150, tag: 'first' });
    const dropped = runtime.run('writeLater', { file: neverWritten, ms: 0 }, { signal: controller.signal });
    const third = runtime.run<{ tag: string }>('wait', { ms: 0, tag: 'third' });
    controller.abort();
    await rejectsWith(dropped, 'cancelled');
    assert.equal((await first).tag, 'first');
    assert.equal((await third).tag, 'third');
    assert.equal(fs.existsSync(neverWritten), false, 'the dropped task never ran');
    assert.equal(threadsStarted(), 1, 'dropping a queued task does not cost a worker');
  });

  test('an already aborted signal rejects at once, without starting a worker', async () => {
    const runtime = client();
    await rejectsWith(runtime.run('identify', {}, { signal: AbortSignal.abort() }), 'cancelled');
    assert.equal(threadsStarted(), 0);
  });

  test('cancelling the running task stops its thread: the file it would write 500 ms later never appears', async () => {
    const runtime = client();
    const controller = new AbortController();
    const file = path.join(dir, 'late.txt');
    const before = await runtime.run<Identity>('identify', {});
    const running = runtime.run('writeLater', { file, ms: 500 }, {
      signal: controller.signal,
      onEvent: (event) => event === 'started' && controller.abort(),
    });
    await rejectsWith(running, 'cancelled');
    await sleep(800);
    assert.equal(fs.existsSync(file), false, 'the cancelled op did not finish its work');
    const after = await runtime.run<Identity>('identify', {});
    assert.notEqual(after.threadId, before.threadId, 'the next task runs in a fresh worker');
  });

  test('cancel stops even an op that never yields (a busy loop), and the queue goes on', async () => {
    const runtime = client();
    const controller = new AbortController();
    const file = path.join(dir, 'spun.txt');
    const spinning = runtime.run('spin', { file }, { signal: controller.signal, onEvent: () => controller.abort() });
    const next = runtime.run<{ tag: string }>('wait', { ms: 0, tag: 'after the spin' });
    await rejectsWith(spinning, 'cancelled');
    assert.equal((await next).tag, 'after the spin');
    assert.equal(fs.existsSync(file), false);
    assert.equal(threadsStarted(), 2, 'the queued task got a fresh worker');
  });

  test('an op that throws an Error rejects with kind "failed" and the error as plain data, no stack', async () => {
    const runtime = client();
    const error = await rejectsWith(runtime.run('throwError', {}), 'failed');
    assert.deepEqual(error.data, {
      name: 'TypeError',
      message: 'the header says 0 x 0 at /home/someone/photo.jpg',
      code: 'E_HEADER',
      reason: 'bad-header',
    });
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack in the message');
    assert.doesNotMatch(error.message, /testWorker/, 'no worker file path in the message');
    assert.equal((await runtime.run<Identity>('identify', {})).threadId > 0, true, 'the worker carries on');
    assert.equal(threadsStarted(), 1, 'a failed op does not cost the worker');
  });

  test('an op that throws plain data passes it through as it is', async () => {
    const runtime = client();
    const error = await rejectsWith(runtime.run('throwData', {}), 'failed');
    assert.deepEqual(error.data, { reason: 'truncated', width: 4000 });
  });

  test('an unknown op, or a result that cannot be sent, is that task’s failure', async () => {
    const runtime = client();
    const unknown = await rejectsWith(runtime.run('constructor', {}), 'failed');
    assert.match(String((unknown.data as { message: string }).message), /unknown operation "constructor"/);
    const unclonable = await rejectsWith(runtime.run('unclonableResult', {}), 'failed');
    assert.equal((unclonable.data as { name: string }).name, 'DataCloneError');
    await rejectsWith(runtime.run('identify', { callback: () => 1 }), 'failed');
    assert.ok((await runtime.run<Identity>('identify', {})).threadId > 0);
  });

  test('an uncaught exception in the worker rejects the running task with kind "crashed"; the next task works', async () => {
    const runtime = client();
    const error = await rejectsWith(runtime.run('crashLater', {}), 'crashed');
    assert.deepEqual(error.data, { name: 'Error', message: 'uncaught in the worker' });
    assert.ok((await runtime.run<Identity>('identify', {})).threadId > 0);
    assert.equal(threadsStarted(), 2);
  });

  test('process.exit in the worker is a crash too; the tasks queued behind it still run', async () => {
    const runtime = client();
    const crashing = runtime.run('exitProcess', {});
    const queued = runtime.run<{ tag: string }>('wait', { ms: 0, tag: 'queued behind the crash' });
    const error = await rejectsWith(crashing, 'crashed');
    assert.deepEqual(error.data, { exitCode: 3 });
    assert.equal((await queued).tag, 'queued behind the crash');
  });

  test('a worker over its heap limit rejects with kind "out-of-memory"; the next task works', async () => {
    const runtime = client({ resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    const error = await rejectsWith(runtime.run('exhaustHeap', {}), 'out-of-memory');
    assert.equal((error.data as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
    assert.ok((await runtime.run<Identity>('identify', {})).threadId > 0);
  });

  test('a buffer that cannot be allocated is "out-of-memory" too, and costs no worker', async () => {
    const runtime = client();
    await rejectsWith(runtime.run('hugeBuffer', {}), 'out-of-memory');
    assert.ok((await runtime.run<Identity>('identify', {})).threadId > 0);
    assert.equal(threadsStarted(), 1);
  });

  test('a script that cannot be loaded is "crashed", with a message', async () => {
    const runtime = client({ script: path.join(dir, 'missing-worker.js') });
    const error = await rejectsWith(runtime.run('identify', {}), 'crashed');
    assert.match(error.message, /stopped unexpectedly: .*Cannot find module/);
  });

  test('an idle worker is stopped after idleMs: the next run gets a new thread', async () => {
    const runtime = client({ idleMs: 100 });
    const first = await runtime.run<Identity>('identify', {});
    await waitUntil('the idle worker was stopped', () => logLines.some((line) => /stopped \(idle\)/.test(line)));
    const second = await runtime.run<Identity>('identify', {});
    assert.notEqual(second.threadId, first.threadId, 'the idle thread is gone');
    assert.equal(threadsStarted(), 2);
  });

  test('an idle worker never keeps the process alive', async () => {
    const clientModule = require.resolve('../../src/image/worker/client');
    const program = `
      const { WorkerClient } = require(${JSON.stringify(clientModule)});
      const runtime = new WorkerClient({ script: ${JSON.stringify(TEST_WORKER)}, idleMs: 600000 });
      runtime.run('identify', {}).then((r) => console.log('ran in thread', r.threadId));`;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['-e', program], { timeout: 20_000 }, (_error, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    assert.match(stdout, /ran in thread \d+/, 'the task ran (a running task keeps the process alive)');
    assert.equal(code, 0, 'the process exited by itself although the worker had 10 minutes of idle time left');
  });

  test('dispose rejects the running and queued tasks, stops the work, and refuses new runs', async () => {
    const runtime = client();
    const file = path.join(dir, 'disposed.txt');
    let started = false;
    const running = runtime.run('writeLater', { file, ms: 500 }, { onEvent: () => (started = true) });
    const queued = runtime.run('identify', {});
    await waitUntil('the op started', () => started);
    runtime.dispose();
    await rejectsWith(running, 'cancelled');
    await rejectsWith(queued, 'cancelled');
    await rejectsWith(runtime.run('identify', {}), 'cancelled');
    await sleep(800);
    assert.equal(fs.existsSync(file), false, 'the disposed worker did not finish its work');
    assert.equal(threadsStarted(), 1);
  });
});
