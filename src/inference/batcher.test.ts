import { describe, expect, it } from 'vitest';
import { MicroBatcher, planBatches } from './batcher.js';
import { InferenceQueueFullError } from './inference.errors.js';

describe('MicroBatcher', () => {
  it('runs-concurrent-submissions-as-one-batch-and-routes-results-in-order', async () => {
    const seen: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      name: 'test',
      maxBatch: 8,
      maxWaitMs: 5,
      run: async (items) => {
        seen.push(items);
        return items.map((x) => x * 10);
      },
    });
    const results = await Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(seen).toEqual([[1, 2, 3, 4]]);
  });

  it('never-exceeds-max-batch', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      name: 'test',
      maxBatch: 3,
      maxWaitMs: 1,
      run: async (items) => {
        sizes.push(items.length);
        return items;
      },
    });
    const results = await Promise.all(batcher.submitMany([1, 2, 3, 4, 5, 6, 7]));
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('buckets-by-length-and-still-returns-results-in-submission-order', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      name: 'test',
      maxBatch: 16,
      maxWaitMs: 5,
      lengthOf: (s) => s.length,
      run: async (items) => {
        batches.push(items);
        return items.map((s) => s.toUpperCase());
      },
    });
    const inputs = ['a'.repeat(40), 'b', 'c'.repeat(100), 'd', 'e'.repeat(45)];
    const results = await Promise.all(batcher.submitMany(inputs));
    expect(results).toEqual(inputs.map((s) => s.toUpperCase()));
    // ≤16 | 33–64 | 65–128: three batches, short ones together.
    expect(batches.map((b) => b.map((s) => s.length))).toEqual([[1, 1], [40, 45], [100]]);
  });

  it('isolates-a-failing-item-to-its-own-request', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>({
      name: 'test',
      maxBatch: 8,
      maxWaitMs: 5,
      run: async (items) => {
        calls++;
        if (items.includes(13)) throw new Error('unlucky');
        return items.map((x) => x + 1);
      },
    });
    const settled = await Promise.allSettled([1, 13, 2].map((x) => batcher.submit(x)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toMatchObject({ value: 2 });
    expect(settled[1]).toMatchObject({ reason: new Error('unlucky') });
    expect(calls).toBe(4); // the batch, then each item alone
    expect(batcher.stats.isolatedFailures).toBe(1);
  });

  it('rejects-when-the-queue-is-full-without-queueing-anything', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>({
      name: 'busy',
      maxBatch: 1,
      maxWaitMs: 0,
      maxQueue: 2,
      run: async (items) => {
        await gate;
        return items;
      },
    });
    const first = batcher.submit(1);
    // Let the first item start running so that it no longer counts as queued.
    await new Promise((r) => setImmediate(r));
    const queued = batcher.submitMany([2, 3]);
    expect(() => batcher.submitMany([4])).toThrow(InferenceQueueFullError);
    expect(() => batcher.submit(5)).toThrow(/queue "busy" is full/);
    expect(batcher.stats.queued).toBe(2);
    release();
    await expect(Promise.all([first, ...queued])).resolves.toEqual([1, 2, 3]);
  });

  it('waits-at-most-max-wait-for-a-lone-request', async () => {
    const batcher = new MicroBatcher<number, number>({ name: 'test', maxBatch: 64, maxWaitMs: 20, run: async (i) => i });
    const started = performance.now();
    await batcher.submit(1);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(elapsed).toBeLessThan(500);
  });

  it('forms-the-next-batch-from-items-arriving-during-a-run', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      name: 'test',
      maxBatch: 32,
      maxWaitMs: 0,
      run: async (items) => {
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 10));
        return items;
      },
    });
    const first = batcher.submit(0);
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 10 }, (_, i) => batcher.submit(i + 1));
    await Promise.all([first, ...rest]);
    expect(sizes).toEqual([1, 10]);
  });

  it('drains-queued-work-on-close-and-refuses-new-work', async () => {
    const batcher = new MicroBatcher<number, number>({ name: 'test', maxWaitMs: 50, run: async (i) => i });
    const pending = batcher.submit(7);
    await batcher.close();
    await expect(pending).resolves.toBe(7);
    expect(() => batcher.submit(8)).toThrow(/closed/);
  });
});

describe('planBatches', () => {
  const item = (length: number, seq: number) => ({ length, seq });

  it('keeps-arrival-order-without-bucketing', () => {
    const items = [item(50, 0), item(1, 1), item(30, 2)];
    expect(planBatches(items, 2)).toEqual([[items[0], items[1]], [items[2]]]);
  });

  it('sorts-by-length-and-splits-at-buckets', () => {
    const items = [item(70, 0), item(3, 1), item(20, 2), item(5, 3), item(24, 4)];
    const plan = planBatches(items, 8, (l) => Math.ceil(Math.log2(l)));
    expect(plan.map((b) => b.map((i) => i.length))).toEqual([[3], [5], [20, 24], [70]]);
  });
});

describe('MicroBatcher.submitAll', () => {
  it('runs-a-bulk-request-larger-than-the-queue-bound-in-order', async () => {
    let maxQueued = 0;
    const batcher: MicroBatcher<number, number> = new MicroBatcher<number, number>({
      name: 'bulk',
      maxBatch: 4,
      maxWaitMs: 0,
      maxQueue: 40,
      run: async (items) => {
        maxQueued = Math.max(maxQueued, batcher.stats.queued);
        return items.map((x) => -x);
      },
    });
    const input = Array.from({ length: 500 }, (_, i) => i);
    await expect(batcher.submitAll(input)).resolves.toEqual(input.map((x) => -x));
    expect(maxQueued).toBeLessThanOrEqual(32);
  });
});
