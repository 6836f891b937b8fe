import type { RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import type { CypherExecutor } from '../graph/executor.js';
import type { PubSub } from '../server/pubsub.js';
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
  close(): Promise<void>;
}

export interface RetrievalModuleOptions {
  executor: CypherExecutor;
  embed: TextEmbedder;
  /** Name of the embedding model (stored with each vector). */
  model: string;
  qdrant?: { url?: string; apiKey?: string; shards?: number; replicationFactor?: number; writeConsistency?: number };
  redis?: RedisClient;
  logger: Logger;
  retriever?: RetrieverOptions;
}

/** Builds retrieval: the vector store (Qdrant when configured, else the Neo4j index), retriever, linker, embedder. */
export function createRetrieval(o: RetrievalModuleOptions): RetrievalModule {
  const store: VectorStore = o.qdrant?.url ? new QdrantVectorStore(o.executor, { url: o.qdrant.url, apiKey: o.qdrant.apiKey, shards: o.qdrant.shards, replicationFactor: o.qdrant.replicationFactor, writeConsistency: o.qdrant.writeConsistency }) : new Neo4jVectorStore(o.executor);
  const embedder = new KnowledgeEmbedder(o.executor, store, o.embed, { model: o.model, redis: o.redis, logger: o.logger });
  return {
    store,
    retriever: new GraphRetriever(o.executor, store, o.retriever),
    linker: new EntityLinker(o.executor),
    embedder,
    close: async () => {
      await embedder.stop();
      await store.close();
    },
  };
}

/** Starts keeping embeddings current: a sweep now and after every knowledge change. */
export function startEmbedding(module: RetrievalModule, pubsub: PubSub): void {
  module.embedder.start(pubsub);
}
