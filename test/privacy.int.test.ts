import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow } from './dialogue-client.js';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { createKeys, loadSeed } from './seed-fixture.js';

let api: TestApi;
let keys: Awaited<ReturnType<typeof createKeys>>;
const run = randomUUID().slice(0, 8);
// Keys and secrets are generated per run: none lives in the repository.
const identitySecret = randomBytes(24).toString('hex');
const sign = (customerId: string) => createHmac('sha256', identitySecret).update(customerId).digest('hex');

const EMAIL = `ada.${run}@example.com`;
const PHONE = '13812345678';
const tokenHeader = (t: string) => ({ 'answergraph-visitor-token': t });

interface Started {
  id: string;
  visitorToken: string | null;
}

async function start(key: string, input: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Started> {
  const r = await api.gql<{ startConversation: Started }>('mutation($input: StartConversationInput) { startConversation(input: $input) { id visitorToken } }', { input: { channel: 'web', ...input } }, key, headers);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.startConversation;
}

async function send(id: string, text: string, key: string, headers: Record<string, string> = {}) {
  const r = await api.gql<{ sendMessage: { id: string; role: string; text: string } }>('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id role text } }', { id, t: text }, key, headers);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.sendMessage;
}

/** Everything Neo4j holds about a conversation, as stored: the node, its messages and its feedback. */
async function rawGraph(id: string): Promise<string> {
  const session = api.app.driver.session({ database: api.config.neo4j.database });
  try {
    const r = await session.run(
      `MATCH (c:Conversation {id: $id})
       OPTIONAL MATCH (c)-[:HAS_MESSAGE]->(m:Message)
       OPTIONAL MATCH (f:Feedback)-[:RATES]->(x) WHERE x = c OR x = m
       RETURN c {.*} AS c, collect(DISTINCT m {.*}) AS m, collect(DISTINCT f {.*}) AS f`,
      { id },
    );
    return JSON.stringify(r.records.map((rec) => rec.toObject()));
  } finally {
    await session.close();
  }
}

/** Every Redis key of a conversation (either key layout) with its raw content. */
async function rawRedis(id: string): Promise<string> {
  const redis = api.app.redis;
  const keysFound = [...(await redis.keys(`*${id}*`))];
  const out: string[] = [];
  for (const k of keysFound) {
    const type = await redis.type(k);
    if (type === 'string') out.push(String(await redis.get(k)));
    else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(k, '-', '+')));
    else out.push(`${k}:${type}`);
  }
  return out.join('\n');
}

beforeAll(async () => {
  api = await startTestApi({
    PII_ENCRYPTION_KEYS: `k${run}:${randomBytes(32).toString('base64')}`,
    IDENTITY_VERIFICATION_SECRET: identitySecret,
    // The machine running the tests may be busy (model builds): the seed import must not time out.
    RESOLVER_TIMEOUT_MS: '120000',
  });
  keys = await createKeys(api, run);
  await loadSeed(api);
});
afterAll(async () => {
  await api?.close();
});

describe('personal data is masked or encrypted on every path to storage', () => {
  it('stores-no-pii-in-neo4j-the-event-stream-or-turn-state', async () => {
    const context = { customer: { email: EMAIL, tier: 'gold', note: `call me on ${PHONE}` }, order: { ageDays: 3 } };
    const c = await start(keys.CUSTOMER, { customerContext: context });
    const h = tokenHeader(c.visitorToken!);
    // A process collects the e-mail address and repeats it in its reply.
    await send(c.id, 'I forgot my password', keys.CUSTOMER, h);
    await send(c.id, 'yes', keys.CUSTOMER, h);
    const reply = await send(c.id, `it is ${EMAIL}`, keys.CUSTOMER, h);
    expect(reply.text).toContain(EMAIL); // the customer is answered with their own address
    const rated = await api.gql('mutation($m: ID!, $c: String) { rateMessage(messageId: $m, helpful: true, comment: $c) { knowledgeIds } }', { m: reply.id, c: `write to ${EMAIL}` }, keys.CUSTOMER, h);
    expect(rated.body.errors).toBeUndefined();
    // An agent takes over and repeats the address (the defect the issue confirmed).
    expect((await api.gql('mutation($id: ID!) { claimConversation(id: $id) { status } }', { id: c.id }, keys.AGENT)).body.errors).toBeUndefined();
    const agent = await api.gql('mutation($id: ID!, $t: String!) { agentReply(conversationId: $id, text: $t) { id } }', { id: c.id, t: `I have updated ${EMAIL} and ${PHONE} for you.` }, keys.AGENT);
    expect(agent.body.errors).toBeUndefined();

    const graph = await rawGraph(c.id);
    const redis = await rawRedis(c.id);
    expect(graph).toContain('[EMAIL]');
    expect(redis).toContain('AGENT_MESSAGE');
    for (const raw of [graph, redis]) {
      expect(raw).not.toContain(EMAIL);
      expect(raw).not.toContain(PHONE);
    }
    // The sensitive field is encrypted with the key id for rotation; the visitor and agents read it back.
    expect(graph).toMatch(new RegExp(`enc:v1:k${run}:`));
    const seen = await api.gql<{ conversation: { customerContext: { customer: { email: string; note: string; tier: string } } } }>('query($id: ID!) { conversation(id: $id) { customerContext } }', { id: c.id }, keys.AGENT);
    expect(seen.body.data!.conversation.customerContext.customer).toEqual({ email: EMAIL, tier: 'gold', note: 'call me on [PHONE]' });
  });

  it('keeps-process-answers-usable-after-the-turn-state-round-trips-redis', async () => {
    const c = await start(keys.CUSTOMER);
    const h = tokenHeader(c.visitorToken!);
    await send(c.id, 'I forgot my password', keys.CUSTOMER, h);
    await send(c.id, 'no', keys.CUSTOMER, h);
    const r = await send(c.id, `my number is ${PHONE}`, keys.CUSTOMER, h);
    expect(r.text).toContain('138'); // the prompt rendered the collected (decrypted) number
    expect(await rawRedis(c.id)).not.toContain(PHONE);
  });
});

describe('conversations are bound to visitors, not only to the shared key', () => {
  it('one-visitor-cannot-read-or-write-another-visitors-conversation-with-the-same-key', async () => {
    const a = await start(keys.CUSTOMER);
    const b = await start(keys.CUSTOMER);
    expect(a.visitorToken).toMatch(/^vt_/);
    expect(b.visitorToken).not.toBe(a.visitorToken);
    await send(a.id, 'How long does a refund take?', keys.CUSTOMER, tokenHeader(a.visitorToken!));

    const read = 'query($id: ID!) { conversation(id: $id) { id messages { text } } }';
    for (const headers of [tokenHeader(b.visitorToken!), {}]) {
      expect((await api.gql(read, { id: a.id }, keys.CUSTOMER, headers)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const write = await api.gql('mutation($id: ID!) { sendMessage(conversationId: $id, text: "hi") { id } }', { id: a.id }, keys.CUSTOMER, headers);
      expect(write.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const sub = follow(api, keys.CUSTOMER, a.id, '0', { visitorToken: b.visitorToken! });
    await eventually(async () => sub.errors.length > 0);
    expect(sub.events).toEqual([]);
    await sub.close();

    const own = await api.gql<{ conversation: { messages: unknown[] } }>(read, { id: a.id }, keys.CUSTOMER, tokenHeader(a.visitorToken!));
    expect(own.body.data!.conversation.messages).toHaveLength(2);
    const ownSub = follow(api, keys.CUSTOMER, a.id, '0', { visitorToken: a.visitorToken! });
    await eventually(async () => ownSub.types().includes('BOT_MESSAGE'));
    await ownSub.close();
    // A visitor's next conversation reuses its token; agents see every conversation.
    const again = await start(keys.CUSTOMER, {}, tokenHeader(a.visitorToken!));
    expect(again.visitorToken).toBeNull();
    expect((await api.gql(read, { id: again.id }, keys.CUSTOMER, tokenHeader(a.visitorToken!))).body.errors).toBeUndefined();
    expect((await api.gql(read, { id: a.id }, keys.AGENT)).body.errors).toBeUndefined();
  });

  it('binds-a-customer-id-only-with-the-tenants-signature', async () => {
    const customerId = `cust-${run}-sig`;
    const unsigned = await api.gql('mutation($i: StartConversationInput) { startConversation(input: $i) { id } }', { i: { customerId } }, keys.CUSTOMER);
    expect(unsigned.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await api.gql('mutation($i: StartConversationInput) { startConversation(input: $i) { id } }', { i: { customerId, customerSignature: sign('someone-else') } }, keys.CUSTOMER);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const c = await start(keys.CUSTOMER, { customerId, customerSignature: sign(customerId) });
    expect(c.visitorToken).toBeNull();
    const proof = { 'answergraph-customer-id': customerId, 'answergraph-customer-signature': sign(customerId) };
    await send(c.id, 'Hello', keys.CUSTOMER, proof);
    const badProof = await api.gql('query($id: ID!) { conversation(id: $id) { id } }', { id: c.id }, keys.CUSTOMER, { ...proof, 'answergraph-customer-signature': sign('x') });
    expect(badProof.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const otherCustomer = { 'answergraph-customer-id': `${customerId}-2`, 'answergraph-customer-signature': sign(`${customerId}-2`) };
    expect((await api.gql('query($id: ID!) { conversation(id: $id) { id } }', { id: c.id }, keys.CUSTOMER, otherCustomer)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const malformed = await api.gql('query($id: ID!) { conversation(id: $id) { id } }', { id: c.id }, keys.CUSTOMER, tokenHeader('not-a-token'));
    expect(malformed.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('erasure and retention', () => {
  async function totals(): Promise<unknown> {
    const r = await api.gql<{ analytics: unknown }>('query($f: DateTime!, $t: DateTime!) { analytics(from: $f, to: $t) { conversations messages } }', {
      f: new Date(Date.now() - 3600_000).toISOString(),
      t: new Date(Date.now() + 3600_000).toISOString(),
    });
    return r.body.errors ? r.body.errors : r.body.data!.analytics;
  }

  it('erases-a-customers-conversations-in-neo4j-and-redis-keeps-aggregates-and-audits', async () => {
    const customerId = `cust-${run}-erase`;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await start(keys.SERVICE, { customerId, customerContext: { customer: { email: EMAIL, tier: 'gold' } } });
      ids.push(c.id);
      const m = await send(c.id, `How long does a refund take? Reach me at ${EMAIL}`, keys.SERVICE);
      await api.gql('mutation($m: ID!) { rateMessage(messageId: $m, helpful: false, comment: "too slow for me") { knowledgeIds } }', { m: m.id }, keys.SERVICE);
      await api.gql('mutation($c: ID!) { rateConversation(conversationId: $c, score: 2, comment: "meh") { knowledgeIds } }', { c: c.id }, keys.SERVICE);
    }
    const before = await totals();
    expect(await rawRedis(ids[0]!)).not.toBe('');

    const forbidden = await api.gql('mutation($c: String!) { eraseCustomerData(customerId: $c) { conversations } }', { c: customerId }, keys.CUSTOMER);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const r = await api.gql<{ eraseCustomerData: { eventId: string; conversations: number; messages: number; feedback: number; redisKeys: number } }>(
      'mutation($c: String!) { eraseCustomerData(customerId: $c) { eventId conversations messages feedback redisKeys } }',
      { c: customerId },
      keys.SERVICE,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.eraseCustomerData).toMatchObject({ conversations: 2, messages: 4, feedback: 4 });
    expect(r.body.data!.eraseCustomerData.redisKeys).toBeGreaterThanOrEqual(4);

    for (const id of ids) {
      const graph = await rawGraph(id);
      expect(graph).not.toContain(customerId);
      expect(graph).not.toContain('enc:v1:');
      expect(graph).not.toContain('How long does a refund take');
      expect(graph).not.toContain('too slow');
      expect(graph).toContain('[ERASED]');
      expect(await rawRedis(id)).toBe('');
    }
    expect(await totals()).toEqual(before);
    const session = api.app.driver.session({ database: api.config.neo4j.database });
    try {
      const audit = await session.run('MATCH (e:ErasureEvent {id: $id}) RETURN e {.*} AS e', { id: r.body.data!.eraseCustomerData.eventId });
      const e = audit.records[0]!.get('e') as Record<string, unknown>;
      expect(e).toMatchObject({ reason: 'request', actorName: `SERVICE-${run}` });
      expect(JSON.stringify(e)).not.toContain(customerId);
    } finally {
      await session.close();
    }
    // Erasing again finds nothing; an invalid id is a typed error.
    const again = await api.gql<{ eraseCustomerData: { conversations: number } }>('mutation($c: String!) { eraseCustomerData(customerId: $c) { conversations } }', { c: customerId }, keys.SERVICE);
    expect(again.body.data!.eraseCustomerData.conversations).toBe(0);
    const bad = await api.gql('mutation { eraseCustomerData(customerId: "a b") { conversations } }', {}, keys.SERVICE);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('purges-conversations-past-retention-on-the-schedule', async () => {
    const old = await start(keys.SERVICE, { customerContext: { customer: { tier: 'gold' } } });
    await send(old.id, 'How much is standard delivery?', keys.SERVICE);
    const fresh = await start(keys.SERVICE);
    await send(fresh.id, 'How much is standard delivery?', keys.SERVICE);
    const session = api.app.driver.session({ database: api.config.neo4j.database });
    try {
      await session.run('MATCH (c:Conversation {id: $id}) SET c.lastMessageAt = datetime() - duration({days: 400}), c.createdAt = datetime() - duration({days: 400})', { id: old.id });
    } finally {
      await session.close();
    }
    const { RetentionScheduler } = await import('../src/privacy/retention.js');
    const scheduler = new RetentionScheduler(api.app.services.integrations.erasure, api.app.redis, api.app.services.logger, { days: 365, intervalS: 3600 });
    await api.app.redis.del('answergraph:privacy:retention-lock');
    expect(await scheduler.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await scheduler.runOnce()).toBeNull(); // another sweep within the interval waits its turn
    expect(await rawGraph(old.id)).toContain('[ERASED]');
    expect(await rawGraph(fresh.id)).toContain('standard delivery');
    expect(await rawRedis(old.id)).toBe('');
  });
});
