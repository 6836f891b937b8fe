import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { withLock } from '../infra/lock.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import type { RedisClient } from '../infra/redis.js';
import { guessLanguage, type FactContent } from '../knowledge/knowledge.content.js';
import type { Access } from '../knowledge/knowledge.repository.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { toNumbers } from '../retrieval/vector-store.js';
import { assignToLeaders, questionKey, type Leader } from './clustering.js';
import { cleanQuestions, type QuestionEmbedder, type SimilarQuestionService } from './similar-questions.js';

export type GapStatus = 'OPEN' | 'RESOLVED' | 'DISMISSED';

/** A cluster of questions the bot failed on, grouped by meaning. */
export interface GapCluster {
  id: string;
  version: number;
  status: GapStatus;
  language: string;
  size: number;
  /** The cluster's first question, which new questions are compared with. */
  leader: string;
  createdAt: string;
  updatedAt: string;
  firstAt: string | null;
  lastAt: string | null;
  resolution: string | null;
  resolvedFactId: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  dismissReason: string | null;
  /** Distinct questions, most asked first (then most recent). */
  questions: Array<{ text: string; count: number; lastAt: string }>;
  /** Questions per failure: unanswered, low-confidence, escalated, not-helpful. */
  reasons: Record<string, number>;
  /** Questions per day over the last `trendDays` days, oldest first. */
  trend: Array<{ day: string; count: number }>;
  /** Questions in the last 7 days ÷ the 7 before (null when there were none before). */
  growth: number | null;
}

/** A row of `learning/gap-list`. */
export interface GapListRow {
  id: string;
  version: number;
  status: GapStatus;
  language: string;
  size: number;
  leader: string;
  createdAt: string;
  updatedAt: string;
  firstAt: string | null;
  lastAt: string | null;
  resolution: string | null;
  resolvedFactId: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  dismissReason: string | null;
  ats: string[];
  reasons: string[];
  texts: string[];
}

const DAY = 86_400_000;
const LOCK_KEY = 'answergraph:learning:gap-lock';

/** Shapes a stored cluster for the API: distinct questions with counts, reasons, a daily trend. Pure; exported for tests. */
export function toCluster(r: GapListRow, now: number, trendDays = 14): GapCluster {
  const byKey = new Map<string, { text: string; count: number; lastAt: string }>();
  r.texts.forEach((text, i) => {
    const key = questionKey(text);
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { text, count: 1, lastAt: r.ats[i] ?? '' });
  });
  const reasons: Record<string, number> = {};
  for (const x of r.reasons) reasons[x] = (reasons[x] ?? 0) + 1;
  const today = Math.floor(now / DAY);
  const counts = new Array<number>(trendDays).fill(0);
  let last7 = 0;
  let prev7 = 0;
  for (const at of r.ats) {
    const day = Math.floor(Date.parse(at) / DAY);
    const ago = today - day;
    if (ago >= 0 && ago < trendDays) counts[trendDays - 1 - ago]! += 1;
    if (ago >= 0 && ago < 7) last7++;
    else if (ago >= 7 && ago < 14) prev7++;
  }
  const { ats: _a, reasons: _r, texts: _t, ...rest } = r;
  return {
    ...rest,
    version: Number(r.version),
    size: Number(r.size),
    questions: [...byKey.values()].sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt)),
    reasons,
    trend: counts.map((count, i) => ({ day: new Date((today - (trendDays - 1 - i)) * DAY).toISOString().slice(0, 10), count })),
    growth: prev7 > 0 ? Math.round((last7 / prev7) * 100) / 100 : null,
  };
}

export interface GapOptions {
  /** Similarity to a cluster's leader needed to join it (clustering.ts). */
  threshold: number;
  /** An answer below this confidence counts as failed (ANSWER_MIN_CONFIDENCE). */
  minConfidence: number;
  /** Questions older than this are not clustered. Default 90 days. */
  windowDays?: number;
  model: () => string;
  redis: RedisClient;
  logger: Logger;
}

/**
 * Knowledge gaps: questions the bot failed on (unanswered, low confidence, escalated, rated not
 * helpful), clustered by meaning in English and Chinese (clustering.ts), refreshed before every read.
 * Editors act on a cluster with the version they read: attach its questions to a fact as similar
 * questions (they answer from it at once), draft a new fact from it (to review), or dismiss it.
 */
export class GapService {
  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
    private readonly questions: SimilarQuestionService,
    private readonly embedder: QuestionEmbedder,
    private readonly options: GapOptions,
  ) {}

  /** Files every new failed question into a cluster. Returns how many were filed. One refresh at a time across processes. */
  refresh(): Promise<number> {
    // Another process refreshing: wait for it (reads after it see its clusters).
    return withLock(
      this.options.redis,
      LOCK_KEY,
      { ttlMs: 60_000, waitMs: 60_000, onTimeout: () => new AppError('SERVICE_UNAVAILABLE', 'Knowledge gaps are being refreshed by another process; try again.') },
      () => this.refreshLocked(),
    );
  }

  private async refreshLocked(): Promise<number> {
    const since = new Date(Date.now() - (this.options.windowDays ?? 90) * DAY).toISOString();
    const leaders: Array<Leader<string>> = (await this.executor.read('learning/gap-leaders')).map((r) => ({
      id: r.id,
      language: r.language,
      text: r.text,
      vector: r.model === this.options.model() ? r.vector : null,
    }));
    let total = 0;
    for (;;) {
      const rows = await this.executor.read('learning/gap-candidates', { since, minConfidence: this.options.minConfidence, limit: 500 });
      if (rows.length === 0) break;
      const points = rows.map((r) => ({ text: r.text, language: r.language === 'zh' || guessLanguage(r.text) === 'zh' ? 'zh' : 'en', vector: null as number[] | null }));
      const english = points.filter((p) => p.language !== 'zh');
      if (english.length > 0) {
        const vectors = await this.embedder.embed(english.map((p) => p.text), 'query');
        english.forEach((p, i) => (p.vector = toNumbers(vectors[i]!)));
      }
      const before = new Set(leaders.map((l) => l.id));
      const ids = assignToLeaders(points, leaders, this.options.threshold, () => randomUUID());
      const created = leaders.filter((l) => !before.has(l.id)).map((l) => ({ id: l.id, language: l.language, text: l.text, vector: l.vector ? Array.from(l.vector) : null, model: l.vector ? this.options.model() : null }));
      await this.executor.write('learning/gap-assign', { clusters: created, rows: rows.map((r, i) => ({ messageId: r.id, clusterId: ids[i], reason: r.reason })) });
      total += rows.length;
      if (rows.length < 500) break;
    }
    if (total > 0) this.options.logger.info({ filed: total }, 'knowledge gaps refreshed');
    return total;
  }

  async list(filter: { status: GapStatus | null; language: string | null; from: string | null; to: string | null; ids?: string[] | null }, page: { skip: number; limit: number }): Promise<GapCluster[]> {
    await this.refresh();
    const rows = await this.executor.read('learning/gap-list', { ids: filter.ids ?? null, status: filter.status, language: filter.language, from: filter.from, to: filter.to, ...page, examples: 5 });
    const now = Date.now();
    return rows.map((r) => toCluster(r, now));
  }

  async get(id: string): Promise<GapCluster> {
    const rows = await this.executor.read('learning/gap-list', { ids: [id], status: null, language: null, from: null, to: null, skip: 0, limit: 1, examples: 5 });
    if (!rows[0]) throw new AppError('NOT_FOUND', `Knowledge gap ${id} does not exist.`, { id });
    return toCluster(rows[0], Date.now());
  }

  /** Locks the cluster and checks it is open and still at the version the editor read. */
  private async lockOpen(tx: Tx, id: string, version: number | null): Promise<{ texts: string[]; leader: string; language: string }> {
    const [g] = await tx.run('learning/gap-lock', { id });
    if (!g) throw new AppError('NOT_FOUND', `Knowledge gap ${id} does not exist.`, { id });
    if (version !== null && g.version !== version) {
      throw new AppError('CONFLICT', `Knowledge gap ${id} changed since you read it (version ${version}, now ${g.version}): new questions joined it or it was decided; reload it.`, {
        id,
        reason: 'STALE',
        version: g.version,
      });
    }
    if (g.status !== 'OPEN') throw new AppError('CONFLICT', `Knowledge gap ${id} is ${g.status} already.`, { id, reason: 'ALREADY_DECIDED', status: g.status });
    return { texts: g.texts, leader: g.leader, language: g.language };
  }

  /**
   * Attaches the cluster's questions (or the given subset) to a fact as similar questions and resolves
   * the cluster, in one transaction; the questions are embedded first, so they answer from the fact as
   * soon as this returns.
   */
  async attach(input: { id: string; version: number | null; factId: string; questions: string[] | null; access: Access; by: string | null }): Promise<GapCluster> {
    // Texts are validated before anything is read or written; the cluster's own are read under the lock.
    const given = input.questions ? cleanQuestions(input.questions) : null;
    const preview = given ?? cleanQuestions(await this.textsOf(input.id));
    const vectors = await this.questions.embed(preview);
    await this.executor.writeTx('learning/attach-gap', async (tx) => {
      const g = await this.lockOpen(tx, input.id, input.version);
      const clean = given ?? cleanQuestions(g.texts);
      if (!given && clean.length !== preview.length) throw new AppError('CONFLICT', `Knowledge gap ${input.id} changed while it was being attached; reload it.`, { id: input.id, reason: 'STALE' });
      await this.questions.lockFact(tx, input.factId, input.access);
      await this.questions.addInTx(tx, { factId: input.factId, questions: clean, vectors, origin: 'gap', gapId: input.id, by: input.by });
      await tx.run('learning/gap-close', { id: input.id, status: 'RESOLVED', resolution: 'attached', factId: input.factId, reason: null, by: input.by });
    });
    await this.knowledge.notify(input.factId, 'questions', input.by);
    return this.get(input.id);
  }

  /** Drafts a fact from the cluster (its leader or the given question, the editor's answer, the rest as similar questions) and puts it in review. */
  async draft(input: { id: string; version: number | null; answer: string; question: string | null; access: Access; by: string | null }): Promise<{ gap: GapCluster; factId: string }> {
    const answer = input.answer.trim();
    if (!answer) throw new AppError('BAD_USER_INPUT', 'answer must not be empty.');
    if (answer.length > 20_000) throw new AppError('BAD_USER_INPUT', 'answer is longer than 20000 characters.');
    const texts = await this.textsOf(input.id);
    const [main] = cleanQuestions([input.question ?? texts[0] ?? '']);
    const others = texts.length > 0 ? cleanQuestions(texts).filter((q) => q.key !== main!.key) : [];
    const vectors = others.length > 0 ? await this.questions.embed(others) : [];
    const factId = await this.executor.writeTx('learning/draft-from-gap', async (tx) => {
      const g = await this.lockOpen(tx, input.id, input.version);
      const content: FactContent = { kind: 'fact', language: guessLanguage(`${main!.text} ${answer}`) === 'zh' ? 'zh' : g.language === 'zh' ? 'zh' : 'en', visibility: 'PUBLIC', entities: [], tags: ['from-gap'], question: main!.text, answer, statement: null };
      const saved = await this.knowledge.saveInTx(tx, { items: [{ content }], status: 'IN_REVIEW', by: input.by });
      const id = saved.outcomes[0]!.id;
      if (others.length > 0) await this.questions.addInTx(tx, { factId: id, questions: others, vectors, origin: 'gap', gapId: input.id, by: input.by });
      await tx.run('learning/create-review-task', {
        id: randomUUID(),
        type: 'draft',
        targetId: id,
        reason: `drafted from a knowledge gap of ${texts.length} question${texts.length === 1 ? '' : 's'} (${others.length} kept as similar questions)`,
        score: null,
        evidence: JSON.stringify({ gapId: input.id, questions: texts.slice(0, 20) }),
      });
      await tx.run('learning/gap-close', { id: input.id, status: 'RESOLVED', resolution: 'drafted', factId: id, reason: null, by: input.by });
      return id;
    });
    await this.knowledge.notify(factId, 'create', input.by);
    return { gap: await this.get(input.id), factId };
  }

  async dismiss(input: { id: string; version: number | null; reason: string | null; by: string | null }): Promise<GapCluster> {
    const reason = input.reason?.trim() || null;
    if (reason && reason.length > 2000) throw new AppError('BAD_USER_INPUT', 'reason is longer than 2000 characters.');
    await this.executor.writeTx('learning/dismiss-gap', async (tx) => {
      await this.lockOpen(tx, input.id, input.version);
      await tx.run('learning/gap-close', { id: input.id, status: 'DISMISSED', resolution: 'dismissed', factId: null, reason, by: input.by });
    });
    return this.get(input.id);
  }

  private async textsOf(id: string): Promise<string[]> {
    const [g] = await this.executor.read('learning/gap-lock-read', { id });
    if (!g) throw new AppError('NOT_FOUND', `Knowledge gap ${id} does not exist.`, { id });
    return g.texts;
  }
}
