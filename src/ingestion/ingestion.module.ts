import { redisKeys, type RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { CypherExecutor } from '../graph/executor.js';
import type { InferenceService } from '../inference/index.js';
import { KNOWLEDGE_TOPIC, type KnowledgeEvent, type KnowledgeService } from '../knowledge/knowledge.service.js';
import type { PubSub } from '../infra/pubsub.js';
import { IngestionQueue, type QueuePolicy } from './ingestion.queues.js';
import { IngestionService } from './ingestion.service.js';
import { IngestionWorkers } from './ingestion.workers.js';
import { modelAccess, type ModelAccess } from './model.stages.js';
import type { IngestionMetrics } from '../observability/metrics.js';
import { IngestionPipeline } from './pipeline.js';

/**
 * BullMQ keys live under this prefix (queues `{answergraph}:bull:ingest-*`). The hash tag keeps every
 * queue in one Redis Cluster slot, as BullMQ requires (its scripts touch many keys of a queue at once).
 */
export const BULL_PREFIX = redisKeys.bullPrefix;

export interface IngestionModule {
  service: IngestionService;
  /** Starts the BullMQ workers of the queues this process consumes (`worker` and `all` roles). */
  startWorkers(): Promise<IngestionWorkers>;
  /** Stops this process's workers (jobs in hand finish first); the service keeps accepting documents. */
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

const QUEUE_BY_NAME: Record<'prepare' | 'model' | 'write', IngestionQueue> = {
  prepare: IngestionQueue.Prepare,
  model: IngestionQueue.Model,
  write: IngestionQueue.Write,
};

export function queuePolicy(config: Config['ingestion']): QueuePolicy {
  return { attempts: config.attempts, backoffMs: config.backoffMs, keepCompleted: config.keepCompleted, keepFailed: config.keepFailed };
}

/** Wires the ingestion service (every role) and, on demand, its workers. Nothing connects at import. */
export function createIngestion(deps: {
  config: Config;
  redis: RedisClient;
  redisUrl: string;
  pubsub: PubSub;
  executor: CypherExecutor;
  knowledge: KnowledgeService;
  /** Stage durations and stalled jobs, for /metrics. */
  metrics?: IngestionMetrics;
  inference: InferenceService;
  logger: Logger;
}): IngestionModule {
  const c = deps.config.ingestion;
  const policy = queuePolicy(c);
  const causal = { bookmarks: () => deps.executor.bookmarks(), observe: (b: readonly string[] | null | undefined) => deps.executor.observe(b) };
  const service = new IngestionService(deps.redis, deps.pubsub, deps.logger, { prefix: BULL_PREFIX, policy, trustedSources: c.trustedSources, causal });
  let workers: IngestionWorkers | null = null;
  let knowledgeEvents: AsyncIterableIterator<KnowledgeEvent> | undefined;
  let models: Promise<ModelAccess> | null = null;
  let modelsFor = '';
  return {
    service,
    startWorkers: async () => {
      if (workers) return workers;
      const pipeline = new IngestionPipeline(
        {
          executor: deps.executor,
          knowledge: deps.knowledge,
          logger: deps.logger,
          models: () => {
            // Embeddings follow retrieval's served model (it changes after a re-embedding).
            if (modelsFor !== deps.inference.models.embedding) models = null;
            modelsFor = deps.inference.models.embedding;
            models ??= modelAccess(deps.inference, { embedding: deps.inference.models.embedding, nerLanguages: c.nerLanguages, chunks: c.chunkEmbeddingModel }, deps.logger);
            models.catch(() => {
              models = null;
            });
            return models;
          },
        },
        { maxBytes: c.maxBytes, maxChars: c.maxChars, draftVectorsInGraph: !deps.config.qdrant.url },
      );
      workers = new IngestionWorkers(
        { pipeline, store: service.store, logger: deps.logger, metrics: deps.metrics, causal },
        {
          redisUrl: deps.redisUrl,
          prefix: BULL_PREFIX,
          queues: c.queues.map((q) => QUEUE_BY_NAME[q]),
          concurrency: { [IngestionQueue.Prepare]: c.concurrency, [IngestionQueue.Model]: c.modelConcurrency, [IngestionQueue.Write]: c.concurrency },
          lockDurationMs: c.lockMs,
          stalledIntervalMs: c.stalledIntervalMs,
          maxStalledCount: 2,
          policy,
        },
      );
      await workers.start();
      // An import may bring entities: documents ingested right after it link them (else the gazetteer
      // would know them only after its TTL).
      knowledgeEvents = deps.pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC);
      const events = knowledgeEvents;
      void (async () => {
        try {
          for await (const e of events) if (e.change === 'import') pipeline.invalidateGazetteer();
        } catch (err) {
          deps.logger.warn({ err }, 'knowledge events for the gazetteer stopped');
        }
      })();
      return workers;
    },
    stopWorkers: async () => {
      const w = workers;
      workers = null;
      await knowledgeEvents?.return?.();
      knowledgeEvents = undefined;
      await w?.close();
    },
    close: async () => {
      await knowledgeEvents?.return?.();
      knowledgeEvents = undefined;
      await workers?.close();
      workers = null;
      await service.close();
    },
  };
}
