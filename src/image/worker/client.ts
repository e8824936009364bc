/**
 * The host side of the runtime: runs named operations in a node:worker_threads worker, one at a time, in order.
 *
 * The worker starts on the first run and is stopped `idleMs` after the last one; while idle it never keeps the
 * process alive. Cancelling the running task terminates its worker (the next task gets a fresh one); a worker that
 * crashes or runs out of memory fails only the task it was running. Every failure is a WorkerTaskError whose `kind`
 * the caller turns into one user-worded message. Pure Node: no `vscode` here.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { isTaskMessage, type TaskMessage } from './protocol';

export interface WorkerClientOptions {
  /** The worker's script (an absolute path to a .js file that calls serve()). */
  script: string;
  workerData?: unknown;
  /** How long an idle worker is kept for the next task (default DEFAULT_IDLE_MS). */
  idleMs?: number;
  /** Heap limits: a worker over them fails its task with kind 'out-of-memory'. */
  resourceLimits?: ResourceLimits;
  /** Lifecycle lines (started, stopped, crashed); never payloads. */
  log?: (line: string) => void;
}

export type WorkerTaskErrorKind = 'crashed' | 'out-of-memory' | 'cancelled' | 'failed';

/** kind: 'crashed' | 'out-of-memory' | 'cancelled' | 'failed' (the op threw; `data` is what it threw, as plain data) */
export class WorkerTaskError extends Error {
  constructor(
    readonly kind: WorkerTaskErrorKind,
    readonly data?: unknown,
    /** The operation that failed (for logs). */
    readonly op = 'task',
  ) {
    super(describeFailure(kind, op, data));
    this.name = 'WorkerTaskError';
  }
}

export interface RunOptions {
  /** Buffers moved to the worker (the sender's copies are detached). */
  transfer?: ArrayBuffer[];
  /** Aborting drops a queued task, or terminates the worker running it; either rejects with kind 'cancelled'. */
  signal?: AbortSignal;
  /** The op's context.emit(...) events, in order, before the result. */
  onEvent?: (event: unknown) => void;
}

export const DEFAULT_IDLE_MS = 3000;

interface Task {
  id: number;
  op: string;
  payload: unknown;
  options: RunOptions;
  resolve(result: unknown): void;
  reject(error: WorkerTaskError): void;
  /** Removes the abort listener; called once the task has settled. */
  release(): void;
}

/** One worker thread and what became of it; a replaced worker's late messages and exit are recognised by identity. */
interface WorkerSlot {
  worker: Worker;
  /** For the log: worker.threadId reads -1 once the thread has exited. */
  threadId: number;
  /** Set by the worker's 'error' event, read at its 'exit'. */
  failure?: { kind: 'crashed' | 'out-of-memory'; data: unknown };
}

export class WorkerClient {
  private readonly queue: Task[] = [];
  private running: Task | undefined;
  private slot: WorkerSlot | undefined;
  /** A worker being terminated: the next one starts only once it is gone, so two never hold memory at once. */
  private retiring: Promise<unknown> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextTaskId = 1;
  private disposed = false;

  constructor(private readonly options: WorkerClientOptions) {}

  /** Runs one operation; tasks run one at a time, in order. `transfer` buffers are moved, not copied. */
  run<Result>(op: string, payload: unknown, options: RunOptions = {}): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const { signal } = options;
      if (this.disposed) return reject(new WorkerTaskError('cancelled', { reason: 'disposed' }, op));
      if (signal?.aborted) return reject(new WorkerTaskError('cancelled', undefined, op));
      const onAbort = () => this.cancel(task);
      const task: Task = {
        id: this.nextTaskId++,
        op,
        payload,
        options,
        resolve: (result) => resolve(result as Result),
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.pump();
    });
  }

  /** Terminates the worker and rejects the running and queued tasks with kind 'cancelled'. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearIdleTimer();
    const pending = [...(this.running ? [this.running] : []), ...this.queue.splice(0)];
    this.running = undefined;
    if (this.slot) void this.retire(this.slot, 'disposed');
    for (const task of pending) this.settle(task, () => task.reject(new WorkerTaskError('cancelled', { reason: 'disposed' }, task.op)));
  }

  // ------------------------------------------------------------------------------------------ scheduling

  private pump(): void {
    if (this.disposed || this.running || this.retiring) return;
    const task = this.queue.shift();
    if (!task) return;
    this.clearIdleTimer();
    let slot: WorkerSlot;
    try {
      slot = this.slot ?? this.spawn();
    } catch (thrown) {
      // The script cannot be started at all (a bad path): fail this task, try again for the next one.
      this.settle(task, () => task.reject(new WorkerTaskError('crashed', plainError(thrown), task.op)));
      return this.pump();
    }
    this.running = task;
    slot.worker.ref(); // a running task keeps the process alive until it settles
    try {
      slot.worker.postMessage({ id: task.id, op: task.op, payload: task.payload }, task.options.transfer);
    } catch (thrown) {
      // The payload cannot be cloned (DataCloneError): the caller's bug, nothing reached the worker.
      this.finish(task, () => task.reject(new WorkerTaskError('failed', plainError(thrown), task.op)));
    }
  }

  private cancel(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, () => task.reject(new WorkerTaskError('cancelled', undefined, task.op)));
    } else if (task === this.running && this.slot) {
      // The op cannot be interrupted from outside: stop its thread, and report once it has really stopped.
      this.running = undefined;
      void this.retire(this.slot, `task "${task.op}" cancelled`, () =>
        this.settle(task, () => task.reject(new WorkerTaskError('cancelled', undefined, task.op))),
      );
    }
  }

  /** Settles the running task, then goes on with the queue (or starts the idle countdown). */
  private finish(task: Task, settleIt: () => void): void {
    if (this.running === task) this.running = undefined;
    this.settle(task, settleIt);
    if (this.queue.length === 0) this.startIdleTimer();
    this.pump();
  }

  private settle(task: Task, settleIt: () => void): void {
    task.release();
    settleIt();
  }

  private startIdleTimer(): void {
    const slot = this.slot;
    if (!slot) return;
    slot.worker.unref();
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => void this.retire(slot, 'idle'), this.options.idleMs ?? DEFAULT_IDLE_MS);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  // ------------------------------------------------------------------------------------------ workers

  private spawn(): WorkerSlot {
    const { script, workerData, resourceLimits } = this.options;
    const worker = new Worker(script, { workerData, resourceLimits });
    const slot: WorkerSlot = { worker, threadId: worker.threadId };
    this.slot = slot;
    const current = () => this.slot === slot;
    slot.worker.on('message', (message: unknown) => {
      if (current() && isTaskMessage(message)) this.onMessage(message);
    });
    slot.worker.on('error', (error: Error & { code?: string }) => {
      const kind = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : 'crashed';
      slot.failure ??= { kind, data: plainError(error) };
    });
    slot.worker.on('exit', (exitCode) => {
      if (!current()) return; // terminated on purpose (cancel, idle, dispose)
      this.slot = undefined;
      this.clearIdleTimer();
      const failure = slot.failure ?? { kind: 'crashed' as const, data: { exitCode } };
      this.log(`worker ${slot.threadId} stopped unexpectedly (${failure.kind}, exit code ${exitCode})`);
      const task = this.running;
      if (task) this.finish(task, () => task.reject(new WorkerTaskError(failure.kind, failure.data, task.op)));
    });
    this.log(`worker ${slot.threadId} started`);
    return slot;
  }

  /** Terminates `slot`'s worker, then calls `onStopped`; the next task waits until it is gone. */
  private retire(slot: WorkerSlot, why: string, onStopped?: () => void): Promise<unknown> {
    if (this.slot === slot) this.slot = undefined;
    this.clearIdleTimer();
    const threadId = slot.threadId;
    const done = slot.worker
      .terminate()
      .catch(() => undefined)
      .then(() => {
        this.log(`worker ${threadId} stopped (${why})`);
        if (this.retiring === done) this.retiring = undefined;
        onStopped?.();
        this.pump();
      });
    this.retiring = done;
    return done;
  }

  private onMessage(message: TaskMessage): void {
    const task = this.running;
    if (!task || message.id !== task.id) return; // a late message of a task that already settled
    switch (message.type) {
      case 'event':
        try {
          task.options.onEvent?.(message.event);
        } catch (thrown) {
          // A listener's bug must not take the runtime down; the task goes on.
          this.log(`onEvent of "${task.op}" threw: ${plainError(thrown).message}`);
        }
        return;
      case 'result':
        return this.finish(task, () => task.resolve(message.result));
      case 'error':
        return this.finish(task, () => task.reject(new WorkerTaskError(message.kind, message.error, task.op)));
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

function plainError(thrown: unknown): { name: string; message: string; code?: string } {
  if (!(thrown instanceof Error)) return { name: 'Error', message: String(thrown) };
  const code = (thrown as { code?: unknown }).code;
  return typeof code === 'string' ? { name: thrown.name, message: thrown.message, code } : { name: thrown.name, message: thrown.message };
}

/** A message for logs: which op, what happened, and the op's own message when it threw (never a stack). */
function describeFailure(kind: WorkerTaskErrorKind, op: string, data: unknown): string {
  const detail = typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string' ? `: ${(data as { message: string }).message}` : '';
  switch (kind) {
    case 'cancelled':
      return `worker task "${op}" was cancelled`;
    case 'out-of-memory':
      return `worker task "${op}" ran out of memory${detail}`;
    case 'crashed':
      return `the worker running "${op}" stopped unexpectedly${detail}`;
    case 'failed':
      return `worker task "${op}" failed${detail}`;
  }
}
