import { describe, expect, it } from 'vitest';
import { chooseThreshold, IntentClassifier, type Embedder } from './intent-classifier.js';
import { l2Normalize } from './tensor-math.js';
import { mulberry32, trainSoftmaxHead } from './softmax-head.js';

/**
 * A fake embedder: texts are "<topic>:<n>" and embed near the topic's axis with seeded noise; anything
 * else (an out-of-scope text) lands between the axes.
 */
function fakeEmbedder(dim = 8): Embedder & { calls: number } {
  const topics = ['balance', 'card', 'refund'];
  const e = {
    calls: 0,
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      e.calls++;
      return texts.map((t) => {
        let h = 0;
        for (const ch of t) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
        const random = mulberry32(h);
        const v = new Float32Array(dim);
        for (let j = 0; j < dim; j++) v[j] = (random() - 0.5) * 0.3;
        const k = topics.indexOf(t.split(':')[0] ?? '');
        if (k >= 0) v[k] = (v[k] as number) + 1;
        else for (let j = 0; j < topics.length; j++) v[j] = (v[j] as number) + 0.45;
        return l2Normalize(v);
      });
    },
  };
  return e;
}

const examples = (topic: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${topic}:${i}`);

describe('chooseThreshold', () => {
  it('maximises-expected-accuracy-for-the-oos-share', () => {
    const inScope = [0.9, 0.8, 0.7, 0.6].map((confidence) => ({ confidence, correct: true }));
    const oos = [0.2, 0.3, 0.65];
    // Equal weights: just above 0.65 loses the 0.6 in-scope example but catches every OOS one,
    // 0.75 + 1 beats τ = 0.6 (1 + 2/3).
    const equal = chooseThreshold(inScope, oos, { expectedOosShare: 0.5 });
    expect(equal.method).toBe('expected-accuracy');
    expect(equal.threshold).toBeGreaterThan(0.65);
    expect(equal.threshold).toBeCloseTo(0.65);
    expect(equal).toMatchObject({ inScopeAccuracy: 0.75, oosRecall: 1 });
    // Rare OOS traffic: keeping in-scope examples matters more; the lowest τ that keeps them all and
    // still catches the two clear OOS examples wins.
    const rare = chooseThreshold(inScope, oos, { expectedOosShare: 0.2 });
    expect(rare.threshold).toBeGreaterThan(0.3);
    expect(rare.threshold).toBeLessThanOrEqual(0.6);
    expect(rare.inScopeAccuracy).toBe(1);
    expect(rare.oosRecall).toBeCloseTo(2 / 3);
  });

  it('respects-the-rejection-budget-without-oos-examples', () => {
    const inScope = Array.from({ length: 100 }, (_, i) => ({ confidence: (i + 1) / 100, correct: true }));
    const t = chooseThreshold(inScope, [], { maxInScopeRejection: 0.05 });
    expect(t.method).toBe('in-scope-rejection-budget');
    expect(t.inScopeRejection).toBeCloseTo(0.05);
    expect(t.threshold).toBeCloseTo(0.06);
  });

  it('rejects-nothing-with-a-zero-budget', () => {
    expect(chooseThreshold([{ confidence: 0.1, correct: true }], [], { maxInScopeRejection: 0 }).threshold).toBe(0);
  });
});

describe('IntentClassifier', () => {
  const intents = [
    { intent: 'check_balance', examples: examples('balance', 12) },
    { intent: 'card_arrival', examples: examples('card', 12) },
    { intent: 'refund', examples: examples('refund', 12) },
  ];

  it('predicts-the-intent-of-in-scope-text', async () => {
    const c = await IntentClassifier.build(fakeEmbedder(), intents, { head: { epochs: 40, learningRate: 0.01 } });
    expect(c.intents).toEqual(['check_balance', 'card_arrival', 'refund']);
    const p = await c.predictBatch(['card:new', 'refund:new', 'balance:new']);
    expect(p.map((x) => x.name)).toEqual(['card_arrival', 'refund', 'check_balance']);
    expect(p.every((x) => !x.outOfScope)).toBe(true);
  });

  it('flags-out-of-scope-text-with-a-threshold-tuned-on-oos-examples', async () => {
    const c = await IntentClassifier.build(fakeEmbedder(), intents, {
      outOfScopeExamples: Array.from({ length: 20 }, (_, i) => `weather ${i}`),
      head: { epochs: 40, learningRate: 0.01 },
    });
    expect(c.tuning.method).toBe('expected-accuracy');
    expect(c.tuning.heldOutOutOfScope).toBe(20);
    expect(c.threshold).toBeGreaterThan(0);
    const [inScope, oos] = await c.predictBatch(['refund:99', 'what is the weather like']);
    expect(inScope).toMatchObject({ name: 'refund', outOfScope: false });
    expect(oos?.outOfScope).toBe(true);
  });

  it('is-deterministic', async () => {
    const a = await IntentClassifier.build(fakeEmbedder(), intents);
    const b = await IntentClassifier.build(fakeEmbedder(), intents);
    expect(a.threshold).toBe(b.threshold);
    expect(await a.predict('weather')).toEqual(await b.predict('weather'));
  });

  it('uses-nearest-example-similarity-for-a-single-intent', async () => {
    const c = await IntentClassifier.build(fakeEmbedder(), [intents[0] as (typeof intents)[number]]);
    expect((await c.predict('balance:x')).name).toBe('check_balance');
    expect((await c.predict('balance:x')).confidence).toBeGreaterThan((await c.predict('card:x')).confidence);
  });

  it('merges-duplicate-intents-and-drops-empty-examples', async () => {
    const c = await IntentClassifier.build(fakeEmbedder(), [
      { intent: 'a', examples: ['balance:1', ' ', 'balance:2'] },
      { intent: 'a', examples: ['balance:3', 'balance:1'] },
      { intent: 'b', examples: ['card:1', 'card:2', 'card:3'] },
      { intent: 'empty', examples: [] },
    ]);
    expect(c.intents).toEqual(['a', 'b']);
  });

  it('accepts-a-fixed-threshold', async () => {
    const c = await IntentClassifier.build(fakeEmbedder(), intents, { threshold: 0.99 });
    expect(c.tuning.method).toBe('fixed');
    // Not an example word for word (an example would be a taught phrase: confidence 1).
    expect((await c.predict('card:1000')).outOfScope).toBe(true);
  });

  it('refuses-to-build-without-examples', async () => {
    await expect(IntentClassifier.build(fakeEmbedder(), [{ intent: 'x', examples: [] }])).rejects.toThrow(/at least one intent/);
  });
});

describe('trainSoftmaxHead', () => {
  it('separates-linearly-separable-classes-deterministically', () => {
    const x = [
      [1, 0],
      [0.9, 0.1],
      [0, 1],
      [0.1, 0.9],
    ].map((r) => Float32Array.from(r));
    const y = [0, 0, 1, 1];
    const head = trainSoftmaxHead(x, y, 2, { epochs: 50, batchSize: 2, learningRate: 0.05 });
    expect(Array.from(head.predictProba(Float32Array.from([1, 0])))[0]).toBeGreaterThan(0.8);
    const again = trainSoftmaxHead(x, y, 2, { epochs: 50, batchSize: 2, learningRate: 0.05 });
    expect(Array.from(again.weights)).toEqual(Array.from(head.weights));
  });
});

describe('taught phrases', () => {
  it('gives a message that is one of an intent example its intent with confidence 1, also after a snapshot', async () => {
    const embedder = fakeEmbedder();
    const classifier = await IntentClassifier.build(embedder, [
      { intent: 'card', examples: examples('card', 12) },
      { intent: 'refund', examples: examples('refund', 12) },
      // Taught one phrase that embeds among the card examples.
      { intent: 'card_special', examples: ['card:special'] },
    ]);
    const [v] = await embedder.embed(['card:special'], 'query');
    for (const c of [classifier, IntentClassifier.deserialize(classifier.serialize(), embedder)]) {
      expect(c.predictEmbedded('card:special', v as Float32Array)).toEqual({ name: 'card_special', confidence: 1, outOfScope: false });
      // Case, spacing and punctuation are folded, but the embedding must agree: this fake embeds them elsewhere.
      expect(c.predictEmbedded('  CARD special ', v as Float32Array).name).toBe('card_special');
      const [far] = await embedder.embed(['refund:3'], 'query');
      expect(c.predictEmbedded('card:special', far as Float32Array).confidence).toBeLessThan(1);
    }
  });

  it('leaves a phrase taught to two intents to the head', async () => {
    const embedder = fakeEmbedder();
    const classifier = await IntentClassifier.build(embedder, [
      { intent: 'card', examples: [...examples('card', 12), 'refund:0'] },
      { intent: 'refund', examples: examples('refund', 12) },
    ]);
    const [v] = await embedder.embed(['refund:0'], 'query');
    expect(classifier.predictEmbedded('refund:0', v as Float32Array).confidence).toBeLessThan(1);
  });
});
