import { describe, expect, it } from 'vitest';
import { defaultQualityOptions, qualityScore, reviewByOf } from './quality.js';

const none = { helpful: 0, unhelpful: 0, csat: [], uses: 0, escalations: 0 };
const future = '2999-01-01T00:00:00.000Z';
const now = Date.parse('2026-06-01T00:00:00Z');

describe('qualityScore', () => {
  it('scores an item without feedback at the prior mean', () => {
    expect(qualityScore(none, future, now).score).toBe(0.8);
  });

  it('moves with evidence, not as a raw ratio: one unhelpful rating does not sink an item', () => {
    expect(qualityScore({ ...none, unhelpful: 1 }, future, now).score).toBe(0.64);
    expect(qualityScore({ ...none, unhelpful: 4 }, future, now).score).toBeLessThan(defaultQualityOptions.threshold);
    expect(qualityScore({ ...none, helpful: 20, unhelpful: 4 }, future, now).score).toBeGreaterThan(0.8);
  });

  it('counts low CSAT and escalations against the item, with reasons', () => {
    const s = qualityScore({ ...none, csat: [1, 1, 2], uses: 6, escalations: 3 }, future, now);
    expect(s.score).toBeLessThan(0.8);
    expect(s.reasons).toEqual(['CSAT 1.333 over 3 conversations that used it', '3 escalations right after it was used (6 uses)']);
  });

  it('halves every half-life past the review date', () => {
    const s = qualityScore(none, '2026-05-02T00:00:00.000Z', now);
    expect(s.decay).toBe(0.5);
    expect(s.score).toBe(0.4);
    expect(s.reasons[0]).toMatch(/^review date 2026-05-02 passed 30 days ago/);
  });
});

describe('reviewByOf', () => {
  it('defaults by kind from creation, restarts after a verification, keeps an explicit date', () => {
    expect(reviewByOf({ kind: 'rule', createdAt: '2026-01-01T00:00:00Z', reviewBy: null, lastVerified: null }, defaultQualityOptions)).toBe('2026-06-30T00:00:00.000Z');
    expect(reviewByOf({ kind: 'fact', createdAt: '2025-01-01T00:00:00Z', reviewBy: null, lastVerified: '2026-01-01T00:00:00Z' }, defaultQualityOptions)).toBe('2027-01-01T00:00:00.000Z');
    expect(reviewByOf({ kind: 'fact', createdAt: '2025-01-01T00:00:00Z', reviewBy: '2025-03-01T00:00:00.000Z', lastVerified: null }, defaultQualityOptions)).toBe('2025-03-01T00:00:00.000Z');
  });
});
