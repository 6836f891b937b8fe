import { QdrantClient } from '@qdrant/js-client-rest';
import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { checkDimension } from './neo4j.vector-store.js';
import { EMBEDDING_DIMENSION, toNumbers, type VectorHit, type VectorPoint, type VectorSearchOptions, type VectorStore } from './vector-store.js';

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  /** Default `answergraph_knowledge`. */
  collection?: string;
  /** Request timeout in ms. Default 5000. */
  timeoutMs?: number;
  /**
   * Distributed Qdrant: how the collection is laid out when this store creates it (an existing
   * collection is used as it is). shard_number is fixed at creation; replication_factor copies of each
   * shard live on different nodes; write_consistency_factor replicas confirm each write. Default 1, 1, 1.
   */
  shards?: number;
  replicationFactor?: number;
  writeConsistency?: number;
}

const BATCH = 500;

/**
 * Knowledge vectors in a Qdrant collection (cosine, 384-d), for deployments that keep vectors outside
 * the graph. Point ids are the knowledge ids (UUIDs); the payload carries only what a pre-filter needs
 * (language, kind). The graph still records which content hash each item was embedded from, so stale
 * vectors are found the same way as with the Neo4j store.
 */
export class QdrantVectorStore implements VectorStore {
  readonly name = 'qdrant' as const;
  readonly inGraph = false;
  private readonly client: QdrantClient;
  private readonly collection: string;
  private ensured: Promise<void> | undefined;

  constructor(
    private readonly executor: CypherExecutor,
    options: QdrantStoreOptions,
  ) {
    this.client = new QdrantClient({ url: options.url, apiKey: options.apiKey, timeout: options.timeoutMs ?? 5000, checkCompatibility: false });
    this.collection = options.collection ?? 'answergraph_knowledge';
    this.layout = { shard_number: options.shards ?? 1, replication_factor: options.replicationFactor ?? 1, write_consistency_factor: options.writeConsistency ?? 1 };
  }

  /** The collection options this store creates with (shards, replicas, write consistency). */
  readonly layout: { shard_number: number; replication_factor: number; write_consistency_factor: number };

  ensure(): Promise<void> {
    this.ensured ??= this.create().catch((err: unknown) => {
      this.ensured = undefined;
      throw unavailable(err);
    });
    return this.ensured;
  }

  private async create(): Promise<void> {
    const { exists } = await this.client.collectionExists(this.collection);
    if (!exists) {
      await this.client.createCollection(this.collection, { vectors: { size: EMBEDDING_DIMENSION, distance: 'Cosine' }, ...this.layout }).catch(async (err: unknown) => {
        // Another replica may have created it between our check and our create.
        if (!(await this.client.collectionExists(this.collection)).exists) throw err;
      });
      for (const field of ['language', 'kind']) {
        await this.client.createPayloadIndex(this.collection, { field_name: field, field_schema: 'keyword', wait: true });
      }
    }
  }

  async upsert(points: readonly VectorPoint[], model: string): Promise<void> {
    for (const p of points) checkDimension(p.vector);
    await this.ensure();
    for (let i = 0; i < points.length; i += BATCH) {
      const batch = points.slice(i, i + BATCH);
      await this.client
        .upsert(this.collection, {
          wait: true,
          points: batch.map((p) => ({ id: p.id, vector: toNumbers(p.vector), payload: { language: p.language, kind: p.kind, hash: p.hash } })),
        })
        .catch((err: unknown) => {
          throw unavailable(err);
        });
      await this.executor.write('retrieval/mark-embedded', { rows: batch.map((p) => ({ id: p.id, hash: p.hash })), model });
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ensure();
    await this.client.delete(this.collection, { wait: true, points: [...ids] }).catch((err: unknown) => {
      throw unavailable(err);
    });
    await this.executor.write('retrieval/clear-embeddings', { ids });
  }

  async search(vector: Float32Array | readonly number[], options: VectorSearchOptions): Promise<VectorHit[]> {
    checkDimension(vector);
    await this.ensure();
    const languages = options.languages?.length ? [...options.languages] : null;
    const result = await this.client
      .query(this.collection, {
        query: toNumbers(vector),
        limit: Math.max(1, Math.floor(options.k)),
        with_payload: false,
        ...(languages ? { filter: { must: [{ key: 'language', match: { any: languages } }] } } : {}),
      })
      .catch((err: unknown) => {
        throw unavailable(err);
      });
    // Qdrant's cosine score is the cosine itself; map it to [0, 1] like Neo4j's index.
    return result.points.map((p) => ({ id: String(p.id), score: (1 + Number(p.score)) / 2 }));
  }

  async close(): Promise<void> {}
}

function unavailable(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('SERVICE_UNAVAILABLE', `Qdrant is unavailable: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err });
}
