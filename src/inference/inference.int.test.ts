import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceUnavailableError } from './inference.errors.js';
import { InferenceService } from './inference.service.js';
import { cudaProviderInstalled, ModelRegistry } from './model-registry.js';
import { dot } from './tensor-math.js';
import { foldString } from './token-alignment.js';

/**
 * Runs against the models `npm run models` built. A missing model fails here with the registry's
 * "run `npm run models`" error — these tests never skip.
 */
const modelsDir = process.env.ANSWERGRAPH_MODELS_DIR ?? path.join(os.homedir(), '.cache', 'answergraph', 'models');

let service: InferenceService;

beforeAll(() => {
  service = new InferenceService({ modelsDir, device: 'cpu', intraOpThreads: 2, maxBatch: 16, maxWaitMs: 2 });
});
afterAll(async () => {
  await service?.close();
});

const SENTENCES = [
  'Where is my order?',
  'Has my parcel been shipped yet?',
  'I was charged twice for the same purchase.',
  'How do I reset my password?',
  'The weather in Paris was lovely last spring.',
  '我的订单到哪里了？',
  'Café, naïve, résumé — accents should be stripped by the tokenizer.',
  'emoji test 😀👍 works?',
];

describe('embeddings', () => {
  it('returns-unit-vectors-of-the-manifest-dimension', async () => {
    const vectors = await service.embed(SENTENCES, 'query');
    expect(vectors).toHaveLength(SENTENCES.length);
    for (const v of vectors) {
      expect(v.length).toBe(384);
      expect(dot(v, v)).toBeCloseTo(1, 4);
    }
  });

  it('agrees-between-fp32-and-int8', async () => {
    const [fp32, int8] = await Promise.all([service.embed(SENTENCES, 'query'), service.embed(SENTENCES, 'query', 'minilm-embed-int8')]);
    fp32.forEach((v, i) => expect(dot(v, int8[i] as Float32Array)).toBeGreaterThanOrEqual(0.95));
  });

  it('puts-a-paraphrase-closer-than-an-unrelated-sentence', async () => {
    const [order, parcel, weather] = await service.embed(['Where is my order?', 'Has my parcel been shipped yet?', 'The weather in Paris was lovely last spring.'], 'query');
    expect(dot(order as Float32Array, parcel as Float32Array)).toBeGreaterThan(dot(order as Float32Array, weather as Float32Array) + 0.2);
  });

  it('gives-the-same-vector-alone-and-inside-a-padded-batch', async () => {
    const fresh = new InferenceService({ modelsDir, intraOpThreads: 2, cacheSize: 0 });
    try {
      const batched = await fresh.embed(SENTENCES, 'query');
      const alone = await Promise.all(SENTENCES.map(async (s) => (await fresh.embed([s], 'query'))[0] as Float32Array));
      alone.forEach((v, i) => expect(dot(v, batched[i] as Float32Array)).toBeGreaterThan(0.9999));
    } finally {
      await fresh.close();
    }
  });
});

describe('token offsets with the real tokenizer', () => {
  it.each([
    ['english', 'Dr. Müller from Zürich emailed O’Brien about order #A-10293 (unaffable!)'],
    ['chinese', '我的 iPhone 15 充不进电了，怎么办？请尽快处理。'],
    ['mixed-with-unknowns', 'emoji 😀👍 and 𠀀 rare, WiFi 密码是多少？'],
  ])('maps-every-token-back-to-its-text-%s', async (_name, text) => {
    const model = await service.registry.load('minilm-embed');
    const t = model.tokenizer?.tokenizeWithOffsets(text);
    expect(t).toBeDefined();
    t?.aligned.forEach((a, i) => {
      const token = t.tokens[i] as string;
      expect(a.offset).not.toBeNull();
      const [start, end] = a.offset as [number, number];
      if (token === '[UNK]') expect(end).toBeGreaterThan(start);
      else expect(foldString(text.slice(start, end))).toBe(foldString(token.replace(/^##/u, '')));
    });
  });
});

describe('the multilingual tokenizer (me5)', () => {
  it('turns a piece the vocabulary lacks into the unknown token instead of failing, offsets intact', async () => {
    // A Unigram model emits rare characters (鲢, a carp) as pieces of their own that have no id.
    if (!(await service.registry.has('me5-ft-int8'))) return;
    const model = await service.registry.load('me5-ft-int8');
    const text = '鲢鱼怎么做？';
    const t = model.tokenizer!.tokenizeWithOffsets(text);
    expect(t.ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(t.tokens).toContain('<unk>');
    for (const a of t.aligned) expect(a.offset).not.toBeNull();
    const [v] = await service.embed([text], 'query', 'me5-ft-int8');
    expect(v!.length).toBe(384);
  });
});

describe('named entities', () => {
  it('finds-english-entities-with-exact-offsets', async () => {
    const text = 'John Smith flew from Berlin to Seattle to meet Microsoft engineers.';
    const spans = await service.tokenClassify(text);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(spans.map((s) => [s.text, s.type])).toEqual(
      expect.arrayContaining([
        ['John Smith', 'PER'],
        ['Berlin', 'LOC'],
        ['Seattle', 'LOC'],
        ['Microsoft', 'ORG'],
      ]),
    );
  });

  it('keeps-offsets-exact-in-chinese-and-mixed-text', async () => {
    const text = '客户 John Smith 在北京的 Microsoft 门店买了 iPhone，请联系他。';
    const spans = await service.tokenClassify(text);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(spans.find((s) => s.text === 'John Smith')?.type).toBe('PER');
  });

  it('cuts-chinese-text-into-the-pieces-the-chinese-tagger-was-trained-on', async () => {
    const model = await service.registry.load(service.nerModel('zh'));
    const samples = (model.spec as { segmentationSamples?: { text: string; ids: number[] }[] }).segmentationSamples ?? [];
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) expect(model.tokenizer!.tokenizeSegmented(sample.text).ids).toEqual(sample.ids);
  });

  it('finds-chinese-entities-with-exact-offsets', async () => {
    const text = '上周我在北京的招商银行网点见了张伟经理，他推荐了《三体》这本书。';
    const spans = await service.tokenClassify(text, service.nerModel('zh'));
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(spans.map((s) => [s.text, s.type])).toEqual(
      expect.arrayContaining([
        ['北京', 'address'],
        ['招商银行', 'company'],
        ['张伟', 'name'],
      ]),
    );
  });

  it('windows-long-texts-without-losing-offsets', async () => {
    const sentence = 'Angela Merkel met Emmanuel Macron in Paris. ';
    const text = sentence.repeat(40);
    const spans = await service.tokenClassify(text);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(spans.filter((s) => s.text === 'Paris').length).toBeGreaterThanOrEqual(35);
  });
});

describe('sentiment', () => {
  it.each([
    ['sentiment-en', 'I love it, thank you so much!', 'positive'],
    ['sentiment-en', 'This is awful, I am furious and want my money back.', 'negative'],
    ['sentiment-zh', '质量很好，物流也快，非常满意！', 'positive'],
    ['sentiment-zh', '太差了，用了两天就坏了，再也不买了。', 'negative'],
  ])('%s-labels-%s', async (model, text, expected) => {
    const c = await service.classify(text, model);
    expect(c.label).toBe(expected);
    expect(Object.values(c.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('emotion on the shared encoder pass', () => {
  it('reads-the-callers-query-embedding-and-makes-the-same-one-itself-when-given-none-or-another-models', async () => {
    const spec = await service.registry.spec('emotion-zh');
    const encoder = spec.embeddingInput!.model;
    const texts = ['快递三天了还没到，气死我了！', '太好了，谢谢你们，问题解决了！', '我的卡被盗刷了，好害怕', '退款多久到账？'];
    const vectors = await service.embed(texts, 'query', encoder);
    const minilm = await service.embed(texts, 'query', 'minilm-embed');
    for (const [i, text] of texts.entries()) {
      const given = await service.classify(text, 'emotion-zh', { model: encoder, vector: vectors[i]! });
      const made = await service.classify(text, 'emotion-zh');
      const other = await service.classify(text, 'emotion-zh', { model: 'minilm-embed', vector: minilm[i]! });
      expect(made.label).toBe(given.label);
      expect(other.label).toBe(given.label);
      for (const label of spec.labels!) expect(made.scores[label]).toBeCloseTo(given.scores[label]!, 1);
    }
    expect((await service.classify(texts[0]!, 'emotion-zh')).label).toBe('angry');
    expect((await service.classify(texts[3]!, 'emotion-zh')).label).toBe('neutral');
  });
});

describe('understand', () => {
  it('answers-the-contract-for-english-and-chinese-concurrently', async () => {
    await service.setIntents([
      { intent: 'order_status', examples: ['Where is my order?', 'Has my package shipped?', 'Track my parcel', 'When will my order arrive?'] },
      { intent: 'reset_password', examples: ['How do I reset my password?', 'I forgot my password', 'Change my login password', 'Password reset link'] },
    ]);
    const [en, zh] = await Promise.all([
      service.understand('Where is my parcel? John Smith ordered it in Berlin and I am really angry.'),
      service.understand('我的密码忘了，怎么重置？'),
    ]);
    expect(en.language).toBe('en');
    expect(en.intent).toMatchObject({ name: 'order_status' });
    expect(en.sentiment.label).toBe('negative');
    expect(en.entities.map((e) => e.text)).toEqual(expect.arrayContaining(['John Smith', 'Berlin']));
    expect(en.entities.every((e) => e.entityId === null)).toBe(true);
    expect(zh.language).toBe('zh');
    expect(['positive', 'negative', 'neutral']).toContain(zh.sentiment.label);
    expect(zh.entities).toEqual([]);
    service.clearIntents();
    expect((await service.understand('hello')).intent).toBeNull();
  });

  it('handles-empty-and-letterless-messages', async () => {
    const [empty, digits] = await Promise.all([service.understand(''), service.understand('12345 !!!')]);
    expect(empty).toMatchObject({ language: 'und', intent: null, entities: [] });
    expect(['positive', 'negative', 'neutral']).toContain(empty.sentiment.label);
    expect(digits.language).toBe('und');
  });
});

describe('devices', () => {
  it('fails-clearly-when-cuda-is-demanded-but-unusable', async () => {
    const registry = new ModelRegistry({ modelsDir, device: 'cuda' });
    try {
      const outcome = await registry.load('minilm-embed').catch((e: unknown) => e);
      if (!cudaProviderInstalled()) expect(outcome).toBeInstanceOf(DeviceUnavailableError);
      // With CUDA binaries installed it either really runs on the GPU or fails with the same typed error.
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(DeviceUnavailableError);
        expect(outcome.message).toMatch(/"cuda" was demanded but is not available/);
      } else expect(outcome).toMatchObject({ device: 'cuda' });
    } finally {
      await registry.close();
    }
  });

  it('runs-under-auto-on-whatever-device-works', async () => {
    const registry = new ModelRegistry({ modelsDir, device: 'auto' });
    try {
      const model = await registry.load('minilm-embed');
      if (!cudaProviderInstalled()) expect(model.device).toBe('cpu');
      expect(['cpu', 'cuda']).toContain(model.device);
    } finally {
      await registry.close();
    }
  });
});
