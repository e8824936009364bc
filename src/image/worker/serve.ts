/**
 * The worker side of the runtime: `serve({ decode, resize, ... })` answers the tasks WorkerClient sends, one at a
 * time, with each handler's result (or what it threw, as plain data) and the events it emits before that.
 */
import { parentPort } from 'node:worker_threads';
import { isAllocationFailure, isTaskRequest, type TaskMessage, type TaskRequest, toPlainData } from './protocol';

export interface TaskContext {
  /** Sends `event` to the run's `onEvent`, in order and before the result; `transfer` buffers are moved, not copied. */
  emit(event: unknown, transfer?: ArrayBuffer[]): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each op validates its own payload
export type TaskHandler = (payload: any, context: TaskContext) => Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;

export function serve(handlers: Record<string, TaskHandler>): void {
  const port = parentPort;
  if (!port) throw new Error('serve() runs inside a worker thread (node:worker_threads)');
  const send = (message: TaskMessage, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

  async function runTask(request: TaskRequest): Promise<void> {
    const { id, op } = request;
    // Own properties only: "constructor" or "toString" are not operations.
    const handler = Object.prototype.hasOwnProperty.call(handlers, op) ? handlers[op] : undefined;
    if (!handler) {
      send({ id, type: 'error', kind: 'failed', error: { name: 'Error', message: `unknown operation "${op}"` } });
      return;
    }
    const context: TaskContext = { emit: (event, transfer) => send({ id, type: 'event', event }, transfer) };
    try {
      const { result, transfer } = await handler(request.payload, context);
      send({ id, type: 'result', result }, transfer);
    } catch (thrown) {
      // Also reached when the result cannot be cloned (DataCloneError): the op's bug, reported as its failure.
      send({ id, type: 'error', kind: isAllocationFailure(thrown) ? 'out-of-memory' : 'failed', error: toPlainData(thrown) });
    }
  }

  port.on('message', (message: unknown) => {
    if (isTaskRequest(message)) void runTask(message);
  });
}
