import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { EMBEDDING_DIMENSION, toNumbers, type VectorHit, type VectorPoint, type VectorSearchOptions, type VectorStore } from './vector-store.js';

const BATCH = 1000;

/**
 * Vectors as the `embedding` property of `:Knowledge` nodes, searched through the
 * `knowledge_embedding` vector index (migration 0002). Nothing to start or stop: it is the graph.
 */
export class Neo4jVectorStore implements VectorStore {
  readonly name = 'neo4j' as const;
  readonly inGraph = true;

  constructor(private readonly executor: CypherExecutor) {}

  async ensure(): Promise<void> {
    // The index is created by the migrations that run before any service starts.
  }

  async upsert(points: readonly VectorPoint[], model: string): Promise<void> {
    for (const p of points) checkDimension(p.vector);
    for (let i = 0; i < points.length; i += BATCH) {
      const rows = points.slice(i, i + BATCH).map((p) => ({ id: p.id, vector: toNumbers(p.vector), hash: p.hash }));
      await this.executor.write('retrieval/set-embeddings', { rows, model });
    }
  }

  async stage(points: readonly VectorPoint[], model: string): Promise<void> {
    for (const p of points) checkDimension(p.vector);
    for (let i = 0; i < points.length; i += BATCH) {
      const rows = points.slice(i, i + BATCH).map((p) => ({ id: p.id, vector: toNumbers(p.vector), hash: p.hash }));
      await this.executor.write('retrieval/stage-embeddings', { rows, model });
    }
  }

  async promote(model: string): Promise<{ knowledge: number; chunks: number }> {
    const [row] = await this.executor.write('retrieval/promote-embeddings', { model });
    return { knowledge: Number(row?.knowledge ?? 0), chunks: Number(row?.chunks ?? 0) };
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) await this.executor.write('retrieval/clear-embeddings', { ids: ids.slice(i, i + BATCH) });
  }

  async search(vector: Float32Array | readonly number[], options: VectorSearchOptions): Promise<VectorHit[]> {
    checkDimension(vector);
    const k = Math.max(1, Math.floor(options.k));
    const languages = options.languages?.length ? [...options.languages] : null;
    // The index filters nothing itself: read more candidates when a filter will drop some.
    const scan = languages || options.model ? k * 4 : k;
    const rows = await this.executor.read('retrieval/vector-search', { vector: toNumbers(vector), k, scan, languages, model: options.model ?? null });
    return rows.map((r) => ({ id: String(r.id), score: Number(r.score) }));
  }

  async close(): Promise<void> {}
}

export function checkDimension(vector: Float32Array | readonly number[]): void {
  if (vector.length !== EMBEDDING_DIMENSION) {
    throw new AppError('BAD_USER_INPUT', `A vector must have ${EMBEDDING_DIMENSION} dimensions; this one has ${vector.length}.`);
  }
}
