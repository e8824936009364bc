/** STAND-IN for the generic worker runtime's worker side (see protocol.ts). */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';

export interface TaskContext {
  emit(event: unknown, transfer?: ArrayBuffer[]): void;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each op declares its own payload type
export type TaskHandler = (payload: any, context: TaskContext) => Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;

/** An Error as plain data (no stack: paths never reach a message); anything else as it is. */
function asData(thrown: unknown): unknown {
  return thrown instanceof Error ? { name: thrown.name, message: thrown.message } : thrown;
}

export function serve(handlers: Record<string, TaskHandler>): void {
  const port = parentPort;
  if (!port) {
    throw new Error('serve() must run inside a worker thread');
  }
  port.on('message', async ({ id, op, payload }: ToWorker) => {
    const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
    const handler = handlers[op];
    try {
      if (!handler) {
        throw new Error(`unknown op ${op}`);
      }
      const { result, transfer } = await handler(payload, { emit: (event, eventTransfer) => post({ id, type: 'event', event }, eventTransfer) });
      post({ id, type: 'result', result }, transfer);
    } catch (error) {
      post({ id, type: 'failed', data: asData(error) });
    }
  });
}
