import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.js';
import { createKeys, loadSeed } from './seed-fixture.js';

let api: TestApi;
let keys: Awaited<ReturnType<typeof createKeys>>;
let crm: Server;
const run = randomUUID().slice(0, 8);
const EMAIL = `linus.${run}@example.com`;
/** Requests the local CRM received, by customer id. */
const hits = new Map<string, number>();
/** Calls of the order-status process action. */
const actionCalls: Array<{ slots: { orderId: string } }> = [];
/** What the CRM answers per customer id. */
const answers: Record<string, 'json' | 'garbage' | 'array' | 'hang' | 'fail'> = {};

beforeAll(async () => {
  crm = createServer((req, res) => {
    if (req.url === '/actions/order-status') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { slots: { orderId: string } };
        actionCalls.push(body);
        if (body.slots.orderId === 'NW-999999') return void res.writeHead(502).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: 'shipped' }));
      });
      return;
    }
    const id = decodeURIComponent(req.url!.split('/').pop()!);
    hits.set(id, (hits.get(id) ?? 0) + 1);
    if (req.headers.authorization !== 'Bearer crm-test') return void res.writeHead(401).end();
    const mode = answers[id] ?? 'json';
    if (mode === 'hang') return; // never answers: the connector times out
    if (mode === 'fail') return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    if (mode === 'garbage') return void res.end('<html>oops</html>');
    if (mode === 'array') return void res.end('[1,2]');
    res.end(JSON.stringify({ customer: { tier: 'gold', email: EMAIL }, order: { ageDays: 9 }, item: { opened: false } }));
  });
  await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  const port = (crm.address() as AddressInfo).port;
  api = await startTestApi({
    PII_ENCRYPTION_KEYS: `c${run}:${randomBytes(32).toString('base64')}`,
    CONTEXT_CONNECTOR_URL: `http://127.0.0.1:${port}/customers/{customerId}`,
    CONTEXT_CONNECTOR_HEADERS: JSON.stringify({ authorization: 'Bearer crm-test' }),
    CONTEXT_CONNECTOR_TIMEOUT_MS: '300',
    CONTEXT_CONNECTOR_CACHE_S: '60',
    CONTEXT_CONNECTOR_BREAKER_FAILURES: '4',
    CONTEXT_CONNECTOR_BREAKER_RESET_MS: '600000',
    PROCESS_ACTIONS: JSON.stringify({ 'order-status': { url: `http://127.0.0.1:${port}/actions/order-status` } }),
    RESOLVER_TIMEOUT_MS: '120000',
    // No background embedding: the process the test imports is never embedded, so its intent must start it
    // whatever its rank in retrieval (a confident intent's process once depended on the embedding sweep).
  }, { background: false });
  keys = await createKeys(api, run);
  await loadSeed(api);
});
afterAll(async () => {
  await api?.close();
  crm?.closeAllConnections();
  await new Promise<void>((resolve) => crm?.close(() => resolve()));
});

async function start(customerId: string, customerContext?: unknown): Promise<{ id: string; contextError: { reason: string } | null; customerContext: Record<string, unknown> }> {
  const r = await api.gql<{ startConversation: { id: string; contextError: { reason: string } | null; customerContext: Record<string, unknown> } }>(
    'mutation($i: StartConversationInput) { startConversation(input: $i) { id customerContext contextError { reason message } } }',
    { i: { channel: 'web', customerId, customerContext } },
    keys.SERVICE,
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.startConversation;
}

describe('context connector', () => {
  it('fetches-context-at-start-merges-it-rules-fire-on-it-and-the-agent-sees-it', async () => {
    const id = `cust-${run}-ok`;
    const c = await start(id, { customer: { tier: 'bronze', segment: 'web' } });
    expect(c.contextError).toBeNull();
    // The connector (system of record) wins over what the caller passed; the caller's other fields stay.
    expect(c.customerContext).toMatchObject({ customer: { tier: 'gold', segment: 'web', email: EMAIL }, order: { ageDays: 9 } });
    const reply = await api.gql<{ sendMessage: { kind: string; knowledge: Array<{ externalId: string }> } }>(
      'mutation($id: ID!) { sendMessage(conversationId: $id, text: "Can I get a full refund for this?") { kind knowledge { externalId } } }',
      { id: c.id },
      keys.SERVICE,
    );
    expect(reply.body.data!.sendMessage).toMatchObject({ kind: 'rule', knowledge: [{ externalId: 'rule-refund-unopened' }] });
    const agent = await api.gql<{ conversation: { customerContext: { order: { ageDays: number } } } }>('query($id: ID!) { conversation(id: $id) { customerContext } }', { id: c.id }, keys.AGENT);
    expect(agent.body.data!.conversation.customerContext.order.ageDays).toBe(9);
    // Cached (sealed, so no address in Redis): a second conversation does not call the CRM again.
    await start(id);
    expect(hits.get(id)).toBe(1);
    const cached = await api.app.redis.get(`answergraph:connector:context:${id}`);
    expect(cached).toMatch(/^enc:v1:/);
    // On demand: refreshed past the cache.
    const refreshed = await api.gql('mutation($id: ID!) { refreshCustomerContext(conversationId: $id) { contextError { reason } } }', { id: c.id }, keys.AGENT);
    expect(refreshed.body.errors).toBeUndefined();
    expect(hits.get(id)).toBe(2);
  });

  it.each([
    ['garbage', 'bad-response'],
    ['array', 'bad-response'],
    ['hang', 'timeout'],
    ['fail', 'http-status'],
  ] as const)('a-connector-answering-%s-is-a-typed-error-and-the-conversation-goes-on', async (mode, reason) => {
    const id = `cust-${run}-${mode}`;
    answers[id] = mode;
    const c = await start(id, { order: { ageDays: 45 } });
    expect(c.contextError?.reason).toBe(reason);
    expect(c.customerContext).toEqual({ order: { ageDays: 45 } });
    const reply = await api.gql<{ sendMessage: { role: string } }>('mutation($id: ID!) { sendMessage(conversationId: $id, text: "How much is standard delivery?") { role } }', { id: c.id }, keys.SERVICE);
    expect(reply.body.data!.sendMessage.role).toBe('bot');
  });

  it('opens-the-circuit-after-repeated-failures-and-fails-fast', async () => {
    // The four failures above opened it (threshold 4): this call does not reach the CRM.
    const id = `cust-${run}-after`;
    const c = await start(id);
    expect(c.contextError?.reason).toBe('circuit-open');
    expect(hits.get(id)).toBeUndefined();
  });
});

describe('process actions', () => {
  it('a-step-calls-an-action-with-its-slots-branches-on-the-value-and-a-failure-is-graceful-for-the-customer-and-full-for-the-agent', async () => {
    const intent = `quibbler_status_${run.replace(/-/g, '')}`;
    const data = [
      { type: 'intent', externalId: `int-${intent}`, name: intent, examples: ['quibbler lookup please', 'run a quibbler lookup', 'quibbler lookup for my purchase', 'I need a quibbler lookup'], language: 'en' },
      {
        type: 'process',
        externalId: `proc-${intent}`,
        name: 'Quibbler order status',
        intent,
        steps: [
          { id: 's1', prompt: 'What is your order number?', slot: 'orderId', validate: { type: 'orderId' } },
          { id: 's2', prompt: 'Let me check order {orderId}.', slot: 'status', action: 'order-status', branches: [{ when: { fact: 'slots.status', op: 'eq', value: 'unavailable' }, next: 's4' }] },
          { id: 's3', prompt: 'Order {orderId} is {status}.', end: true },
          { id: 's4', prompt: 'An agent can check order {orderId} for you.', end: true },
        ],
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const imported = await api.gql<{ importKnowledge: { errors: unknown[] } }>('mutation($d: String!) { importKnowledge(format: JSONL, data: $d, publish: true) { errors { line message } } }', { d: data });
    expect(imported.body.data!.importKnowledge.errors).toEqual([]);
    await api.app.services.dialogue.intents.train();

    const send = async (id: string, t: string, key = keys.SERVICE) =>
      (await api.gql<{ sendMessage: { text: string; actionError: { reason: string; message: string } | null } }>('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { text actionError { reason message } } }', { id, t }, key)).body.data!.sendMessage;
    const ok = await start(`cust-${run}-act`);
    // The process's own prompt, not a fact that happens to mention order numbers.
    expect((await send(ok.id, 'quibbler lookup please')).text).toBe('What is your order number?');
    const done = await send(ok.id, 'NW-204518');
    expect(done.text).toContain('Order NW-204518 is shipped.');
    expect(actionCalls.at(-1)!.slots.orderId).toBe('NW-204518');

    const bad = await start(`cust-${run}-act2`);
    expect((await send(bad.id, 'quibbler lookup please')).text).toBe('What is your order number?');
    const failed = await send(bad.id, 'NW-999999');
    expect(failed.text).toContain("Sorry, I couldn't look that up just now.");
    expect(failed.text).toContain('An agent can check order NW-999999 for you.');
    expect(failed.actionError).toMatchObject({ reason: 'http-status' });
    const agentView = await api.gql<{ conversation: { messages: Array<{ actionError: { reason: string } | null }> } }>('query($id: ID!) { conversation(id: $id) { messages { actionError { reason } } } }', { id: bad.id }, keys.AGENT);
    expect(agentView.body.data!.conversation.messages.some((m) => m.actionError?.reason === 'http-status')).toBe(true);
  });
});
