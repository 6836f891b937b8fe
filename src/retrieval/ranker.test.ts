import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../inference/softmax-head.js';
import { calibrated, fitLogistic, fitRanker, rankGroup, rankerScore, type RankingGroup } from './ranker.js';
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
});
