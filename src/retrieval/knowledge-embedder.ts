import { redisKeys, type RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import type { CypherExecutor } from '../graph/executor.js';
import { kinds, StoredContentError } from '../knowledge/kinds/index.js';
import type { KnowledgeKind } from '../knowledge/knowledge.repository.js';
import type { VectorStore } from './vector-store.js';
import { tryWithLock } from '../infra/lock.js';

/** What the embedder needs from inference: L2-normalised vectors, one per text, embedded as stored passages. */
export interface TextEmbedder {
  embed(texts: readonly string[], role: 'passage', model: string): Promise<Float32Array[]>;
}

export interface KnowledgeEmbedderOptions {
  /**
   * The served embedding model (embedding-models.ts), stored on each item. A new item is embedded with
   * the model served when the sweep runs; a change of model goes through the re-embedding job.
   */
  model: () => string;
  /** Items embedded per model call and per write. Default 64. */
  batch?: number;
  /** With Redis, one replica sweeps at a time (a lock); the others retry a little later. */
  redis?: RedisClient;
  logger: Logger;
}

/** A row of `retrieval/pending-embeddings` and `retrieval/reembed-pending-knowledge`. */
export interface PendingRow {
  id: string;
  hash: string;
  kind: string;
  language: string;
  question: string | null;
  answer: string | null;
  statement: string | null;
  name: string | null;
  then: string | null;
  intent: string | null;
  steps: string | null;
}

/**
 * The text an item is embedded from: what a customer's question should be near (`KindSpec.embeddingText`,
 * the same recipe ingestion embeds drafts with). A stored JSON field that does not parse is a
 * StoredContentError; with `onCorrupt` the item is reported there and embedded without that field
 * (a damaged process stays findable by its name), without it the error is thrown.
 */
export function embeddingText(
  row: Pick<PendingRow, 'kind' | 'question' | 'answer' | 'statement' | 'name' | 'then' | 'intent' | 'steps'> & { id?: string },
  onCorrupt?: (err: StoredContentError) => void,
): string {
  const spec = kinds[row.kind as KnowledgeKind];
  if (!spec) return '';
  const common = { language: 'und', visibility: 'PUBLIC' as const, entities: [], tags: [] };
  try {
    return spec.embeddingText(spec.fromRow(row, common));
  } catch (err) {
    if (!(err instanceof StoredContentError) || !onCorrupt) throw err;
    onCorrupt(err);
    return spec.embeddingText(spec.fromRow({ ...row, [err.field]: null }, common));
  }
}

const LOCK_KEY = redisKeys.embedLock;

/**
 * Keeps knowledge embeddings current. `embedKnowledge(ids)` embeds the given items (ingestion and
 * imports call it, or just publish a knowledge event); `embedPending()` sweeps every item whose vector
 * is missing or stale (content hash or model changed). The worker role runs the sweep as a background
 * job after knowledge changes (app.ts).
 * Idempotent: an item is embedded again only when what it was embedded from changed.
 */
export class KnowledgeEmbedder {
  private readonly batch: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly store: VectorStore,
    private readonly embedder: TextEmbedder,
    private readonly options: KnowledgeEmbedderOptions,
  ) {
    this.batch = options.batch ?? 64;
  }

  /** Embeds these items if their embedding is missing or stale. Returns how many were embedded. */
  async embedKnowledge(ids: readonly string[]): Promise<number> {
    let done = 0;
    for (let i = 0; i < ids.length; i += this.batch) {
      const rows = await this.executor.read('retrieval/pending-embeddings', { ids: ids.slice(i, i + this.batch), model: this.options.model(), limit: this.batch });
      done += await this.embedRows(rows);
    }
    return done;
  }

  /** Embeds every item whose embedding is missing or stale, batch after batch, until none is left. */
  embedPending(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const all = async () => {
      let total = 0;
      do {
        this.again = false;
        for (;;) {
          const rows = await this.executor.read('retrieval/pending-embeddings', { ids: null, model: this.options.model(), limit: this.batch });
          if (rows.length === 0) break;
          const n = await this.embedRows(rows);
          total += n;
          if (n === 0) break;
        }
      } while (this.again && !this.stopped);
      return total;
    };
    let total: number;
    if (this.options.redis) {
      const done = await tryWithLock(this.options.redis, LOCK_KEY, { ttlMs: 60_000 }, all);
      if (!done) {
        // Another replica is sweeping; look again shortly in case it finished before our item was written.
        this.schedule(1000);
        return 0;
      }
      total = done.value;
    } else {
      total = await all();
    }
    if (total > 0) this.options.logger.info({ embedded: total, store: this.store.name }, 'knowledge embeddings updated');
    return total;
  }

  private async embedRows(rows: PendingRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const corrupt = (err: StoredContentError) => this.options.logger.error({ err, ...err.details }, 'stored knowledge does not parse; embedded without the damaged field');
    const texts = rows.map((r) => embeddingText(r, corrupt) || r.id);
    const model = this.options.model();
    const vectors = await this.embedder.embed(texts, 'passage', model);
    await this.store.upsert(
      rows.map((r, i) => ({ id: r.id, vector: vectors[i] as Float32Array, hash: r.hash, language: r.language, kind: r.kind })),
      model,
    );
    return rows.length;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.embedPending().catch((err: unknown) => this.options.logger.warn({ err }, 'embedding sweep failed; it runs again on the next knowledge change'));
    }, ms);
    this.timer.unref();
  }

  /** Waits for a running sweep (so shutdown does not cut a write in half). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
