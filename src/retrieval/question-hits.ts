import type { Access } from '../knowledge/knowledge.repository.js';
import type { RetrievedItem } from './retrieval.types.js';

/** A fact found through one of its similar questions (src/learning/similar-questions.ts). */
export interface QuestionHit {
  /** The fact's id. */
  id: string;
  question: string;
  /** vector: the index's cosine score in [0, 1] (as `sim`); text: the Lucene score. */
  score: number;
  via: 'vector' | 'text';
}

/** Finds facts through their similar questions; retrieval asks it before the hybrid query. */
export interface QuestionMatcher {
  search(input: { query: string; vector: Float32Array | null; model: string | null; k: number; access: Access; languages: readonly string[] | null }): Promise<QuestionHit[]>;
}

interface Lists {
  vectorHits?: Array<{ id: string; score: number }>;
  textHits?: Array<{ id: string; score: number }>;
  items?: RetrievedItem[];
}

/**
 * Merges question hits into one `retrieval/hybrid` row, so that a fact scores by its best question in
 * every fusion: its vector and fulltext entries take the better of the item's and its question's
 * score, its `sim` (what the ranker and the answer's confidence read) the better cosine, and the item
 * records the question as the reason for the hit. Only hydrated (visible) items are merged. Mutates `row`.
 */
export function mergeQuestionHits(row: Lists, hits: readonly QuestionHit[], limits: { vector: number; text: number }): void {
  const items = new Map((row.items ?? []).map((i) => [i.id, i]));
  for (const via of ['vector', 'text'] as const) {
    const own = via === 'vector' ? (row.vectorHits ??= []) : (row.textHits ??= []);
    const byId = new Map(own.map((h) => [h.id, h]));
    const before = new Map(own.map((h) => [h.id, h.score]));
    for (const h of hits) {
      if (h.via !== via || !items.has(h.id)) continue;
      const item = items.get(h.id)!;
      const entry = byId.get(h.id);
      if (entry) entry.score = Math.max(entry.score, h.score);
      else {
        const added = { id: h.id, score: h.score };
        own.push(added);
        byId.set(h.id, added);
      }
      if (via === 'vector' && h.score > (item.sim ?? 0)) {
        item.sim = h.score;
        item.matchedQuestion = { text: h.question, score: h.score, via };
      } else if (via === 'text' && !item.matchedQuestion && h.score >= (before.get(h.id) ?? 0)) {
        item.matchedQuestion = { text: h.question, score: h.score, via };
      }
    }
    own.sort((a, b) => b.score - a.score);
    const limit = Math.max(before.size, via === 'vector' ? limits.vector : limits.text);
    if (own.length > limit) own.length = limit;
  }
}
