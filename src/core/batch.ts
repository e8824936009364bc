/**
 * Running many generations at once (a batch of images): a bounded number at a time, each failure kept to its own
 * item, and no new job started while the service has asked to wait (HTTP 429 with retry_after). Pure: no `vscode`.
 */
import { abortableSleep } from '../api/abort';

export type BatchOutcome<Item, Value> =
  | { item: Item; index: number; ok: true; value: Value }
  | { item: Item; index: number; ok: false; error: unknown };

export interface BatchOptions {
  /** At most this many items run at once (at least 1). */
  concurrency: number;
  /** Once aborted, no further item starts; the items already running are the worker's to stop. */
  signal?: AbortSignal;
  /** Held before each start: see StartGate. */
  gate?: StartGate;
}

export interface BatchCallbacks<Item, Value> {
  /** Each item's outcome as soon as it settles (for a running count). */
  onSettled?: (outcome: BatchOutcome<Item, Value>) => void;
}

/**
 * Runs `work` on every item, at most `concurrency` at a time, in order of the items; resolves when all have
 * settled, with one outcome per item in the items' order. A rejected item never stops the others. Items not
 * started because of the signal are reported as failed with the signal's reason.
 */
export async function runBatch<Item, Value>(
  items: readonly Item[],
  options: BatchOptions & BatchCallbacks<Item, Value>,
  work: (item: Item, index: number) => Promise<Value>,
): Promise<BatchOutcome<Item, Value>[]> {
  const outcomes: BatchOutcome<Item, Value>[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      try {
        await options.gate?.wait(options.signal);
        options.signal?.throwIfAborted();
        outcomes[index] = { item, index, ok: true, value: await work(item, index) };
      } catch (error) {
        outcomes[index] = { item, index, ok: false, error };
      }
      options.onSettled?.(outcomes[index]);
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(options.concurrency) || 1, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}

/**
 * Holds new starts until a time: when one job of a batch is told to retry after N seconds, starting another job
 * meanwhile would only earn another 429 (and may count against the account's queue limit).
 */
export class StartGate {
  private openAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** No start before `ms` from now (a later hold wins; an earlier one does not shorten it). */
  holdFor(ms: number): void {
    this.openAt = Math.max(this.openAt, this.now() + Math.max(0, ms));
  }

  async wait(signal?: AbortSignal): Promise<void> {
    for (let remaining = this.openAt - this.now(); remaining > 0; remaining = this.openAt - this.now()) {
      signal?.throwIfAborted();
      // An abort ends the wait; the check below then throws the signal's own reason.
      await abortableSleep(remaining, signal).catch(() => undefined);
    }
    signal?.throwIfAborted();
  }
}
