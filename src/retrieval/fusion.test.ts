import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './fusion.js';

describe('reciprocalRankFusion', () => {
  it('ranks-an-item-found-by-both-lists-above-items-found-by-one', () => {
    const fused = reciprocalRankFusion([
      { name: 'vector', ids: ['a', 'b', 'c'] },
      { name: 'text', ids: ['d', 'b', 'e'] },
    ]);
    expect(fused[0]).toMatchObject({ id: 'b', ranks: { vector: 2, text: 2 } });
    expect(fused[0]!.score).toBeCloseTo(2 / 62);
  });

  it('applies-list-weights', () => {
    const fused = reciprocalRankFusion([
      { name: 'vector', ids: ['a'], weight: 1 },
      { name: 'graph', ids: ['b'], weight: 2 },
    ]);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a']);
  });

  it('counts-a-repeated-id-once-per-list-and-keeps-ties-in-order', () => {
    const fused = reciprocalRankFusion([{ name: 'x', ids: ['a', 'a', 'b'] }, { name: 'y', ids: ['b', 'a'] }]);
    expect(fused.map((f) => [f.id, f.ranks])).toEqual([
      ['a', { x: 1, y: 2 }],
      ['b', { x: 2, y: 1 }],
    ]);
  });

  it('returns-nothing-for-empty-lists', () => {
    expect(reciprocalRankFusion([{ name: 'x', ids: [] }])).toEqual([]);
  });
});
