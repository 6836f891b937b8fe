import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.js';
import { createKeys, loadSeed } from './seed-fixture.js';

let api: TestApi;
let keys: Awaited<ReturnType<typeof createKeys>>;
const run = randomUUID().slice(0, 8);

const ANSWER = `query($q: String!, $lang: String, $ctx: JSON) {
  answer(question: $q, language: $lang, context: $ctx) {
    text confidence escalate escalationReason kind language
    intent { name confidence outOfScope }
    citations { knowledgeId documentId chunkId start end quote }
    knowledge { id externalId kind visibility status }
    rule { fired explanation rule { id externalId } }
    entities { text type entityId }
  }
}`;

interface AnswerResult {
  text: string;
  confidence: number;
  escalate: boolean;
  escalationReason: string | null;
  kind: string;
  language: string;
  intent: { name: string; confidence: number; outOfScope: boolean } | null;
  citations: Array<{ knowledgeId: string | null; documentId: string | null; chunkId: string | null; start: number | null; end: number | null; quote: string | null }>;
  knowledge: Array<{ id: string; externalId: string; kind: string; visibility: string; status: string }>;
  rule: { fired: boolean; explanation: string; rule: { id: string; externalId: string } } | null;
  entities: Array<{ text: string; type: string; entityId: string | null }>;
}

async function ask(question: string, key: string, context?: unknown, language?: string): Promise<AnswerResult> {
  const r = await api.gql<{ answer: AnswerResult }>(ANSWER, { q: question, ctx: context, lang: language }, key);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.answer;
}

beforeAll(async () => {
  api = await startTestApi();
  keys = await createKeys(api, run);
  await loadSeed(api);
});
afterAll(async () => {
  await api?.close();
});

describe('answer (GraphRAG over the demo knowledge base)', () => {
  it('answers-a-faq-with-a-citation-of-the-fact', async () => {
    const a = await ask('How long does a refund take to reach my card?', keys.CUSTOMER);
    expect(a.kind).toBe('fact');
    expect(a.knowledge[0]?.externalId).toBe('fact-en-004');
    expect(a.text).toContain('inspect returns within 2 working days');
    expect(a.citations[0]).toMatchObject({ knowledgeId: a.knowledge[0]!.id });
    expect(a.confidence).toBeGreaterThan(0.5);
    expect(a.escalate).toBe(false);
  });

  it('answers-chinese-questions-from-chinese-knowledge', async () => {
    const a = await ask('退款多久到账？', keys.CUSTOMER);
    expect(a.language).toBe('zh');
    expect(a.kind).toBe('fact');
    expect(a.knowledge[0]?.externalId).toBe('fact-zh-003');
    expect(a.text).toMatch(/[\u4e00-\u9fff]/);
    expect(a.confidence).toBeGreaterThan(0.5);
  });

  it('never-answers-a-weak-chinese-match-with-an-unrelated-fact', async () => {
    // A paraphrase (多长时间 for 多久) shares little text with the fact, and the English-only encoder
    // cannot see the meaning: the right fact ranks first on its bigrams, with low confidence. Below the
    // escalation floor the customer is asked, in Chinese, to rephrase, and nothing is cited.
    const a = await ask('退款需要多长时间？', keys.CUSTOMER);
    expect(a.language).toBe('zh');
    expect(a.text).toMatch(/[\u4e00-\u9fff]/);
    if (a.confidence < 0.15) {
      expect(a.escalate).toBe(true);
      expect(a.citations).toEqual([]);
    } else {
      expect(a.knowledge[0]?.externalId).toBe('fact-zh-003');
    }
  });

  it('links-entities-named-in-the-question', async () => {
    const a = await ask('Does the X5 come with a charger in the box?', keys.CUSTOMER);
    expect(a.entities.some((e) => e.text === 'X5' && e.entityId)).toBe(true);
    expect(a.knowledge[0]?.externalId).toBe('fact-en-040');
  });

  it('fires-a-rule-against-the-customer-context-and-cites-it', async () => {
    const a = await ask('Can I get a full refund for this?', keys.CUSTOMER, { order: { ageDays: 10 }, item: { opened: false } });
    expect(a.kind).toBe('rule');
    expect(a.rule).toMatchObject({ fired: true, rule: { externalId: 'rule-refund-unopened' } });
    expect(a.rule!.explanation).toMatch(/order\.ageDays/);
    expect(a.citations[0]!.knowledgeId).toBe(a.rule!.rule.id);
    expect(a.text).toContain('full refund');
  });

  it('says-what-a-rule-says-when-it-does-not-fire', async () => {
    const a = await ask('Can I get a full refund for this?', keys.CUSTOMER, { order: { ageDays: 45 }, item: { opened: false } });
    expect(a.kind).toBe('rule');
    expect(a.rule).toMatchObject({ fired: false, rule: { externalId: 'rule-refund-unopened' } });
    expect(a.text).toContain('needs the item to be unopened and returned within 30 days');
  });

  it('never-gives-customers-internal-or-restricted-knowledge', async () => {
    const questions = ['How much goodwill credit can I give a customer?', 'Where do I escalate technical or delivery problems?', 'When is an order held for fraud review?'];
    for (const q of questions) {
      const a = await ask(q, keys.CUSTOMER);
      expect(a.knowledge.every((k) => k.visibility === 'PUBLIC' && k.status === 'PUBLISHED')).toBe(true);
      expect(a.text).not.toMatch(/7700|7720|7799|7790|S\$30 per case/);
      const hits = await api.gql<{ retrieve: unknown }>('query($q: String!) { retrieve(query: $q) { item { id } } }', { q }, keys.CUSTOMER);
      expect(hits.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const agent = await ask('How much goodwill credit can I give a customer?', keys.AGENT);
    expect(agent.knowledge[0]).toMatchObject({ externalId: 'fact-en-052', visibility: 'INTERNAL' });
  });

  it('greets-without-retrieval-and-escalates-when-asked-for-a-person', async () => {
    const hi = await ask('Hello, anyone there?', keys.CUSTOMER);
    expect(hi.kind).toBe('smalltalk');
    const human = await ask('I want to talk to a real person', keys.CUSTOMER);
    expect(human).toMatchObject({ kind: 'handoff', escalate: true, escalationReason: 'requested' });
  });

  it('escalates-an-out-of-scope-question-with-low-confidence', async () => {
    const a = await ask('What is the best recipe for banana bread?', keys.CUSTOMER);
    expect(a.confidence).toBeLessThan(0.45);
  });

  it('uses-at-most-three-graph-round-trips-per-answer', async () => {
    const count = async () => {
      const metric = await api.app.metrics.registry.getSingleMetric('answergraph_cypher_query_duration_seconds')!.get();
      const counts: Record<string, number> = {};
      for (const v of metric.values) if ((v as { metricName?: string }).metricName?.endsWith('_count')) counts[String(v.labels.query)] = (counts[String(v.labels.query)] ?? 0) + v.value;
      return counts;
    };
    const before = await count();
    await ask('How much is standard delivery?', keys.CUSTOMER);
    const after = await count();
    // Authenticating the key may read it (auth/*); everything else the answer sends is counted.
    const ran = Object.fromEntries(Object.entries(after).map(([q, n]) => [q, n - (before[q] ?? 0)]).filter(([q, n]) => (n as number) > 0 && !String(q).startsWith('auth/')));
    // Entity linking (runs while the model embeds the question), the similar-question search (src/learning: a fact
    // scores by its best question) and the one GraphRAG query; nothing else. The question search is the round trip
    // issue #13 added; folding it into retrieval/hybrid is open work.
    expect(ran).toEqual({ 'retrieval/link-entities': 1, 'learning/question-search': 1, 'retrieval/hybrid': 1 });
  });

  it('rejects-bad-input-with-typed-errors', async () => {
    const empty = await api.gql(ANSWER, { q: '  ' }, keys.CUSTOMER);
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ctx = await api.gql(ANSWER, { q: 'refund?', ctx: [1, 2] }, keys.CUSTOMER);
    expect(ctx.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const lucene = await ask('refund AND (opened OR "unopened") NOT card* ~ ^ : / \\', keys.CUSTOMER);
    expect(lucene.text.length).toBeGreaterThan(0);
  });
});

describe('answers from source documents', () => {
  const docId = `doc-${run}`;
  const chunkId = `chunk-${run}`;
  const chunkText =
    'Northwind Lounge Policy. Members can use the airport lounge at Changi Terminal 3 before international flights. ' +
    'Each lounge visit includes two free drinks and a snack. Lounge access is not available for domestic flights.';
  beforeAll(async () => {
    // A document as ingestion stores it: Document -HAS_CHUNK-> Chunk (offset 500 in the document), a fact DERIVED_FROM a sentence.
    const created = await api.gql<{ createKnowledge: { id: string } }>(
      'mutation($input: KnowledgeInput!) { createKnowledge(input: $input, publish: true) { id } }',
      { input: { kind: 'FACT', externalId: `lounge-${run}`, question: 'Can I use the lounge before a flight?', answer: 'Members can use the airport lounge at Changi Terminal 3 before international flights.', language: 'en' } },
      keys.EDITOR,
    );
    const factId = created.body.data!.createKnowledge.id;
    const sentenceStart = chunkText.indexOf('Members');
    const sentenceEnd = chunkText.indexOf('flights.') + 'flights.'.length;
    await api.app.services.executor.writeText(
      'test/document-fixture',
      `CREATE (d:Document {id: $docId, title: 'Lounge policy', visibility: 'PUBLIC', language: 'en'})-[:HAS_CHUNK]->(c:Chunk {id: $chunkId, index: 0, start: 500, text: $text})
       WITH c MATCH (k:Knowledge {id: $factId}) CREATE (k)-[:DERIVED_FROM {start: 500 + $s, end: 500 + $e}]->(c)`,
      { docId, chunkId, text: chunkText, factId, s: sentenceStart, e: sentenceEnd },
    );
    const embedded = await api.gql<{ embedKnowledge: number }>('mutation($ids: [ID!]) { embedKnowledge(ids: $ids) }', { ids: [factId] }, keys.EDITOR);
    expect(embedded.body.errors).toBeUndefined();
  });

  it('cites-document-chunk-and-character-offsets-of-a-fact-source', async () => {
    const a = await ask('Can I use the airport lounge before my flight?', keys.CUSTOMER);
    expect(a.kind).toBe('fact');
    const c = a.citations.find((x) => x.documentId === docId);
    expect(c).toBeDefined();
    expect(c).toMatchObject({ chunkId, start: 500 + chunkText.indexOf('Members'), quote: 'Members can use the airport lounge at Changi Terminal 3 before international flights.' });
    expect(c!.end! - c!.start!).toBe(c!.quote!.length);
  });

  it('extracts-sentences-from-a-passage-when-no-fact-answers', async () => {
    const a = await ask('How many free drinks does a lounge visit include?', keys.CUSTOMER);
    expect(a.kind).toBe('passage');
    expect(a.text).toContain('two free drinks');
    const c = a.citations[0]!;
    expect(c).toMatchObject({ documentId: docId, chunkId, knowledgeId: null });
    expect(chunkText.slice(c.start! - 500, c.end! - 500)).toBe(c.quote);
  });
});
