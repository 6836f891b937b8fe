import type { Logger } from 'pino';
import type { Access } from '../knowledge/knowledge.repository.js';
import { AppError } from '../errors.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { guessLanguage } from '../knowledge/knowledge.content.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { toLuceneQuery } from '../retrieval/entity-linker.js';
import type { QuestionHit, QuestionMatcher } from '../retrieval/question-hits.js';
import { toNumbers } from '../retrieval/vector-store.js';
import { questionKey } from './clustering.js';

/** A similar question (相似问) of a fact, as the API shows it. */
export interface SimilarQuestionRow {
  id: string;
  text: string;
  language: string;
  /** editor, gap (attached from a knowledge gap) or import. */
  origin: string;
  gapId: string | null;
  createdAt: string;
  createdBy: string | null;
  embedded: boolean;
}

export interface QuestionEmbedder {
  embed(texts: readonly string[], role: 'query' | 'passage'): Promise<Float32Array[]>;
}

/** Longest similar question; a customer question longer than this is not a question to match on. */
export const MAX_QUESTION_CHARS = 1000;
/** Most questions one call adds. */
export const MAX_QUESTIONS_PER_CALL = 500;

export interface CleanQuestion {
  text: string;
  key: string;
  language: string;
}

/** Trims, checks and de-duplicates questions (by key). Throws BAD_USER_INPUT naming the first bad one. */
export function cleanQuestions(questions: readonly string[]): CleanQuestion[] {
  if (questions.length === 0) throw new AppError('BAD_USER_INPUT', 'Give at least one question.');
  if (questions.length > MAX_QUESTIONS_PER_CALL) throw new AppError('BAD_USER_INPUT', `At most ${MAX_QUESTIONS_PER_CALL} questions at once; got ${questions.length}.`);
  const out = new Map<string, CleanQuestion>();
  questions.forEach((raw, i) => {
    const text = raw.replace(/\s+/g, ' ').trim();
    if (!text) throw new AppError('BAD_USER_INPUT', `questions[${i}] is empty.`, { index: i });
    if (text.length > MAX_QUESTION_CHARS) throw new AppError('BAD_USER_INPUT', `questions[${i}] has ${text.length} characters; at most ${MAX_QUESTION_CHARS}.`, { index: i });
    const key = questionKey(text);
    if (!key) throw new AppError('BAD_USER_INPUT', `questions[${i}] has no words.`, { index: i });
    if (!out.has(key)) out.set(key, { text, key, language: guessLanguage(text) });
  });
  return [...out.values()];
}

const BATCH = 64;

/**
 * Similar questions of facts: added by editors, from knowledge gaps and by imports; embedded with the
 * served embedding model (as queries: they are compared with customers' questions) and searched by
 * retrieval, where a fact scores by its best question and the question is the reason for the hit.
 */
export class SimilarQuestionService implements QuestionMatcher {
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
    private readonly embedder: QuestionEmbedder,
    private readonly options: { model: () => string; logger: Logger },
  ) {}

  async questionsOf(ids: readonly string[]): Promise<SimilarQuestionRow[][]> {
    const rows = await this.executor.read('learning/questions-of', { ids });
    const byId = new Map(rows.map((r) => [String(r.id), r.questions as SimilarQuestionRow[]]));
    return ids.map((id) => byId.get(id) ?? []);
  }

  /** Embeds questions now (so they answer at once); on failure they are left for the sweep, matched by words meanwhile. */
  async embed(questions: readonly CleanQuestion[]): Promise<Array<number[] | null>> {
    try {
      const vectors = await this.embedder.embed(questions.map((q) => q.text), 'query');
      return vectors.map((v) => toNumbers(v));
    } catch (err) {
      this.options.logger.warn({ err }, 'similar questions: embedding failed; they are matched by words until the next sweep');
      return questions.map(() => null);
    }
  }

  /**
   * Locks the fact and checks it may take similar questions: NOT_FOUND when it does not exist or the
   * caller may not see it, VALIDATION_FAILED for a rule or process, CONFLICT when archived or rejected.
   */
  async lockFact(tx: Tx, id: string, access: Access): Promise<{ id: string; status: string; language: string }> {
    const [row] = await tx.run('learning/lock-fact', { id, visibilities: access.visibilities });
    if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`, { id });
    if (row.kind !== 'fact') throw new AppError('VALIDATION_FAILED', `Knowledge item ${id} is a ${String(row.kind)}; similar questions belong to facts.`, { id });
    if (row.status === 'ARCHIVED' || row.status === 'REJECTED') {
      throw new AppError('CONFLICT', `Knowledge item ${id} is ${String(row.status)}; restore it before adding questions.`, { id, status: row.status, reason: 'NOT_LIVE' });
    }
    return { id: String(row.id), status: String(row.status), language: String(row.language) };
  }

  /** Writes questions (with their embeddings) in the caller's transaction. Returns how many were new. */
  async addInTx(tx: Tx, input: { factId: string; questions: CleanQuestion[]; vectors: Array<number[] | null>; origin: 'editor' | 'gap' | 'import'; gapId: string | null; by: string | null }): Promise<number> {
    const rows = input.questions.map((q, i) => ({ ...q, embedding: input.vectors[i] ?? null }));
    const [r] = await tx.run('learning/add-questions', { id: input.factId, rows, model: this.options.model(), origin: input.origin, gapId: input.gapId, by: input.by });
    return Number(r?.added ?? 0);
  }

  /** `inTx`: more writes in the same transaction when questions were added (the caller's audit event). */
  async add(factId: string, questions: readonly string[], access: Access, by: string | null, inTx?: (tx: Tx, added: number) => Promise<unknown>): Promise<number> {
    const clean = cleanQuestions(questions);
    const vectors = await this.embed(clean);
    const added = await this.executor.writeTx('learning/add-questions', async (tx) => {
      await this.lockFact(tx, factId, access);
      const n = await this.addInTx(tx, { factId, questions: clean, vectors, origin: 'editor', gapId: null, by });
      if (n > 0) await inTx?.(tx, n);
      return n;
    });
    if (added > 0) await this.knowledge.notify(factId, 'questions', by);
    return added;
  }

  async remove(factId: string, questions: readonly string[], access: Access, by: string | null, inTx?: (tx: Tx, removed: number) => Promise<unknown>): Promise<number> {
    const keys = cleanQuestions(questions).map((q) => q.key);
    const removed = await this.executor.writeTx('learning/remove-questions', async (tx) => {
      const [row] = await tx.run('learning/lock-fact', { id: factId, visibilities: access.visibilities });
      if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${factId} does not exist.`, { id: factId });
      const [r] = await tx.run('learning/remove-questions', { id: factId, keys });
      const n = Number(r?.removed ?? 0);
      if (n > 0) await inTx?.(tx, n);
      return n;
    });
    if (removed > 0) await this.knowledge.notify(factId, 'questions', by);
    return removed;
  }

  /** The best similar question of each visible fact near the customer's question (retrieval's extra lists). */
  async search(input: { query: string; vector: Float32Array | null; model: string | null; k: number; access: Access; languages: readonly string[] | null }): Promise<QuestionHit[]> {
    const rows = await this.executor.read('learning/question-search', {
      vector: input.vector ? toNumbers(input.vector) : null,
      model: input.model,
      text: toLuceneQuery(input.query),
      k: input.k,
      visibilities: input.access.visibilities,
      statuses: input.access.statuses,
      languages: input.languages,
    });
    return rows.map((r) => ({ id: String(r.id), question: String(r.question), score: Number(r.score), via: r.via as 'vector' | 'text' }));
  }

  /** Embeds every question whose embedding is missing or of another model. */
  sweep(): Promise<number> {
    this.running ??= (async () => {
      let total = 0;
      for (;;) {
        const rows = await this.executor.read('learning/pending-questions', { model: this.options.model(), limit: BATCH });
        if (rows.length === 0 || this.stopped) break;
        const vectors = await this.embedder.embed(rows.map((r) => String(r.text)), 'query');
        await this.executor.write('learning/set-question-embeddings', { rows: rows.map((r, i) => ({ id: r.id, embedding: toNumbers(vectors[i]!) })), model: this.options.model() });
        total += rows.length;
      }
      return total;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }
}
