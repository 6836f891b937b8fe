/**
 * Leader clustering of questions by meaning: each question joins the most similar cluster whose first
 * question (its leader) is at least `threshold` similar, or starts a new cluster. Incremental (clusters
 * keep their ids as questions arrive) and linear in clusters per question, which is what a gap list
 * refreshed every few minutes needs. English compares sentence embeddings; Chinese compares character
 * bigrams, because the served English encoder maps most Han characters to [UNK] (src/inference/README.md).
 */

/** Lower-cased, NFKC, whitespace collapsed, surrounding punctuation dropped: two spellings of one question share it. */
export function questionKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '')
    .trim();
}

const han = /\p{Script=Han}/u;

/** Character bigrams (Han) and words (other scripts) with counts: a sparse vector for cosine. */
export function bigramVector(text: string): Map<string, number> {
  const v = new Map<string, number>();
  const add = (k: string) => v.set(k, (v.get(k) ?? 0) + 1);
  const key = questionKey(text);
  const chars = [...key].filter((c) => !/[\s\p{P}]/u.test(c));
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (!han.test(c)) continue;
    const next = chars[i + 1];
    add(next && han.test(next) ? c + next : c);
  }
  for (const w of key.split(/[^\p{L}\p{N}]+/u)) if (w && !han.test(w)) add(w);
  return v;
}

export function sparseCosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, x] of a) {
    na += x * x;
    const y = b.get(k);
    if (y !== undefined) dot += x * y;
  }
  for (const y of b.values()) nb += y * y;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Bigram cosine runs lower than embedding cosine for paraphrases; this scale puts them on one threshold. */
export const BIGRAM_SCALE = 1.6;

export interface ClusterPoint {
  text: string;
  language: string;
  /** Sentence embedding (non-Chinese), or null. */
  vector: ArrayLike<number> | null;
}

/** How similar a question is to a cluster's leader, on one 0..1 scale for both languages. */
export function similarity(a: ClusterPoint, b: ClusterPoint): number {
  if (a.language === 'zh' || b.language === 'zh' || !a.vector || !b.vector) {
    return Math.min(1, sparseCosine(bigramVector(a.text), bigramVector(b.text)) * BIGRAM_SCALE);
  }
  return cosine(a.vector, b.vector);
}

export interface Leader<Id> extends ClusterPoint {
  id: Id;
}

/**
 * Assigns each point to the best leader at or above `threshold` (same language), creating a leader
 * for a point that has none. `newId` names new clusters. Returns one cluster id per point, in order;
 * `leaders` gains the new clusters.
 */
export function assignToLeaders<Id>(points: readonly ClusterPoint[], leaders: Array<Leader<Id>>, threshold: number, newId: (p: ClusterPoint) => Id): Id[] {
  return points.map((p) => {
    let best: Leader<Id> | null = null;
    let bestSim = threshold;
    for (const l of leaders) {
      if (l.language !== p.language) continue;
      const s = similarity(p, l);
      if (s >= bestSim) {
        best = l;
        bestSim = s;
      }
    }
    if (best) return best.id;
    const leader = { ...p, id: newId(p) };
    leaders.push(leader);
    return leader.id;
  });
}
