/**
 * Okapi BM25 (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009)
 * over an in-memory collection: the lexical anchor `npm run eval:answers` ranks next to retrieval, on
 * the same knowledge items. Terms: English (Latin-script) words, lower-cased, without the stop words
 * of text.ts; Chinese as single characters *and* overlapping bigrams (a one-character word — 钱, 退 —
 * is a term too, which the `cjk` analyzer's bigrams miss).
 */
import { STOP_WORDS } from './text.js';

const HAN_RUN = /\p{Script=Han}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** BM25 terms of a text (see the module doc). */
export function bm25Terms(text: string): string[] {
  const normalized = text.normalize('NFKC').toLowerCase();
  const out: string[] = [];
  for (const run of normalized.matchAll(HAN_RUN)) {
    const chars = [...run[0]];
    for (let i = 0; i < chars.length; i++) {
      out.push(chars[i] as string);
      if (i + 1 < chars.length) out.push(`${chars[i]}${chars[i + 1]}`);
    }
  }
  for (const word of normalized.replace(HAN_RUN, ' ').matchAll(WORD)) {
    if (!STOP_WORDS.has(word[0])) out.push(word[0]);
  }
  return out;
}

export interface Bm25Options {
  /** Term-frequency saturation. Default 1.2. */
  k1?: number;
  /** Length normalisation. Default 0.75. */
  b?: number;
  terms?: (text: string) => string[];
}

export class Bm25Index {
  private readonly k1: number;
  private readonly b: number;
  private readonly terms: (text: string) => string[];
  private readonly postings = new Map<string, Array<[doc: number, tf: number]>>();
  private readonly lengths: number[] = [];
  private avgLength = 0;

  constructor(
    private readonly ids: readonly string[],
    texts: readonly string[],
    options: Bm25Options = {},
  ) {
    if (ids.length !== texts.length) throw new Error('one id per text');
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.terms = options.terms ?? bm25Terms;
    texts.forEach((text, doc) => {
      const terms = this.terms(text);
      this.lengths.push(terms.length);
      const tf = new Map<string, number>();
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        const list = this.postings.get(t);
        if (list) list.push([doc, n]);
        else this.postings.set(t, [[doc, n]]);
      }
    });
    this.avgLength = this.lengths.reduce((s, n) => s + n, 0) / Math.max(1, this.lengths.length);
  }

  /** Inverse document frequency (the non-negative variant of Lucene's BM25). */
  idf(term: string): number {
    const df = this.postings.get(term)?.length ?? 0;
    const n = this.lengths.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The `k` best documents for a query, best first (ties: earlier document first). */
  search(query: string, k = 10): Array<{ id: string; score: number }> {
    const scores = new Map<number, number>();
    for (const term of new Set(this.terms(query))) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      const idf = this.idf(term);
      for (const [doc, tf] of postings) {
        const norm = 1 - this.b + (this.b * (this.lengths[doc] as number)) / (this.avgLength || 1);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (this.k1 + 1)) / (tf + this.k1 * norm));
      }
    }
    return [...scores.entries()]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, k)
      .map(([doc, score]) => ({ id: this.ids[doc] as string, score }));
  }
}
