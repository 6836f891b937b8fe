import { describe, expect, it } from 'vitest';
import { Answerer } from './answerer.js';
import { replies } from './replies.js';

// Only the thresholds matter to `present`; retrieval and models are not touched.
const answerer = new Answerer({} as never, {} as never, {} as never, { answerAbove: 0.45, escalateBelow: 0.15 });
const cite = [{ knowledgeId: 'k1', documentId: null, chunkId: null, start: null, end: null, quote: 'q' }];
const used = [{ id: 'k1' }] as never[];
const outcome = (kind: string, confidence: number) => ({ kind: kind as never, text: 'Standard delivery is free.', confidence, citations: cite, used });

describe('Answerer.present', () => {
  it('gives a confident answer as it is', () => {
    expect(answerer.present(outcome('fact', 0.8), 'en')).toEqual({ text: 'Standard delivery is free.', citations: cite, used, failed: false });
  });

  it('hedges a weak answer and still cites it', () => {
    const p = answerer.present(outcome('fact', 0.3), 'en');
    expect(p).toMatchObject({ text: replies.bestGuess('Standard delivery is free.', 'en'), citations: cite, failed: true });
  });

  it('does not answer below the escalation floor, in the customer’s language, and cites nothing', () => {
    expect(answerer.present(outcome('fact', 0.07), 'zh')).toEqual({ text: replies.notSure('zh'), citations: [], used: [], failed: true });
    expect(answerer.present(outcome('none', 0), 'en')).toEqual({ text: replies.notSure('en'), citations: [], used: [], failed: true });
  });

  it('never hedges small talk or a hand-off', () => {
    expect(answerer.present(outcome('smalltalk', 0.1), 'en').failed).toBe(false);
    expect(answerer.present(outcome('handoff', 0.1), 'en').failed).toBe(false);
  });
});

describe('Answerer.isStronglyNegative', () => {
  // The inference service raises the bar of a language whose sentiment model reads plain questions as negative.
  const bars: Record<string, number> = { zh: 0.974 };
  const withBars = new Answerer({} as never, {} as never, { embed: async () => [], strongNegativeAbove: (lang: string | null | undefined, configured: number) => Math.max(configured, (lang && bars[lang]) || 0) }, { negativeAbove: 0.9 });
  const negative = (score: number, language: string | null) => ({ sentiment: { label: 'negative' as const, score }, language });

  it('uses the configured bar, or the language’s fitted one when higher', () => {
    expect(withBars.isStronglyNegative(negative(0.95, 'en'))).toBe(true);
    expect(withBars.isStronglyNegative(negative(0.95, 'zh'))).toBe(false);
    expect(withBars.isStronglyNegative(negative(0.999, 'zh'))).toBe(true);
    expect(withBars.isStronglyNegative({ sentiment: { label: 'neutral', score: 0.99 }, language: 'en' })).toBe(false);
  });

  it('falls back to the configured bar without an inference service that knows better', () => {
    expect(answerer.isStronglyNegative(negative(0.95, 'zh'))).toBe(true); // negativeAbove defaults to 0.9
    expect(answerer.isStronglyNegative(negative(0.85, 'zh'))).toBe(false);
  });
});
