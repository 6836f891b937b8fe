import { InferenceClosedError, InferenceQueueFullError } from './inference.errors.js';

/** Options of a {@link MicroBatcher}. */
export interface MicroBatcherOptions<In, Out> {
  /** Name used in errors and logs (usually the model name). */
  name: string;
  /**
   * Runs one batch. Must return exactly one result per input, in input order. If it throws, the batch
   * is retried item by item so that only the offending items fail.
   */
  run: (items: In[]) => Promise<Out[]>;
  /** Largest batch handed to `run`. Default 32. */
  maxBatch?: number;
  /** Longest time the oldest queued item waits for companions before a batch runs. Default 2 ms. */
  maxWaitMs?: number;
  /** Items allowed to wait (queued, not yet running); beyond it `submit` throws {@link InferenceQueueFullError}. Default 4096. */
  maxQueue?: number;
  /**
   * Length of an item (tokens). When given, a flush sorts what is queued by length and cuts batches at
   * length-bucket boundaries so that short inputs are not padded to the longest one. Default: no bucketing.
   */
  lengthOf?: (item: In) => number;
  /**
   * Maps a length to its bucket; items of different buckets never share a batch. Default: powers of two
   * from 16 (≤16, ≤32, ≤64, …), so padding wastes at most half of a batch.
   */
  bucketOf?: (length: number) => number;
}

interface Pending<In, Out> {
  item: In;
  length: number;
  seq: number;
  enqueuedAt: number;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

/** What a batcher has done so far; read by metrics and the bench. */
export interface BatcherStats {
  batches: number;
  items: number;
  /** Items queued and not yet running. */
  queued: number;
  /** Largest batch run. */
  maxBatchSeen: number;
  /** Batches that failed and were retried item by item. */
  isolatedFailures: number;
}

export const defaultBucketOf = (length: number): number => Math.max(4, Math.ceil(Math.log2(Math.max(1, length))));

/**
 * Collects concurrent requests into batches for one model. One batch runs at a time per batcher (the
 * session is already multi-threaded inside; two concurrent runs would only fight over the same cores),
 * and items that arrive while a batch runs form the next one — so under load batches fill up by
 * themselves and under light load an item waits at most `maxWaitMs`.
 */
export class MicroBatcher<In, Out> {
  private readonly name: string;
  private readonly runBatch: (items: In[]) => Promise<Out[]>;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxQueue: number;
  private readonly lengthOf: ((item: In) => number) | undefined;
  private readonly bucketOf: (length: number) => number;

  private queue: Pending<In, Out>[] = [];
  private seq = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: Omit<BatcherStats, 'queued'> = { batches: 0, items: 0, maxBatchSeen: 0, isolatedFailures: 0 };

  constructor(options: MicroBatcherOptions<In, Out>) {
    this.name = options.name;
    this.runBatch = options.run;
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 32));
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
    this.maxQueue = Math.max(1, Math.floor(options.maxQueue ?? 4096));
    this.lengthOf = options.lengthOf;
    this.bucketOf = options.bucketOf ?? defaultBucketOf;
  }

  get stats(): BatcherStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** Queues one item; resolves with its own result. */
  submit(item: In): Promise<Out> {
    return this.submitMany([item])[0] as Promise<Out>;
  }

  /**
   * Queues several items atomically: either all are accepted or {@link InferenceQueueFullError} is
   * thrown and none is. Returns one promise per item, in order.
   */
  submitMany(items: readonly In[]): Promise<Out>[] {
    if (this.closed) throw new InferenceClosedError(`Batcher "${this.name}"`);
    if (this.queue.length + items.length > this.maxQueue) throw new InferenceQueueFullError(this.name, this.maxQueue);
    const now = performance.now();
    const promises = items.map(
      (item) =>
        new Promise<Out>((resolve, reject) => {
          this.queue.push({ item, length: this.lengthOf?.(item) ?? 0, seq: this.seq++, enqueuedAt: now, resolve, reject });
        }),
    );
    this.schedule();
    return promises;
  }

  /**
   * Runs a bulk request (e.g. embedding every example of a tenant's intents) without tripping the
   * queue bound meant for concurrent traffic: items are queued in slices of `4 × maxBatch`, at most two
   * slices waiting at a time. Results come back in order; the first failure rejects the whole call.
   */
  async submitAll(items: readonly In[]): Promise<Out[]> {
    const slice = this.maxBatch * 4;
    if (items.length <= slice) return Promise.all(this.submitMany(items));
    const results = new Array<Out>(items.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < items.length) {
        const start = next;
        next += slice;
        const out = await Promise.all(this.submitMany(items.slice(start, start + slice)));
        out.forEach((r, i) => (results[start + i] = r));
      }
    };
    await Promise.all([lane(), lane()]);
    return results;
  }

  /** Stops accepting work; what is queued still runs. Resolves when the queue is drained. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const oldest = this.queue[0] as Pending<In, Out>;
    const waited = performance.now() - oldest.enqueuedAt;
    if (this.queue.length >= this.maxBatch || waited >= this.maxWaitMs || this.closed) {
      this.clearTimers();
      // setImmediate, not a microtask: lets callers that submit in the same tick join this batch.
      this.immediate = setImmediate(() => void this.drain());
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, Math.max(1, Math.ceil(this.maxWaitMs - waited)));
    }
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.clearTimers();
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Take a bounded slice so items that arrive meanwhile are not starved by one huge flush.
        const taken = this.queue.splice(0, this.maxBatch * 4);
        for (const batch of planBatches(taken, this.maxBatch, this.lengthOf ? this.bucketOf : undefined)) {
          await this.execute(batch);
        }
        // Items that arrived during the run have waited at least that long: run them now only if the
        // batch is full or they are due; otherwise give them the remaining wait.
        if (this.queue.length > 0 && this.queue.length < this.maxBatch && !this.closed) {
          const waited = performance.now() - (this.queue[0] as Pending<In, Out>).enqueuedAt;
          if (waited < this.maxWaitMs) break;
        }
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
      else {
        const waiters = this.idleWaiters.splice(0);
        for (const w of waiters) w();
      }
    }
  }

  private async execute(batch: Pending<In, Out>[]): Promise<void> {
    this.counters.batches += 1;
    this.counters.items += batch.length;
    this.counters.maxBatchSeen = Math.max(this.counters.maxBatchSeen, batch.length);
    let results: Out[];
    try {
      results = await this.runBatch(batch.map((p) => p.item));
      if (results.length !== batch.length) {
        throw new Error(`Batch runner of "${this.name}" returned ${results.length} results for ${batch.length} items`);
      }
    } catch (error) {
      if (batch.length === 1) {
        (batch[0] as Pending<In, Out>).reject(error);
        return;
      }
      // Isolate the failure: rerun each item alone so one bad input cannot fail its neighbours.
      this.counters.isolatedFailures += 1;
      for (const p of batch) {
        try {
          const [single] = await this.runBatch([p.item]);
          p.resolve(single as Out);
        } catch (itemError) {
          p.reject(itemError);
        }
      }
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i] as Out));
  }
}

/**
 * Splits queued items into batches: with a bucket function, items are ordered by length (stable on
 * arrival) and a batch never spans two buckets; every batch holds at most `maxBatch` items.
 * Exported for tests.
 */
export function planBatches<T extends { length: number; seq: number }>(
  items: readonly T[],
  maxBatch: number,
  bucketOf?: (length: number) => number,
): T[][] {
  const ordered = bucketOf ? [...items].sort((a, b) => a.length - b.length || a.seq - b.seq) : [...items];
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBucket: number | undefined;
  for (const item of ordered) {
    const bucket = bucketOf ? bucketOf(item.length) : 0;
    if (current.length >= maxBatch || (current.length > 0 && bucket !== currentBucket)) {
      batches.push(current);
      current = [];
    }
    current.push(item);
    currentBucket = bucket;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
