import { describe, expect, it } from 'vitest';
import { runs, rollUp } from './analytics.aggregator.js';
import { addCount, addKey, binOf, emptyBucket, familyOf, figures, keyed, merge, observe, quantile, secondsEdges } from './bucket.js';
import { cover, floorTo, iso } from './period.js';

const t = (s: string) => Date.parse(s);

describe('histogram quantiles', () => {
  it.each([
    [0.2, 0],
    [0.5, 0],
    [0.51, 1],
    [1, 1],
    [700_000, secondsEdges.length],
  ])('puts %s s in bin %i', (value, bin) => {
    expect(binOf(secondsEdges, value)).toBe(bin);
  });

  it('returns the upper edge of the bin holding the rank, null when empty or beyond the last edge', () => {
    expect(quantile([1, 2, 5], [0, 0, 0, 0], 0.5)).toBeNull();
    expect(quantile([1, 2, 5], [1, 1, 1, 1], 0.5)).toBe(2); // rank 2 of 4
    expect(quantile([1, 2, 5], [1, 1, 1, 1], 0.9)).toBeNull(); // rank 4: overflow bin
    expect(quantile([1, 2, 5], [3, 0, 1, 0], 0.9)).toBe(5);
  });
});

describe('figures', () => {
  it('derives rates from counts and leaves them null without a denominator', () => {
    const b = emptyBucket();
    expect(figures(b)).toMatchObject({ conversations: 0, containmentRate: null, csatScore: null, nps: null, firstResponseP50S: null });
    addCount(b, 'conversations', 4);
    addCount(b, 'humanReplied', 1);
    addCount(b, 'npsResponses', 4);
    addCount(b, 'npsPromoters', 1);
    addCount(b, 'npsDetractors', 2);
    observe(b, 'firstResponse', 0.3);
    expect(figures(b)).toMatchObject({ contained: 3, containmentRate: 0.75, nps: -25, firstResponseP50S: 0.5 });
  });

  it('merges buckets and sorts keyed counts by count, then key', () => {
    const a = emptyBucket();
    addKey(a, 'intent', 'refund', 2);
    addKey(a, 'intent', 'delivery');
    const b = emptyBucket();
    addKey(b, 'intent', 'delivery', 2);
    addKey(b, 'emotion', 'negative');
    merge(a, b);
    expect(keyed(a, 'intent')).toEqual([
      { key: 'delivery', count: 3 },
      { key: 'refund', count: 2 },
    ]);
    expect([familyOf('ku:k1'), familyOf('neg:e1'), familyOf('emotion:angry'), familyOf('intent:x')]).toEqual(['knowledge', 'complaint', 'emotion', 'core']);
  });
});

describe('periods', () => {
  it('starts weeks on Monday (UTC)', () => {
    expect(iso(floorTo(t('2025-03-09T23:00:00Z'), 'week'))).toBe('2025-03-03T00:00:00.000Z');
    expect(iso(floorTo(t('2025-03-15T10:30:00Z'), 'month'))).toBe('2025-03-01T00:00:00.000Z');
  });

  it('covers a window with whole months, then days, then hours at the edges', () => {
    const c = cover(t('2025-01-30T22:00:00Z'), t('2025-04-02T03:00:00Z')).map((r) => `${r.grain} ${iso(r.from)} ${iso(r.to)}`);
    expect(c).toEqual([
      'hour 2025-01-30T22:00:00.000Z 2025-01-31T00:00:00.000Z',
      'day 2025-01-31T00:00:00.000Z 2025-02-01T00:00:00.000Z',
      'month 2025-02-01T00:00:00.000Z 2025-04-01T00:00:00.000Z',
      'day 2025-04-01T00:00:00.000Z 2025-04-02T00:00:00.000Z',
      'hour 2025-04-02T00:00:00.000Z 2025-04-02T03:00:00.000Z',
    ]);
    expect(cover(t('2025-01-01T05:00:00Z'), t('2025-01-01T07:00:00Z'))).toEqual([{ grain: 'hour', from: t('2025-01-01T05:00:00Z'), to: t('2025-01-01T07:00:00Z') }]);
    expect(cover(t('2025-01-01T00:00:00Z'), t('2025-01-03T00:00:00Z'), 'hour')).toHaveLength(1);
  });

  it('groups touched hours into contiguous runs and sums finer buckets per channel and language', () => {
    const h = (s: string) => t(s);
    expect(runs([h('2025-01-01T03:00:00Z'), h('2025-01-01T01:00:00Z'), h('2025-01-01T02:00:00Z'), h('2025-01-01T01:00:00Z'), h('2025-01-02T00:00:00Z')]).map(([a, b]) => [iso(a), iso(b)])).toEqual([
      ['2025-01-01T01:00:00.000Z', '2025-01-01T04:00:00.000Z'],
      ['2025-01-02T00:00:00.000Z', '2025-01-02T01:00:00.000Z'],
    ]);
    const part = (start: string, channel: string) => {
      const bucket = emptyBucket();
      addCount(bucket, 'conversations');
      return { grain: 'hour' as const, start: t(start), channel, language: 'en', bucket };
    };
    const days = rollUp([part('2025-01-01T01:00:00Z', 'web'), part('2025-01-01T05:00:00Z', 'web'), part('2025-01-01T05:00:00Z', 'app'), part('2025-01-02T05:00:00Z', 'web')], 'day');
    expect([...days.values()].map((d) => [iso(d.start), d.channel, figures(d.bucket).conversations])).toEqual([
      ['2025-01-01T00:00:00.000Z', 'web', 2],
      ['2025-01-01T00:00:00.000Z', 'app', 1],
      ['2025-01-02T00:00:00.000Z', 'web', 1],
    ]);
  });
});
