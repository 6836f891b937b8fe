import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const Q = 'query($t: String!, $l: String) { understand(text: $t, language: $l) { language maskedText intent { name confidence outOfScope } sentiment { label score } emotion { label score } entities { text type start end entityId } } }';
type U = { understand: { language: string; maskedText: string; sentiment: { label: string; score: number }; emotion: { label: string; score: number } | null; entities: Array<{ text: string; start: number; end: number }> } };

describe('understand (contract query)', () => {
  it.each([
    ['en', 'My card arrived broken and I am furious, call me at alice@example.com', 'negative'],
    ['zh', '快递太慢了，我很生气！', 'negative'],
    ['en', 'Thank you so much, that was really helpful!', 'positive'],
    ['zh', '太好了，谢谢你们，问题解决了！', 'positive'],
  ])('answers language, sentiment and entity offsets into the masked text (%s)', async (language, text, label) => {
    const r = await api.gql<U>(Q, { t: text });
    expect(r.body.errors).toBeUndefined();
    const u = r.body.data!.understand;
    expect(u.language).toBe(language);
    expect(u.sentiment.label).toBe(label);
    expect(u.maskedText).not.toContain('alice@example.com');
    for (const e of u.entities) expect(u.maskedText.slice(e.start, e.end)).toBe(e.text);
  });

  it.each([
    ['This is the worst service ever!', 'angry'],
    ['Thank you so much, that was really helpful!', 'happy'],
    ['快递太慢了，我很生气！', 'angry'],
    ['太好了，谢谢你们，问题解决了！', 'happy'],
    ['我的卡被盗刷了，好害怕', 'fear'],
    ['退款多久到账？', 'neutral'],
  ])('names one of six emotions, the same set in both languages: %s', async (text, emotion) => {
    const r = await api.gql<U>(Q, { t: text });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.understand.emotion).toMatchObject({ label: emotion });
    expect(r.body.data!.understand.emotion!.score).toBeGreaterThan(0.4);
  });

  it("finds people, companies and places in Chinese, typed in the platform's entity types", async () => {
    const text = '上周我在北京的招商银行网点见了张伟经理，他说信用卡年费可以免。';
    const r = await api.gql<U>(Q, { t: text });
    expect(r.body.errors).toBeUndefined();
    const entities = r.body.data!.understand.entities as Array<{ text: string; type: string; start: number; end: number }>;
    for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(entities.map((e) => [e.text, e.type])).toEqual(
      expect.arrayContaining([
        ['北京', 'Location'],
        ['招商银行', 'Organization'],
        ['张伟', 'Person'],
      ]),
    );
  });

  it('calls a plain Chinese customer question neutral, not negative (three-class sentiment)', async () => {
    const r = await api.gql<U>(Q, { t: '花呗怎么还款？' });
    expect(r.body.data!.understand.sentiment.label).toBe('neutral');
    expect(r.body.data!.understand.emotion?.label).toBe('neutral');
  });

  it('refuses an oversized text with BAD_USER_INPUT', async () => {
    const r = await api.gql(Q, { t: 'x'.repeat(6000) });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
