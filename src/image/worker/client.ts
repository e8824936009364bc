/**
 * STAND-IN for the generic worker runtime's host side (see protocol.ts): lazy start, one task at a time in order,
 * transferred buffers, cancel by terminating, crash and out-of-memory as one error kind, idle termination.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { FromWorker } from './protocol';

export interface WorkerClientOptions {
  script: string;
  workerData?: unknown;
  idleMs?: number;
  resourceLimits?: ResourceLimits;
  log?: (line: string) => void;
}

export type WorkerTaskErrorKind = 'crashed' | 'out-of-memory' | 'cancelled' | 'failed';

/** kind: 'crashed' | 'out-of-memory' | 'cancelled' | 'failed' (the op threw; `data` is what it threw, as plain data) */
export class WorkerTaskError extends Error {
  readonly kind: WorkerTaskErrorKind;
  readonly data?: unknown;
  constructor(kind: WorkerTaskErrorKind, message: string, data?: unknown) {
    super(message);
    this.name = 'WorkerTaskError';
    this.kind = kind;
    if (data !== undefined) {
      this.data = data;
    }
  }
}

interface Task {
  id: number;
  op: string;
  payload: unknown;
  transfer: ArrayBuffer[];
  signal?: AbortSignal;
  onEvent?: (event: unknown) => void;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onAbort?: () => void;
}

export class WorkerClient {
  private worker: Worker | undefined;
  private readonly queue: Task[] = [];
  private running: Task | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: WorkerClientOptions) {}

  /** Runs one operation; tasks run one at a time, in order. `transfer` buffers are moved, not copied. */
  run<Result>(op: string, payload: unknown, options: { transfer?: ArrayBuffer[]; signal?: AbortSignal; onEvent?: (event: unknown) => void } = {}): Promise<Result> {
    if (this.disposed) {
      return Promise.reject(new WorkerTaskError('cancelled', 'the worker client is disposed'));
    }
    if (options.signal?.aborted) {
      return Promise.reject(new WorkerTaskError('cancelled', 'cancelled before it started'));
    }
    return new Promise<Result>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        op,
        payload,
        transfer: options.transfer ?? [],
        signal: options.signal,
        onEvent: options.onEvent,
        resolve: resolve as (result: unknown) => void,
        reject,
      };
      if (task.signal) {
        task.onAbort = () => this.cancel(task);
        task.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const task of this.queue.splice(0)) {
      this.settle(task, new WorkerTaskError('cancelled', 'the worker client was disposed'));
    }
    if (this.running) {
      this.settle(this.running, new WorkerTaskError('cancelled', 'the worker client was disposed'));
      this.running = undefined;
    }
    this.stopWorker();
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) {
      return;
    }
    clearTimeout(this.idleTimer);
    const task = this.queue.shift()!;
    this.running = task;
    const worker = this.ensureWorker();
    worker.ref(); // a task in flight keeps the process alive until it settles; an idle worker never does
    worker.postMessage({ id: task.id, op: task.op, payload: task.payload }, task.transfer);
  }

  private ensureWorker(): Worker {
    if (this.worker) {
      return this.worker;
    }
    const worker = new Worker(this.options.script, { workerData: this.options.workerData, resourceLimits: this.options.resourceLimits });
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error: Error & { code?: string }) => {
      const oom = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.onWorkerGone(worker, oom ? 'out-of-memory' : 'crashed', oom ? 'the image worker ran out of memory' : `the image worker crashed: ${error.message}`);
    });
    worker.on('exit', (code) => this.onWorkerGone(worker, 'crashed', `the image worker exited (code ${code})`));
    this.worker = worker;
    this.options.log?.('image worker started');
    return worker;
  }

  private onMessage(message: FromWorker): void {
    const task = this.running;
    if (!task || task.id !== message.id) {
      return;
    }
    if (message.type === 'event') {
      task.onEvent?.(message.event);
      return;
    }
    this.running = undefined;
    this.settle(task, message.type === 'result' ? undefined : new WorkerTaskError('failed', 'the operation failed', message.data), message.type === 'result' ? message.result : undefined);
    this.afterTask();
  }

  private onWorkerGone(worker: Worker, kind: 'crashed' | 'out-of-memory', message: string): void {
    if (this.worker !== worker) {
      return;
    }
    this.worker = undefined;
    const task = this.running;
    this.running = undefined;
    if (task) {
      this.settle(task, new WorkerTaskError(kind, message));
    }
    this.afterTask();
  }

  private cancel(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, new WorkerTaskError('cancelled', 'cancelled'));
      return;
    }
    if (this.running === task) {
      this.running = undefined;
      this.settle(task, new WorkerTaskError('cancelled', 'cancelled'));
      this.stopWorker(); // the only way to stop work in progress
      this.afterTask();
    }
  }

  private afterTask(): void {
    if (this.queue.length > 0) {
      this.pump();
      return;
    }
    clearTimeout(this.idleTimer);
    this.worker?.unref();
    this.idleTimer = setTimeout(() => this.stopWorker(), this.options.idleMs ?? 5000);
    this.idleTimer.unref();
  }

  private stopWorker(): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      void worker.terminate();
      this.options.log?.('image worker stopped');
    }
  }

  private settle(task: Task, error: Error | undefined, result?: unknown): void {
    if (task.onAbort) {
      task.signal?.removeEventListener('abort', task.onAbort);
    }
    if (error) {
      task.reject(error);
    } else {
      task.resolve(result);
    }
  }
}
