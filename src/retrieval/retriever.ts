import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { toLuceneQuery } from './entity-linker.js';
import { reciprocalRankFusion, type RankedList } from './fusion.js';
import type { Candidate, ChunkEvidence, RetrieveInput, RetrievalResult, RetrievedItem } from './retrieval.types.js';
import { toNumbers, type VectorStore } from './vector-store.js';

export interface RetrieverOptions {
  /** RRF weight of each list (`rrf` fusion). Defaults: vector 1, text 0.3, graph 0.5, chunk 0.5. */
  weights?: Partial<Record<'vector' | 'text' | 'graph' | 'chunk', number>>;
  /** Candidates read from each list. Default 20. */
  perList?: number;
  /** Items read around each linked entity before ranking them. Default 200. */
  graphScan?: number;
  /** Passages read from documents. Default 5. */
  chunks?: number;
  /** How the lists are fused (see {@link fuse}). */
  fusion?: FusionOptions;
}

const MAX_QUERY = 2000;

/**
 * GraphRAG retrieval: vector + fulltext + graph neighbourhood of the linked entities + passages of
 * source documents, fused by reciprocal rank, filtered to the published items the caller may see —
 * in one Cypher round trip (two calls when vectors live outside the graph: the vector store, then the
 * graph query that hydrates its ids).
 */
export class GraphRetriever {
  private readonly weights: Record<'vector' | 'text' | 'graph' | 'chunk', number>;
  private readonly perList: number;
  private readonly graphScan: number;
  private readonly chunkCount: number;
  private readonly fusion: FusionOptions;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly store: VectorStore,
    options: RetrieverOptions = {},
  ) {
    this.weights = { vector: 1, text: 0.3, graph: 0.5, chunk: 0.5, ...options.weights };
    this.perList = options.perList ?? 20;
    this.graphScan = options.graphScan ?? 200;
    this.chunkCount = options.chunks ?? 5;
    this.fusion = options.fusion ?? {};
  }

  get vectorStore(): VectorStore {
    return this.store;
  }

  /** The parameters of `retrieval/hybrid` for an input (also used by the benchmark's floor). */
  async params(input: RetrieveInput): Promise<Record<string, unknown>> {
    if (input.query.length > MAX_QUERY) throw new AppError('BAD_USER_INPUT', `A question may have at most ${MAX_QUERY} characters.`);
    const mode = input.mode ?? 'hybrid';
    const useVector = mode !== 'fulltext' && input.vector !== null;
    const useText = mode !== 'vector';
    const useGraph = mode === 'hybrid';
    const k = Math.max(1, Math.min(input.k ?? 10, 100));
    const perList = Math.max(this.perList, k);
    const languages = input.languages?.length ? [...input.languages] : null;
    let vectorHits: Array<{ id: string; score: number }> | null = null;
    if (useVector && !this.store.inGraph) {
      // Oversample: the graph query drops what the caller may not see.
      vectorHits = await this.store.search(input.vector as Float32Array, { k: perList * 3, languages });
    }
    return {
      vector: useVector ? toNumbers(input.vector as Float32Array) : null,
      vectorHits,
      text: useText ? toLuceneQuery(input.query) : null,
      entityIds: useGraph ? [...new Set(input.entityIds ?? [])] : [],
      extraIds: [...new Set((input.extraLists ?? []).flatMap((l) => l.ids))],
      kVector: useVector ? perList : 0,
      kVectorScan: perList * 2,
      kText: useText ? perList : 0,
      kGraph: useGraph ? perList : 0,
      graphScan: this.graphScan,
      kChunk: useGraph ? this.chunkCount : 0,
      visibilities: input.access.visibilities,
      statuses: input.access.statuses,
      languages,
    };
  }

  async retrieve(input: RetrieveInput): Promise<RetrievalResult> {
    const params = await this.params(input);
    const [row] = (await this.executor.read('retrieval/hybrid', params)) as HybridRow[];
    for (const item of row?.items ?? []) {
      item.createdAt = isoDate(item.createdAt);
      item.updatedAt = isoDate(item.updatedAt);
    }
    return fuse(row ?? {}, this.weights, input, { fusion: input.fusion ?? this.fusion.fusion, alpha: input.alpha ?? this.fusion.alpha, boosts: this.fusion.boosts });
  }
}

/** Epoch milliseconds (as `retrieval/hybrid` returns timestamps) → the ISO string every other read returns. */
function isoDate(value: unknown): string {
  return typeof value === 'number' ? new Date(value).toISOString() : (value as string);
}

interface HybridRow {
  vectorHits?: Array<{ id: string; score: number }>;
  textHits?: Array<{ id: string; score: number }>;
  graphHits?: Array<{ id: string; score: number; weight: number; about: string[] }>;
  chunkHits?: ChunkEvidence[];
  items?: RetrievedItem[];
}

export type Fusion = 'convex' | 'rrf';

export interface FusionOptions {
  /** `convex` (default): α·similarity + (1 − α)·fulltext score, both min-max normalised over the candidates, plus boosts; `rrf`: weighted reciprocal rank fusion. */
  fusion?: Fusion;
  /** Weight of similarity against the fulltext score in convex fusion. Default 0.75. */
  alpha?: number;
  /** Convex fusion: added for an item ABOUT a linked entity (scaled by how many), from a matching passage, or answering the predicted intent. */
  boosts?: Partial<Record<'graph' | 'chunk' | 'intent', number>>;
}

/**
 * Fuses the lists of one `retrieval/hybrid` row. Pure; exported for tests.
 *
 * Reciprocal rank fusion ignores how far apart scores are; on BankFAQ (npm run eval:answers) it does
 * not beat vector search alone, because fulltext is much weaker there. A convex combination of
 * normalised scores (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", TOIS 2023)
 * does, with one weight: every candidate, whichever list found it, is judged by its cosine to the
 * question (computed in the graph query) and its fulltext score.
 */
export function fuse(
  row: HybridRow,
  weights: Record<'vector' | 'text' | 'graph' | 'chunk', number>,
  input: Pick<RetrieveInput, 'k' | 'extraLists' | 'mode'>,
  options: FusionOptions = {},
): RetrievalResult {
  const items = new Map((row.items ?? []).map((i) => [i.id, i]));
  const vector = row.vectorHits ?? [];
  const text = row.textHits ?? [];
  const graph = row.graphHits ?? [];
  const chunks = row.chunkHits ?? [];
  // Knowledge derived from matching passages, in passage order (vector passages first, then text).
  const viaChunk = chunks.flatMap((c) => c.knowledge);
  const lists: RankedList[] = [
    { name: 'vector', ids: vector.map((h) => h.id), weight: weights.vector },
    { name: 'text', ids: text.map((h) => h.id), weight: weights.text },
    { name: 'graph', ids: graph.map((h) => h.id), weight: weights.graph },
    { name: 'chunk', ids: viaChunk, weight: weights.chunk },
    ...(input.extraLists ?? []).map((l) => ({ name: l.name, ids: l.ids.filter((id) => items.has(id)), weight: l.weight })),
  ];
  const scoreOf: Record<string, Map<string, number>> = {
    vector: new Map(vector.map((h) => [h.id, h.score])),
    text: new Map(text.map((h) => [h.id, h.score])),
    graph: new Map(graph.map((h) => [h.id, h.weight])),
  };
  const k = Math.max(1, Math.min(input.k ?? 10, 100));
  const rrf = reciprocalRankFusion(lists).filter((f) => items.has(f.id));
  const mode = input.mode ?? 'hybrid';
  let ranked: Array<{ id: string; score: number; ranks: Record<string, number> }> = rrf;
  if (mode === 'vector') {
    ranked = rrf.filter((f) => f.ranks.vector !== undefined).sort((a, b) => (a.ranks.vector as number) - (b.ranks.vector as number));
  } else if (mode === 'fulltext') {
    ranked = rrf.filter((f) => f.ranks.text !== undefined).sort((a, b) => (a.ranks.text as number) - (b.ranks.text as number));
  } else if ((options.fusion ?? 'convex') === 'convex') {
    const alpha = options.alpha ?? 0.75;
    const boosts = { graph: 0.1, chunk: 0.05, intent: 0.5, ...options.boosts };
    const sim = (id: string) => items.get(id)?.sim ?? scoreOf.vector?.get(id) ?? null;
    const sims = rrf.map((f) => sim(f.id)).filter((x): x is number => x !== null);
    const bms = rrf.map((f) => scoreOf.text?.get(f.id) ?? 0);
    const norm = (xs: number[]) => {
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return (x: number) => (hi > lo ? (x - lo) / (hi - lo) : xs.length > 0 ? 1 : 0);
    };
    const simN = norm(sims);
    const bmN = norm(bms);
    const maxGraph = Math.max(1, ...graph.map((g) => g.weight));
    ranked = rrf
      .map((f) => {
        const s = sim(f.id);
        const score =
          alpha * (s === null ? 0 : simN(s)) +
          (1 - alpha) * bmN(scoreOf.text?.get(f.id) ?? 0) +
          (boosts.graph * (scoreOf.graph?.get(f.id) ?? 0)) / maxGraph +
          (f.ranks.chunk !== undefined ? boosts.chunk : 0) +
          (f.ranks.intent !== undefined ? boosts.intent : 0);
        return { ...f, score };
      })
      .sort((a, b) => b.score - a.score);
  }
  const candidates: Candidate[] = ranked.slice(0, k).map((f) => {
    const scores: Record<string, number> = {};
    for (const [list, map] of Object.entries(scoreOf)) {
      const s = map.get(f.id);
      if (s !== undefined) scores[list] = s;
    }
    return { id: f.id, item: items.get(f.id) as RetrievedItem, fused: f.score, ranks: f.ranks, scores };
  });
  return {
    candidates,
    chunks,
    listSizes: { vector: vector.length, text: text.length, graph: graph.length, chunk: chunks.length },
  };
}
