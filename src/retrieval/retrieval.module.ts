import type { RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import type { CypherExecutor } from '../graph/executor.js';
import type { PubSub } from '../infra/pubsub.js';
import { EmbeddingModels } from './embedding-models.js';
import { EntityLinker } from './entity-linker.js';
import { KnowledgeEmbedder, type TextEmbedder } from './knowledge-embedder.js';
import { Neo4jVectorStore } from './neo4j.vector-store.js';
import { QdrantVectorStore } from './qdrant.vector-store.js';
import { GraphRetriever, type RetrieverOptions } from './retriever.js';
import type { VectorStore } from './vector-store.js';

export interface RetrievalModule {
  store: VectorStore;
  retriever: GraphRetriever;
  linker: EntityLinker;
  embedder: KnowledgeEmbedder;
  /** The served embedding model, its status and the re-embedding job. */
  models: EmbeddingModels;
  /** Reads (or creates) the embedding state; tells `onServedModel` which model is served. */
  init(): Promise<void>;
  /** Worker role: consumes re-embedding jobs, and queues one when RETRIEVAL_EMBEDDING_MODEL is not the served model. */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface RetrievalModuleOptions {
  executor: CypherExecutor;
  /** For work no request waits for (re-embedding, sweeps): a longer transaction timeout. Default `executor`. */
  workerExecutor?: CypherExecutor;
  embed: TextEmbedder;
  /** RETRIEVAL_EMBEDDING_MODEL, resolved (embedding-models.ts `chooseModel`). */
  configured: string;
  /** Names of the models the manifest has. */
  built: () => Promise<string[]>;
  /** Told the served model at start and after every change (the inference service's default embedding model follows it). */
  onServedModel?: (model: string) => void;
  redisUrl?: string;
  pubsub?: PubSub;
  qdrant?: { url?: string; apiKey?: string; shards?: number; replicationFactor?: number; writeConsistency?: number };
  redis?: RedisClient;
  logger: Logger;
  retriever?: RetrieverOptions;
}

/** Builds retrieval: the vector store (Qdrant when configured, else the Neo4j index), retriever, linker, embedder. */
export function createRetrieval(o: RetrievalModuleOptions): RetrievalModule {
  // Vector writes come from sweeps and re-embedding (a promotion swaps every vector in one transaction).
  const background = o.workerExecutor ?? o.executor;
  const store: VectorStore = o.qdrant?.url ? new QdrantVectorStore(background, { url: o.qdrant.url, apiKey: o.qdrant.apiKey, shards: o.qdrant.shards, replicationFactor: o.qdrant.replicationFactor, writeConsistency: o.qdrant.writeConsistency }) : new Neo4jVectorStore(background);
  const models = new EmbeddingModels({
    executor: background,
    store,
    embed: (texts, model) => o.embed.embed(texts, 'passage', model),
    configured: o.configured,
    built: o.built,
    redisUrl: o.redisUrl,
    pubsub: o.pubsub,
    logger: o.logger,
  });
  const embedder = new KnowledgeEmbedder(background, store, o.embed, { model: () => models.served, redis: o.redis, logger: o.logger });
  if (o.onServedModel) models.onChange(o.onServedModel);
  return {
    store,
    retriever: new GraphRetriever(o.executor, store, { ...o.retriever, model: () => models.served }),
    linker: new EntityLinker(o.executor),
    embedder,
    models,
    init: async () => {
      const served = await models.init();
      o.onServedModel?.(served);
      if (served !== o.configured) o.logger.warn({ served, configured: o.configured }, 'RETRIEVAL_EMBEDDING_MODEL is not the served model yet: a worker re-embeds everything with it, answers use the served vectors meanwhile');
    },
    startWorker: async () => {
      models.startWorker();
      if (models.served !== o.configured) await models.requestReembed(o.configured);
    },
    close: async () => {
      await embedder.stop();
      await models.close();
      await store.close();
    },
  };
}

/** Every role: follows the served embedding model (the worker role's background jobs keep the vectors current). */
export function followEmbeddingModel(module: RetrievalModule, pubsub: PubSub): void {
  module.models.watch(pubsub);
}
