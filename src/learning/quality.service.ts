import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit.service.js';
import type { CypherExecutor } from '../graph/executor.js';
import type { RedisClient } from '../infra/redis.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { qualityScore, reviewByOf, type QualityInputs, type QualityOptions } from './quality.js';
import { tryWithLock } from '../infra/lock.js';

export interface QualityRow {
  id: string;
  score: number;
  evidenceScore: number;
  decay: number;
  reviewBy: string;
  threshold: number;
  inputs: QualityInputs;
  reasons: string[];
  lastVerified: string | null;
}

export interface QualityHistoryRow {
  score: number;
  evidenceScore: number;
  decay: number;
  inputs: QualityInputs;
  reasons: string[];
  at: string;
}

/** A row of `learning/quality-inputs`. */
export interface QualityInputRow {
  id: string;
  kind: string;
  status: string;
  createdAt: string;
  reviewBy: string | null;
  lastVerified: string | null;
  helpful: number;
  unhelpful: number;
  csat: number[];
  uses: number;
  escalations: number;
  /** The stored score, if any. */
  qualityScore: number | null;
}

const SINCE_KEY = 'answergraph:learning:quality-since';
const LOCK_KEY = 'answergraph:learning:quality-lock';
const BATCH = 500;

/** The actor of audit events the quality sweep writes (no key: the system, by the configured threshold). */
const QUALITY_SWEEP = { keyId: null, name: 'quality sweep', role: null } as const;

/**
 * Keeps every item's quality score current (src/learning/quality.ts) and sends published items that
 * fall below the threshold back to review with their reasons. A sweep scores what got feedback or an
 * escalation since the last sweep (a watermark in Redis), items past their review date, and items never
 * scored; scores are recomputed from the raw feedback, so a sweep is idempotent and replicas may race.
 */
export class QualityService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
    private readonly options: QualityOptions & { intervalMs: number; redis: RedisClient; logger: Logger; audit?: Pick<AuditService, 'append'> },
  ) {}

  get threshold(): number {
    return this.options.threshold;
  }

  /** Current scores (computed now, not stored) for the given items, in key order. */
  async current(ids: readonly string[]): Promise<Array<QualityRow | null>> {
    const rows = await this.executor.read('learning/quality-inputs', { ids });
    const byId = new Map(rows.map((r) => [r.id, this.score(r, Date.now())]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async history(ids: readonly string[], limit = 50): Promise<QualityHistoryRow[][]> {
    const rows = await this.executor.read('learning/quality-history', { ids, limit });
    const byId = new Map(rows.map((r) => [r.id, r.history.map((h): QualityHistoryRow => ({ ...h, inputs: JSON.parse(h.inputs) as QualityInputs }))]));
    return ids.map((id) => byId.get(id) ?? []);
  }

  async setReviewBy(id: string, reviewBy: string | null): Promise<boolean> {
    const rows = await this.executor.write('learning/set-review-by', { id, reviewBy });
    if (rows.length === 0) return false;
    await this.rescore([id]);
    return true;
  }

  private score(r: QualityInputRow, now: number): QualityRow {
    const inputs: QualityInputs = { helpful: Number(r.helpful), unhelpful: Number(r.unhelpful), csat: (r.csat ?? []).map(Number), uses: Number(r.uses), escalations: Number(r.escalations) };
    const reviewBy = reviewByOf({ kind: r.kind, createdAt: r.createdAt, reviewBy: r.reviewBy, lastVerified: r.lastVerified }, this.options);
    const s = qualityScore(inputs, reviewBy, now, this.options);
    return { id: r.id, ...s, threshold: this.options.threshold, inputs, lastVerified: r.lastVerified };
  }

  /** Recomputes and stores the scores of these items; demotes published ones below the threshold. Returns the ids demoted. */
  async rescore(ids: readonly string[]): Promise<string[]> {
    const demoted: string[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const inputs = await this.executor.read('learning/quality-inputs', { ids: ids.slice(i, i + BATCH) });
      const now = Date.now();
      const rows = inputs.map((r) => {
        const s = this.score(r, now);
        return { id: r.id, score: s.score, evidenceScore: s.evidenceScore, decay: s.decay, reviewBy: s.reviewBy, inputs: JSON.stringify(s.inputs), reasons: s.reasons, demote: s.score < this.options.threshold };
      });
      if (rows.length === 0) continue;
      // A demotion takes a live item out of answers: audited (the sweep is the actor) in the same transaction.
      const written = await this.executor.writeTx('learning/set-quality', async (tx) => {
        const out = await tx.run('learning/set-quality', { rows });
        for (const w of out.filter((x) => x.demoted)) {
          const row = rows.find((r) => r.id === w.id)!;
          await this.options.audit?.append(tx, QUALITY_SWEEP, {
            action: 'knowledge.status',
            targetType: 'Knowledge',
            targetId: w.id,
            before: { status: 'PUBLISHED' },
            after: { status: 'IN_REVIEW' },
            details: { change: 'demote', score: row.score, threshold: this.options.threshold, reasons: row.reasons },
          });
        }
        return out;
      });
      demoted.push(...written.filter((w) => w.demoted).map((w) => w.id));
    }
    for (const id of demoted) {
      this.options.logger.info({ knowledgeId: id }, 'quality: item below the threshold went back to review');
      await this.knowledge.notify(id, 'demote', null);
    }
    return demoted;
  }

  /** One sweep (see the class comment). Returns how many items were scored. Concurrent calls share a run. */
  sweep(): Promise<number> {
    this.running ??= this.locked().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async locked(): Promise<number> {
    const { redis } = this.options;
    // Another replica sweeping: this tick has nothing to do.
    const done = await tryWithLock(redis, LOCK_KEY, { ttlMs: 60_000 }, async () => {
      const startedAt = new Date(Date.now() - 1000).toISOString(); // margin for writes committing while we read
      const since = (await redis.get(SINCE_KEY)) ?? new Date(0).toISOString();
      let total = 0;
      const sweepStart = new Date().toISOString();
      for (;;) {
        const due = (await this.executor.read('learning/quality-due', { since, sweepStart, limit: BATCH })).map((r) => r.id);
        if (due.length === 0) break;
        await this.rescore(due);
        total += due.length;
        if (due.length < BATCH) break;
      }
      await redis.set(SINCE_KEY, startedAt);
      return total;
    });
    return done?.value ?? 0;
  }


  start(): void {
    if (this.options.intervalMs <= 0) return;
    const tick = () => {
      if (this.stopped) return;
      this.sweep()
        .catch((err: unknown) => this.options.logger.warn({ err }, 'quality sweep failed; it runs again on the next tick'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, Math.min(1000, this.options.intervalMs)).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
