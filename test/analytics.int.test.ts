import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAnalyticsFixture } from './analytics-fixture.js';
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
    const rated = await api.gql('mutation($id: ID!) { rateConversation(conversationId: $id, score: 4, nps: 9) { knowledgeIds } }', { id });
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
    // The channel's own figures: read right after the writes (pending changes are folded before reading).
    const own = await api.gql<{ analytics: { conversations: number; customerMessages: number; botAnswers: number; csatScore: number; nps: number; contained: number } }>(
      'query($from: DateTime!, $to: DateTime!) { analytics(from: $from, to: $to, channel: "analytics-test") { conversations customerMessages botAnswers csatScore nps contained } }',
      { from, to: new Date(Date.now() + 3_600_000).toISOString() },
    );
    expect(own.body.data!.analytics).toEqual({ conversations: 1, customerMessages: 2, botAnswers: 2, csatScore: 1, nps: 100, contained: 1 });
  });

  it('refuses an NPS score outside 0–10 with BAD_USER_INPUT and stores nothing', async () => {
    const start = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: { channel: "analytics-nps" }) { id } }');
    const id = start.body.data!.startConversation.id;
    const r = await api.gql('mutation($id: ID!) { rateConversation(conversationId: $id, score: 4, nps: 11) { knowledgeIds } }', { id });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const [row] = await api.app.services.executor.readText('test/feedback', 'MATCH (f:Feedback)-[:RATES]->(:Conversation {id: $id}) RETURN count(f) AS n', { id });
    expect(row?.n).toBe(0);
  });

  it('serves figures, time series and complaint signals over GraphQL', async () => {
    const { channel, ids } = await seedAnalyticsFixture(api.app.services.executor, randomBytes(4).toString('hex'));
    await api.app.services.analytics.aggregator.rebuild(new Date('2025-02-24T00:00:00Z'), new Date('2025-03-10T00:00:00Z'));
    const r = await api.gql<{
      analytics: {
        from: string;
        conversations: number;
        containmentRate: number;
        firstResponseP90S: number;
        csatScore: number;
        timeseries: Array<{ start: string; conversations: number; emotions: Array<{ key: string; count: number }> }>;
        complaintSignals: Array<{ entityId: string; entityName: string; count: number; previousCount: number; change: number; trend: Array<{ count: number }>; examples: Array<{ messageId: string }> }>;
        topIntents: Array<{ intent: string; count: number; answeredRate: number }>;
        knowledgeUsage: Array<{ uses: number; knowledge: { id: string } | null }>;
      };
    }>(
      `query($from: DateTime!, $to: DateTime!, $channel: String) { analytics(from: $from, to: $to, channel: $channel) {
        from conversations containmentRate firstResponseP90S csatScore
        timeseries(granularity: DAY) { start conversations emotions { key count } }
        complaintSignals(top: 1, examples: 2) { entityId entityName count previousCount change trend { count } examples { messageId } }
        topIntents(top: 1) { intent count answeredRate }
        knowledgeUsage { uses knowledge { id } }
      } }`,
      { from: '2025-03-03T00:00:00Z', to: '2025-03-10T00:00:00Z', channel },
    );
    expect(r.body.errors).toBeUndefined();
    const a = r.body.data!.analytics;
    expect(a).toMatchObject({ from: '2025-03-03T00:00:00.000Z', conversations: 4, containmentRate: 0.5, firstResponseP90S: 2700, csatScore: 2 / 3 });
    expect(a.timeseries.map((p) => p.conversations)).toEqual([2, 1, 1, 0, 0, 0, 0]);
    expect(a.timeseries[0]!.emotions).toEqual([
      { key: 'negative', count: 2 },
      { key: 'positive', count: 1 },
    ]);
    expect(a.complaintSignals).toEqual([{ entityId: ids.E1, entityName: 'Widget', count: 3, previousCount: 0, change: 3, trend: [2, 1, 0, 0, 0, 0, 0].map((count) => ({ count })), examples: [{ messageId: ids['C3.0'] }, { messageId: ids['C1.2'] }] }]);
    expect(a.topIntents).toEqual([{ intent: 'refund', count: 2, answeredRate: 0.5 }]);
    // The admin sees the restricted item's usage too; an agent without the grant does not.
    expect(a.knowledgeUsage.map((k) => k.knowledge?.id)).toEqual([ids.K1, ids.K2, ids.K3]);
    const agentKey = await api.gql<{ createApiKey: { key: string } }>('mutation { createApiKey(role: AGENT, name: "analytics-agent") { key } }');
    const asAgent = await api.gql<{ analytics: { knowledgeUsage: Array<{ uses: number }> } }>(
      'query($channel: String) { analytics(from: "2025-03-03T00:00:00Z", to: "2025-03-10T00:00:00Z", channel: $channel) { knowledgeUsage { uses } } }',
      { channel },
      agentKey.body.data!.createApiKey.key,
    );
    expect(asAgent.body.data!.analytics.knowledgeUsage.map((k) => k.uses)).toEqual([2, 1]);
  });

  it.each([
    ['an hourly series over a year', '{ analytics(from: "2025-01-01T00:00:00Z", to: "2025-12-31T00:00:00Z") { timeseries(granularity: HOUR) { start } } }'],
    ['top 0', '{ analytics(from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z") { topIntents(top: 0) { intent } } }'],
    ['11 examples', '{ analytics(from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z") { complaintSignals(examples: 11) { count } } }'],
  ])('refuses %s with BAD_USER_INPUT', async (_c, query) => {
    const r = await api.gql(query);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
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
