import { describe, expect, it } from 'vitest';
import { toCluster } from './gaps.js';

describe('toCluster', () => {
  it('counts distinct questions, reasons and a daily trend with growth', () => {
    const now = Date.parse('2026-06-15T12:00:00Z');
    const g = toCluster(
      {
        id: 'g',
        version: 3,
        status: 'OPEN',
        language: 'en',
        size: 4,
        leader: 'How do I X?',
        createdAt: '2026-06-01T00:00:00Z',
        updatedAt: '2026-06-15T00:00:00Z',
        firstAt: '2026-06-03T00:00:00Z',
        lastAt: '2026-06-15T10:00:00Z',
        resolution: null,
        resolvedFactId: null,
        resolvedAt: null,
        resolvedBy: null,
        dismissReason: null,
        ats: ['2026-06-15T10:00:00Z', '2026-06-14T10:00:00Z', '2026-06-10T10:00:00Z', '2026-06-03T10:00:00Z'],
        reasons: ['unanswered', 'not-helpful', 'unanswered', 'escalated'],
        texts: ['how do i x', 'How do I X?', 'X: how?', 'How do I X?'],
      },
      now,
    );
    expect(g.questions).toEqual([
      { text: 'how do i x', count: 3, lastAt: '2026-06-15T10:00:00Z' },
      { text: 'X: how?', count: 1, lastAt: '2026-06-10T10:00:00Z' },
    ]);
    expect(g.reasons).toEqual({ unanswered: 2, 'not-helpful': 1, escalated: 1 });
    expect(g.trend).toHaveLength(14);
    expect(g.trend.at(-1)).toEqual({ day: '2026-06-15', count: 1 });
    expect(g.trend.reduce((a, p) => a + p.count, 0)).toBe(4);
    expect(g.growth).toBe(3);
  });
});
