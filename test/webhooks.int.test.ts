import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { createKeys, loadSeed } from './seed-fixture.js';

let api: TestApi;
let keys: Awaited<ReturnType<typeof createKeys>>;
const run = randomUUID().slice(0, 8);
const EMAIL = `grace.${run}@example.com`;

type Behaviour = 'ok' | 'fail' | 'hang';
interface Received {
  eventId: string;
  timestamp: string;
  signature: string;
  body: string;
  answered: number | null;
}

/** A local HTTP receiver whose next answers can be scripted: fail (500), hang (past the timeout), then ok. */
async function receiver(): Promise<{ url: string; script: Behaviour[]; otherwise: Behaviour; received: Received[]; close(): Promise<void> }> {
  const state = { script: [] as Behaviour[], otherwise: 'ok' as Behaviour, received: [] as Received[] };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const behaviour = state.script.shift() ?? state.otherwise;
      const r: Received = {
        eventId: String(req.headers['answergraph-event-id']),
        timestamp: String(req.headers['answergraph-timestamp']),
        signature: String(req.headers['answergraph-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
        answered: null,
      };
      state.received.push(r);
      if (behaviour === 'hang') return; // never answers: the sender's timeout fails the attempt
      r.answered = behaviour === 'ok' ? 204 : 500;
      res.writeHead(r.answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get script() {
      return state.script;
    },
    set script(v: Behaviour[]) {
      state.script = v;
    },
    get otherwise() {
      return state.otherwise;
    },
    set otherwise(v: Behaviour) {
      state.otherwise = v;
    },
    received: state.received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as never;
}

const verify = (secret: string, r: Received) => r.signature === `v1=${createHmac('sha256', secret).update(`${r.timestamp}.${r.body}`).digest('hex')}`;

async function createWebhook(url: string, events: string[]): Promise<{ id: string; secret: string }> {
  const r = await api.gql<{ createWebhook: { id: string; secret: string } }>('mutation($i: WebhookInput!) { createWebhook(input: $i) { id secret webhook { status } } }', { i: { url, events, description: `test ${run}` } });
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.createWebhook;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

async function webhook(id: string): Promise<{ status: string; consecutiveFailures: number; deliveries: Delivery[] }> {
  const r = await api.gql<{ webhooks: Array<{ id: string; status: string; consecutiveFailures: number; deliveries: Delivery[] }> }>(
    'query { webhooks { id status consecutiveFailures deliveries { id eventId eventType status attempts lastStatusCode lastError } } }',
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.webhooks.find((w) => w.id === id)!;
}

beforeAll(async () => {
  api = await startTestApi(
    {
      PII_ENCRYPTION_KEYS: `w${run}:${randomBytes(32).toString('base64')}`,
      WEBHOOK_ATTEMPTS: '6',
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_TIMEOUT_MS: '400',
      WEBHOOK_DISABLE_AFTER: '2',
      RESOLVER_TIMEOUT_MS: '120000',
    },
  );
  keys = await createKeys(api, run);
  await loadSeed(api);
  api.app.services.integrations.webhooks.startWorker();
});
afterAll(async () => {
  await api?.close();
});

describe('outbound events (webhooks)', () => {
  it('delivers-signed-events-through-failures-and-a-timeout-nothing-lost-repeats-share-the-event-id', async () => {
    const rx = await receiver();
    rx.script = ['fail', 'fail', 'hang'];
    const hook = await createWebhook(rx.url, ['CSAT_RECEIVED', 'CONVERSATION_ESCALATED', 'PROCESS_COMPLETED']);
    const service = api.app.services.integrations.webhooks;
    // Events from conversations, and the same event emitted twice (two replicas would), which is one delivery.
    const c = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "web"}) { id } }', {}, keys.SERVICE);
    const id = c.body.data!.startConversation.id;
    await api.gql('mutation($id: ID!) { sendMessage(conversationId: $id, text: "I want to talk to a real person") { id } }', { id }, keys.SERVICE);
    await api.gql('mutation($id: ID!) { rateConversation(conversationId: $id, score: 4) { knowledgeIds } }', { id }, keys.SERVICE);
    const ids = [`e1-${run}`, `e2-${run}`, `e3-${run}`];
    for (const eid of ids) await service.emit('PROCESS_COMPLETED', { n: eid }, eid);
    expect(await service.emit('PROCESS_COMPLETED', { n: 'again' }, ids[0])).toBe(0);

    const w = await eventually(async () => {
      const x = await webhook(hook.id);
      return x.deliveries.length === 5 && x.deliveries.every((d) => d.status === 'DELIVERED') ? x : null;
    }, 60_000);
    expect(new Set(w.deliveries.map((d) => d.eventType))).toEqual(new Set(['conversation.escalated', 'csat.received', 'process.completed']));
    expect(w.deliveries.reduce((n, d) => n + d.attempts, 0)).toBe(8); // 5 deliveries + 2 failures + 1 timeout
    // Every delivery arrived with a 2xx once; extra receipts are retries of the same event id; signatures verify.
    const ok = rx.received.filter((r) => r.answered === 204);
    expect(ok.map((r) => r.eventId).sort()).toEqual(w.deliveries.map((d) => d.eventId).sort());
    expect(new Set(rx.received.map((r) => r.eventId)).size).toBe(5);
    for (const r of rx.received) {
      expect(verify(hook.secret, r)).toBe(true);
      expect(JSON.parse(r.body).id).toBe(r.eventId);
    }
    expect(rx.received.some((r) => r.answered === null)).toBe(true); // the timed-out attempt
    await rx.close();
  });

  it('sends-a-completed-process-with-its-collected-values-and-keeps-them-encrypted-at-rest', async () => {
    const rx = await receiver();
    const hook = await createWebhook(rx.url, ['PROCESS_COMPLETED']);
    const c = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "web", customerId: "cust-wh"}) { id } }', {}, keys.SERVICE);
    const id = c.body.data!.startConversation.id;
    for (const text of ['I forgot my password', 'yes', `it is ${EMAIL}`]) {
      const r = await api.gql('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id } }', { id, t: text }, keys.SERVICE);
      expect(r.body.errors).toBeUndefined();
    }
    const got = await eventually(async () => rx.received.find((r) => r.answered === 204), 30_000);
    const payload = JSON.parse(got.body) as { type: string; data: { conversationId: string; customerId: string; values: Record<string, string>; process: { name: string } } };
    expect(payload.type).toBe('process.completed');
    expect(payload.data).toMatchObject({ conversationId: id, customerId: 'cust-wh', values: { email: EMAIL } });
    // At rest the payload is sealed: no address in the graph's delivery log or in Redis.
    const session = api.app.driver.session({ database: api.config.neo4j.database });
    try {
      const raw = await session.run('MATCH (:Webhook {id: $id})-[:DELIVERS]->(d) RETURN d {.*} AS d', { id: hook.id });
      const text = JSON.stringify(raw.records.map((r) => r.get('d')));
      expect(text).toContain('enc:v1:');
      expect(text).not.toContain(EMAIL);
    } finally {
      await session.close();
    }
    const redisKeys = await api.app.redis.keys('*webhook-deliver*');
    for (const k of redisKeys) {
      if ((await api.app.redis.type(k)) === 'hash') expect(JSON.stringify(await api.app.redis.hgetall(k))).not.toContain(EMAIL);
    }
    await rx.close();
  });

  it('disables-a-webhook-after-repeated-failed-deliveries-and-replays-a-failed-one', async () => {
    const rx = await receiver();
    rx.otherwise = 'fail';
    const hook = await createWebhook(rx.url, ['CSAT_RECEIVED']);
    const service = api.app.services.integrations.webhooks;
    await service.emit('CSAT_RECEIVED', { score: 1 }, `f1-${run}`);
    await service.emit('CSAT_RECEIVED', { score: 2 }, `f2-${run}`);
    const w = await eventually(async () => {
      const x = await webhook(hook.id);
      return x.status === 'DISABLED' ? x : null;
    }, 60_000);
    expect(w.consecutiveFailures).toBe(2);
    expect(w.deliveries.every((d) => d.status === 'FAILED' && d.attempts === 6 && d.lastStatusCode === 500)).toBe(true);
    expect(await service.emit('CSAT_RECEIVED', { score: 3 }, `f3-${run}`)).toBe(0); // disabled: nothing queued

    rx.otherwise = 'ok';
    const failed = w.deliveries.find((d) => d.eventId === `f1-${run}`)!;
    const refused = await api.gql('mutation($id: ID!) { replayWebhookDelivery(id: $id) { status } }', { id: failed.id });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await api.gql('mutation($id: ID!) { setWebhookEnabled(id: $id, enabled: true) { status } }', { id: hook.id })).body.errors).toBeUndefined();
    const replay = await api.gql<{ replayWebhookDelivery: { status: string } }>('mutation($id: ID!) { replayWebhookDelivery(id: $id) { status } }', { id: failed.id });
    expect(replay.body.data!.replayWebhookDelivery.status).toBe('PENDING');
    await eventually(async () => (await webhook(hook.id)).deliveries.find((d) => d.id === failed.id && d.status === 'DELIVERED'), 30_000);
    expect(rx.received.filter((r) => r.answered === 204).map((r) => r.eventId)).toEqual([`f1-${run}`]);
    expect((await webhook(hook.id)).consecutiveFailures).toBe(0);
    await rx.close();
  });

  it('sends-negative-emotion-complaint-resolution-and-knowledge-publication-events', async () => {
    const rx = await receiver();
    await createWebhook(rx.url, ['NEGATIVE_EMOTION', 'COMPLAINT_SIGNAL', 'CONVERSATION_RESOLVED', 'KNOWLEDGE_PUBLISHED']);
    const c = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "web"}) { id } }', {}, keys.SERVICE);
    const id = c.body.data!.startConversation.id;
    await api.gql('mutation($id: ID!) { sendMessage(conversationId: $id, text: "This X5 phone is terrible, the worst purchase ever, I am furious") { id } }', { id }, keys.SERVICE);
    await api.gql('mutation($id: ID!) { resolveConversation(id: $id) { status } }', { id }, keys.AGENT);
    const created = await api.gql('mutation($i: KnowledgeInput!) { createKnowledge(input: $i, publish: true) { id } }', { i: { kind: 'FACT', question: `Webhook test ${run}?`, answer: 'Yes.' } });
    expect(created.body.errors).toBeUndefined();
    const types = () => new Set(rx.received.filter((r) => r.answered === 204).map((r) => (JSON.parse(r.body) as { type: string }).type));
    await eventually(async () => ['emotion.negative', 'complaint.signal', 'conversation.resolved', 'knowledge.published'].every((t) => types().has(t)), 30_000);
    const negative = rx.received.map((r) => JSON.parse(r.body) as { type: string; data: { emotion: string | null } }).find((p) => p.type === 'emotion.negative')!;
    expect(negative.data.emotion).toBe('angry');
    const complaint = rx.received.map((r) => JSON.parse(r.body) as { type: string; data: { entities: Array<{ entityId: string }> } }).find((p) => p.type === 'complaint.signal')!;
    expect(complaint.data.entities.length).toBeGreaterThan(0);
    await rx.close();
  });

  it.each([
    ['http://10.1.2.3/hook', 'private-address'],
    ['http://169.254.169.254/latest/meta-data', 'private-address'],
    ['http://[::ffff:192.168.1.1]/x', 'private-address'],
    ['ftp://example.com/x', 'invalid-url'],
    ['not a url', 'invalid-url'],
    ['https://user:pw@example.com/x', 'invalid-url'],
  ])('refuses-a-bad-webhook-url: %s', async (url, reason) => {
    const r = await api.gql('mutation($i: WebhookInput!) { createWebhook(input: $i) { id } }', { i: { url, events: ['CSAT_RECEIVED'] } });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { reason } });
  });

  it('logs-an-unreachable-receiver-as-a-typed-failure-and-the-conversation-goes-on', async () => {
    const rx = await receiver();
    const closedUrl = rx.url;
    await rx.close(); // nothing listens there any more
    const hook = await createWebhook(closedUrl, ['CONVERSATION_ESCALATED']);
    const c = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "web"}) { id } }', {}, keys.SERVICE);
    const id = c.body.data!.startConversation.id;
    const reply = await api.gql<{ sendMessage: { escalate: boolean } }>('mutation($id: ID!) { sendMessage(conversationId: $id, text: "I want to talk to a real person") { escalate } }', { id }, keys.SERVICE);
    expect(reply.body.data!.sendMessage.escalate).toBe(true);
    const d = await eventually(async () => (await webhook(hook.id)).deliveries.find((x) => x.status === 'FAILED'), 60_000);
    expect(d.lastError).toMatch(/^unreachable: /);
    expect(d.attempts).toBe(6);
  });
});
