import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const ANALYTICS = `query($from: DateTime!, $to: DateTime!) { analytics(from: $from, to: $to) {
  conversations escalated containmentRate customerMessages botMessages unanswered avgConfidence latencyP95Ms
  csat csatResponses intents { key count } languages { key count } channels { key count } gaps { question count }
} }`;

describe('analytics', () => {
  it('counts conversations, messages, CSAT and unanswered questions in a window', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const before = await api.gql<{ analytics: { conversations: number; customerMessages: number; csatResponses: number } }>(ANALYTICS, { from, to: new Date(Date.now() + 3_600_000).toISOString() });
    const start = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: { channel: "analytics-test", language: "en" }) { id } }');
    const id = start.body.data!.startConversation.id;
    for (const text of ['Hello', 'zzqx vlorp frobnicate the quux?']) {
      const r = await api.gql('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id } }', { id, t: text });
      expect(r.body.errors).toBeUndefined();
    }
    const rated = await api.gql('mutation($id: ID!) { rateConversation(conversationId: $id, score: 4) { knowledgeIds } }', { id });
    expect(rated.body.errors).toBeUndefined();
    const after = await api.gql<{ analytics: { conversations: number; customerMessages: number; csatResponses: number; channels: Array<{ key: string; count: number }>; gaps: Array<{ question: string }> } }>(ANALYTICS, {
      from,
      to: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(after.body.errors).toBeUndefined();
    const a = after.body.data!.analytics;
    const b = before.body.data!.analytics;
    expect(a.conversations - b.conversations).toBe(1);
    expect(a.customerMessages - b.customerMessages).toBe(2);
    expect(a.csatResponses - b.csatResponses).toBe(1);
    expect(a.channels).toContainEqual({ key: 'analytics-test', count: 1 });
    expect(a.gaps.map((g) => g.question)).toContain('zzqx vlorp frobnicate the quux?');
  });

  it.each([
    ['from after to', { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['a window over a year', { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
  ])('refuses %s with BAD_USER_INPUT', async (_c, vars) => {
    const r = await api.gql(ANALYTICS, vars);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is for staff: customers are FORBIDDEN', async () => {
    const key = await api.gql<{ createApiKey: { key: string } }>('mutation { createApiKey(role: CUSTOMER, name: "analytics-customer") { key } }');
    const r = await api.gql(ANALYTICS, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, key.body.data!.createApiKey.key);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
