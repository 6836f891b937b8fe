import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { follow } from './dialogue-client.js';
import { createKeys, loadSeed } from './seed-fixture.js';

let api: TestApi;
let keys: Awaited<ReturnType<typeof createKeys>>;
const run = randomUUID().slice(0, 8);

const MESSAGE_FIELDS = 'id seq role text kind escalate confidence latencyMs resolvedQuestion citations { knowledgeId documentId chunkId start end quote } knowledge { id externalId visibility }';

interface Msg {
  id: string;
  seq: number;
  role: string;
  text: string;
  kind: string | null;
  escalate: boolean;
  confidence: number | null;
  latencyMs: number | null;
  resolvedQuestion: string | null;
  citations: Array<{ knowledgeId: string | null }>;
  knowledge: Array<{ id: string; externalId: string; visibility: string }>;
}

/** Visitor tokens of the conversations CUSTOMER keys started: the key alone does not open them. */
const tokens = new Map<string, string>();
const visitor = (id: string): Record<string, string> => (tokens.has(id) ? { 'answergraph-visitor-token': tokens.get(id)! } : {});
const visitorParams = (id: string): Record<string, string> => (tokens.has(id) ? { visitorToken: tokens.get(id)! } : {});

async function start(key: string, customerContext?: unknown, language?: string): Promise<string> {
  const r = await api.gql<{ startConversation: { id: string; status: string; visitorToken: string | null } }>(
    'mutation($input: StartConversationInput) { startConversation(input: $input) { id status visitorToken } }',
    { input: { channel: 'web', customerContext, language } },
    key,
  );
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data!.startConversation.status).toBe('BOT');
  const { id, visitorToken } = r.body.data!.startConversation;
  if (visitorToken) tokens.set(id, visitorToken);
  return id;
}

async function send(id: string, text: string, key: string, target: TestApi = api): Promise<Msg> {
  const r = await target.gql<{ sendMessage: Msg }>(`mutation($id: ID!, $text: String!) { sendMessage(conversationId: $id, text: $text) { ${MESSAGE_FIELDS} } }`, { id, text }, key, visitor(id));
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.sendMessage;
}

beforeAll(async () => {
  api = await startTestApi();
  keys = await createKeys(api, run);
  await loadSeed(api);
});
afterAll(async () => {
  await api?.close();
});

describe('conversations over GraphQL and graphql-ws', () => {
  it('streams-a-cited-faq-answer-in-chunks-then-the-final-message', async () => {
    const id = await start(keys.CUSTOMER);
    const sub = follow(api, keys.CUSTOMER, id, '0', visitorParams(id));
    const reply = await send(id, 'How long does a refund take?', keys.CUSTOMER);
    expect(reply).toMatchObject({ role: 'bot', kind: 'fact', escalate: false });
    expect(reply.knowledge[0]?.externalId).toBe('fact-en-004');
    expect(reply.citations[0]?.knowledgeId).toBe(reply.knowledge[0]!.id);
    expect(reply.latencyMs).toBeGreaterThan(0);
    await eventually(async () => sub.types().includes('BOT_MESSAGE'));
    expect(sub.types()[0]).toBe('CUSTOMER_MESSAGE');
    expect(sub.types()[1]).toBe('BOT_TYPING');
    const chunks = sub.events.filter((e) => e.type === 'BOT_CHUNK');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text).join('')).toBe(reply.text);
    const final = sub.events.find((e) => e.type === 'BOT_MESSAGE')!;
    expect(final.message).toMatchObject({ id: reply.id, text: reply.text });
    expect(sub.events.indexOf(final)).toBeGreaterThan(sub.events.indexOf(chunks.at(-1)!));
    await sub.close();
  });

  it('counts-each-bot-turn-and-where-its-time-went-in-metrics', async () => {
    const scrape = async () => {
      const text = await (await fetch(`${api.url}/metrics`)).text();
      const value = (pattern: RegExp) => Number(text.match(pattern)?.[1] ?? 0);
      return {
        turns: value(/^answergraph_dialogue_turn_duration_seconds_count\{kind="fact"\} (\d+)/m),
        stages: Object.fromEntries(['understand', 'respond', 'store', 'publish'].map((st) => [st, value(new RegExp(`^answergraph_dialogue_turn_stage_duration_seconds_count\\{stage="${st}"\\} (\\d+)`, 'm'))])),
        storeSeconds: value(/^answergraph_dialogue_turn_stage_duration_seconds_sum\{stage="store"\} ([\d.e-]+)/m),
      };
    };
    const before = await scrape();
    const id = await start(keys.CUSTOMER);
    expect((await send(id, 'How long does a refund take?', keys.CUSTOMER)).kind).toBe('fact');
    const after = await scrape();
    expect(after.turns - before.turns).toBe(1);
    for (const st of ['understand', 'respond', 'store', 'publish']) expect(after.stages[st]! - before.stages[st]!).toBe(1);
    expect(after.storeSeconds).toBeGreaterThan(before.storeSeconds);
  });

  it('runs-a-process-with-slot-validation-and-a-branch', async () => {
    const id = await start(keys.CUSTOMER);
    const first = await send(id, 'I forgot my password', keys.CUSTOMER);
    expect(first.kind).toBe('process');
    expect(first.text).toContain('Can you still access the email address on your account?');
    const branch = await send(id, "No, I can't get into it anymore", keys.CUSTOMER);
    expect(branch.text).toContain("What's the mobile number registered to your account?");
    const invalid = await send(id, 'my phone number is banana', keys.CUSTOMER);
    expect(invalid.text).toMatch(/phone/i);
    expect(invalid.text).toContain("What's the mobile number registered to your account?");
    const phone = await send(id, 'it is +65 9123 4567', keys.CUSTOMER);
    expect(phone.text).toContain('+6591234567');
    expect(phone.text).toContain('Did it arrive?');
    const done = await send(id, 'yes it did', keys.CUSTOMER);
    expect(done.text).toContain('Forgot password > Use SMS code');
    // The process is over: the next message is answered from knowledge again.
    const after = await send(id, 'How much is standard delivery?', keys.CUSTOMER);
    expect(after.kind).toBe('fact');
  });

  it('answers-a-question-in-the-middle-of-a-process-and-comes-back-and-cancels', async () => {
    const id = await start(keys.CUSTOMER);
    const first = await send(id, 'I want to return my order', keys.CUSTOMER);
    expect(first.text).toContain("What's your order number?");
    const aside = await send(id, 'How much does standard delivery cost?', keys.CUSTOMER);
    expect(aside.kind).toBe('fact');
    expect(aside.text).toContain('Standard Delivery takes 2 to 4 working days');
    expect(aside.text).toContain('Back to “Return an item”');
    const order = await send(id, 'It is NW-204518', keys.CUSTOMER);
    expect(order.text).toContain('Which item from order NW-204518');
    const cancelled = await send(id, 'cancel', keys.CUSTOMER);
    expect(cancelled.text).toContain('stopped “Return an item”');
  });

  it('fires-a-rule-on-the-conversation-context-and-cites-it', async () => {
    const id = await start(keys.CUSTOMER, { order: { ageDays: 9 }, item: { opened: false } });
    const reply = await send(id, 'Can I get a full refund for this?', keys.CUSTOMER);
    expect(reply.kind).toBe('rule');
    expect(reply.knowledge[0]?.externalId).toBe('rule-refund-unopened');
    expect(reply.citations[0]?.knowledgeId).toBe(reply.knowledge[0]!.id);
  });

  it('resolves-follow-up-questions-with-entities-of-earlier-turns', async () => {
    const id = await start(keys.CUSTOMER);
    await send(id, 'Does the X5 come with a charger?', keys.CUSTOMER);
    const followUp = await send(id, 'Is it waterproof?', keys.CUSTOMER);
    expect(followUp.resolvedQuestion).toContain('Northwind X5');
    expect(['fact-en-019', 'fact-en-039']).toContain(followUp.knowledge[0]?.externalId);
    await send(id, 'How much is the Northwind A3?', keys.CUSTOMER);
    const ellipsis = await send(id, 'What about the Tab 10?', keys.CUSTOMER);
    expect(ellipsis.resolvedQuestion).toBe('How much is the Tab 10?');
    expect(ellipsis.text).toContain('S$699');
  });

  it('never-cites-internal-knowledge-to-a-customer-even-through-an-integration-key', async () => {
    const id = await start(keys.SERVICE);
    const reply = await send(id, 'How much goodwill credit can an agent give a customer?', keys.SERVICE);
    expect(reply.knowledge.every((k) => k.visibility === 'PUBLIC')).toBe(true);
    expect(reply.text).not.toMatch(/S\$30 per case|S\$100/);
  });

  it('masks-personal-data-in-stored-messages', async () => {
    const id = await start(keys.CUSTOMER);
    await send(id, 'my email is jo.tan@example.com and my phone is +65 9123 4567', keys.CUSTOMER);
    const r = await api.gql<{ conversation: { messages: Array<{ role: string; text: string }> } }>('query($id: ID!) { conversation(id: $id) { messages { role text } } }', { id }, keys.CUSTOMER, visitor(id));
    const customer = r.body.data!.conversation.messages.find((m) => m.role === 'customer')!;
    expect(customer.text).toBe('my email is [EMAIL] and my phone is [PHONE]');
  });

  it('keeps-conversations-private-to-the-key-that-started-them', async () => {
    const id = await start(keys.CUSTOMER);
    const other = await api.gql<{ createApiKey: { key: string } }>('mutation { createApiKey(role: CUSTOMER, name: "other") { key } }');
    const key = other.body.data!.createApiKey.key;
    const r = await api.gql(`mutation($id: ID!) { sendMessage(conversationId: $id, text: "hi") { id } }`, { id }, key);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const sub = follow(api, key, id, '0');
    await eventually(async () => sub.errors.length > 0);
    await sub.close();
    const bad = await api.gql(`mutation($id: ID!) { sendMessage(conversationId: $id, text: "") { id } }`, { id }, keys.CUSTOMER, visitor(id));
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('hand-off to a human agent', () => {
  it('escalates-on-request-agent-claims-replies-on-the-customer-socket-and-hands-back', async () => {
    const id = await start(keys.CUSTOMER, { customer: { tier: 'gold' } });
    const customerSub = follow(api, keys.CUSTOMER, id, '0', visitorParams(id));
    await send(id, 'How long does a refund take?', keys.CUSTOMER);
    const handoff = await send(id, 'I want to talk to a real person please', keys.CUSTOMER);
    expect(handoff).toMatchObject({ kind: 'handoff', escalate: true });
    await eventually(async () => customerSub.types().includes('ESCALATED'));

    // The agent inbox: the conversation, its transcript, the customer context and suggested answers.
    const inbox = await api.gql<{ conversations: { edges: Array<{ node: { id: string; status: string; escalationReason: string; customerContext: unknown; messages: Array<{ role: string; text: string }>; suggestions: Array<{ text: string; knowledge: Array<{ externalId: string }> }> } }> } }>(
      `query { conversations(statuses: [ESCALATED], first: 50) { edges { node { id status escalationReason customerContext messages { role text } suggestions { text confidence knowledge { externalId } } } } } }`,
      {},
      keys.AGENT,
    );
    expect(inbox.body.errors).toBeUndefined();
    const node = inbox.body.data!.conversations.edges.find((e) => e.node.id === id)!.node;
    expect(node).toMatchObject({ status: 'ESCALATED', escalationReason: 'requested', customerContext: { customer: { tier: 'gold' } } });
    expect(node.messages.map((m) => m.role)).toEqual(['customer', 'bot', 'customer', 'bot']);
    expect(node.suggestions.length).toBeGreaterThan(0);
    const forbidden = await api.gql('query { conversations(first: 5) { totalCount } }', {}, keys.CUSTOMER);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const claimed = await api.gql<{ claimConversation: { status: string; agentName: string } }>('mutation($id: ID!) { claimConversation(id: $id) { status agentName } }', { id }, keys.AGENT);
    expect(claimed.body.data!.claimConversation.status).toBe('AGENT');
    const again = await api.gql('mutation($id: ID!) { claimConversation(id: $id) { status } }', { id }, keys.AGENT2);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const agentSub = follow(api, keys.AGENT, id);
    await eventually(async () => api.app.services.dialogue.events.followers(id) >= 2);
    const reply = await api.gql<{ agentReply: { role: string; author: string } }>('mutation($id: ID!, $t: String!) { agentReply(conversationId: $id, text: $t) { role author } }', { id, t: 'Hi, I am Mei from Customer Care. Let me check your refund.' }, keys.AGENT);
    expect(reply.body.data!.agentReply.role).toBe('agent');
    await eventually(async () => customerSub.events.find((e) => e.type === 'AGENT_MESSAGE'));
    expect(customerSub.types()).toContain('AGENT_JOINED');
    expect(customerSub.events.find((e) => e.type === 'AGENT_MESSAGE')!.message!.text).toBe('Hi, I am Mei from Customer Care. Let me check your refund.');

    // While the agent has it, the bot stays quiet and the agent sees the customer's message.
    const own = await send(id, 'Thanks, the order number is NW-204518', keys.CUSTOMER);
    expect(own.role).toBe('customer');
    await eventually(async () => agentSub.events.find((e) => e.type === 'CUSTOMER_MESSAGE'));
    const other = await api.gql('mutation($id: ID!, $t: String!) { agentReply(conversationId: $id, text: $t) { id } }', { id, t: 'me too' }, keys.AGENT2);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const back = await api.gql<{ handBackConversation: { status: string } }>('mutation($id: ID!) { handBackConversation(id: $id) { status } }', { id }, keys.AGENT);
    expect(back.body.data!.handBackConversation.status).toBe('BOT');
    await eventually(async () => customerSub.types().includes('AGENT_LEFT'));
    const bot = await send(id, 'How much is standard delivery?', keys.CUSTOMER);
    expect(bot).toMatchObject({ role: 'bot', kind: 'fact' });

    const resolved = await api.gql<{ resolveConversation: { status: string } }>('mutation($id: ID!) { resolveConversation(id: $id) { status } }', { id }, keys.AGENT);
    expect(resolved.body.data!.resolveConversation.status).toBe('RESOLVED');
    await eventually(async () => customerSub.types().includes('RESOLVED'));
    await customerSub.close();
    await agentSub.close();
  });

  it.each([
    ['questions-it-cannot-answer', ['blorp fizzle wug snazzle', 'zorp quibble frobnicate']],
    ['answers-a-process-step-rejects', ['I want to return my order', 'no idea', 'dunno']],
  ])('escalates-after-two-failed-turns: %s', async (_name, messages) => {
    const id = await start(keys.CUSTOMER);
    const replies = [];
    for (const m of messages) replies.push(await send(id, m, keys.CUSTOMER));
    expect(replies.slice(0, -1).every((r) => !r.escalate)).toBe(true);
    expect(replies.at(-1)!.escalate).toBe(true);
    const c = await api.gql<{ conversation: { status: string; escalationReason: string } }>('query($id: ID!) { conversation(id: $id) { status escalationReason } }', { id }, keys.CUSTOMER, visitor(id));
    expect(c.body.data!.conversation).toEqual({ status: 'ESCALATED', escalationReason: 'failed-turns' });
  });

  it('escalates-on-strongly-negative-sentiment', async () => {
    const id = await start(keys.CUSTOMER);
    const reply = await send(id, 'This is absolutely terrible, your service is useless and I am furious!', keys.CUSTOMER);
    expect(reply.escalate).toBe(true);
    const c = await api.gql<{ conversation: { escalationReason: string } }>('query($id: ID!) { conversation(id: $id) { escalationReason } }', { id }, keys.CUSTOMER, visitor(id));
    expect(c.body.data!.conversation.escalationReason).toBe('negative-sentiment');
  });
});

describe('feedback', () => {
  it('links-message-ratings-and-csat-to-the-knowledge-used', async () => {
    const id = await start(keys.CUSTOMER);
    const reply = await send(id, 'How long does a refund take?', keys.CUSTOMER);
    const rated = await api.gql<{ rateMessage: { knowledgeIds: string[] } }>('mutation($m: ID!) { rateMessage(messageId: $m, helpful: true, comment: "clear") { knowledgeIds } }', { m: reply.id }, keys.CUSTOMER, visitor(id));
    expect(rated.body.data!.rateMessage.knowledgeIds).toEqual([reply.knowledge[0]!.id]);
    const csat = await api.gql<{ rateConversation: { knowledgeIds: string[] } }>('mutation($c: ID!) { rateConversation(conversationId: $c, score: 5) { knowledgeIds } }', { c: id }, keys.CUSTOMER, visitor(id));
    expect(csat.body.data!.rateConversation.knowledgeIds).toContain(reply.knowledge[0]!.id);
    const bad = await api.gql('mutation($c: ID!) { rateConversation(conversationId: $c, score: 6) { knowledgeIds } }', { c: id }, keys.CUSTOMER, visitor(id));
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const c = await api.gql<{ conversation: { csat: number } }>('query($id: ID!) { conversation(id: $id) { csat } }', { id }, keys.CUSTOMER, visitor(id));
    expect(c.body.data!.conversation.csat).toBe(5);
  });
});
