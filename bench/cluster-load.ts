/**
 * `npm run bench:cluster` — the platform scaled out on this machine, loopback only and bounded in time:
 * a local Redis Cluster (3 masters + 3 replicas, Debian's redis-server), the test services' Neo4j, two
 * API processes and two worker processes (`node --import tsx src/main.ts api|worker`). 64 conversations
 * talk at once for a fixed time (BENCH_SECONDS, default 30 s per phase), first through one API process,
 * then spread over both (each conversation sends to one API and follows its events on the other), while
 * the workers ingest documents. Prints throughput and sendMessage p50/p95 per phase and checks every
 * conversation's events: each subscriber must receive exactly the events the stream holds (none lost,
 * none twice), and every document must be ingested once. Writes bench-results/cluster-load.json.
 *
 * On a 2-core machine shared with other work the two-API phase cannot be twice as fast (both processes
 * compete for the same cores); what it shows is that the second replica works alongside the first with
 * no lost or duplicated event, and what the cluster and the extra hop cost.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import neo4j from 'neo4j-driver';
import WebSocket from 'ws';
import { createRedis, conversationKey, redisKeys } from '../src/infra/redis.js';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';
import { startRedisCluster } from '../src/services/redis-cluster.js';
import { testServices } from '../test/service-slot.js';
import { report } from './harness.js';
import { freePort } from '../src/services/processes.js';
import { children, startProcess, waitServing } from './processes.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 64);
const DOCUMENTS = 4;
const slot = Number(process.env.TEST_SERVICES_SLOT ?? 0);
const QUESTIONS = [
  'How long does a refund take?',
  'How much is standard delivery?',
  'What does Northwind Care+ cover?',
  'Can I return an opened item?',
  'How do I track my order?',
  'Where is the nearest service centre?',
  'Do you deliver on weekends?',
  'How long is the warranty on the Northwind X5?',
];

async function gql<T>(port: number, query: string, variables: Record<string, unknown>, key: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data as T;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

interface Conversation {
  id: string;
  token: string;
  sendTo: number;
  received: string[];
  botMessages: number;
  sent: number;
  client: Client;
  dispose: () => void;
}

const SUBSCRIBE = 'subscription($id: ID!) { conversationEvents(conversationId: $id, since: "0") { cursor type } }';

async function phase(name: string, ports: number[], key: string): Promise<Record<string, string | number>> {
  const conversations: Conversation[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const sendTo = ports[i % ports.length]!;
    const followOn = ports[(i + 1) % ports.length]!;
    const c = (await gql<{ startConversation: { id: string; visitorToken: string } }>(sendTo, 'mutation { startConversation(input: {channel: "bench"}) { id visitorToken } }', {}, key)).startConversation;
    const client = createClient({ url: `ws://127.0.0.1:${followOn}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}`, visitorToken: c.visitorToken }, retryAttempts: 0, lazy: true });
    const conv: Conversation = { id: c.id, token: c.visitorToken, sendTo, received: [], botMessages: 0, sent: 0, client, dispose: () => undefined };
    conv.dispose = client.subscribe<{ conversationEvents: { cursor: string; type: string } }>(
      { query: SUBSCRIBE, variables: { id: c.id } },
      {
        next: (r) => {
          const e = r.data?.conversationEvents;
          if (!e) return;
          conv.received.push(e.cursor);
          if (e.type === 'BOT_MESSAGE') conv.botMessages++;
        },
        error: (err) => console.error(`subscription ${c.id}: ${JSON.stringify(err).slice(0, 200)}`),
        complete: () => undefined,
      },
    );
    conversations.push(conv);
  }
  // Every subscriber is live before the first message (the CONVERSATION_STARTED event arrives through it).
  const settle = Date.now() + 30_000;
  while (conversations.some((c) => c.received.length === 0) && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));

  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const started = performance.now();
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    conversations.map(async (c) => {
      while (Date.now() < deadline) {
        const t = performance.now();
        try {
          await gql(c.sendTo, 'mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id } }', { id: c.id, t: QUESTIONS[n++ % QUESTIONS.length] }, key, { 'answergraph-visitor-token': c.token });
          c.sent++;
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;

  // Every answered turn's BOT_MESSAGE reaches its subscriber (on the other API), then compare with the streams.
  const drain = Date.now() + 60_000;
  while (conversations.some((c) => c.botMessages < c.sent) && Date.now() < drain) await new Promise((r) => setTimeout(r, 100));
  const redis = createRedis(clusterUrl, { maxRetriesPerRequest: null });
  let lost = 0;
  let duplicated = 0;
  let events = 0;
  try {
    for (const c of conversations) {
      const stored = ((await redis.xrange(conversationKey(redisKeys.conversationPrefix, c.id, 'events'), '-', '+')) as Array<[string, string[]]>).map(([id]) => id);
      const got = new Set(c.received);
      events += stored.length;
      duplicated += c.received.length - got.size;
      lost += stored.filter((id) => !got.has(id)).length;
    }
  } finally {
    redis.disconnect();
  }
  for (const c of conversations) {
    c.dispose();
    await c.client.dispose();
  }
  latencies.sort((x, y) => x - y);
  return {
    phase: name,
    'API processes': ports.length,
    conversations: CONVERSATIONS,
    seconds: Math.round(elapsed * 10) / 10,
    turns: latencies.length,
    'turns/s': Math.round((latencies.length / elapsed) * 10) / 10,
    'p50 ms': Math.round(percentile(latencies, 50)),
    'p95 ms': Math.round(percentile(latencies, 95)),
    errors,
    events,
    'lost events (target 0)': lost,
    'duplicated events (target 0)': duplicated,
  };
}

let clusterUrl = '';

async function main(): Promise<void> {
  await ensureInstalled({});
  const local = await ensureLocalServices(testServices());
  const cluster = await startRedisCluster({ basePort: 21000 + 10 * (slot % 100), dataDir: `.data/redis-cluster-${slot}`, log: (l) => console.log(l) });
  clusterUrl = cluster.url;
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: adminKey,
    NEO4J_URI: local.neo4jUri.replace(/^bolt:/, 'neo4j:'),
    NEO4J_PASSWORD: local.neo4jPassword,
    REDIS_URL: cluster.url,
    SEED_ON_EMPTY: 'false',
    INFERENCE_THREADS: '1',
    // First uses load models; on a loaded shared machine that can take longer than the default 15 s.
    RESOLVER_TIMEOUT_MS: '120000',
  };
  try {
    // The demo knowledge base, alone in the graph (keys and migrations kept), as the answer tests have it.
    const driver = neo4j.driver(local.neo4jUri, neo4j.auth.basic(local.neo4jUser, local.neo4jPassword));
    const session = driver.session();
    await session.run('MATCH (n) WHERE NOT n:ApiKey AND NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS').finally(() => session.close());
    await driver.close();

    const ports = [await freePort(), await freePort()];
    const workerPorts = [await freePort(), await freePort()];
    const setupStarted = Date.now();
    startProcess('api', { ...env, SEED_ON_EMPTY: 'true' }, ports[0]!); // seeds the empty graph (the workers embed it and train the intents)
    await waitServing(ports[0]!);
    startProcess('api', env, ports[1]!);
    for (const p of workerPorts) startProcess('worker', env, p);
    await Promise.all([waitServing(ports[1]!), ...workerPorts.map((p) => waitServing(p))]);
    const readiness = await Promise.all([...ports, ...workerPorts].map(async (p) => (await fetch(`http://127.0.0.1:${p}/readyz`)).json().catch(() => null)));
    console.log(`2 API + 2 worker processes ready in ${Math.round((Date.now() - setupStarted) / 1000)} s`);
    const key = (await gql<{ createApiKey: { key: string } }>(ports[0]!, 'mutation { createApiKey(role: CUSTOMER, name: "bench-cluster") { key } }', {}, adminKey)).createApiKey.key;

    // Warm-up (models load on first use), not measured.
    for (const p of ports) {
      const c = (await gql<{ startConversation: { id: string; visitorToken: string } }>(p, 'mutation { startConversation(input: {channel: "bench"}) { id visitorToken } }', {}, key)).startConversation;
      for (const q of QUESTIONS.slice(0, 3)) await gql(p, 'mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id } }', { id: c.id, t: q }, key, { 'answergraph-visitor-token': c.visitorToken }).catch((err: Error) => console.error(`warm-up: ${err.message.slice(0, 200)}`));
    }
    const one = await phase('one API process', [ports[0]!], key);
    console.table([one]);
    // Documents for the workers while the second phase runs.
    const run = randomUUID().slice(0, 8);
    const jobs: string[] = [];
    for (let i = 0; i < DOCUMENTS; i++) {
      const content = [`# Cluster load ${i}`, ...Array.from({ length: 10 }, (_, j) => `Order ${run}-${i}-${j}: Standard Delivery takes 2–4 working days; Northwind Care+ covers the Northwind X5 for 24 months.`)].join('\n\n');
      const j = await gql<{ ingestDocument: { id: string } }>(ports[1]!, 'mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }', { input: { title: `Cluster load ${i}`, mediaType: 'text/markdown', content, source: `cluster-load-${run}-${i}`, language: 'en' } }, adminKey);
      jobs.push(j.ingestDocument.id);
    }
    const two = await phase('two API processes (send to one, follow on the other)', ports, key);
    const deadline = Date.now() + 300_000;
    let statuses: string[] = [];
    for (;;) {
      statuses = await Promise.all(jobs.map(async (id) => (await gql<{ ingestionJob: { status: string } | null }>(ports[0]!, 'query($id: ID!) { ingestionJob(id: $id) { status } }', { id }, adminKey)).ingestionJob?.status ?? 'MISSING'));
      if (statuses.every((s) => s === 'COMPLETED' || s === 'FAILED') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const d2 = neo4j.driver(local.neo4jUri, neo4j.auth.basic(local.neo4jUser, local.neo4jPassword));
    const docs = await d2.executeQuery('MATCH (s:DocumentSource)-[:HAS_VERSION]->(d:Document) WHERE s.source STARTS WITH $p RETURN count(d) AS n', { p: `cluster-load-${run}-` });
    await d2.close();
    const documents = { submitted: DOCUMENTS, completed: statuses.filter((s) => s === 'COMPLETED').length, inGraph: Number(docs.records[0]?.get('n')) };
    console.log(`documents ingested by the two workers during the second phase: ${JSON.stringify(documents)}`);
    report('cluster-load', [one, two], {
      seconds: SECONDS,
      conversations: CONVERSATIONS,
      documents,
      targets: { lostEvents: 0, duplicatedEvents: 0, documentsCompletedOnce: DOCUMENTS },
      met: [one, two].every((r) => r['lost events (target 0)'] === 0 && r['duplicated events (target 0)'] === 0) && documents.completed === DOCUMENTS && documents.inGraph === DOCUMENTS,
      machine: 'shared 2-core VM; Neo4j, the six Redis nodes, both APIs, both workers and this driver on the same cores',
      readiness,
    });
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
