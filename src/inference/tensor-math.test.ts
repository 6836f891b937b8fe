import { describe, expect, it } from 'vitest';
import { argmax, cosine, l2Normalize, meanPool, softmax } from './tensor-math.js';

describe('meanPool', () => {
  it('averages-only-unmasked-tokens-then-normalises', () => {
    // batch 2, seqLen 3, dim 2; the second row's last token is padding.
    const hidden = Float32Array.from([1, 0, 3, 0, 5, 0, 0, 2, 0, 4, 100, 100]);
    const mask = [1, 1, 1, 1, 1, 0];
    const [a, b] = meanPool(hidden, mask, 2, 3, 2, false);
    expect(Array.from(a ?? [])).toEqual([3, 0]);
    expect(Array.from(b ?? [])).toEqual([0, 3]);
    const [na, nb] = meanPool(hidden, mask, 2, 3, 2, true);
    expect(Array.from(na ?? [])).toEqual([1, 0]);
    expect(Array.from(nb ?? [])).toEqual([0, 1]);
  });

  it('accepts-bigint-masks', () => {
    const [v] = meanPool(Float32Array.from([2, 2, 9, 9]), BigInt64Array.from([1n, 0n]), 1, 2, 2, false);
    expect(Array.from(v ?? [])).toEqual([2, 2]);
  });

  it('returns-a-zero-vector-for-an-all-masked-row', () => {
    const [v] = meanPool(Float32Array.from([1, 1]), [0], 1, 1, 2, true);
    expect(Array.from(v ?? [])).toEqual([0, 0]);
  });

  it('rejects-a-shape-mismatch', () => {
    expect(() => meanPool(new Float32Array(5), [1], 1, 1, 2)).toThrow(RangeError);
  });
});

describe('softmax', () => {
  it('sums-to-one-and-is-stable-for-large-logits', () => {
    const p = softmax([1000, 1001, 1002]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(argmax(p)).toBe(2);
  });

  it('flattens-with-temperature-above-one', () => {
    const sharp = softmax([2, 0]);
    const soft = softmax([2, 0], 2);
    expect(soft[0]).toBeLessThan(sharp[0] as number);
    expect(soft[0]).toBeCloseTo(1 / (1 + Math.exp(-1)));
  });
});

describe('vectors', () => {
  it('normalises-and-measures-cosine', () => {
    const v = l2Normalize(Float32Array.from([3, 4]));
    expect(Array.from(v)).toEqual([expect.closeTo(0.6), expect.closeTo(0.8)]);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1);
  });
});
