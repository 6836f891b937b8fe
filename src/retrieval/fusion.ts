/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): an item's fused score is the
 * sum over ranked lists of `weight / (k + rank)`. It needs no score calibration between lists —
 * cosine similarities, BM25 scores and graph degrees are not comparable, their ranks are.
 */

export interface RankedList {
  name: string;
  /** Ids best first. */
  ids: readonly string[];
  /** Default 1. */
  weight?: number;
}

export interface Fused {
  id: string;
  score: number;
  /** Rank (1-based) of the item in each list that holds it. */
  ranks: Record<string, number>;
}

/** `k` = 60 is the value of the original paper; it damps the influence of the very top ranks. */
export function reciprocalRankFusion(lists: readonly RankedList[], k = 60): Fused[] {
  const byId = new Map<string, Fused>();
  for (const list of lists) {
    const weight = list.weight ?? 1;
    const seen = new Set<string>();
    list.ids.forEach((id) => {
      if (seen.has(id)) return;
      seen.add(id);
      const rank = seen.size;
      const entry = byId.get(id) ?? { id, score: 0, ranks: {} };
      entry.score += weight / (k + rank);
      entry.ranks[list.name] = rank;
      byId.set(id, entry);
    });
  }
  // Ties (same fused score) keep the order of first appearance, so results are deterministic.
  return [...byId.values()].sort((a, b) => b.score - a.score);
}
