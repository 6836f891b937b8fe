import { createHash } from 'node:crypto';
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

/** The point of an item's vector by one model: a UUID derived from both, so two models' vectors of an item coexist. */
export function pointId(id: string, model: string): string {
  const h = createHash('sha1').update(`${model}\u0000${id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/**
 * Knowledge vectors in a Qdrant collection (cosine, 384-d), for deployments that keep vectors outside
 * the graph. One point per item and embedding model (id derived from both, see {@link pointId}); the
 * payload carries the knowledge id and what a pre-filter needs (language, kind, model), and every
 * search filters on the model, so a question is only compared with vectors of its own model. The graph
 * records which content hash and model each item was embedded with (and, during a re-embedding, the
 * staged ones), so stale vectors are found the same way as with the Neo4j store.
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
      for (const field of ['language', 'kind', 'model', 'kid']) {
        await this.client.createPayloadIndex(this.collection, { field_name: field, field_schema: 'keyword', wait: true });
      }
    }
  }

  upsert(points: readonly VectorPoint[], model: string): Promise<void> {
    return this.write(points, model, 'retrieval/mark-embedded');
  }

  stage(points: readonly VectorPoint[], model: string): Promise<void> {
    return this.write(points, model, 'retrieval/mark-staged');
  }

  private async write(points: readonly VectorPoint[], model: string, mark: string): Promise<void> {
    for (const p of points) checkDimension(p.vector);
    await this.ensure();
    for (let i = 0; i < points.length; i += BATCH) {
      const batch = points.slice(i, i + BATCH);
      await this.client
        .upsert(this.collection, {
          wait: true,
          points: batch.map((p) => ({ id: pointId(p.id, model), vector: toNumbers(p.vector), payload: { kid: p.id, language: p.language, kind: p.kind, hash: p.hash, model } })),
        })
        .catch((err: unknown) => {
          throw unavailable(err);
        });
      await this.executor.write(mark, { rows: batch.map((p) => ({ id: p.id, hash: p.hash })), model });
    }
  }

  async promote(model: string): Promise<{ knowledge: number; chunks: number }> {
    const [row] = await this.executor.write('retrieval/promote-embeddings', { model });
    // Vectors of other models are no longer served: drop them.
    await this.client.delete(this.collection, { wait: true, filter: { must_not: [{ key: 'model', match: { value: model } }] } }).catch((err: unknown) => {
      throw unavailable(err);
    });
    return { knowledge: Number(row?.knowledge ?? 0), chunks: Number(row?.chunks ?? 0) };
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ensure();
    await this.client.delete(this.collection, { wait: true, filter: { must: [{ key: 'kid', match: { any: [...ids] } }] } }).catch((err: unknown) => {
      throw unavailable(err);
    });
    await this.executor.write('retrieval/clear-embeddings', { ids });
  }

  async search(vector: Float32Array | readonly number[], options: VectorSearchOptions): Promise<VectorHit[]> {
    checkDimension(vector);
    await this.ensure();
    const languages = options.languages?.length ? [...options.languages] : null;
    const must = [
      ...(languages ? [{ key: 'language', match: { any: languages } }] : []),
      ...(options.model ? [{ key: 'model', match: { value: options.model } }] : []),
    ];
    const result = await this.client
      .query(this.collection, {
        query: toNumbers(vector),
        limit: Math.max(1, Math.floor(options.k)),
        with_payload: ['kid'],
        ...(must.length > 0 ? { filter: { must } } : {}),
      })
      .catch((err: unknown) => {
        throw unavailable(err);
      });
    // Qdrant's cosine score is the cosine itself; map it to [0, 1] like Neo4j's index.
    return result.points.map((p) => ({ id: String((p.payload as { kid?: string } | null)?.kid ?? p.id), score: (1 + Number(p.score)) / 2 }));
  }

  async close(): Promise<void> {}
}

function unavailable(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('SERVICE_UNAVAILABLE', `Qdrant is unavailable: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err });
}
