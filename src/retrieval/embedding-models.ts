import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { CypherExecutor } from '../graph/executor.js';
import { createBullConnection, redisKeys, type RedisClient } from '../infra/redis.js';
import type { PubSub } from '../infra/pubsub.js';
import { embeddingText } from './knowledge-embedder.js';
import type { StoredContentError } from '../knowledge/kinds/index.js';
import type { VectorStore } from './vector-store.js';

/**
 * Which embedding model retrieval serves, and how it changes.
 *
 * Every stored vector records the model that made it (`embeddingModel` on knowledge items and chunks,
 * `model` in Qdrant's payload) and every query filters on the served model, so a question's vector is
 * never compared with another model's. The served model lives in the graph (`:EmbeddingState`), not in
 * each process's configuration: when RETRIEVAL_EMBEDDING_MODEL names another model, a BullMQ job (run
 * by the `worker` role) embeds every item and chunk with it into staged properties while answers keep
 * using the served vectors; when all are staged, one transaction swaps them in and records the new
 * model, and every replica follows (pub/sub, and a poll as a safety net).
 */

export const EMBEDDING_TOPIC = 'embedding-model';
export const REEMBED_QUEUE = 'reembed';

export interface EmbeddingStatus {
  /** The model whose vectors retrieval compares questions with. */
  servedModel: string;
  /** RETRIEVAL_EMBEDDING_MODEL as resolved here (its fallback when it is not built). */
  configuredModel: string;
  /** The model a re-embedding is moving to (null when none ran). */
  target: string | null;
  status: 'idle' | 'queued' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  /** done / total (1 when there was nothing to do). */
  progress: number;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ModelChooser {
  /** Whether the manifest has the model. */
  has(model: string): Promise<boolean>;
}

/**
 * RETRIEVAL_EMBEDDING_MODEL when the manifest has it, else the first fallback that is built, else the
 * configured name (embedding then fails loudly, as without any model).
 */
export async function chooseModel(chooser: ModelChooser, configured: string, fallbacks: readonly string[], logger?: Logger): Promise<string> {
  for (const m of [configured, ...fallbacks]) {
    if (await chooser.has(m).catch(() => false)) {
      if (m !== configured) logger?.warn({ configured, instead: m }, 'retrieval embedding model not built (npm run models): serving a fallback');
      return m;
    }
  }
  return configured;
}

/** The row of `retrieval/embedding-state`. */
export interface EmbeddingStateRow {
  model: string | null;
  target: string | null;
  status: EmbeddingStatus['status'] | null;
  done: number | null;
  total: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The re-embedding job in progress, if any. */
  jobId: string | null;
}

export interface EmbeddingModelsOptions {
  executor: CypherExecutor;
  store: VectorStore;
  /** Embeds passages with a named model. */
  embed(texts: readonly string[], model: string): Promise<Float32Array[]>;
  /** The resolved RETRIEVAL_EMBEDDING_MODEL. */
  configured: string;
  /** Models the manifest has (a legacy graph's model is served only if still built). */
  built: () => Promise<string[]>;
  redisUrl?: string;
  pubsub?: PubSub;
  logger: Logger;
  /** Items or chunks per model call. Default 64. */
  batch?: number;
  /** How often replicas re-read the served model (ms). Default 15,000. */
  pollMs?: number;
}

/** The served model of this process (kept current), the status query, and the re-embedding job. */
export class EmbeddingModels {
  private current: string;
  private readonly listeners: Array<(model: string) => void | Promise<void>> = [];
  private queue: Queue | null = null;
  private worker: Worker | null = null;
  private readonly connections: RedisClient[] = [];
  private poll: NodeJS.Timeout | undefined;
  private events: AsyncIterableIterator<{ model: string }> | undefined;
  private readonly batch: number;
  private initialised = false;

  constructor(private readonly o: EmbeddingModelsOptions) {
    this.current = o.configured;
    this.batch = o.batch ?? 64;
  }

  /** The served model (synchronous: read on every query). */
  get served(): string {
    return this.current;
  }

  get configured(): string {
    return this.o.configured;
  }

  /** Called after the served model changed (the new one), e.g. to rebuild what was embedded with the old one. */
  onChange(listener: (model: string) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /** Reads (or, on first start, creates) the state. Returns the served model. */
  async init(): Promise<string> {
    const [row] = await this.o.executor.write('retrieval/init-embedding-state', { model: this.o.configured, built: await this.o.built() });
    await this.set(row?.model ?? this.o.configured);
    return this.current;
  }

  /**
   * Serves `model` at once, without re-embedding: only for a graph with no vectors of the served model
   * to keep (a benchmark that regenerates its fixture). Everything else goes through {@link requestReembed}.
   */
  async serveWithoutReembedding(model: string): Promise<void> {
    await this.o.executor.write('retrieval/update-embedding-state', { fields: { model, target: null, status: 'idle', done: 0, total: 0, error: null }, started: false, finished: false });
    await this.refresh();
  }

  /** Re-reads the served model; tells the listeners when it changed. */
  async refresh(): Promise<string> {
    const [row] = await this.o.executor.read('retrieval/embedding-state', {});
    if (row?.model) await this.set(row.model);
    return this.current;
  }

  private async set(model: string): Promise<void> {
    if (model === this.current && this.initialised) return;
    const changed = this.initialised && model !== this.current;
    this.current = model;
    this.initialised = true;
    if (changed) {
      this.o.logger.info({ model }, 'retrieval now serves another embedding model');
      for (const l of this.listeners) await Promise.resolve(l(model)).catch((err: unknown) => this.o.logger.warn({ err }, 'embedding model change listener failed'));
    }
  }

  /** Follows model changes: pub/sub from the replica that swapped, and a poll. */
  watch(pubsub: PubSub): void {
    const events = pubsub.subscribe<{ model: string }>(EMBEDDING_TOPIC);
    this.events = events;
    void (async () => {
      try {
        for await (const _e of events) await this.refresh().catch(() => undefined);
      } catch {
        // closed
      }
    })();
    this.poll = setInterval(() => void this.refresh().catch(() => undefined), this.o.pollMs ?? 15_000);
    this.poll.unref();
  }

  async status(): Promise<EmbeddingStatus> {
    const [row] = await this.o.executor.read('retrieval/embedding-state', {});
    const done = Number(row?.done ?? 0);
    const total = Number(row?.total ?? 0);
    return {
      servedModel: row?.model ?? this.current,
      configuredModel: this.o.configured,
      target: row?.target ?? null,
      status: row?.status ?? 'idle',
      done,
      total,
      progress: total > 0 ? Math.min(1, done / total) : row?.status === 'done' ? 1 : 0,
      error: row?.error ?? null,
      startedAt: row?.startedAt ?? null,
      finishedAt: row?.finishedAt ?? null,
    };
  }

  private queueOf(): Queue {
    if (!this.queue) {
      if (!this.o.redisUrl) throw new Error('re-embedding needs Redis');
      this.queue = new Queue(REEMBED_QUEUE, { connection: createBullConnection(this.o.redisUrl, this.connections), prefix: redisKeys.bullPrefix });
    }
    return this.queue;
  }

  /**
   * Queues a re-embedding towards `model` unless it is served already or one towards it is queued or
   * running (one job id per model). Returns the status.
   */
  async requestReembed(model: string): Promise<EmbeddingStatus> {
    await this.refresh();
    const before = await this.status();
    if (model === this.current) return before;
    if (before.target === model && (before.status === 'queued' || before.status === 'running')) return before;
    await this.o.executor.write('retrieval/update-embedding-state', { fields: { target: model, status: 'queued', done: 0, total: 0, error: null }, started: false, finished: false });
    await this.queueOf().add('reembed', { model }, { jobId: `reembed-${model}`, removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'exponential', delay: 2000 } });
    this.o.logger.info({ from: this.current, to: model }, 're-embedding queued');
    return this.status();
  }

  /** Starts consuming re-embedding jobs (worker role). */
  startWorker(): void {
    if (this.worker || !this.o.redisUrl) return;
    this.worker = new Worker(REEMBED_QUEUE, (job: Job<{ model: string }>) => this.reembed(job.data.model, (p) => job.updateProgress(p)), {
      connection: createBullConnection(this.o.redisUrl, this.connections),
      prefix: redisKeys.bullPrefix,
      concurrency: 1,
    });
    this.worker.on('failed', (job, err) => {
      this.o.logger.error({ err, model: job?.data.model }, 're-embedding failed');
      void this.o.executor
        .write('retrieval/update-embedding-state', { fields: { status: 'failed', error: err.message }, started: false, finished: true })
        .catch(() => undefined);
    });
  }

  /**
   * Embeds every knowledge item and chunk with `model` into staged properties (answers keep using the
   * served ones), then swaps them in in one transaction and tells every replica. Resumable: what is
   * staged already is not embedded again. Exported for tests through the job and directly.
   */
  async reembed(model: string, progress: (p: { done: number; total: number }) => Promise<void> | void = () => undefined): Promise<{ knowledge: number; chunks: number }> {
    const [count] = await this.o.executor.read('retrieval/reembed-count', { model });
    const total = (count?.knowledge ?? 0) + (count?.chunks ?? 0);
    let done = 0;
    await this.o.executor.write('retrieval/update-embedding-state', { fields: { target: model, status: 'running', done, total, error: null }, started: true, finished: false });
    const report = async () => {
      await progress({ done, total });
      await this.o.executor.write('retrieval/update-embedding-state', { fields: { done, total: Math.max(total, done) }, started: false, finished: false });
    };
    const started = performance.now();
    for (;;) {
      const rows = await this.o.executor.read('retrieval/reembed-pending-knowledge', { model, limit: this.batch });
      if (rows.length === 0) break;
      const corrupt = (err: StoredContentError) => this.o.logger.error({ err, ...err.details }, 'stored knowledge does not parse; embedded without the damaged field');
      const vectors = await this.o.embed(rows.map((r) => embeddingText(r, corrupt) || r.id), model);
      await this.o.store.stage(rows.map((r, i) => ({ id: r.id, vector: vectors[i] as Float32Array, hash: r.hash, language: r.language, kind: r.kind })), model);
      done += rows.length;
      await report();
    }
    for (;;) {
      const rows = await this.o.executor.read('retrieval/reembed-pending-chunks', { model, limit: this.batch });
      if (rows.length === 0) break;
      const vectors = await this.o.embed(rows.map((r) => r.text), model);
      await this.o.executor.write('retrieval/stage-chunk-embeddings', { rows: rows.map((r, i) => ({ id: r.id, vector: Array.from(vectors[i] as Float32Array) })), model });
      done += rows.length;
      await report();
    }
    const swapped = await this.o.store.promote(model);
    this.o.logger.info({ model, ...swapped, seconds: Math.round((performance.now() - started) / 1000) }, 're-embedding done: new vectors served');
    await this.o.pubsub?.publish(EMBEDDING_TOPIC, { model }).catch(() => undefined);
    await this.refresh();
    return swapped;
  }

  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    await this.events?.return?.();
    await this.worker?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }
}
