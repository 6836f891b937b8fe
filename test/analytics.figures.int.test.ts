import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createAnalytics } from '../src/analytics/analytics.module.js';
import type { AnalyticsService, AnalyticsWindow } from '../src/analytics/analytics.service.js';
import { keyed } from '../src/analytics/bucket.js';
import { projectRoot } from '../src/app.js';
import { CypherLoader } from '../src/graph/cypher-loader.js';
import { connectNeo4j } from '../src/graph/driver.js';
import { CypherExecutor } from '../src/graph/executor.js';
import { migrate } from '../src/graph/migrations.js';
import { createLogger } from '../src/observability/logger.js';
import { fixture, seedAnalyticsFixture } from './analytics-fixture.js';

let driver: Driver;
let redis: Redis;
let executor: CypherExecutor;
let analytics: AnalyticsService;
let channel: string;
let ids: Record<string, string>;

const WEEK = { from: new Date('2025-03-03T00:00:00Z'), to: new Date('2025-03-10T00:00:00Z') };

beforeAll(async () => {
  const s = inject('services');
  const logger = createLogger('silent');
  driver = await connectNeo4j({ uri: s.neo4jUri, user: s.neo4jUser, password: s.neo4jPassword, database: 'neo4j', connectTimeoutMs: 8000 });
  redis = new Redis(s.redisUrl);
  executor = new CypherExecutor(driver, new CypherLoader(path.join(projectRoot, 'cypher')), { database: 'neo4j', logger });
  await migrate(executor, path.join(projectRoot, 'cypher', 'migrations'), logger);
  const suffix = randomBytes(4).toString('hex');
  // A key prefix of its own: other files' pending changes are not folded (or taken) by this one.
  analytics = createAnalytics({ executor, redis, logger, aggregator: { prefix: `answergraph:analytics-test-${suffix}:`, intervalMs: 0 } });
  ({ channel, ids } = await seedAnalyticsFixture(executor, suffix));
  // As the dialogue does after each write: mark the conversations, then fold.
  for (const c of fixture) await analytics.aggregator.touched({ conversationId: ids[c.key] });
  expect(await analytics.aggregator.pending()).toBe(fixture.length);
  await analytics.aggregator.flush();
  expect(await analytics.aggregator.pending()).toBe(0);
});

afterAll(async () => {
  redis?.disconnect();
  await driver?.close();
});

const win = (from: Date, to: Date, filters: { language?: string } = {}): AnalyticsWindow => analytics.window(from, to, { channel, ...filters });

describe('analytics figures on seeded conversations (hand-computed)', () => {
  it('computes every headline figure of the week', async () => {
    const t = await analytics.totals(win(WEEK.from, WEEK.to));
    expect(t.figures).toEqual({
      conversations: 4, // C1–C4 (C0 started the week before)
      messages: 11, // 5 + 2 + 2 + 2
      customerMessages: 5,
      botMessages: 4,
      agentMessages: 2,
      contained: 2, // C2, C3: no human wrote
      containmentRate: 0.5,
      handedOff: 2, // C1, C4
      handoffRate: 0.5,
      resolved: 2, // C1, C3
      firstResponseP50S: 0.5, // 0.05, 0.2, 0.4 (bin ≤ 0.5 s) and 2400 (bin ≤ 2700 s): 2nd of 4
      firstResponseP90S: 2700, // 4th of 4
      handoffWaitP50S: 120, // 120 s (C1), 2399 s (C4)
      handoffWaitP90S: 2700,
      resolutionP50S: 600, // 600 s (C3), 1800 s (C1)
      resolutionP90S: 1800,
      csatResponses: 3, // 5, 4, 2
      csatScore: 2 / 3,
      csatAverage: 11 / 3,
      csatResponseRate: 3 / 4,
      npsResponses: 3, // 10, 9 promoters; 3 detractor
      nps: (100 * (2 - 1)) / 3,
      helpful: 1,
      notHelpful: 1,
      helpfulRate: 0.5,
      botAnswers: 4,
      unanswered: 1, // C1's second bot reply (kind none)
      unansweredRate: 0.25,
      outOfScope: 1,
      avgConfidence: (0.9 + 0.2 + 1.0 + 0.7) / 4,
      botLatencyP50Ms: 100, // 50, 80 (≤ 100), 200, 400 (≤ 500)
      botLatencyP95Ms: 500,
    });
    expect(t.channels).toEqual([{ key: channel, count: 4 }]);
    expect(t.languages).toEqual([
      { key: 'en', count: 2 },
      { key: 'zh', count: 2 },
    ]);
    expect(keyed(t.bucket, 'emotion')).toEqual([
      { key: 'negative', count: 3 },
      { key: 'neutral', count: 1 },
      { key: 'positive', count: 1 },
    ]);
    expect(keyed(t.bucket, 'reason')).toEqual([
      { key: 'low-confidence', count: 1 },
      { key: 'requested', count: 1 },
    ]);
  });

  it('ranks intents with how well they were answered and rated', async () => {
    const t = await analytics.totals(win(WEEK.from, WEEK.to));
    expect(analytics.intents(t, 10)).toEqual([
      { intent: 'refund', count: 2, answered: 1, answeredRate: 0.5, helpful: 1, notHelpful: 0, helpfulRate: 1 },
      { intent: 'delivery', count: 1, answered: 1, answeredRate: 1, helpful: 0, notHelpful: 1, helpfulRate: 0 },
      { intent: 'greeting', count: 1, answered: 1, answeredRate: 1, helpful: 0, notHelpful: 0, helpfulRate: null },
      { intent: 'human', count: 1, answered: 0, answeredRate: 0, helpful: 0, notHelpful: 0, helpfulRate: null },
    ]);
    expect(analytics.intents(t, 1)).toHaveLength(1);
  });

  it('lists knowledge usage only as far as the caller may see it', async () => {
    const w = win(WEEK.from, WEEK.to);
    const all = await analytics.knowledgeUsage(w, 10, { visibilities: ['PUBLIC', 'INTERNAL', 'RESTRICTED'], statuses: ['PUBLISHED'] });
    expect(all).toEqual([
      { id: ids.K1, uses: 2, helpful: 1, notHelpful: 1, helpfulRate: 0.5 },
      { id: ids.K2, uses: 1, helpful: 0, notHelpful: 1, helpfulRate: 0 },
      { id: ids.K3, uses: 1, helpful: 0, notHelpful: 0, helpfulRate: null },
    ]);
    const agent = await analytics.knowledgeUsage(w, 10, { visibilities: ['PUBLIC', 'INTERNAL'], statuses: ['PUBLISHED'] });
    expect(agent.map((k) => k.id)).toEqual([ids.K1, ids.K2]);
  });

  it('finds complaint signals with counts, change, trend and examples', async () => {
    const w = win(WEEK.from, WEEK.to);
    const signals = await analytics.complaintSignals(w, await analytics.totals(w), { top: 10, examples: 3 });
    expect(signals.map((s) => ({ id: s.entity.id, name: s.entity.name, count: s.count, previousCount: s.previousCount, change: s.change, changeRate: s.changeRate, share: s.share }))).toEqual([
      { id: ids.E1, name: 'Widget', count: 3, previousCount: 0, change: 3, changeRate: null, share: 1 },
      { id: ids.E2, name: 'Courier', count: 1, previousCount: 1, change: 0, changeRate: 0, share: 1 / 3 },
    ]);
    expect(signals[0]!.trend.map((p) => p.count)).toEqual([2, 1, 0, 0, 0, 0, 0]);
    expect(signals[0]!.trend[0]!.start).toBe(Date.parse('2025-03-03T00:00:00Z'));
    expect(signals[1]!.trend.map((p) => p.count)).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(signals[0]!.examples.map((e) => e.id)).toEqual([ids['C3.0'], ids['C1.2'], ids['C1.0']]);
    expect(signals[0]!.examples[0]).toMatchObject({ conversationId: ids.C3, text: '小部件的快递太慢了', emotion: 'negative', language: 'zh' });
  });

  it.each([
    ['day', [2, 1, 1, 0, 0, 0, 0], [7, 2, 1, 1, 0, 0, 0]],
    ['week', [4], [11]],
  ] as const)('builds a %s series across the window, empty periods included', async (granularity, conversations, messages) => {
    const points = await analytics.series(win(WEEK.from, WEEK.to), granularity);
    expect(points.map((p) => p.figures.conversations)).toEqual(conversations);
    expect(points.map((p) => p.figures.messages)).toEqual(messages);
    expect(points[0]!.start).toBe(WEEK.from.getTime());
    expect(points.at(-1)!.end).toBe(WEEK.to.getTime());
  });

  it('builds an hourly series with emotions per point', async () => {
    const points = await analytics.series(win(new Date('2025-03-03T10:00:00Z'), new Date('2025-03-03T12:00:00Z')), 'hour');
    expect(points.map((p) => [p.figures.conversations, p.figures.messages])).toEqual([
      [2, 7],
      [0, 0],
    ]);
    expect(keyed(points[0]!.bucket, 'emotion')).toEqual([
      { key: 'negative', count: 2 },
      { key: 'positive', count: 1 },
    ]);
  });

  it('filters by language (conversation language for conversation figures)', async () => {
    const t = await analytics.totals(win(WEEK.from, WEEK.to, { language: 'zh' }));
    expect(t.figures).toMatchObject({ conversations: 2, messages: 4, contained: 1, handedOff: 1, resolved: 1, csatResponses: 1, csatScore: 0, nps: -100, firstResponseP50S: 0.5, firstResponseP90S: 2700 });
  });

  it('widens a window to whole hours', async () => {
    const w = win(new Date('2025-03-03T10:10:00Z'), new Date('2025-03-03T10:50:00Z'));
    expect([new Date(w.from).toISOString(), new Date(w.to).toISOString()]).toEqual(['2025-03-03T10:00:00.000Z', '2025-03-03T11:00:00.000Z']);
    expect((await analytics.totals(w)).figures.conversations).toBe(2);
  });

  it('answers a year from month buckets with the same figures as a raw scan', async () => {
    const year = win(new Date('2025-01-01T00:00:00Z'), new Date('2025-12-31T00:00:00Z'));
    const [fromBuckets, raw] = await Promise.all([analytics.totals(year, true), analytics.rawTotals(year)]);
    expect(fromBuckets.figures.conversations).toBe(5); // C0 too
    expect(fromBuckets.figures).toEqual(raw.figures);
    expect(Object.fromEntries(fromBuckets.bucket.keyed)).toEqual(Object.fromEntries(raw.bucket.keyed));
    const week = win(WEEK.from, WEEK.to);
    expect((await analytics.totals(week)).figures).toEqual((await analytics.rawTotals(week)).figures);
  });

  it('refolds what a later rating changes, and a rebuild changes nothing', async () => {
    await executor.writeText('test/rate', 'MATCH (m:Message {id: $id}) SET m.helpful = true', { id: ids['C2.1'] });
    await analytics.aggregator.touched({ messageId: ids['C2.1'] });
    const after = await analytics.totals(win(WEEK.from, WEEK.to));
    expect([after.figures.helpful, after.figures.notHelpful]).toEqual([2, 1]);
    expect(analytics.intents(after, 10).find((i) => i.intent === 'greeting')).toMatchObject({ helpful: 1, helpfulRate: 1 });
    await analytics.aggregator.rebuild(new Date('2025-02-01T00:00:00Z'), new Date('2025-04-01T00:00:00Z'));
    expect((await analytics.totals(win(WEEK.from, WEEK.to))).figures).toEqual(after.figures);
  });

  it('folds a conversation that has no messages yet', async () => {
    const id = `${channel}-empty`;
    await executor.writeText('test/empty-conversation', "CREATE (:Conversation {id: $id, channel: $channel, language: 'en', status: 'BOT', createdAt: datetime('2025-03-05T12:00:00Z'), messageCount: 0})", { id, channel: id });
    await analytics.aggregator.touched({ conversationId: id });
    await analytics.aggregator.flush();
    const t = await analytics.totals(analytics.window(WEEK.from, WEEK.to, { channel: id }));
    expect(t.figures).toMatchObject({ conversations: 1, messages: 0, contained: 1, firstResponseP50S: null });
  });

  it.each([
    ['from after to', new Date('2025-03-10T00:00:00Z'), new Date('2025-03-03T00:00:00Z')],
    ['more than a year', new Date('2024-01-01T00:00:00Z'), new Date('2025-03-03T00:00:00Z')],
  ])('refuses a window with %s', (_c, from, to) => {
    expect(() => analytics.window(from, to)).toThrowError(expect.objectContaining({ code: 'BAD_USER_INPUT' }) as Error);
  });

  it('refuses an hourly series of more than 2,400 points', async () => {
    await expect(analytics.series(win(new Date('2025-01-01T00:00:00Z'), new Date('2025-12-01T00:00:00Z')), 'hour')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
