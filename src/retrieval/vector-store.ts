/**
 * Where knowledge embeddings live and how the nearest ones are found. Two implementations share
 * this interface and one contract test suite (test/retrieval.vector-store.int.test.ts): the Neo4j
 * vector index (default) and Qdrant (when QDRANT_URL is set).
 *
 * A store only answers "which ids are nearest"; who may see an item is decided in the graph, when
 * the ids are hydrated with one Cypher query that carries the caller's access lists. A store is never
 * the place that enforces visibility.
 */
export interface VectorPoint {
  id: string;
  vector: Float32Array | readonly number[];
  /** Content hash the vector was computed from: lets the graph tell a stale vector from a current one. */
  hash: string;
  language: string;
  kind: string;
}

export interface VectorHit {
  id: string;
  /** Similarity in [0, 1], higher is nearer (cosine mapped as (1 + cos) / 2, like Neo4j's index). */
  score: number;
}

export interface VectorSearchOptions {
  k: number;
  /** Only items in these languages (null/undefined: any). */
  languages?: readonly string[] | null;
  /** Only vectors this embedding model made (null/undefined: any). A query vector is never compared with another model's. */
  model?: string | null;
}

export interface VectorStore {
  readonly name: 'neo4j' | 'qdrant';
  /**
   * True when kNN runs inside Neo4j: the retriever then folds the vector search into its single
   * graph query instead of calling {@link VectorStore.search} first.
   */
  readonly inGraph: boolean;
  /** Creates the collection or index when missing (idempotent). */
  ensure(): Promise<void>;
  /** Inserts or replaces vectors, and marks the items embedded in the graph (with the model that made them). */
  upsert(points: readonly VectorPoint[], model: string): Promise<void>;
  /**
   * Stores vectors of another model next to the served ones without touching them (a re-embedding in
   * progress); {@link VectorStore.promote} makes them the served vectors, atomically.
   */
  stage(points: readonly VectorPoint[], model: string): Promise<void>;
  /** Serves the staged vectors of `model` (one graph transaction that also records the model as served). */
  promote(model: string): Promise<{ knowledge: number; chunks: number }>;
  delete(ids: readonly string[]): Promise<void>;
  search(vector: Float32Array | readonly number[], options: VectorSearchOptions): Promise<VectorHit[]>;
  close(): Promise<void>;
}

/** The dimension every store is created with: the 384-d sentence embeddings of `minilm-embed`. */
export const EMBEDDING_DIMENSION = 384;

export function toNumbers(vector: Float32Array | readonly number[]): number[] {
  return Array.from(vector);
}
