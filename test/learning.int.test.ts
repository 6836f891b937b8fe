import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';

let api: TestApi;
const run = randomUUID().slice(0, 8);
let customerKey: string;

beforeAll(async () => {
  api = await startTestApi({ LEARNING_SWEEP_INTERVAL_MS: '200', RESOLVER_TIMEOUT_MS: '120000' });
  const r = await api.gql<{ createApiKey: { key: string } }>('mutation($name: String!) { createApiKey(role: CUSTOMER, name: $name) { key } }', { name: `customer-${run}` });
  customerKey = r.body.data!.createApiKey.key;
});
afterAll(async () => {
  await api?.close();
});

async function gql<T>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T> {
  const r = await api.gql<T>(query, variables, key);
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data!;
}

async function createFact(input: Record<string, unknown>): Promise<string> {
  const r = await gql<{ createKnowledge: { id: string } }>('mutation($input: KnowledgeInput!) { createKnowledge(input: $input, publish: true) { id } }', { input: { kind: 'FACT', ...input } });
  await gql('mutation($ids: [ID!]) { embedKnowledge(ids: $ids) }', { ids: [r.createKnowledge.id] });
  return r.createKnowledge.id;
}

/** The ids of the items `answer` used, as a customer sees them. */
async function answeredBy(question: string): Promise<string[]> {
  const r = await gql<{ answer: { knowledge: Array<{ id: string }> } }>('query($q: String!) { answer(question: $q) { knowledge { id } } }', { q: question }, customerKey);
  return r.answer.knowledge.map((k) => k.id);
}

/** One conversation turn; returns the bot message's id and the items it used. */
async function ask(question: string): Promise<{ messageId: string; used: string[] }> {
  const c = await gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "web"}) { id } }');
  const m = await gql<{ sendMessage: { id: string; knowledge: Array<{ id: string }> } }>(
    'mutation($id: ID!, $text: String!) { sendMessage(conversationId: $id, text: $text) { id knowledge { id } } }',
    { id: c.startConversation.id, text: question },
  );
  return { messageId: m.sendMessage.id, used: m.sendMessage.knowledge.map((k) => k.id) };
}

const QUALITY = `query($id: ID!) { knowledgeItem(id: $id) { status qualityScore
  quality { score evidenceScore decay threshold reviewBy reasons inputs { helpful unhelpful csat uses escalations } }
  qualityHistory { score reasons at } history { change reason } } }`;

interface QualityView {
  knowledgeItem: {
    status: string;
    qualityScore: number | null;
    quality: { score: number; threshold: number; reviewBy: string; reasons: string[]; inputs: { helpful: number; unhelpful: number; uses: number } };
    qualityHistory: Array<{ score: number; reasons: string[] }>;
    history: Array<{ change: string; reason: string | null }>;
  };
}

describe('quality scores and demotion', () => {
  it('rates-an-item-down-until-it-returns-to-review-and-leaves-answers', async () => {
    const question = `How do I recalibrate the quibbleflux ${run} meter?`;
    const id = await createFact({ externalId: `quality-${run}`, question, answer: `Hold the quibbleflux ${run} reset button for ten seconds.` });
    expect(await answeredBy(question)).toContain(id);

    const fresh = await gql<QualityView>(QUALITY, { id });
    expect(fresh.knowledgeItem.quality).toMatchObject({ score: 0.8, threshold: 0.5, reasons: [] });

    // Customers rate the answers that used it as not helpful, one after another, until it is demoted
    // (with the default prior 0.8 of strength 4, the third rating brings it to 0.457 < 0.5).
    let rated = 0;
    for (; rated < 6; rated++) {
      const turn = await ask(question);
      if (!turn.used.includes(id)) break;
      await gql('mutation($id: ID!) { rateMessage(messageId: $id, helpful: false) { __typename } }', { id: turn.messageId });
      if (rated === 2) await eventually(async () => (await gql<QualityView>(QUALITY, { id })).knowledgeItem.status === 'IN_REVIEW', 20_000);
    }
    expect(rated).toBe(3);
    const demoted = await eventually(async () => {
      const v = await gql<QualityView>(QUALITY, { id });
      return v.knowledgeItem.qualityScore === v.knowledgeItem.quality.score ? v : null;
    }, 20_000);
    const item = demoted.knowledgeItem;
    expect(item.status).toBe('IN_REVIEW');
    expect(item.quality.inputs).toMatchObject({ unhelpful: 3, helpful: 0, uses: 3 });
    expect(item.quality.score).toBe(0.457);
    expect(item.quality.reasons).toEqual(['3 of 3 ratings not helpful']);
    expect(item.history[0]).toMatchObject({ change: 'demote', reason: 'quality score 0.457: 3 of 3 ratings not helpful' });
    const scores = item.qualityHistory.map((h) => h.score);
    expect(scores[0]).toBe(0.457);
    expect(scores.at(-1)).toBe(0.8);

    // It left answers, and waits in the review queue with its reasons; nothing was deleted.
    expect(await answeredBy(question)).not.toContain(id);
    const queue = await gql<{ reviewQueue: { edges: Array<{ node: { item: { id: string } | null; type: string; reason: string } }> } }>(
      'query { reviewQueue(status: OPEN, type: QUALITY, first: 100) { edges { node { item { id } type reason } } } }',
    );
    const task = queue.reviewQueue.edges.map((e) => e.node).find((t) => t.item?.id === id);
    expect(task?.reason).toBe('quality score 0.457 below the threshold: 3 of 3 ratings not helpful');
  });

  it('decays-past-the-review-date-set-per-item', async () => {
    const id = await createFact({ externalId: `stale-${run}`, statement: `The ${run} lounge closes at noon.` });
    await gql('mutation($id: ID!, $at: DateTime) { setReviewBy(id: $id, reviewBy: $at) { id } }', { id, at: new Date(Date.now() - 60 * 86_400_000).toISOString() });
    const v = await gql<QualityView>(QUALITY, { id });
    expect(v.knowledgeItem.quality.score).toBeCloseTo(0.2, 2);
    expect(v.knowledgeItem.quality.reasons[0]).toMatch(/^review date .* passed 60 days ago/);
    expect(v.knowledgeItem.status).toBe('IN_REVIEW');
    const bad = await api.gql('mutation { setReviewBy(id: "missing", reviewBy: null) { id } }');
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
