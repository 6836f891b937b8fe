import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../inference/softmax-head.js';
import { calibrated, derivedGroups, fitLogistic, fitRanker, rankGroup, rankerScore, restrictGroup, type RankingGroup } from './ranker.js';
import { candidateFeatures, fuse } from './retriever.js';
import type { RetrievedItem } from './retrieval.types.js';

/** Questions whose right candidate has a higher cosine and, half the time, a fulltext hit. */
function synthetic(n: number, seed: number): RankingGroup[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const right = Math.floor(rand() * 5);
    const candidates = Array.from({ length: 5 }, (_, i) => {
      const good = i === right;
      const cosine = (good ? 0.6 : 0.4) + rand() * 0.3;
      const bm25 = good && rand() < 0.5 ? 0.8 + rand() * 0.2 : rand() * 0.6;
      return { cosine, bm25, cosineGap: 0, vectorRR: 0, textRR: 0, coverage: rand(), charCoverage: 0, graph: 0, chunk: 0, intent: 0 };
    });
    return { candidates, right };
  });
}

const p1 = (groups: RankingGroup[], model: ReturnType<typeof fitRanker>) => groups.filter((g) => rankGroup(model, g.candidates)[0]?.index === g.right).length / groups.length;

describe('fitLogistic', () => {
  it('learns the sign and order of informative features and ignores constant ones', () => {
    const rand = mulberry32(7);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = [rand(), rand(), 1];
      rows.push(x);
      labels.push(rand() < 1 / (1 + Math.exp(-(6 * (x[0] as number) - 2 * (x[1] as number) - 2))) ? 1 : 0);
    }
    const m = fitLogistic(['a', 'b', 'constant'], rows, labels, { positiveWeight: 1, iterations: 1500 });
    expect(m.weights[0]).toBeGreaterThan(0);
    expect(m.weights[1]).toBeLessThan(0);
    expect(Math.abs(m.weights[0] as number)).toBeGreaterThan(Math.abs(m.weights[1] as number));
    expect(m.weights[2]).toBeCloseTo(0, 6);
  });
});

describe('fitRanker', () => {
  const train = synthetic(600, 1);
  const test = synthetic(600, 2);
  const model = fitRanker(train);

  it('never loses to its own lists on held-out questions (here: cosine alone, fulltext alone)', () => {
    const only = (f: string) => test.filter((g) => g.candidates.map((c, i) => [c[f as 'cosine'] as number, i] as const).sort((a, b) => b[0] - a[0])[0]?.[1] === g.right).length / test.length;
    expect(p1(test, model)).toBeGreaterThanOrEqual(only('cosine'));
    expect(p1(test, model)).toBeGreaterThanOrEqual(only('bm25'));
  });

  it('is calibrated: predicted confidence of the top candidate ≈ its held-out accuracy', () => {
    let predicted = 0;
    let right = 0;
    for (const g of test) {
      const [top] = rankGroup(model, g.candidates);
      predicted += calibrated(model, top!.score, top!.lead);
      right += top!.index === g.right ? 1 : 0;
    }
    expect(Math.abs(predicted / test.length - right / test.length)).toBeLessThan(0.06);
  });

  it('gives a larger lead a higher confidence', () => {
    expect(calibrated(model, 1, 2)).toBeGreaterThan(calibrated(model, 1, 0.1));
  });

  it('adds fixed weights for features the dev sets never exercise', () => {
    const withIntent = fitRanker(train, { fixed: { intent: 3 } });
    const c = train[0]!.candidates[0]!;
    expect(rankerScore(withIntent, { ...c, intent: 1 }) - rankerScore(withIntent, { ...c, intent: 0 })).toBeCloseTo(3);
  });
});

describe('calibration on derived knowledge bases', () => {
  /** Right candidates have higher cosines; 40 candidates a question, as in a large knowledge base. */
  function large(n: number, seed: number): RankingGroup[] {
    const rand = mulberry32(seed);
    return Array.from({ length: n }, () => {
      const cos = Array.from({ length: 40 }, (_, i) => 0.5 - i * 0.005 + rand() * 0.1);
      const right = rand() < 0.7 ? 0 : Math.floor(rand() * 5);
      cos[right] = (cos[right] as number) + 0.08;
      const order = cos.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0]);
      const best = order[0]![0];
      const candidates = cos.map((c, i) => ({ cosine: c, cosineGap: c - best, vectorRR: 1 / (order.findIndex((o) => o[1] === i) + 1), bm25: 0, textRR: 0, coverage: 0.3, charCoverage: 0 }));
      return { candidates, right };
    });
  }

  it('recomputes rank-relative features for a subset of the candidates', () => {
    const g = [
      { cosine: 0.9, cosineGap: 0, vectorRR: 1, bm25: 0.5, textRR: 0.5, coverage: 0.2 },
      { cosine: 0.8, cosineGap: -0.1, vectorRR: 0.5, bm25: 1, textRR: 1, coverage: 0.4 },
      { cosine: 0.7, cosineGap: -0.2, vectorRR: 1 / 3, bm25: 0.25, textRR: 1 / 3, coverage: 0.1 },
    ];
    const r = restrictGroup(g, [2, 0]);
    expect(r[0]).toMatchObject({ cosine: 0.7, vectorRR: 0.5, textRR: 0.5, bm25: 0.5, coverage: 0.1 });
    expect(r[0]!.cosineGap).toBeCloseTo(-0.2);
    expect(r[1]).toMatchObject({ cosineGap: 0, vectorRR: 1, textRR: 1, bm25: 1 });
  });

  it('derives a gap, a small knowledge base with the answer and one with only a related fact', () => {
    const [g] = large(1, 3);
    const d = derivedGroups([g!]);
    expect(d).toHaveLength(3);
    expect(d[0]).toMatchObject({ right: -1 });
    expect(d[0]!.candidates).toHaveLength(39);
    expect(d[1]!.candidates).toHaveLength(8);
    expect(d[1]!.right).toBe(0);
    expect(d[2]!.right).toBe(-1);
  });

  it('makes the top of a small knowledge base less certain when its evidence is weak', () => {
    const groups = large(400, 5);
    const plain = fitRanker(groups);
    const derived = fitRanker(groups, { derivedWeight: 0.5 });
    expect(derived.calibration.absolute?.cosine).toBeGreaterThan(0);
    // A small knowledge base whose best fact is only as near as the wrong ones of a large base: first by far, but weak.
    const small = [0.45, 0.3, 0.28, 0.27, 0.25].map((cosine, i) => ({ cosine, cosineGap: cosine - 0.45, vectorRR: 1 / (i + 1), bm25: 0, textRR: 0, coverage: 0.3, charCoverage: 0 }));
    const conf = (m: typeof plain) => {
      const [top] = rankGroup(m, small);
      return calibrated(m, top!.score, top!.lead, small[top!.index]);
    };
    expect(conf(derived)).toBeLessThan(conf(plain));
  });
});

describe('learned fusion', () => {
  const item = (id: string, text: string, sim: number): RetrievedItem => ({ id, kind: 'fact', statement: text, sources: [], about: [], sim }) as unknown as RetrievedItem;
  const row = {
    vectorHits: [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.8 }],
    textHits: [{ id: 'b', score: 7 }],
    items: [item('a', 'opening hours of the store', 0.9), item('b', 'refund takes three days', 0.8)],
  };

  it('computes the features of every hybrid candidate', () => {
    const f = candidateFeatures('when is my refund back', [{ id: 'a', ranks: { vector: 1 } }, { id: 'b', ranks: { vector: 2, text: 1 } }], new Map(row.items.map((i) => [i.id, i])), {
      vector: new Map([['a', 0.9], ['b', 0.8]]),
      text: new Map([['b', 7]]),
    });
    expect(f[0]).toMatchObject({ cosine: 0.8, cosineGap: 0, vectorRR: 1, bm25: 0, textRR: 0 });
    expect(f[1]?.cosineGap).toBeCloseTo(-0.2);
    expect(f[1]).toMatchObject({ bm25: 1, textRR: 1, vectorRR: 0.5 });
    expect(f[1]?.coverage).toBeGreaterThan(0);
  });

  it('ranks by the ranker and reports its calibrated confidence', () => {
    const ranker = { ranker: { features: ['bm25'], mean: [0], scale: [1], weights: [5], bias: 0 }, calibration: { a: 1, b: 0, c: 0 } };
    const r = fuse(row, { vector: 1, text: 0.3, graph: 0.5, chunk: 0.5 }, { mode: 'hybrid', query: 'refund' }, { fusion: 'learned', ranker });
    expect(r.candidates.map((c) => c.id)).toEqual(['b', 'a']);
    expect(r.candidates[0]?.confidence).toBeCloseTo(1 / (1 + Math.exp(-5)), 3);
    const convex = fuse(row, { vector: 1, text: 0.3, graph: 0.5, chunk: 0.5 }, { mode: 'hybrid', query: 'refund' }, { fusion: 'convex' });
    expect(convex.candidates[0]?.confidence).toBeUndefined();
    expect(convex.candidates[0]?.features).toBeDefined();
  });

  it("keeps an item the caller named (an intent's handler) among the candidates when it ranks below k", () => {
    const ranker = { ranker: { features: ['cosine'], mean: [0], scale: [1], weights: [5], bias: 0 }, calibration: { a: 1, b: 0, c: 0 } };
    const withProcess = { ...row, items: [...row.items, { ...item('p', 'quibbler order status', 0), sim: null } as unknown as RetrievedItem] };
    const input = { mode: 'hybrid' as const, query: 'quibbler lookup', k: 1, extraLists: [{ name: 'intent', ids: ['p'], weight: 1.5 }] };
    const r = fuse(withProcess, { vector: 1, text: 0.3, graph: 0.5, chunk: 0.5 }, input, { fusion: 'learned', ranker });
    expect(r.candidates.map((c) => c.id)).toEqual(['a', 'p']);
    expect(fuse(withProcess, { vector: 1, text: 0.3, graph: 0.5, chunk: 0.5 }, { ...input, extraLists: [] }, { fusion: 'learned', ranker }).candidates.map((c) => c.id)).toEqual(['a']);
  });
});
