import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { follow } from './dialogue-client.js';
import { createKeys, loadSeed } from './seed-fixture.js';

/** Two API instances on one Neo4j and Redis, as behind a load balancer. */
let a: TestApi;
let b: TestApi;
let keys: Awaited<ReturnType<typeof createKeys>>;
const run = randomUUID().slice(0, 8);

/** Visitor tokens of the conversations CUSTOMER keys started: the key alone does not open them. */
const tokens = new Map<string, string>();
const visitor = (id: string): Record<string, string> => (tokens.has(id) ? { 'answergraph-visitor-token': tokens.get(id)! } : {});
const visitorParams = (id: string): Record<string, string> => (tokens.has(id) ? { visitorToken: tokens.get(id)! } : {});

async function startConversation(api: TestApi, key: string): Promise<string> {
  const r = await api.gql<{ startConversation: { id: string; visitorToken: string | null } }>('mutation { startConversation(input: {channel: "web"}) { id visitorToken } }', {}, key);
  const { id, visitorToken } = r.body.data!.startConversation;
  if (visitorToken) tokens.set(id, visitorToken);
  return id;
}

async function send(api: TestApi, id: string, text: string, key: string): Promise<{ id: string; text: string }> {
  const r = await api.gql<{ sendMessage: { id: string; text: string } }>('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id text } }', { id, t: text }, key, visitor(id));
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.sendMessage;
}

beforeAll(async () => {
  a = await startTestApi();
  b = await startTestApi();
  keys = await createKeys(a, run);
  await loadSeed(a);
  await b.app.services.dialogue.intents.load();
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('scale-out and reconnects', () => {
  it('delivers-live-on-one-instance-what-was-sent-on-the-other', async () => {
    const id = await startConversation(a, keys.CUSTOMER);
    const sub = follow(b, keys.CUSTOMER, id, undefined, visitorParams(id)); // live only: no replay
    await eventually(async () => b.app.services.dialogue.events.followers(id) === 1);
    const reply = await send(a, id, 'How long does a refund take?', keys.CUSTOMER);
    await eventually(async () => sub.events.find((e) => e.type === 'BOT_MESSAGE'));
    expect(sub.events.find((e) => e.type === 'BOT_MESSAGE')!.message!.id).toBe(reply.id);
    expect(sub.types()[0]).toBe('CUSTOMER_MESSAGE');
    // The next turn, sent to the other instance, continues the same conversation state.
    const second = await send(b, id, 'I forgot my password', keys.CUSTOMER);
    const third = await send(a, id, 'yes', keys.CUSTOMER);
    expect(second.text).toContain('Can you still access the email');
    expect(third.text).toContain("What's the email address on your account?");
    await sub.close();
  });

  it('replays-every-missed-event-after-a-reconnect-and-an-api-restart', async () => {
    const id = await startConversation(a, keys.CUSTOMER);
    const first = follow(a, keys.CUSTOMER, id, '0', visitorParams(id));
    await send(a, id, 'Hello', keys.CUSTOMER);
    await eventually(async () => first.events.find((e) => e.type === 'BOT_MESSAGE'));
    const cursor = first.events.at(-1)!.cursor;
    const seen = first.events.length;
    await first.close();

    // While the client is away, the conversation goes on, and the instance it was on goes away.
    const missed = await send(b, id, 'How much is standard delivery?', keys.CUSTOMER);
    await a.close();
    a = await startTestApi();

    const again = follow(a, keys.CUSTOMER, id, cursor, visitorParams(id));
    await eventually(async () => again.events.find((e) => e.type === 'BOT_MESSAGE'));
    expect(again.events[0]!.type).toBe('CUSTOMER_MESSAGE');
    expect(again.events.find((e) => e.type === 'BOT_MESSAGE')!.message!.id).toBe(missed.id);
    expect(again.events.every((e) => e.cursor > cursor)).toBe(true);
    // Everything from the start, exactly once, in order.
    const all = follow(a, keys.CUSTOMER, id, '0', visitorParams(id));
    await eventually(async () => all.events.length === seen + again.events.length);
    expect(all.events.map((e) => e.cursor)).toEqual([...new Set(all.events.map((e) => e.cursor))]);
    await again.close();
    await all.close();
  });
});
