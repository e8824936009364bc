/**
 * The messages between WorkerClient (host side) and serve() (inside the worker), and how a thrown value becomes
 * plain data. One task is in flight at a time; every message names the task it belongs to, so a message from a task
 * that was cancelled (or from a worker that was replaced) can be recognised and ignored.
 */
import { isRecord } from '../../shared/isRecord';

/** Host → worker: run `op` on `payload`. */
export interface TaskRequest {
  id: number;
  op: string;
  payload: unknown;
}

/** Why an op's failure is reported as running out of memory rather than as the op's own failure. */
export type FailureKind = 'failed' | 'out-of-memory';

/** Worker → host: an event of the running task, its result, or what it threw (as plain data). */
export type TaskMessage =
  | { id: number; type: 'event'; event: unknown }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; kind: FailureKind; error: unknown };

export function isTaskRequest(value: unknown): value is TaskRequest {
  return isRecord(value) && typeof value.id === 'number' && typeof value.op === 'string';
}

export function isTaskMessage(value: unknown): value is TaskMessage {
  return isRecord(value) && typeof value.id === 'number' && (value.type === 'event' || value.type === 'result' || value.type === 'error');
}

/**
 * What a thrown value looks like once it has crossed the thread boundary: an Error becomes `{ name, message }` plus
 * its own primitive fields (`code`, `reason`, ...), never its stack (stacks carry paths); anything else is passed
 * as it is when it is plain data, else as its string form.
 */
export function toPlainData(thrown: unknown): unknown {
  if (thrown instanceof Error) {
    const plain: Record<string, unknown> = { name: thrown.name, message: thrown.message };
    for (const [key, value] of Object.entries(thrown)) {
      if (key === 'stack' || key in plain) continue;
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) plain[key] = value;
    }
    return plain;
  }
  try {
    structuredClone(thrown);
    return thrown;
  } catch {
    return String(thrown);
  }
}

/**
 * A failed allocation inside the worker (a pixel buffer or a WASM memory that cannot grow) is the same trouble for
 * the user as the worker's heap running out: the image is too big for this machine, not the op's bug.
 */
export function isAllocationFailure(thrown: unknown): boolean {
  return thrown instanceof RangeError && /allocation failed|out of memory|maximum memory size|could not allocate/i.test(thrown.message);
}
