/**
 * A tiny worker for test/unit/worker-runtime.test.ts: operations that echo, transfer, emit, wait, write a file late,
 * throw, crash, exit and run out of memory, so that every path of the runtime can be driven from a test.
 */
import * as fs from 'node:fs';
import { threadId, workerData } from 'node:worker_threads';
import { serve } from '../../src/image/worker/serve';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// One line per thread started, so that a test can count the workers (and see that none started too early).
const startedLog = (workerData as { startedLog?: string } | undefined)?.startedLog;
if (startedLog) fs.appendFileSync(startedLog, `${threadId}\n`);

serve({
  async identify(payload: { tag?: string }) {
    return { result: { threadId, tag: payload?.tag, workerData } };
  },

  /** Sums the bytes it was sent and sends back a buffer of its own, both transferred. */
  async sumBytes(payload: { bytes: ArrayBuffer }) {
    const view = new Uint8Array(payload.bytes);
    let sum = 0;
    for (const byte of view) sum += byte;
    const reply = new Uint8Array(view.length).fill(7);
    return { result: { sum, received: view.length, reply: reply.buffer }, transfer: [reply.buffer] };
  },

  /** Emits `count` events (one with a transferred buffer), each a moment apart, then answers. */
  async emitThenAnswer(payload: { count: number }, context) {
    for (let i = 0; i < payload.count; i++) {
      await sleep(5);
      if (i === 0) {
        const bytes = new Uint8Array([1, 2, 3]).buffer;
        context.emit({ step: i, bytes }, [bytes]);
      } else {
        context.emit({ step: i });
      }
    }
    return { result: { done: true } };
  },

  async wait(payload: { ms: number; tag?: string }) {
    await sleep(payload.ms);
    return { result: { tag: payload.tag, threadId } };
  },

  /** Writes `file` after `ms`: a cancelled run must never get that far. */
  async writeLater(payload: { file: string; ms: number }, context) {
    context.emit('started');
    await sleep(payload.ms);
    fs.writeFileSync(payload.file, 'written by a task that should have been stopped');
    return { result: 'written' };
  },

  /** Spins without yielding: only terminating the thread stops it. */
  async spin(payload: { file: string }, context) {
    context.emit('started');
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      /* busy */
    }
    fs.writeFileSync(payload.file, 'written after spinning');
    return { result: 'spun' };
  },

  async throwError() {
    const error = new TypeError('the header says 0 x 0 at /home/someone/photo.jpg') as TypeError & { code: string; reason: string };
    error.code = 'E_HEADER';
    error.reason = 'bad-header';
    throw error;
  },

  async throwData() {
    throw { reason: 'truncated', width: 4000 };
  },

  async crashLater() {
    setTimeout(() => {
      throw new Error('uncaught in the worker');
    }, 1);
    await sleep(60_000);
    return { result: 'never' };
  },

  async exitProcess() {
    process.exit(3);
  },

  /** Grows the JS heap until resourceLimits stop the worker. */
  async exhaustHeap() {
    const hoard: unknown[] = [];
    for (;;) hoard.push({ index: hoard.length, text: `item ${hoard.length}`, list: [hoard.length, hoard.length + 1] });
  },

  /** Asks for a buffer no machine has. */
  async hugeBuffer() {
    const buffer = new ArrayBuffer(2 ** 44);
    return { result: buffer.byteLength };
  },

  async unclonableResult() {
    return { result: { callback: () => 1 } };
  },
});
