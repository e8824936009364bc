import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BatchOutcome, runBatch, StartGate } from '../../src/core/batch';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a batch of generations', () => {
  test('never runs more than the concurrency at once, and runs every item', async () => {
    let running = 0;
    let most = 0;
    const outcomes = await runBatch([1, 2, 3, 4, 5], { concurrency: 2 }, async (item) => {
      running++;
      most = Math.max(most, running);
      await tick(5 + (item % 2) * 5);
      running--;
      return item * 10;
    });
    assert.equal(most, 2);
    assert.deepEqual(outcomes.map((o) => (o.ok ? o.value : 'failed')), [10, 20, 30, 40, 50], 'one outcome per item, in the items’ order');
  });

  test('one failure does not stop the others, and each outcome is reported as it settles', async () => {
    const settled: BatchOutcome<string, string>[] = [];
    const outcomes = await runBatch<string, string>(['mug', 'broken', 'shoe'], { concurrency: 1, onSettled: (o) => settled.push(o) }, async (item) => {
      if (item === 'broken') throw new Error('not an image');
      return `${item} done`;
    });
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
    assert.equal((outcomes[1] as { error: Error }).error.message, 'not an image');
    assert.deepEqual(settled.map((o) => o.item), ['mug', 'broken', 'shoe']);
  });

  test('after the signal is aborted no further item starts; those not started are failed with the reason', async () => {
    const abort = new AbortController();
    const started: number[] = [];
    const outcomes = await runBatch([1, 2, 3, 4], { concurrency: 1, signal: abort.signal }, async (item) => {
      started.push(item);
      if (item === 2) abort.abort(new Error('cancelled by the user'));
      return item;
    });
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, true, false, false]);
  });

  test('a concurrency of 0 or NaN still runs the items, one at a time', async () => {
    for (const concurrency of [0, Number.NaN]) {
      const outcomes = await runBatch(['a', 'b'], { concurrency }, async (item) => item);
      assert.deepEqual(outcomes.map((o) => o.ok && o.value), ['a', 'b']);
    }
  });
});

describe('holding new starts after a rate limit', () => {
  test('no item starts before the hold ends; the running ones are not disturbed', async () => {
    const gate = new StartGate();
    const startedAt: Record<string, number> = {};
    const t0 = Date.now();
    await runBatch(['first', 'second'], { concurrency: 1, gate }, async (item) => {
      startedAt[item] = Date.now() - t0;
      if (item === 'first') gate.holdFor(80); // the service said: retry after 80 ms
      return item;
    });
    assert.ok(startedAt.second >= 75, `the second job waited for the hold (started at ${startedAt.second} ms)`);
  });

  test('a shorter hold does not shorten a longer one, and an abort ends the wait', async () => {
    let now = 1000;
    const gate = new StartGate(() => now);
    gate.holdFor(500);
    gate.holdFor(100);
    const abort = new AbortController();
    const waiting = gate.wait(abort.signal);
    now = 1200; // 300 ms of the 500 left: still held
    abort.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
  });
});
