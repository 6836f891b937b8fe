import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OBSERVE_QUERIES_HEADER } from '../src/server/api-server.js';
import { startTestApi, type TestApi } from './harness.js';

let api: TestApi;
const keys: Record<string, string> = {};
const run = randomUUID().slice(0, 8);
const ext = (name: string) => `${name}-${run}`;

beforeAll(async () => {
  api = await startTestApi();
  for (const [role, grants] of [['CUSTOMER', []], ['AGENT', []], ['EDITOR', []], ['SERVICE', []], ['ADMIN', []], ['AGENT', ['RESTRICTED']]] as const) {
    const r = await api.gql<{ createApiKey: { key: string } }>('mutation($role: Role!, $name: String!, $grants: [Grant!]) { createApiKey(role: $role, name: $name, grants: $grants) { key } }', {
      role,
      name: `${role}-${run}`,
      grants,
    });
    keys[grants.length ? `${role}+R` : role] = r.body.data!.createApiKey.key;
  }
});
afterAll(async () => {
  await api?.close();
});

const CREATE = `mutation($input: KnowledgeInput!, $publish: Boolean) {
  createKnowledge(input: $input, publish: $publish) { id kind status visibility version ... on Fact { question answer } entities { name type } }
}`;

async function createFact(input: Record<string, unknown>, publish = true, key = keys.EDITOR) {
  const r = await api.gql<{ createKnowledge: { id: string; status: string; version: number } }>(CREATE, { input: { kind: 'FACT', ...input }, publish }, key);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.createKnowledge;
}

describe('knowledge lifecycle through GraphQL', () => {
  it('creates, updates (new version), publishes and archives a fact, keeping history', async () => {
    const created = await createFact({ externalId: ext('life'), question: 'How long do refunds take?', answer: 'Five working days.', entities: ['Refund', 'Card'] }, false);
    expect(created).toMatchObject({ status: 'DRAFT', version: 1 });

    const updated = await api.gql<{ updateKnowledge: { version: number; answer: string } }>(
      'mutation($id: ID!, $input: KnowledgePatch!) { updateKnowledge(id: $id, input: $input) { version ... on Fact { answer } } }',
      { id: created.id, input: { answer: 'Up to five working days.' } },
      keys.EDITOR,
    );
    expect(updated.body.data!.updateKnowledge).toEqual({ version: 2, answer: 'Up to five working days.' });

    const published = await api.gql<{ publishKnowledge: { status: string } }>('mutation($id: ID!) { publishKnowledge(id: $id) { status } }', { id: created.id }, keys.EDITOR);
    expect(published.body.data!.publishKnowledge.status).toBe('PUBLISHED');

    const again = await api.gql('mutation($id: ID!) { publishKnowledge(id: $id) { status } }', { id: created.id }, keys.EDITOR);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    await api.gql('mutation($id: ID!) { archiveKnowledge(id: $id, reason: "superseded") { status } }', { id: created.id }, keys.EDITOR);
    const item = await api.gql<{ knowledgeItem: { status: string; version: number; history: Array<{ change: string; version: number; changedFields: string[]; reason: string | null }>; entities: Array<{ name: string }> } }>(
      'query($id: ID!) { knowledgeItem(id: $id) { status version entities { name } history { change version changedFields reason } } }',
      { id: created.id },
      keys.EDITOR,
    );
    const k = item.body.data!.knowledgeItem;
    expect(k.status).toBe('ARCHIVED');
    expect(k.entities.map((e) => e.name).sort()).toEqual(['Card', 'Refund']);
    expect(k.history.map((h) => h.change)).toEqual(['archive', 'publish', 'update', 'create']);
    expect(k.history[0]!.reason).toBe('superseded');
    expect(k.history[2]!.changedFields).toEqual(['answer']);
  });

  it('links and unlinks entities', async () => {
    const f = await createFact({ externalId: ext('link'), statement: 'Stores open at 9am.', entities: [] });
    const ents = await api.gql<{ entities: { edges: Array<{ node: { id: string } }> } }>('query($s: String) { entities(search: $s, first: 5) { edges { node { id name } } } }', { s: 'Refund' }, keys.EDITOR);
    const entityId = ents.body.data!.entities.edges[0]!.node.id;
    const linked = await api.gql<{ linkEntity: { entities: Array<{ id: string }> } }>('mutation($k: ID!, $e: ID!) { linkEntity(knowledgeId: $k, entityId: $e) { entities { id } } }', { k: f.id, e: entityId }, keys.EDITOR);
    expect(linked.body.data!.linkEntity.entities.map((e) => e.id)).toEqual([entityId]);
    const unlinked = await api.gql<{ unlinkEntity: { entities: unknown[] } }>('mutation($k: ID!, $e: ID!) { unlinkEntity(knowledgeId: $k, entityId: $e) { entities { id } } }', { k: f.id, e: entityId }, keys.EDITOR);
    expect(unlinked.body.data!.unlinkEntity.entities).toEqual([]);
    const missing = await api.gql('mutation($k: ID!) { linkEntity(knowledgeId: $k, entityId: "nope") { id } }', { k: f.id }, keys.EDITOR);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Each link and unlink is audited (the failed one wrote nothing, event included).
    const audit = await api.gql<{ auditLog: { edges: Array<{ node: { action: string; details: { entityId: string; link: boolean } } }> } }>(
      'query($id: ID!) { auditLog(first: 10, filter: { itemId: $id, action: "knowledge.link" }) { edges { node { action details } } } }',
      { id: f.id },
      api.adminKey,
    );
    expect(audit.body.data!.auditLog.edges.map((e) => e.node.details)).toEqual([{ entityId, link: false }, { entityId, link: true }]);
  });

  it.each([
    ['a fact without answer or statement', { kind: 'FACT', question: 'Why?' }, /question and an answer, or a statement/],
    ['a rule with an unknown operator', { kind: 'RULE', name: 'r', when: { fact: 'order.ageDays', op: 'lessThan', value: 3 }, then: 'x' }, /when.*op/],
    ['a process with an unreachable step', { kind: 'PROCESS', name: 'p', steps: [{ id: 'a', prompt: 'A', end: true }, { id: 'b', prompt: 'B' }] }, /unreachable|reach/i],
    ['a process pointing at a missing step', { kind: 'PROCESS', name: 'p', steps: [{ id: 'a', prompt: 'A', next: 'zzz' }] }, /zzz/],
  ])('refuses %s with VALIDATION_FAILED and writes nothing', async (_case, input, message) => {
    const externalId = ext(`bad-${randomUUID().slice(0, 4)}`);
    const r = await api.gql(CREATE, { input: { ...input, externalId } }, keys.EDITOR);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors?.[0]?.message).toMatch(message);
    const rows = await api.app.services.executor.readText('test/none', 'MATCH (k:Knowledge {externalId: $externalId}) RETURN count(k) AS n', { externalId });
    expect(rows[0]!.n).toBe(0);
  });

  it('filters knowledgeItems by kind, status, entity and text (English and Chinese), with totalCount', async () => {
    // A draft: published, it would compete with the demo seed's answer in other files' retrieval tests.
    await createFact({ externalId: ext('zh'), question: '退货运费谁承担？', answer: '质量问题的退货运费由我们承担。', language: 'zh', entities: [`Shipping-${run}`] }, false);
    const zh = await api.gql<{ knowledgeItems: { totalCount: number; edges: Array<{ node: { externalId: string } }> } }>(
      'query($f: KnowledgeFilter) { knowledgeItems(first: 10, filter: $f) { totalCount edges { node { externalId } } } }',
      { f: { text: '运费', kind: 'fact', status: 'DRAFT' } },
      keys.EDITOR,
    );
    expect(zh.body.data!.knowledgeItems.edges.map((e) => e.node.externalId)).toContain(ext('zh'));
    const ent = await api.gql<{ entities: { edges: Array<{ node: { id: string } }> } }>('query($s: String) { entities(search: $s, first: 1) { edges { node { id } } } }', { s: `Shipping-${run}` }, keys.CUSTOMER);
    const byEntity = await api.gql<{ knowledgeItems: { totalCount: number } }>(
      'query($f: KnowledgeFilter) { knowledgeItems(first: 10, filter: $f) { totalCount } }',
      { f: { entity: ent.body.data!.entities.edges[0]!.node.id } },
      keys.EDITOR,
    );
    expect(byEntity.body.data!.knowledgeItems.totalCount).toBe(1);
  });

  it('paginates with Relay cursors', async () => {
    for (let i = 0; i < 5; i++) await createFact({ externalId: ext(`page-${i}`), statement: `Paging statement ${run} ${i}` });
    const q = 'query($after: String, $f: KnowledgeFilter) { knowledgeItems(first: 2, after: $after, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { externalId } } } }';
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: { body: { data?: { knowledgeItems: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { externalId: string } }> } } } } = await api.gql(q, { after, f: { text: `Paging ${run}` } }, keys.CUSTOMER);
      const c = r.body.data!.knowledgeItems;
      expect(c.totalCount).toBe(5);
      seen.push(...c.edges.map((e) => e.node.externalId));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(5);
  });
});

describe('roles and visibility', () => {
  const levels = ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    for (const v of levels) ids[v] = (await createFact({ externalId: ext(`vis-${v}`), statement: `Visibility check vis${run} ${v}`, visibility: v }, true, keys.ADMIN)).id;
    ids.DRAFT = (await createFact({ externalId: ext('vis-draft'), statement: `Visibility check vis${run} DRAFT` }, false, keys.ADMIN)).id;
  });

  // role → what it must see among PUBLIC, INTERNAL, RESTRICTED (published) and a PUBLIC draft
  it.each([
    ['CUSTOMER', ['PUBLIC']],
    ['AGENT', ['PUBLIC', 'INTERNAL']],
    ['AGENT+R', ['PUBLIC', 'INTERNAL', 'RESTRICTED']],
    ['SERVICE', ['PUBLIC', 'INTERNAL']],
    ['EDITOR', ['PUBLIC', 'INTERNAL', 'DRAFT']],
    ['ADMIN', ['PUBLIC', 'INTERNAL', 'RESTRICTED', 'DRAFT']],
  ])('%s sees exactly %j, by id, by list and by search', async (role, visible) => {
    const key = keys[role]!;
    for (const [level, id] of Object.entries(ids)) {
      const r = await api.gql<{ knowledgeItem: { id: string } | null }>('query($id: ID!) { knowledgeItem(id: $id) { id } }', { id }, key);
      expect(r.body.data!.knowledgeItem?.id ?? null, `${role} → ${level}`).toBe(visible.includes(level) ? id : null);
    }
    const list = await api.gql<{ knowledgeItems: { edges: Array<{ node: { id: string } }> } }>(
      'query($f: KnowledgeFilter) { knowledgeItems(first: 20, filter: $f) { edges { node { id } } } }',
      { f: { text: `vis${run}` } },
      key,
    );
    const seen = list.body.data!.knowledgeItems.edges.map((e) => e.node.id).sort();
    expect(seen).toEqual(visible.map((v) => ids[v]!).sort());
  });

  it.each([
    ['CUSTOMER', 'createKnowledge'],
    ['AGENT', 'createKnowledge'],
    ['SERVICE', 'createApiKey'],
    ['EDITOR', 'createApiKey'],
  ])('%s may not call %s (FORBIDDEN)', async (role, field) => {
    const q = field === 'createKnowledge' ? CREATE : 'mutation { createApiKey(role: ADMIN, name: "x") { key } }';
    const r = await api.gql(q, field === 'createKnowledge' ? { input: { kind: 'FACT', statement: 'x' } } : {}, keys[role]);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('an editor without the RESTRICTED grant can neither write nor read restricted knowledge', async () => {
    const r = await api.gql(CREATE, { input: { kind: 'FACT', statement: 'secret', visibility: 'RESTRICTED' } }, keys.EDITOR);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const hidden = await api.gql('mutation($id: ID!) { archiveKnowledge(id: $id) { id } }', { id: ids.RESTRICTED }, keys.EDITOR);
    expect(hidden.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a revoked key stops working', async () => {
    const created = await api.gql<{ createApiKey: { id: string; key: string } }>('mutation { createApiKey(role: CUSTOMER, name: "short-lived") { id key } }');
    const { id, key } = created.body.data!.createApiKey;
    expect((await api.gql('{ viewer { role } }', {}, key)).status).toBe(200);
    await api.gql('mutation($id: ID!) { revokeApiKey(id: $id) }', { id });
    const after = await api.gql('{ viewer { role } }', {}, key);
    expect(after.status).toBe(401);
  });
});

describe('rules as data', () => {
  it('evaluates rules against a context and explains which fired and why', async () => {
    const rule = {
      kind: 'RULE',
      externalId: ext('refund-window'),
      name: `Refund window ${run}`,
      when: { all: [{ fact: 'order.ageDays', op: 'lte', value: 30 }, { not: { fact: 'item.opened', op: 'eq', value: true } }] },
      then: 'Eligible for a full refund.',
      otherwise: 'Not eligible for a full refund.',
    };
    const created = await api.gql<{ createKnowledge: { id: string } }>(CREATE, { input: rule, publish: true }, keys.EDITOR);
    const id = created.body.data!.createKnowledge.id;
    const q = 'query($c: JSON!, $ids: [ID!]) { evaluateRules(context: $c, ids: $ids) { fired outcome applicable missingFacts explanation rule { id } } }';
    const yes = await api.gql<{ evaluateRules: Array<{ fired: boolean; outcome: string; explanation: string }> }>(q, { c: { order: { ageDays: 12 }, item: { opened: false } }, ids: [id] }, keys.CUSTOMER);
    expect(yes.body.data!.evaluateRules[0]).toMatchObject({ fired: true, outcome: 'Eligible for a full refund.' });
    expect(yes.body.data!.evaluateRules[0]!.explanation).toMatch(/order\.ageDays/);
    const no = await api.gql<{ evaluateRules: Array<{ fired: boolean; outcome: string; explanation: string }> }>(q, { c: { order: { ageDays: 45 } }, ids: [id] }, keys.CUSTOMER);
    expect(no.body.data!.evaluateRules[0]).toMatchObject({ fired: false, outcome: 'Not eligible for a full refund.' });
    expect(no.body.data!.evaluateRules[0]!.explanation).toMatch(/45/);
    const bad = await api.gql(q, { c: [1, 2] }, keys.CUSTOMER);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('batching', () => {
  // Each probe item is about an entity of its own and one they all share, so a page's entities, sources and
  // knowledge grow with the page: one statement per item or per entity would show as a difference in count.
  const PROBES = 50;
  beforeAll(async () => {
    for (let i = 0; i < PROBES; i++) await createFact({ externalId: ext(`batch-${i}`), statement: `Batch probe ${run} number ${i}`, entities: [`Batch entity ${run} ${i}`, `Batch shared ${run}`] });
  });

  /**
   * The names of the statements the server ran for one operation, sorted (DataLoader batches finish in any
   * order); `page` picks the connection's edges, which must number `first`.
   */
  const observe = async (first: number, query: string, variables: Record<string, unknown>, page: (data: never) => unknown[]) => {
    const r = await api.gqlObserved(query, { ...variables, first }, keys.EDITOR);
    expect(r.body.errors).toBeUndefined();
    expect(page(r.body.data as never)).toHaveLength(first);
    return [...r.queries].sort();
  };
  /** The statement names for a page of 5 and of 50, which must be the same. */
  const observeBoth = async (query: string, variables: Record<string, unknown>, page: (data: never) => unknown[]) => {
    const small = await observe(5, query, variables, page);
    const large = await observe(PROBES, query, variables, page);
    expect(small.length).toBeGreaterThan(0);
    expect(large).toEqual(small);
    return large;
  };

  it('knowledgeItems × entities × sources: the same statements for 50 items as for 5', async () => {
    const names = await observeBoth(
      'query($f: KnowledgeFilter, $first: Int) { knowledgeItems(first: $first, filter: $f) { edges { node { id entities { name } sources { quote } } } } }',
      { f: { text: `Batch probe ${run}` } },
      (d: { knowledgeItems: { edges: unknown[] } }) => d.knowledgeItems.edges,
    );
    expect(names).toEqual(['knowledge/entities-of', 'knowledge/list-text', 'knowledge/sources-of']);
  });

  describe('reviewQueue', () => {
    const document = `batch-document-${run}`;
    const QUEUE = 'query($doc: ID, $first: Int) { reviewQueue(first: $first, document: $doc) { edges { node { id item { id sources { quote } } } } } }';
    const edges = (d: { reviewQueue: { edges: unknown[] } }) => d.reviewQueue.edges;
    beforeAll(async () => {
      const rows = [];
      for (let i = 0; i < PROBES; i++) {
        const draft = await createFact({ externalId: ext(`batch-draft-${i}`), statement: `Batch draft ${run} number ${i}`, entities: [`Batch entity ${run} ${i}`] }, false);
        rows.push({ id: `batch-task-${run}-${i}`, type: 'draft', targetId: draft.id, targetLabel: 'Knowledge', candidateId: null, score: null, documentId: document, chunkId: null, start: i, end: i + 1, quote: null, reason: 'batch probe' });
      }
      // Draft tasks as ingestion files them, under a document id of their own so the queue pages through only these.
      const [created] = await api.app.services.executor.write('ingestion/create-review-tasks', { rows });
      expect(created).toEqual({ created: PROBES });
    });

    it('pages through the probe tasks, each with its item', async () => {
      const r = await api.gqlObserved<{ reviewQueue: { edges: Array<{ node: { item: { id: string } | null } }> } }>(QUEUE, { doc: document, first: PROBES }, keys.EDITOR);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data!.reviewQueue.edges.filter((e) => e.node.item !== null)).toHaveLength(PROBES);
    });

    // ReviewTask.item is loadable: one knowledge/get-by-ids for the page (it used to be one per task, and the
    // items arriving one by one split the sources batch too: 5 tasks made 11 statements, 50 made 101).
    it('reviewQueue × item × sources: the same statements for 50 tasks as for 5', async () => {
      const names = await observeBoth(QUEUE, { doc: document }, edges);
      expect(names).toEqual(['knowledge/get-by-ids', 'knowledge/sources-of', 'review/queue']);
    });
  });

  it('reports no statements outside NODE_ENV=test, whatever the request asks', async () => {
    const production = await startTestApi({ NODE_ENV: 'production' });
    try {
      const r = await production.gql('{ knowledgeItems(first: 1) { totalCount } }', {}, production.adminKey, { [OBSERVE_QUERIES_HEADER]: '1' });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data).toBeDefined();
      expect((r.body as { extensions?: unknown }).extensions).toBeUndefined();
    } finally {
      await production.close();
    }
  });

  it('entities × knowledge × entities: the same statements for 50 entities as for 5', async () => {
    const names = await observeBoth(
      'query($s: String, $first: Int) { entities(search: $s, first: $first) { edges { node { name knowledge { id entities { name } } } } } }',
      { s: `Batch entity ${run}` },
      (d: { entities: { edges: unknown[] } }) => d.entities.edges,
    );
    expect(names).toEqual(['entities/knowledge-of', 'entities/search', 'knowledge/entities-of']);
  });
});

describe('hardening', () => {
  it('refuses a deeply nested query (QUERY_TOO_COMPLEX)', async () => {
    // knowledge → entities → knowledge → … nests without end; 10 rounds is far past GRAPHQL_MAX_DEPTH.
    const deep = `{ knowledgeItem(id: "x") { ${'entities { knowledge { '.repeat(10)}id${' } }'.repeat(10)} } }`;
    const r = await api.gql(deep);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses 1,000 aliases', async () => {
    const r = await api.gql(`{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: health { status }`).join(' ')} }`);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses first: 1000000 (the cost limit sees it before any resolver runs)', async () => {
    const r = await api.gql('{ knowledgeItems(first: 1000000) { edges { node { id } } } }');
    expect(r.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a page larger than GRAPHQL_MAX_PAGE_SIZE with BAD_USER_INPUT', async () => {
    const r = await api.gql('{ knowledgeItems(first: 500) { totalCount } }');
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.message).toMatch(/first must be between 0 and 100/);
  });

  it('refuses a batch of 100 operations', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
      body: JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ health { status } }' }))),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('accepts a small batch', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
      body: JSON.stringify([{ query: '{ health { status } }' }, { query: '{ viewer { role } }' }]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(2);
  });

  it('refuses a 10 MB body with PAYLOAD_TOO_LARGE and stays healthy', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
      body: JSON.stringify({ query: '{ health { status } }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const health = await api.gql<{ health: { status: string } }>('{ health { status } }');
    expect(health.body.data!.health.status).toBe('ok');
  });

  it('returns NOT_FOUND-free nulls for unknown ids and typed errors for bad cursors', async () => {
    const r = await api.gql<{ knowledgeItem: null }>('{ knowledgeItem(id: "no-such-id") { id } }');
    expect(r.body.data!.knowledgeItem).toBeNull();
    const c = await api.gql('{ knowledgeItems(first: 2, after: "garbage") { totalCount } }');
    expect(c.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
