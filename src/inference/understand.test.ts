import { describe, expect, it } from 'vitest';
import type { Classification } from './text-classification.pipeline.js';
import { toSentiment, understand, type UnderstandingModels } from './understand.js';

const classification = (scores: Record<string, number>): Classification => {
  const [label, score] = Object.entries(scores).reduce((a, b) => (b[1] > a[1] ? b : a));
  return { label, score, scores };
};

describe('toSentiment', () => {
  it('maps-three-class-output-directly', () => {
    expect(toSentiment(classification({ negative: 0.1, neutral: 0.7, positive: 0.2 }))).toEqual({ label: 'neutral', score: 0.7 });
    expect(toSentiment(classification({ negative: 0.8, neutral: 0.1, positive: 0.1 }))).toEqual({ label: 'negative', score: 0.8 });
  });

  it('folds-ambiguous-into-neutral', () => {
    expect(toSentiment(classification({ negative: 0.3, ambiguous: 0.25, neutral: 0.2, positive: 0.25 }))).toMatchObject({ label: 'neutral', score: 0.45 });
  });

  it('calls-an-unsure-binary-prediction-neutral', () => {
    expect(toSentiment(classification({ negative: 0.95, positive: 0.05 }))).toEqual({ label: 'negative', score: 0.95 });
    const unsure = toSentiment(classification({ negative: 0.45, positive: 0.55 }));
    expect(unsure.label).toBe('neutral');
    expect(unsure.score).toBeCloseTo(0.9);
    expect(toSentiment(classification({ negative: 0.45, positive: 0.55 }), { binaryNeutralBelow: 0.5 }).label).toBe('positive');
  });
});

describe('understand', () => {
  const calls: string[] = [];
  const models: UnderstandingModels = {
    intent: async (t) => {
      calls.push(`intent:${t}`);
      return { name: 'refund', confidence: 0.9, outOfScope: false };
    },
    sentiment: async (_t, lang) => {
      calls.push(`sentiment:${lang}`);
      return classification({ negative: 0.9, positive: 0.1 });
    },
    emotion: async () => classification({ neutral: 0.1, happy: 0.05, angry: 0.7, sad: 0.1, fear: 0.03, surprise: 0.02 }),
    entities: async () => [{ text: 'Paris', type: 'LOC', start: 10, end: 15, score: 0.99 }],
  };

  it('detects-the-language-and-returns-the-contract-shape', async () => {
    calls.length = 0;
    const u = await understand(models, '我要退款，马上！');
    expect(u).toEqual({
      language: 'zh',
      intent: { name: 'refund', confidence: 0.9, outOfScope: false },
      sentiment: { label: 'negative', score: 0.9 },
      emotion: { label: 'angry', score: 0.7 },
      entities: [{ text: 'Paris', type: 'LOC', start: 10, end: 15, entityId: null }],
    });
    expect(calls).toContain('sentiment:zh');
  });

  it('uses-the-callers-language-primary-tag', async () => {
    calls.length = 0;
    const u = await understand(models, 'bonjour', 'en-GB');
    expect(u.language).toBe('en');
    expect(calls).toContain('sentiment:en');
  });

  it('returns-a-null-emotion-without-an-emotion-model', async () => {
    const { emotion: _unused, ...without } = models;
    expect((await understand(without, 'hello')).emotion).toBeNull();
    expect((await understand({ ...models, emotion: async () => null }, 'hello')).emotion).toBeNull();
  });

  it('returns-a-null-intent-when-no-intents-are-loaded', async () => {
    const u = await understand({ ...models, intent: async () => null }, 'hello');
    expect(u.intent).toBeNull();
  });
});
