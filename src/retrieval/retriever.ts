import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { itemText } from './answer-composer.js';
import { toLuceneQuery } from './entity-linker.js';
import { reciprocalRankFusion, type RankedList } from './fusion.js';
import { calibrated, rankGroup, type RankerModel, type RankerWeightsFile } from './ranker.js';
import type { Candidate, ChunkEvidence, RetrieveInput, RetrievalResult, RetrievedItem } from './retrieval.types.js';
import { hanCoverage, lexicalCoverage } from './text.js';
import { toNumbers, type VectorStore } from './vector-store.js';
import { mergeQuestionHits, type QuestionMatcher } from './question-hits.js';

/** The committed ranker weights (from src/ and from dist/ alike). */
export const RANKER_WEIGHTS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'retrieval', 'ranker-weights.json');

/** The shipped ranker weights (fitted by `npm run eval:answers -- --fit-ranker`; see ranker.ts); none when the file is missing. */
export function loadRankerWeights(file = RANKER_WEIGHTS_FILE): RankerWeightsFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RankerWeightsFile;
  } catch {
    return { models: {} };
  }
}

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
  /** Learned ranker weights per embedding model and language (default: the shipped ranker-weights.json). */
  rankers?: RankerWeightsFile;
  /**
   * The embedding model whose vectors retrieval compares with the question's (the served model).
   * Vectors of any other model are never read. Default: a function returning null = any model (tests).
   */
  model?: () => string | null;
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
  private rankers: RankerWeightsFile;
  private readonly model: () => string | null;

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
    this.rankers = options.rankers ?? loadRankerWeights();
    this.model = options.model ?? (() => null);
  }

  /** Replaces the ranker weights (the evaluation cross-fits them: weights fitted on one half rank the other). */
  useRankers(rankers: RankerWeightsFile): void {
    this.rankers = rankers;
  }

  /** The learned ranker for a language under the served embedding model, or null (then convex fusion). */
  rankerFor(language: string | undefined): RankerModel | null {
    const model = this.model();
    const byLanguage = model ? this.rankers.models[model] : undefined;
    if (!byLanguage) return null;
    return byLanguage[language ?? 'en'] ?? byLanguage.en ?? null;
  }

  private questions: QuestionMatcher | null = null;

  /** Facts are also found through their similar questions (src/learning); a fact scores by its best question. */
  useQuestions(matcher: QuestionMatcher): void {
    this.questions = matcher;
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
      vectorHits = await this.store.search(input.vector as Float32Array, { k: perList * 3, languages, model: input.vectorModel ?? this.model() });
    }
    return {
      vector: useVector ? toNumbers(input.vector as Float32Array) : null,
      vectorHits,
      text: useText ? toLuceneQuery(input.query) : null,
      textChars: useText ? hanQuery(input.query) : null,
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
      model: input.vectorModel ?? this.model(),
    };
  }

  async retrieve(input: RetrieveInput): Promise<RetrievalResult> {
    const params = await this.params(input);
    const hits = this.questions
      ? await this.questions.search({ query: input.query, vector: params.vector ? input.vector : null, model: (params.model as string | null | undefined) ?? null, k: Number(params.kVector) || Number(params.kText), access: input.access, languages: (params.languages as string[] | null) ?? null })
      : [];
    if (hits.length > 0) params.extraIds = [...new Set([...(params.extraIds as string[]), ...hits.map((h) => h.id)])];
    const [row] = await this.executor.read('retrieval/hybrid', params);
    if (row && hits.length > 0) mergeQuestionHits(row, params.vector ? hits : hits.filter((h) => h.via === 'text'), { vector: Number(params.kVector), text: Number(params.kText) });
    for (const item of row?.items ?? []) {
      item.createdAt = isoDate(item.createdAt);
      item.updatedAt = isoDate(item.updatedAt);
    }
    const ranker = this.rankerFor(input.language);
    const fusion = input.fusion ?? this.fusion.fusion ?? 'learned';
    return fuse(row ?? {}, this.weights, input, {
      fusion: fusion === 'learned' && !ranker ? 'convex' : fusion,
      alpha: input.alpha ?? this.fusion.alpha,
      boosts: this.fusion.boosts,
      ranker,
    });
  }
}

/** Epoch milliseconds (as `retrieval/hybrid` returns timestamps) → the ISO string every other read returns. */
function isoDate(value: unknown): string {
  return typeof value === 'number' ? new Date(value).toISOString() : (value as string);
}

/** The row of `retrieval/hybrid`. */
export interface HybridRow {
  vectorHits?: Array<{ id: string; score: number }>;
  textHits?: Array<{ id: string; score: number }>;
  graphHits?: Array<{ id: string; score: number; weight: number; about: string[] }>;
  chunkHits?: ChunkEvidence[];
  items?: RetrievedItem[];
}

export type Fusion = 'learned' | 'convex' | 'rrf';

export interface FusionOptions {
  /**
   * `learned` (default): the ranker of ranker.ts, fitted per language on the dev sets; `convex`:
   * α·similarity + (1 − α)·fulltext score, both min-max normalised over the candidates, plus boosts
   * (used when no ranker is fitted for the served embedding model); `rrf`: weighted reciprocal rank fusion.
   */
  fusion?: Fusion;
  /** The learned ranker (`learned` fusion). */
  ranker?: RankerModel | null;
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
  input: Pick<RetrieveInput, 'k' | 'extraLists' | 'mode'> & { query?: string },
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
  let ranked: Array<{ id: string; score: number; ranks: Record<string, number>; features?: Record<string, number>; confidence?: number }> = rrf;
  const maxGraph = Math.max(1, ...graph.map((g) => g.weight));
  // Every hybrid candidate carries the ranker's features (the evaluation fits the ranker on them).
  const features = mode === 'hybrid' ? candidateFeatures(input.query ?? '', rrf, items, scoreOf, maxGraph) : null;
  if (mode === 'vector') {
    ranked = rrf.filter((f) => f.ranks.vector !== undefined).sort((a, b) => (a.ranks.vector as number) - (b.ranks.vector as number));
  } else if (mode === 'fulltext') {
    ranked = rrf.filter((f) => f.ranks.text !== undefined).sort((a, b) => (a.ranks.text as number) - (b.ranks.text as number));
  } else if (options.fusion === 'learned' && options.ranker && features) {
    const ranker = options.ranker;
    ranked = rankGroup(ranker, features).map((s) => {
      const f = rrf[s.index] as (typeof rrf)[number];
      return { ...f, score: s.score, features: features[s.index], confidence: calibrated(ranker, s.score, s.lead, features[s.index]) };
    });
  } else if ((options.fusion ?? 'convex') !== 'rrf') {
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
  if (features && !ranked.some((r) => r.features)) {
    const byId = new Map(rrf.map((f, i) => [f.id, features[i]]));
    ranked = ranked.map((r) => ({ ...r, features: byId.get(r.id) }));
  }
  // Items the caller named (an intent's handler) stay candidates when ranked below k: a confident intent's
  // process must not depend on the rank of an item that is, say, not embedded yet.
  const named = new Set((input.extraLists ?? []).flatMap((l) => l.ids));
  const kept = named.size > 0 ? [...ranked.slice(0, k), ...ranked.slice(k).filter((f) => named.has(f.id))] : ranked.slice(0, k);
  const candidates: Candidate[] = kept.map((f) => {
    const scores: Record<string, number> = {};
    for (const [list, map] of Object.entries(scoreOf)) {
      const s = map.get(f.id);
      if (s !== undefined) scores[list] = s;
    }
    const candidate: Candidate = { id: f.id, item: items.get(f.id) as RetrievedItem, fused: f.score, ranks: f.ranks, scores };
    if (f.features) candidate.features = f.features;
    if (f.confidence !== undefined) candidate.confidence = Math.round(f.confidence * 1000) / 1000;
    return candidate;
  });
  return {
    candidates,
    chunks,
    listSizes: { vector: vector.length, text: text.length, graph: graph.length, chunk: chunks.length },
  };
}

/**
 * The ranker's features (ranker.ts `FEATURES`) of every candidate, in the order given. Pure; exported
 * for the evaluation (it fits the ranker on them) and tests.
 */
export function candidateFeatures(
  query: string,
  candidates: ReadonlyArray<{ id: string; ranks: Record<string, number> }>,
  items: ReadonlyMap<string, RetrievedItem>,
  scoreOf: Record<string, Map<string, number> | undefined>,
  maxGraph = 1,
): Array<Record<string, number>> {
  const cosOf = (id: string): number | null => {
    const sim = items.get(id)?.sim ?? scoreOf.vector?.get(id) ?? null;
    return sim === null ? null : 2 * sim - 1;
  };
  const cosines = candidates.map((c) => cosOf(c.id));
  const known = cosines.filter((x): x is number => x !== null);
  const bestCos = known.length > 0 ? Math.max(...known) : 0;
  const bestText = Math.max(0, ...candidates.map((c) => scoreOf.text?.get(c.id) ?? 0));
  return candidates.map((c, i) => {
    const item = items.get(c.id);
    const text = item ? itemText(item) : '';
    const cos = cosines[i] ?? null;
    const bm = scoreOf.text?.get(c.id);
    return {
      cosine: cos ?? 0,
      cosineGap: cos === null ? -1 : cos - bestCos,
      vectorRR: c.ranks.vector !== undefined ? 1 / c.ranks.vector : 0,
      bm25: bm !== undefined && bestText > 0 ? bm / bestText : 0,
      textRR: c.ranks.text !== undefined ? 1 / c.ranks.text : 0,
      coverage: lexicalCoverage(query, text),
      charCoverage: hanCoverage(query, text),
      graph: (scoreOf.graph?.get(c.id) ?? 0) / maxGraph,
      chunk: c.ranks.chunk !== undefined ? 1 : 0,
      intent: c.ranks.intent !== undefined ? 1 : 0,
    };
  });
}

/** The distinct Han characters of a question as a Lucene query (OR of terms) for `knowledge_chars`; null without any. */
export function hanQuery(text: string): string | null {
  const chars = [...new Set([...text.normalize('NFKC')].filter((c) => /\p{Script=Han}/u.test(c)))].slice(0, 64);
  return chars.length > 0 ? chars.join(' ') : null;
}
