import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { withLock } from '../infra/lock.js';
import type { CypherExecutor } from '../graph/executor.js';
import { emptyBucket, merge, type Grain } from './bucket.js';
import { bucketId, type AnalyticsRepository, type StoredBucket } from './analytics.repository.js';
import { addTo, floorTo } from './period.js';

export interface AggregatorOptions {
  /** How often pending changes are folded into the buckets in the background. Default 5 s; 0 turns the timer off. */
  intervalMs?: number;
  /** Redis key prefix. Default `answergraph:analytics:`. */
  prefix?: string;
}

/** What the dialogue tells analytics after each write: which conversations or messages changed. */
export interface AnalyticsChanges {
  touched(change: { conversationId?: string; messageId?: string }): Promise<void>;
}

const BATCH = 500;

/** The Redis commands the aggregator uses (a single node or a cluster: one key per command). */
export type AnalyticsRedis = Pick<Redis, 'sadd' | 'spop' | 'scard' | 'set' | 'eval'>;

/**
 * Keeps the time buckets current as conversations happen. Every dialogue write marks its conversation
 * (or rated message) in a Redis set; a fold takes the marks, finds the hours they touch, recomputes those
 * hours from the raw graph (exact and idempotent: a bucket is always what a raw scan of its period
 * would say) and rolls them up into their day and month, all in one transaction. Folds run on a timer
 * and before every analytics read (so a report sees every write that committed before it), one at a time
 * across all processes (a Redis lock), since two folds of one hour could otherwise finish out of order.
 */
export class AnalyticsAggregator implements AnalyticsChanges {
  private readonly prefix: string;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly repo: AnalyticsRepository,
    private readonly redis: AnalyticsRedis,
    private readonly logger: Logger,
    options: AggregatorOptions = {},
  ) {
    this.prefix = options.prefix ?? 'answergraph:analytics:';
    this.intervalMs = options.intervalMs ?? 5000;
  }

  private get pendingKey() {
    return `${this.prefix}pending`;
  }

  /**
   * Marks a change. It runs after the dialogue's write committed, so it never fails the customer's turn:
   * when Redis refuses, the change is logged and its period is stale until `answergraph analytics rebuild`.
   */
  async touched(change: { conversationId?: string; messageId?: string }): Promise<void> {
    const members = [change.conversationId ? `c:${change.conversationId}` : null, change.messageId ? `m:${change.messageId}` : null].filter((m): m is string => m !== null);
    if (members.length === 0) return;
    try {
      await this.redis.sadd(this.pendingKey, ...members);
    } catch (err) {
      this.logger.error({ err, change }, 'analytics: could not mark a change; its period stays stale until `answergraph analytics rebuild`');
    }
  }

  async pending(): Promise<number> {
    return this.redis.scard(this.pendingKey);
  }

  /** Folds every pending change; returns how many hours were recomputed. Concurrent calls in one process share a run. */
  flush(): Promise<number> {
    if (!this.running) {
      this.running = this.locked(() => this.drain()).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * Folds pending changes before a read. A failed fold does not fail the read: the changes stay pending
   * (answergraph_analytics_pending_changes shows them), the error is logged, and the read sees the buckets as they are.
   */
  async flushBeforeRead(): Promise<void> {
    await this.flush().catch((err: unknown) => this.logger.error({ err }, 'analytics fold failed; figures may lag until it succeeds'));
  }

  /** Recomputes every bucket of [from, to) (whole hours) from the raw graph: for data written before analytics kept buckets, or after a schema change. */
  async rebuild(from: Date, to: Date, progress?: (done: number, total: number) => void): Promise<void> {
    const a = floorTo(from.getTime(), 'hour');
    const b = floorTo(to.getTime() + 3_599_999, 'hour');
    if (!(a < b)) throw new AppError('BAD_USER_INPUT', '`from` must be before `to`.');
    await this.locked(async () => {
      // A month per transaction: its hours from one raw scan, its days and the month summed in memory.
      const total = Math.ceil((b - a) / 86_400_000);
      let done = 0;
      for (let t = a; t < b; ) {
        const next = Math.min(addTo(floorTo(t, 'month'), 'month'), b);
        await this.fold(t, next);
        done += Math.ceil((next - t) / 86_400_000);
        progress?.(Math.min(done, total), total);
        t = next;
      }
      return 0;
    });
  }

  /**
   * Builds the buckets once for conversations stored before analytics kept buckets (an upgraded deployment),
   * from the oldest conversation to now; later calls see the mark and return at once. Returns whether it built.
   */
  async backfill(): Promise<boolean> {
    const state = async () => {
      const rows = await this.executor.read('analytics/backfill-state');
      const r = rows.find((x) => x.first !== null) ?? rows[0];
      return { done: Boolean(r?.done), first: r?.first ? new Date(String(r.first)) : null };
    };
    const before = await state();
    if (before.done) return false;
    if (before.first) {
      this.logger.info({ from: before.first.toISOString() }, 'analytics: building buckets for the conversations already stored');
      await this.rebuild(before.first, new Date(Date.now() + 3_600_000));
    }
    await this.executor.write('analytics/backfill-done');
    return before.first !== null;
  }

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.backfill().catch((err: unknown) => this.logger.warn({ err }, 'analytics backfill failed; it is retried at the next start'));
    this.timer = setInterval(() => {
      this.flush().catch((err: unknown) => this.logger.warn({ err }, 'analytics fold failed; the changes stay pending and are retried'));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async drain(): Promise<number> {
    let hours = 0;
    for (;;) {
      const taken = (await this.redis.spop(this.pendingKey, BATCH));
      if (taken.length === 0) return hours;
      try {
        const found = await this.repo.dirtyHours(
          taken.filter((m) => m.startsWith('c:')).map((m) => m.slice(2)),
          taken.filter((m) => m.startsWith('m:')).map((m) => m.slice(2)),
        );
        for (const [from, to] of runs(found)) await this.fold(from, to);
        hours += found.length;
      } catch (err) {
        await this.redis.sadd(this.pendingKey, ...taken); // not lost: the next fold retries them
        throw err;
      }
    }
  }

  /**
   * Recomputes the hours of [from, to) from the raw graph, then their days and months, in one transaction.
   * Days and months are summed from the fresh hours plus the stored buckets of their periods outside [from, to).
   */
  private async fold(from: number, to: number): Promise<void> {
    await this.executor.writeTx('analytics/fold', async (tx) => {
      let finer: StoredBucket[] = [...(await this.repo.raw(from, to, 'hour', tx)).values()];
      await this.repo.replace(tx, 'hour', from, to, finer);
      let [a, b] = [from, to];
      for (const [child, grain] of [['hour', 'day'], ['day', 'month']] as const) {
        const [ga, gb] = [floorTo(a, grain), addTo(floorTo(b - 1, grain), grain)];
        const outside = await this.repo.read(
          [
            { grain: child, from: ga, to: a },
            { grain: child, from: b, to: gb },
          ].filter((r) => r.from < r.to),
          { channel: null, language: null },
          null,
          tx,
        );
        finer = [...rollUp([...finer, ...outside], grain).values()];
        await this.repo.replace(tx, grain, ga, gb, finer);
        [a, b] = [ga, gb];
      }
    });
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    return withLock(
      this.redis,
      `${this.prefix}fold-lock`,
      { ttlMs: 60_000, waitMs: 120_000, maxRetryMs: 200, onTimeout: () => new AppError('TIMEOUT', 'Another process has been folding analytics for two minutes; try again.') },
      work,
    );
  }
}

/** Sums finer buckets into buckets of `grain`, per channel and language. */
export function rollUp(parts: Iterable<StoredBucket>, grain: Grain): Map<string, StoredBucket> {
  const out = new Map<string, StoredBucket>();
  for (const p of parts) {
    const meta = { grain, start: floorTo(p.start, grain), channel: p.channel, language: p.language };
    const id = bucketId(meta);
    let b = out.get(id);
    if (!b) out.set(id, (b = { ...meta, bucket: emptyBucket() }));
    merge(b.bucket, p.bucket);
  }
  return out;
}

/** Sorted hour starts as contiguous [from, to) runs. */
export function runs(hours: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const h of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === h) last[1] = addTo(h, 'hour');
    else out.push([h, addTo(h, 'hour')]);
  }
  return out;
}

