/**
 * `npm run bench:analytics [-- --slot 7 --messages 1000000 --runs 5 --raw-runs 1 --batch 5000 --regenerate]`
 *
 * A year of conversations (default 1,000,000 messages, about 200,000 conversations over 2025, three
 * channels, two languages, hand-offs, ratings, CSAT/NPS, negative messages mentioning products) is written
 * once into the slot's Neo4j and its analytics buckets are built; later runs reuse it (`--regenerate`
 * rebuilds). Then it times analytics over the whole year from the buckets — headline figures, a filtered
 * window, daily and weekly series, complaint signals, knowledge usage — beside the raw scan the buckets
 * replace (every conversation and message of the year), and the cost of keeping buckets current (one fold
 * after a conversation changes). Service level (no HTTP): the figures are what `analytics` resolves.
 * Target: a year of analytics in under 1 s. Writes bench-results/analytics.json.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createAnalytics } from '../src/analytics/analytics.module.js';
import { projectRoot } from '../src/app.js';
import { CypherLoader } from '../src/graph/cypher-loader.js';
import { connectNeo4j } from '../src/graph/driver.js';
import { CypherExecutor } from '../src/graph/executor.js';
import { migrate } from '../src/graph/migrations.js';
import { mulberry32 } from '../src/inference/softmax-head.js';
import { createLogger } from '../src/observability/logger.js';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';
import { report } from './harness.js';

const { values: args } = parseArgs({
  options: {
    slot: { type: 'string', default: '7' },
    messages: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    'raw-runs': { type: 'string', default: '1' },
    regenerate: { type: 'boolean', default: false },
    batch: { type: 'string', default: '5000' },
  },
});
const slot = Number(args.slot);
const MESSAGES = Number(args.messages);
const RUNS = Number(args.runs);
const RAW_RUNS = Number(args['raw-runs']);
const YEAR = { from: Date.parse('2025-01-01T00:00:00Z'), to: Date.parse('2026-01-01T00:00:00Z') };
const TARGET_MS = 1000;
/** Messages per write transaction while generating. */
const BATCH = Number(args.batch);
const FINGERPRINT = `analytics-bench-v1-${MESSAGES}`;

const CHANNELS = ['web', 'app', 'wechat'];
const INTENTS = Array.from({ length: 40 }, (_, i) => `intent_${String(i).padStart(2, '0')}`);
const PRODUCTS = Array.from({ length: 60 }, (_, i) => `product-${i}`);
const KNOWLEDGE = 3000;
const REASONS = ['requested', 'low-confidence', 'negative-emotion', 'failed-twice'];

/** Zipf-like pick: low indexes are much more frequent (a few intents and items dominate, as in real traffic). */
const zipf = (rnd: () => number, n: number) => Math.min(n - 1, Math.floor(n * rnd() ** 2.2));

interface Row {
  id: string;
  channel: string;
  language: string;
  createdAt: string;
  escalatedAt: string | null;
  escalationReason: string | null;
  resolvedAt: string | null;
  csat: number | null;
  nps: number | null;
  messages: Array<Record<string, unknown>>;
}

/** One conversation of `n` messages starting at `t` (ms). */
function conversation(rnd: () => number, i: number, t: number, n: number): Row {
  const language = rnd() < 0.6 ? 'en' : 'zh';
  const handoff = rnd() < 0.15;
  const messages: Array<Record<string, unknown>> = [];
  let at = t;
  let agentFrom = handoff ? Math.max(2, n - 2) : n + 1;
  if (agentFrom >= n) agentFrom = n + 1;
  let escalatedAt: string | null = null;
  let lastCustomer = -1;
  for (let k = 0; k < n; k++) {
    const role = k >= agentFrom ? (k % 2 === 0 ? 'customer' : 'agent') : k % 2 === 0 ? 'customer' : 'bot';
    const id = `bm-${i}-${k}`;
    if (role === 'customer') {
      at += 5_000 + Math.floor(rnd() * 60_000);
      const negative = rnd() < 0.2;
      lastCustomer = k;
      messages.push({
        id, seq: k + 1, role, at: new Date(at).toISOString(), language, intent: INTENTS[zipf(rnd, INTENTS.length)], outOfScope: rnd() < 0.05,
        sentiment: negative ? 'negative' : rnd() < 0.3 ? 'positive' : 'neutral', mentions: negative ? [`bp-${PRODUCTS[zipf(rnd, PRODUCTS.length)]}`] : [],
        text: negative ? `complaint ${i}` : `question ${i}`, used: [], replyTo: null, kind: null, confidence: null, latencyMs: null, helpful: null,
      });
    } else if (role === 'bot') {
      const latencyMs = 40 + Math.floor(rnd() * 400);
      at += latencyMs;
      const none = rnd() < 0.12;
      const rated = rnd();
      messages.push({
        id, seq: k + 1, role, at: new Date(at).toISOString(), language, replyTo: `bm-${i}-${lastCustomer}`, kind: none ? 'none' : 'fact', confidence: none ? 0 : 0.4 + rnd() * 0.6, latencyMs,
        used: none ? [] : [`bk-${zipf(rnd, KNOWLEDGE)}`, `bk-${zipf(rnd, KNOWLEDGE)}`].filter((v, j, a) => a.indexOf(v) === j), helpful: rated < 0.07 ? true : rated < 0.1 ? false : null,
        text: `answer ${i}`, intent: null, outOfScope: null, sentiment: null, mentions: [],
      });
    } else {
      if (escalatedAt === null) {
        escalatedAt = new Date(at + 1000).toISOString();
        at += 30_000 + Math.floor(rnd() * 900_000); // the bot-to-human wait
      } else at += 10_000 + Math.floor(rnd() * 120_000);
      messages.push({ id, seq: k + 1, role, at: new Date(at).toISOString(), language, text: `agent ${i}`, used: [], mentions: [], replyTo: null, kind: null, confidence: null, latencyMs: null, helpful: null, intent: null, outOfScope: null, sentiment: null });
    }
  }
  const resolved = rnd() < 0.6;
  return {
    id: `bc-${i}`,
    channel: CHANNELS[zipf(rnd, CHANNELS.length)] as string,
    language,
    createdAt: new Date(t).toISOString(),
    escalatedAt: handoff ? (escalatedAt ?? new Date(at + 1000).toISOString()) : null,
    escalationReason: handoff ? (REASONS[Math.floor(rnd() * REASONS.length)] as string) : null,
    resolvedAt: resolved ? new Date(at + 60_000 + Math.floor(rnd() * 3_600_000)).toISOString() : null,
    csat: rnd() < 0.2 ? 1 + Math.floor(rnd() * 5) : null,
    nps: rnd() < 0.1 ? Math.floor(rnd() * 11) : null,
    messages,
  };
}

const WRITE = `UNWIND $rows AS c
CREATE (conv:Conversation {id: c.id, channel: c.channel, language: c.language, status: CASE WHEN c.resolvedAt IS NULL THEN 'BOT' ELSE 'RESOLVED' END,
  createdAt: datetime(c.createdAt), escalatedAt: CASE WHEN c.escalatedAt IS NULL THEN null ELSE datetime(c.escalatedAt) END, escalationReason: c.escalationReason,
  resolvedAt: CASE WHEN c.resolvedAt IS NULL THEN null ELSE datetime(c.resolvedAt) END, csat: c.csat, nps: c.nps, messageCount: size(c.messages), bench: true})
WITH conv, c UNWIND c.messages AS row
CREATE (conv)-[:HAS_MESSAGE]->(m:Message {id: row.id, conversationId: c.id, seq: row.seq, role: row.role, text: row.text, at: datetime(row.at), language: row.language,
  intent: row.intent, outOfScope: row.outOfScope, sentiment: row.sentiment, replyTo: row.replyTo, kind: row.kind, confidence: row.confidence,
  latencyMs: row.latencyMs, helpful: row.helpful, escalate: false, knowledgeIds: row.used})
WITH m, row
CALL (m, row) { UNWIND range(0, size(row.used) - 1) AS i MATCH (k:Knowledge {id: row.used[i]}) CREATE (m)-[:USED {rank: i + 1}]->(k) RETURN count(*) AS u }
CALL (m, row) { UNWIND row.mentions AS eid MATCH (e:Entity {id: eid}) CREATE (m)-[:MENTIONS]->(e) RETURN count(*) AS n }
RETURN count(*) AS written`;

/** Equal up to floating-point summation order (sums of confidences are added in a different order). */
function same(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const [x, y] = [(a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]];
    if (typeof x === 'number' && typeof y === 'number') {
      if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) return false;
    } else if (x !== y) return false;
  }
  return true;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const out = await work();
  return [out, performance.now() - started];
}

async function main() {
  await ensureInstalled({});
  const services = await ensureLocalServices({ profile: 'test', dataDir: `.data/test-${slot}`, ports: { neo4jBolt: 17687 + 10 * slot, neo4jHttp: 17474 + 10 * slot, redis: 16379 + 10 * slot } });
  const logger = createLogger('warn');
  const driver = await connectNeo4j({ uri: services.neo4jUri, user: services.neo4jUser, password: services.neo4jPassword, database: 'neo4j', connectTimeoutMs: 30_000 });
  const redis = new Redis(services.redisUrl);
  const executor = new CypherExecutor(driver, new CypherLoader(path.join(projectRoot, 'cypher')), { database: 'neo4j', logger, timeoutMs: 600_000 });
  try {
    await migrate(executor, path.join(projectRoot, 'cypher', 'migrations'), logger);
    const analytics = createAnalytics({ executor, redis, logger, aggregator: { intervalMs: 0, prefix: 'answergraph:analytics-bench:' } });
    const build: Record<string, number> = {};

    const [mark] = await executor.readText('bench/analytics-mark', 'OPTIONAL MATCH (b:BenchMark {id: "analytics"}) RETURN b.fingerprint AS fingerprint');
    if (args.regenerate || mark?.fingerprint !== FINGERPRINT) {
      console.log(`generating ${MESSAGES.toLocaleString()} messages over 2025 in slot ${slot} …`);
      const session = driver.session({ database: 'neo4j' });
      try {
        await session.run('MATCH (n) WHERE n:Conversation OR n:Message OR n:AnalyticsBucket OR n:BenchMark OR (n:Knowledge AND n.bench) OR (n:Entity AND n.bench) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
      } finally {
        await session.close();
      }
      await executor.writeText('bench/analytics-items', `UNWIND range(0, $k - 1) AS i CREATE (:Knowledge {id: 'bk-' + i, kind: 'fact', status: 'PUBLISHED', visibility: 'PUBLIC', question: 'q' + i, answer: 'a', bench: true})`, { k: KNOWLEDGE });
      await executor.writeText('bench/analytics-entities', `UNWIND $names AS name CREATE (:Entity {id: 'bp-' + name, key: 'bench:' + name, name: name, type: 'Product', bench: true})`, { names: PRODUCTS });
      const rnd = mulberry32(15);
      const span = YEAR.to - YEAR.from;
      let written = 0;
      let i = 0;
      const started = performance.now();
      let batch: Row[] = [];
      let batchMessages = 0;
      while (written < MESSAGES) {
        const n = Math.min(MESSAGES - written, 2 + Math.floor(rnd() * 7)); // 2–8 messages, about 5 on average
        // Start times spread over the year, busier in the day (UTC 01–13) than at night.
        let t = YEAR.from + Math.floor(rnd() * span);
        if (rnd() < 0.5) t = Math.floor(t / 86_400_000) * 86_400_000 + 3_600_000 + Math.floor(rnd() * 12 * 3_600_000);
        const c = conversation(rnd, i++, Math.min(t, YEAR.to - 86_400_000), n);
        batch.push(c);
        batchMessages += c.messages.length;
        written += c.messages.length;
        if (batchMessages >= BATCH || written >= MESSAGES) {
          await executor.writeText('bench/analytics-write', WRITE, { rows: batch });
          batch = [];
          batchMessages = 0;
          process.stdout.write(`\r  ${written.toLocaleString()} messages, ${i.toLocaleString()} conversations, ${Math.round(written / ((performance.now() - started) / 1000))} messages/s   `);
        }
      }
      build.writeS = (performance.now() - started) / 1000;
      build.conversations = i;
      console.log(`\n  written in ${build.writeS.toFixed(0)} s`);
      const [, foldMs] = await timed(() =>
        analytics.aggregator.rebuild(new Date(YEAR.from), new Date(YEAR.to + 2 * 86_400_000), (done, total) => {
          process.stdout.write(`\r  buckets: ${done}/${total} days   `);
        }),
      );
      build.bucketBuildS = foldMs / 1000;
      console.log(`\n  buckets built from the raw graph in ${build.bucketBuildS.toFixed(0)} s`);
      await executor.writeText('bench/analytics-mark-write', 'MERGE (b:BenchMark {id: "analytics"}) SET b.fingerprint = $f, b.build = $build', { f: FINGERPRINT, build: JSON.stringify(build) });
    } else {
      const [b] = await executor.readText('bench/analytics-build', 'MATCH (b:BenchMark {id: "analytics"}) RETURN b.build AS build');
      Object.assign(build, JSON.parse(String(b?.build ?? '{}')));
      console.log(`reusing the fixture in slot ${slot} (--regenerate rebuilds it)`);
    }
    const [counts] = await executor.readText('bench/analytics-counts', 'MATCH (m:Message) WITH count(m) AS messages MATCH (c:Conversation) WITH messages, count(c) AS conversations MATCH (b:AnalyticsBucket) RETURN messages, conversations, count(b) AS buckets');
    console.log(`graph: ${JSON.stringify(counts)}`);

    const year = analytics.window(new Date(YEAR.from), new Date(YEAR.to));
    const rows: Array<Record<string, string | number>> = [];
    const measure = async (query: string, source: string, runs: number, work: () => Promise<unknown>, target: number | null = TARGET_MS) => {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) times.push((await timed(work))[1]);
      const sorted = [...times].sort((a, b) => a - b);
      const p50 = sorted[Math.floor((sorted.length - 1) / 2)] as number;
      const max = sorted.at(-1) as number;
      rows.push({ query, source, runs, 'first ms': Math.round(times[0] as number), 'p50 ms': Math.round(p50), 'max ms': Math.round(max), target: target === null ? '—' : `< ${target} ms`, met: target === null ? '—' : max < target ? 'yes' : 'no' });
      console.log(`  ${query} (${source}): p50 ${Math.round(p50)} ms, max ${Math.round(max)} ms`);
    };
    const totals = () => analytics.totals(year);
    await measure('headline figures, 2025 (365 days)', 'buckets', RUNS, totals);
    await measure('headline figures, one channel', 'buckets', RUNS, () => analytics.totals(analytics.window(new Date(YEAR.from), new Date(YEAR.to), { channel: 'app' })));
    await measure('daily series, 365 points', 'buckets', RUNS, () => analytics.series(year, 'day'));
    await measure('weekly series, 53 points', 'buckets', RUNS, () => analytics.series(year, 'week'));
    await measure('hourly series, 31 days', 'buckets', RUNS, () => analytics.series(analytics.window(new Date('2025-07-01T00:00:00Z'), new Date('2025-08-01T00:00:00Z')), 'hour'));
    await measure('figures + top intents + knowledge usage + complaint signals', 'buckets', RUNS, async () => {
      const t = await totals();
      analytics.intents(t, 10);
      await Promise.all([analytics.knowledgeUsage(year, 10, { visibilities: ['PUBLIC'], statuses: ['PUBLISHED'] }), analytics.complaintSignals(year, t, { top: 10, examples: 3 })]);
    });
    await measure('knowledge usage, top 10 of the year', 'buckets', RUNS, () => analytics.knowledgeUsage(year, 10, { visibilities: ['PUBLIC'], statuses: ['PUBLISHED'] }));
    const fromBuckets = await analytics.totals(year, true);
    if (RAW_RUNS > 0) await measure('headline figures, 2025 (365 days)', 'raw scan', RAW_RUNS, async () => {
      const r = await analytics.rawTotals(year);
      if (!same(r.figures, fromBuckets.figures) || !same(Object.fromEntries(r.bucket.keyed), Object.fromEntries(fromBuckets.bucket.keyed))) throw new Error(`raw scan and buckets disagree:\n${JSON.stringify(r.figures)}\n${JSON.stringify(fromBuckets.figures)}`);
    }, null);
    // Keeping buckets current: a conversation changes, the fold recomputes its hours (and their day and month).
    const ids = (await executor.readText('bench/analytics-sample', 'MATCH (c:Conversation) WHERE c.bench WITH c SKIP 1000 LIMIT 20 RETURN c.id AS id')).map((r) => String(r.id));
    await measure('fold after one conversation changed', 'fold', ids.length, async () => {
      await analytics.aggregator.touched({ conversationId: ids.pop() as string });
      await analytics.aggregator.flush();
    }, null);

    report('analytics', rows, { messages: counts?.messages, conversations: counts?.conversations, buckets: counts?.buckets, build, figures: fromBuckets.figures, slot });
  } finally {
    redis.disconnect();
    await driver.close();
  }
}

await main();
