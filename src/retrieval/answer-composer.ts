import type { Candidate, ChunkEvidence, Citation, RetrievalResult, RetrievedItem } from './retrieval.types.js';
import { hasHan, lexicalCoverage, sentences } from './text.js';

export interface ComposedAnswer {
  /** `fact`: a fact's own answer; `passage`: sentences extracted from a source document; `none`: nothing usable. */
  kind: 'fact' | 'passage' | 'none';
  text: string;
  /** 0..1, from the evidence (see {@link evidenceConfidence}). */
  confidence: number;
  citations: Citation[];
  /** Knowledge the answer used, best first. */
  used: RetrievedItem[];
  best: Candidate | null;
}

export interface Evidence {
  /** Cosine of question and item embeddings (-1..1); null when either has no embedding. */
  cosine: number | null;
  /** Share of the question's content words (Chinese: bigrams) the item contains. */
  coverage: number;
  /** 1 when vector and fulltext both rank the item first, 0.5 when both rank it in their top 3. */
  agreement: number;
  /** The item answers the intent predicted for the question. */
  intent: boolean;
  /** The item is ABOUT an entity the question names. */
  graph: boolean;
  /** How much nearer the question this item is than the nearest other candidate (similarity units, ±0.3). */
  margin: number;
}

/** The text an item answers with, or matches on. */
export function itemText(item: RetrievedItem): string {
  return [item.question, item.matchedQuestion?.text, item.answer ?? item.statement, item.name, item.then].filter(Boolean).join(' ');
}

const simOf = (c: Candidate): number | null => c.item.sim ?? (c.scores.vector !== undefined ? c.scores.vector : null);

/** The evidence that `c` answers `question`; `others` are the other candidates (for the margin). */
export function evidenceOf(question: string, c: Candidate, others: readonly Candidate[] = []): Evidence {
  const vectorRank = c.ranks.vector;
  const textRank = c.ranks.text;
  const sim = simOf(c);
  const rivals = others
    .filter((o) => o.id !== c.id)
    .slice(0, 5)
    .map(simOf)
    .filter((x): x is number => x !== null);
  return {
    margin: sim === null ? 0 : rivals.length > 0 ? Math.max(-0.3, Math.min(0.3, sim - Math.max(...rivals))) : 0.1,
    cosine: sim === null ? null : 2 * sim - 1,
    coverage: lexicalCoverage(question, itemText(c.item)),
    agreement: vectorRank === 1 && textRank === 1 ? 1 : vectorRank !== undefined && textRank !== undefined && vectorRank <= 3 && textRank <= 3 ? 0.5 : 0,
    intent: c.ranks.intent !== undefined,
    graph: c.ranks.graph !== undefined,
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Confidence that an item answers the question: a logistic function of the evidence. The English
 * coefficients are a logistic regression of "the top item is the right answer" on BankFAQ's training
 * questions (`npm run eval:answers` prints the resulting calibration); the intent and graph terms are
 * set by hand (BankFAQ has neither). The embedding model (all-MiniLM-L6-v2) is English-only, so for
 * Chinese lexical coverage (character bigrams) carries the weight the cosine carries in English.
 */
export function evidenceConfidence(e: Evidence, language: string): number {
  let z: number;
  // The margin is a margin of cosines: evidence only where the cosine is.
  const lexical = e.cosine === null || language === 'zh';
  if (e.cosine === null) z = -3 + 5 * e.coverage;
  else if (language === 'zh') z = -4.0 + 1.5 * e.cosine + 4.0 * e.coverage;
  else z = -4.11 + 2.6 * e.cosine + 1.25 * e.coverage;
  z += 0.96 * e.agreement + (lexical ? 0 : 14.8 * e.margin) + 1.6 * (e.intent ? 1 : 0) + 0.3 * (e.graph ? 1 : 0);
  return Math.round(sigmoid(z) * 1000) / 1000;
}

export function citationsOf(item: RetrievedItem): Citation[] {
  if (item.sources.length === 0) {
    return [{ knowledgeId: item.id, documentId: null, chunkId: null, start: null, end: null, quote: item.answer ?? item.statement ?? item.then ?? item.name ?? null }];
  }
  return item.sources.map((s) => ({ knowledgeId: item.id, documentId: s.documentId, chunkId: s.chunkId, start: s.start, end: s.end, quote: s.quote }));
}

/** A fact answers with its own answer (or statement), citing itself and its source sentences. */
export function composeFact(question: string, c: Candidate, language: string, others: readonly Candidate[] = []): ComposedAnswer {
  return {
    kind: 'fact',
    text: c.item.answer ?? c.item.statement ?? '',
    // The learned ranker's calibrated probability when it ranked the candidates (per language).
    confidence: c.confidence ?? evidenceConfidence(evidenceOf(question, c, others), language),
    citations: citationsOf(c.item),
    used: [c.item],
    best: c,
  };
}

/**
 * Extracts the one or two sentences of the matching passages that best cover the question, citing
 * document, chunk and the sentences' character offsets in the document.
 */
export function composePassage(question: string, chunks: readonly ChunkEvidence[], language: string, items: ReadonlyMap<string, RetrievedItem> = new Map()): ComposedAnswer | null {
  let best: { chunk: ChunkEvidence; index: number; coverage: number; rank: number } | null = null;
  const byChunk = new Map<string, ReturnType<typeof sentences>>();
  chunks.forEach((chunk, rank) => {
    const spans = sentences(chunk.text ?? '');
    byChunk.set(chunk.chunkId, spans);
    spans.forEach((s, index) => {
      const coverage = lexicalCoverage(question, s.text) - rank * 0.02;
      if (!best || coverage > best.coverage) best = { chunk, index, coverage, rank };
    });
  });
  const chosen = best as { chunk: ChunkEvidence; index: number; coverage: number; rank: number } | null;
  if (!chosen || chosen.coverage <= 0) return null;
  const spans = byChunk.get(chosen.chunk.chunkId) ?? [];
  const picked = [spans[chosen.index]];
  const next = spans[chosen.index + 1];
  // A following sentence that also speaks to the question completes the answer ("… . If …, …").
  if (next && lexicalCoverage(question, next.text) > 0) picked.push(next);
  const base = chosen.chunk.start;
  const citations: Citation[] = picked.map((s) => ({
    knowledgeId: null,
    documentId: chosen.chunk.documentId,
    chunkId: chosen.chunk.chunkId,
    start: base + (s?.start ?? 0),
    end: base + (s?.end ?? 0),
    quote: s?.text ?? '',
  }));
  const cosine = chosen.chunk.via === 'vector' ? 2 * chosen.chunk.score - 1 : null;
  const confidence = evidenceConfidence({ cosine, coverage: Math.max(0, chosen.coverage + chosen.rank * 0.02), agreement: 0, intent: false, graph: false, margin: 0 }, language);
  const joiner = hasHan(picked.map((s) => s?.text).join('')) ? '' : ' ';
  return {
    kind: 'passage',
    text: picked.map((s) => s?.text).join(joiner),
    confidence: Math.min(confidence, 0.9),
    citations,
    used: chosen.chunk.knowledge.map((id) => items.get(id)).filter((x): x is RetrievedItem => !!x),
    best: null,
  };
}

/** The best of: the top fact, or a passage of a source document. */
export function composeAnswer(question: string, result: RetrievalResult, language: string): ComposedAnswer {
  const facts = result.candidates.filter((c) => c.item.kind === 'fact');
  const scored = facts.slice(0, 5).map((c) => composeFact(question, c, language, result.candidates));
  // Fused rank decides among facts; confidence only breaks away a clearly better one further down.
  let answer: ComposedAnswer | null = scored[0] ?? null;
  for (const s of scored.slice(1)) if (answer && s.confidence > answer.confidence + 0.25) answer = s;
  const items = new Map(result.candidates.map((c) => [c.id, c.item]));
  const passage = composePassage(question, result.chunks, language, items);
  if (passage && (!answer || passage.confidence > answer.confidence + 0.1)) answer = passage;
  return answer ?? { kind: 'none', text: '', confidence: 0, citations: [], used: [], best: null };
}
