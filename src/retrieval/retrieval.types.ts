import type { Access, KnowledgeRow, SourceRow } from '../knowledge/knowledge.repository.js';

export type RetrievalMode = 'hybrid' | 'vector' | 'fulltext';

/** A knowledge item as retrieval returns it: the stored row plus provenance, entities and similarity. */
export interface RetrievedItem extends KnowledgeRow {
  /** Source sentences (in documents the caller may see), at most three. */
  sources: SourceRow[];
  /** Ids of the entities the item is ABOUT. */
  about: string[];
  /** Cosine similarity to the query embedding in [0, 1] ((1 + cos) / 2); null without a query vector or item vector. */
  sim: number | null;
  /** The similar question (src/learning) through which this fact was found: the reason for the hit. */
  matchedQuestion?: { text: string; score: number; via: 'vector' | 'text' };
}

export interface Candidate {
  id: string;
  item: RetrievedItem;
  /** Fused score (convex combination, or reciprocal rank). */
  fused: number;
  /** 1-based rank of the item in each list that found it: vector, text, graph, chunk, intent. */
  ranks: Record<string, number>;
  /** Raw scores per list (vector: index score, text: Lucene score, graph: similarity). */
  scores: Record<string, number>;
  /** The learned ranker's features of this candidate (ranker.ts `FEATURES`); hybrid mode only. */
  features?: Record<string, number>;
  /** Calibrated probability that this item answers the question (learned ranker only). */
  confidence?: number;
}

/** A passage of a source document that matched the question. */
export interface ChunkEvidence {
  chunkId: string;
  documentId: string;
  documentTitle: string;
  text: string;
  /** Offset of the chunk in its document. */
  start: number;
  score: number;
  via: 'vector' | 'text';
  /** Visible knowledge derived from this chunk. */
  knowledge: string[];
}

export interface RetrieveInput {
  /** The question as searched by fulltext (after any follow-up rewriting). */
  query: string;
  /** The query's embedding; null searches without vectors (fulltext mode). */
  vector: Float32Array | null;
  /** The model that made `vector`: only vectors of that model are compared with it (default: the served model). */
  vectorModel?: string | null;
  /** Entities the question is about: linked in this message, or carried over from earlier turns. */
  entityIds?: readonly string[];
  access: Access;
  /** Only knowledge in these languages; null: any. */
  languages?: readonly string[] | null;
  mode?: RetrievalMode;
  /** How many candidates to return. Default 10. */
  k?: number;
  /** `learned` (default when the ranker has weights for the embedding model), `convex` or `rrf`; see `fuse` in retriever.ts. */
  fusion?: 'learned' | 'convex' | 'rrf';
  /** Language of the question: picks the ranker's weights (default `en`). */
  language?: string;
  /** Convex fusion's weight of similarity against the fulltext score for this query (default: the retriever's). */
  alpha?: number;
  /** Extra ranked lists fused with the others, e.g. the handler of a confidently predicted intent. */
  extraLists?: ReadonlyArray<{ name: string; ids: readonly string[]; weight: number }>;
}

export interface RetrievalResult {
  candidates: Candidate[];
  chunks: ChunkEvidence[];
  /** Items per list before fusion, for explanations and metrics. */
  listSizes: Record<string, number>;
}

export interface Citation {
  knowledgeId: string | null;
  documentId: string | null;
  chunkId: string | null;
  start: number | null;
  end: number | null;
  quote: string | null;
}
