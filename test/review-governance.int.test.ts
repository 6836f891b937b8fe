import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { createKey, finished, ingest } from './ingestion-helpers.js';

let api: TestApi;
// Starts with a letter: an all-digit run id would read as a value in the conflict checks.
const run = `g${randomUUID().replace(/-/g, '').slice(0, 7)}`;
const keys: Record<string, string> = {};
const keyIds: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  await api.app.startWorkers();
  for (const [name, role, grants] of [
    ['CUSTOMER', 'CUSTOMER', []],
    ['E1', 'EDITOR', []],
    ['E2', 'EDITOR', []],
    ['R1', 'EDITOR', ['RESTRICTED']],
    ['R2', 'EDITOR', ['RESTRICTED']],
  ] as const) {
    keys[name] = await createKey(api, role, `${name}-gov-${run}`, [...grants]);
    const v = await api.gql<{ viewer: { keyId: string } }>('query { viewer { keyId } }', {}, keys[name]);
    keyIds[name] = v.body.data!.viewer.keyId;
  }
}, 180_000);
afterAll(async () => {
  await api?.close();
});

interface Gql<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}
const code = (r: { body: Gql<unknown> }) => r.body.errors?.[0]?.extensions?.code;
async function ok<T>(query: string, variables: Record<string, unknown> = {}, key: string = keys.E1!): Promise<T> {
  const r = await api.gql<T>(query, variables, key);
  if (!r.body.data || r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data;
}

const TASK = 'id status decision revision confidence assignee requiredApprovals approvals { by } release { id status } item { id status version visibility }';
interface Task {
  id: string;
  status: string;
  decision: string | null;
  revision: number;
  confidence: number;
  assignee: string | null;
  requiredApprovals: number;
  approvals: Array<{ by: string }>;
  release: { id: string; status: string } | null;
  item: { id: string; status: string; version: number; visibility: string } | null;
}

/** Imports knowledge records (JSONL) as the admin; `publish` makes them live. Returns the ids by externalId. */
async function importItems(records: Array<Record<string, unknown>>, publish: boolean): Promise<Map<string, string>> {
  const data = records.map((r) => JSON.stringify(r)).join('\n');
  await ok('mutation($data: String!, $publish: Boolean) { importKnowledge(format: JSONL, data: $data, publish: $publish) { created errors { message } } }', { data, publish }, api.adminKey);
  const rows = await api.app.services.executor.readText('test/gov-ids', 'MATCH (k:Knowledge) WHERE k.externalId IN $ext RETURN k.externalId AS ext, k.id AS id', { ext: records.map((r) => r.externalId) });
  return new Map(rows.map((r) => [String(r.ext), String(r.id)]));
}

/** A draft review task for an imported (unpublished) item, as ingestion would create it. */
async function draftTask(record: Record<string, unknown>, reason = 'question and answer'): Promise<{ taskId: string; itemId: string }> {
  const ids = await importItems([record], false);
  const itemId = ids.get(String(record.externalId))!;
  const taskId = `rt-gov-${randomUUID()}`;
  await api.app.services.executor.writeText(
    'test/gov-task',
    `MATCH (k:Knowledge {id: $itemId})
     CREATE (t:ReviewTask {id: $taskId, type: 'draft', status: 'OPEN', createdAt: datetime(), reason: $reason, quote: 'q', start: 0, end: 1, origin: 'test'})-[:FOR]->(k)`,
    { itemId, taskId, reason },
  );
  return { taskId, itemId };
}

const fact = (ext: string, answer: string, extra: Record<string, unknown> = {}) => ({ type: 'fact', externalId: `${ext}-${run}`, question: `What is the ${ext} ${run}?`, answer, language: 'en', ...extra });
const approve = (id: string, key = keys.E1!, vars: Record<string, unknown> = {}) =>
  api.gql<{ approveReviewTask: Task }>(`mutation($id: ID!, $edits: ReviewEdits, $rev: Int, $publish: Boolean) { approveReviewTask(id: $id, edits: $edits, expectedRevision: $rev, publish: $publish) { ${TASK} } }`, { id, ...vars }, key);
const getTask = async (id: string, key = keys.E1!) => (await ok<{ reviewTask: Task | null }>(`query($id: ID!) { reviewTask(id: $id) { ${TASK} } }`, { id }, key)).reviewTask;
const itemStatus = async (id: string) =>
  String((await api.app.services.executor.readText('test/gov-status', 'MATCH (k:Knowledge {id: $id}) RETURN k.status AS s, k.version AS v', { id }))[0]?.s);
const auditOf = async (targetId: string) =>
  (await ok<{ auditLog: { edges: Array<{ node: { action: string; actor: string; before: unknown; after: unknown } }> } }>('query($id: ID!) { auditLog(first: 50, filter: {itemId: $id}) { edges { node { action actor before after } } } }', { id: targetId })).auditLog.edges.map((e) => e.node);

describe('what a review task shows', () => {
  it('shows the source, confidence and graph diff of an ingested draft', async () => {
    const j = await finished(api, (await ingest(api, { title: 'Diff test', mediaType: 'text/markdown', content: `# Lumen ${run} card\n\nWhat does the Lumen ${run} card cost?\nThe Lumen ${run} card costs 12 euros a month.\n`, source: `gov-diff-${run}`, language: 'en' }, keys.E1)).id);
    expect(j.status).toBe('COMPLETED');
    const q = await ok<{ reviewQueue: { totalCount: number; edges: Array<{ node: { id: string; confidence: number; source: { documentId: string; start: number; end: number; quote: string }; diff: { items: Array<{ change: string; kind: string; after: { answer: string } }>; entities: Array<{ change: string }> } } }> } }>(
      'query($doc: ID) { reviewQueue(first: 10, document: $doc, kind: "fact") { totalCount edges { node { id confidence source { documentId start end quote } diff { items { change kind after } entities { name change } relations { type change } duplicates { taskId } } } } } }',
      { doc: j.documentId },
    );
    expect(q.reviewQueue.totalCount).toBe(1);
    const task = q.reviewQueue.edges[0]!.node;
    expect(task.confidence).toBe(0.9);
    expect(task.source).toMatchObject({ documentId: j.documentId, quote: expect.stringContaining('12 euros') });
    expect(task.source.end).toBeGreaterThan(task.source.start);
    expect(task.diff.items).toEqual([expect.objectContaining({ change: 'ADDED', kind: 'fact', after: expect.objectContaining({ answer: expect.stringContaining('12 euros') }) })]);
  });

  it('finds conflicts with published knowledge: a different value for the same attribute, an overlapping rule with another outcome', async () => {
    const entity = `Orbit Card ${run}`;
    const path = `order.age_${run}`;
    await importItems(
      [
        fact('orbit fee', `The annual fee of the ${entity} is 30 euros.`, { entities: [entity] }),
        { type: 'rule', externalId: `refund-${run}`, name: `Refund ${run}`, when: { all: [{ fact: path, op: 'lte', value: 30 }] }, then: 'Eligible for a full refund.' },
      ],
      true,
    );
    const valueTask = await draftTask(fact('orbit fee new', `The annual fee of the ${entity} is 45 euros.`, { entities: [entity], question: `What is the annual fee of the ${entity}?` }));
    const overlapping = await draftTask({ type: 'rule', externalId: `credit-${run}`, name: `Credit ${run}`, when: { all: [{ fact: path, op: 'lte', value: 14 }] }, then: 'Store credit only.' }, 'conditional sentence');
    const disjoint = await draftTask({ type: 'rule', externalId: `late-${run}`, name: `Late ${run}`, when: { all: [{ fact: path, op: 'gt', value: 30 }] }, then: 'No refund.' }, 'conditional sentence');
    const conflicts = async (id: string) => (await ok<{ reviewTask: { conflicts: Array<{ kind: string; entityName: string | null; proposed: string[]; published: string[] }> } }>('query($id: ID!) { reviewTask(id: $id) { conflicts { kind entityName proposed published } } }', { id })).reviewTask.conflicts;
    expect(await conflicts(valueTask.taskId)).toEqual([{ kind: 'VALUE', entityName: entity, proposed: ['45euros'], published: ['30euros'] }]);
    expect(await conflicts(overlapping.taskId)).toEqual([expect.objectContaining({ kind: 'RULE_OVERLAP', proposed: ['Store credit only.'], published: ['Eligible for a full refund.'] })]);
    expect(await conflicts(disjoint.taskId)).toEqual([]);
  });

  it('shows the relations a new version of a source re-reads as CHANGED, and those of a sentence it lost as REMOVED', async () => {
    // One token each: the names resolve the same way in both versions (a space would let a tagger find "Zorbacare" alone).
    const care = `Zorbacare${run}`;
    const phone = `Zorbaphone${run}`;
    const entities = [
      { type: 'entity', externalId: `ent-zc-${run}`, name: care, entityType: 'Service' },
      { type: 'entity', externalId: `ent-zp-${run}`, name: phone, entityType: 'Product' },
    ];
    await ok('mutation($d: String!) { importKnowledge(format: JSONL, data: $d, publish: true) { created } }', { d: entities.map((e) => JSON.stringify(e)).join('\n') }, api.adminKey);
    const source = `gov-relations-${run}`;
    const lost = `If you buy a ${phone}, ${care} covers the ${phone} against accidental damage for two years.`;
    const kept = 'If the screen cracks, we repair it within five days.';
    const restated = `If you register it, ${care} covers the ${phone} against theft as well.`;
    const v1 = await finished(api, (await ingest(api, { title: 'Zorba cover', mediaType: 'text/markdown', content: `# Zorba cover\n\n${lost}\n\n${kept}\n`, source, language: 'en' }, keys.E1)).id);
    const RELS = 'id type source { quote } diff { relations { type fromName toName change } }';
    type RelTask = { id: string; type: string; source: { quote: string } | null; diff: { relations: Array<{ type: string; fromName: string; toName: string; change: string }> } };
    const tasksOf = async (documentId: string, type: string) =>
      (await ok<{ reviewQueue: { edges: Array<{ node: RelTask }> } }>(`query($doc: ID, $type: ReviewTaskType) { reviewQueue(first: 10, document: $doc, type: $type) { edges { node { ${RELS} } } } }`, { doc: documentId, type })).reviewQueue.edges.map((e) => e.node);
    const first = (await tasksOf(v1.documentId!, 'DRAFT')).find((t) => t.source?.quote === lost)!;
    expect(first.diff.relations).toContainEqual({ type: 'COVERS', fromName: care, toName: phone, change: 'ADDED' });
    expect((await approve(first.id)).body.errors).toBeUndefined();

    const v2 = await finished(api, (await ingest(api, { title: 'Zorba cover', mediaType: 'text/markdown', content: `# Zorba cover\n\n${restated}\n\n${kept}\n`, source, language: 'en' }, keys.E1)).id);
    expect(v2.documentVersion).toBe(2);
    const [removal] = await tasksOf(v2.documentId!, 'SOURCE_REMOVED');
    expect(removal!.diff.relations).toContainEqual({ type: 'COVERS', fromName: care, toName: phone, change: 'REMOVED' });
    const again = (await tasksOf(v2.documentId!, 'DRAFT')).find((t) => t.source?.quote === restated)!;
    expect(again.diff.relations).toContainEqual({ type: 'COVERS', fromName: care, toName: phone, change: 'CHANGED' });
  });

  it('filters the queue by kind, assignee, confidence and age, with Relay pagination', async () => {
    const a = await draftTask(fact('filter a', 'Answer A.'));
    const b = await draftTask(fact('filter b', 'Answer B.'), 'conditional sentence (condition to be written by the editor)');
    const assigned = await ok<{ assignReviewTask: Task }>(`mutation($id: ID!, $to: ID) { assignReviewTask(id: $id, assignee: $to) { ${TASK} } }`, { id: a.taskId, to: keyIds.E2 });
    expect(assigned.assignReviewTask).toMatchObject({ assignee: keyIds.E2, revision: 1 });
    const bad = await api.gql(`mutation($id: ID!, $to: ID) { assignReviewTask(id: $id, assignee: $to) { id } }`, { id: b.taskId, to: keyIds.CUSTOMER }, keys.E1);
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const ids = async (args: string) => (await ok<{ reviewQueue: { edges: Array<{ node: { id: string } }> } }>(`query { reviewQueue(first: 100, ${args}) { edges { node { id } } } }`)).reviewQueue.edges.map((e) => e.node.id);
    expect(await ids(`assignee: "${keyIds.E2}"`)).toEqual([a.taskId]);
    expect(await ids('unassigned: true')).toContain(b.taskId);
    expect(await ids('unassigned: true')).not.toContain(a.taskId);
    expect(await ids('maxConfidence: 0.5, kind: "fact"')).toContain(b.taskId);
    expect(await ids('minConfidence: 0.85, kind: "fact"')).not.toContain(b.taskId);
    expect(await ids('kind: "rule"')).not.toContain(a.taskId);
    expect(await ids(`createdBefore: "${new Date(Date.now() - 3_600_000).toISOString()}"`)).not.toContain(a.taskId);
    const page1 = await ok<{ reviewQueue: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { id: string } }> } }>('query { reviewQueue(first: 1, unassigned: true) { pageInfo { hasNextPage endCursor } edges { node { id } } } }');
    expect(page1.reviewQueue.pageInfo.hasNextPage).toBe(true);
    const page2 = await ok<{ reviewQueue: { edges: Array<{ node: { id: string } }> } }>('query($after: String) { reviewQueue(first: 1, after: $after, unassigned: true) { edges { node { id } } } }', { after: page1.reviewQueue.pageInfo.endCursor });
    expect(page2.reviewQueue.edges[0]!.node.id).not.toBe(page1.reviewQueue.edges[0]!.node.id);
  });
});

describe('decisions', () => {
  it('needs two different editors for RESTRICTED knowledge (four eyes)', async () => {
    const { taskId, itemId } = await draftTask(fact('vault limit', 'The vault limit is 5 bars.', { visibility: 'RESTRICTED' }));
    const first = await approve(taskId, keys.R1);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.approveReviewTask).toMatchObject({ status: 'OPEN', requiredApprovals: 2, approvals: [{ by: keyIds.R1 }], item: { status: 'IN_REVIEW' } });
    const same = await approve(taskId, keys.R1);
    expect(code(same)).toBe('CONFLICT');
    expect(same.body.errors![0]!.message).toMatch(/second, different editor/);
    expect(await itemStatus(itemId)).toBe('IN_REVIEW');
    const release = await api.gql('mutation($ids: [ID!]!) { publishRelease(ids: $ids) { id } }', { ids: [itemId] }, keys.R1);
    expect(code(release)).toBe('CONFLICT'); // the open task: a release cannot bypass the second approval
    const second = await approve(taskId, keys.R2);
    expect(second.body.data!.approveReviewTask).toMatchObject({ status: 'DONE', decision: 'approved', approvals: [{ by: keyIds.R1 }, { by: keyIds.R2 }], item: { status: 'PUBLISHED' }, release: { status: 'PUBLISHED' } });
    expect(code(await approve(taskId, keys.R2))).toBe('CONFLICT');
  });

  it('refuses to publish RESTRICTED knowledge directly: create, import and trusted ingestion go through the four eyes', async () => {
    const input = { kind: 'FACT', statement: `The vault code ${run} changes weekly.`, visibility: 'RESTRICTED' };
    const created = await api.gql('mutation($input: KnowledgeInput!) { createKnowledge(input: $input, publish: true) { id } }', { input }, keys.R1);
    expect(code(created)).toBe('FORBIDDEN');
    expect(created.body.errors![0]!.message).toMatch(/two different editors/);
    const imported = await api.gql<{ importKnowledge: { created: number; errors: Array<{ line: number; message: string }> } }>(
      'mutation($d: String!) { importKnowledge(format: JSONL, data: $d, publish: true) { created errors { line message } } }',
      { d: [JSON.stringify({ type: 'fact', externalId: `gov-open-${run}`, statement: 'Open.', language: 'en' }), JSON.stringify({ type: 'fact', externalId: `gov-vault-${run}`, statement: 'Vault.', language: 'en', visibility: 'RESTRICTED' })].join('\n') },
      keys.R1,
    );
    // All or nothing: the public line is not written either.
    expect(imported.body.data!.importKnowledge).toMatchObject({ created: 0, errors: [{ line: 2 }] });
    expect(imported.body.data!.importKnowledge.errors[0]!.message).toMatch(/two different editors/);
    const trusted = await api.gql('mutation($i: IngestDocumentInput!) { ingestDocument(input: $i) { id } }', { i: { title: 'Vault', mediaType: 'text/plain', content: 'The vault opens at 9.', visibility: 'RESTRICTED', trusted: true } }, keys.R1);
    expect(code(trusted)).toBe('FORBIDDEN');
    // As a draft it is accepted, and waits for two approvals.
    const draft = await api.gql<{ createKnowledge: { status: string } }>('mutation($input: KnowledgeInput!) { createKnowledge(input: $input) { status } }', { input }, keys.R1);
    expect(draft.body.data!.createKnowledge.status).toBe('DRAFT');
  });

  it('lets exactly one of two editors racing on a task win; the other gets a typed CONFLICT and nothing is written twice', async () => {
    const { taskId, itemId } = await draftTask(fact('race', 'Racing answer.'));
    const [a, b] = await Promise.all([
      approve(taskId, keys.E1, { edits: { answer: 'Edited by the first editor.' } }),
      approve(taskId, keys.E2, { edits: { answer: 'Edited by the second editor.' } }),
    ]);
    const outcomes = [a, b].map((r) => (r.body.errors ? code(r) : 'ok')).sort();
    expect(outcomes, JSON.stringify([a.body.errors, b.body.errors])).toEqual(['CONFLICT', 'ok']);
    const [row] = await api.app.services.executor.readText(
      'test/gov-race',
      `MATCH (k:Knowledge {id: $itemId}) OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k)
       RETURN k.version AS version, k.status AS status, collect(v.change) AS changes`,
      { itemId },
    );
    expect(row).toMatchObject({ version: 2, status: 'PUBLISHED' });
    expect((row!.changes as string[]).filter((c) => c === 'update')).toHaveLength(1);
    expect((row!.changes as string[]).filter((c) => c === 'publish')).toHaveLength(1);
    expect((await auditOf(taskId)).filter((e) => e.action === 'review.approve')).toHaveLength(1);
  });

  it('refuses a stale revision and a second decision, leaving the task as it was', async () => {
    const { taskId, itemId } = await draftTask(fact('stale', 'Stale answer.'));
    await ok(`mutation($id: ID!, $to: ID) { assignReviewTask(id: $id, assignee: $to) { id } }`, { id: taskId, to: keyIds.E1 });
    const stale = await approve(taskId, keys.E1, { rev: 0 });
    expect(code(stale)).toBe('CONFLICT');
    expect(await getTask(taskId)).toMatchObject({ status: 'OPEN', revision: 1, item: { status: 'DRAFT', version: 1 } });
    const rejected = await ok<{ rejectReviewTask: Task }>(`mutation($id: ID!) { rejectReviewTask(id: $id, reason: "not our policy", expectedRevision: 1) { ${TASK} } }`, { id: taskId });
    expect(rejected.rejectReviewTask).toMatchObject({ status: 'DONE', decision: 'rejected', item: { status: 'REJECTED' } });
    expect(code(await approve(taskId))).toBe('CONFLICT');
    expect(await itemStatus(itemId)).toBe('REJECTED');
  });

  it('approves and rejects in bulk, each task on its own', async () => {
    const t1 = await draftTask(fact('bulk one', 'Bulk one.'));
    const t2 = await draftTask(fact('bulk two', 'Bulk two.'));
    const t3 = await draftTask(fact('bulk three', 'Bulk three.'));
    await approve(t3.taskId);
    const r = await ok<{ bulkReview: { succeeded: number; failed: number; items: Array<{ id: string; ok: boolean; code: string | null; task: { status: string } | null }> } }>(
      'mutation($ids: [ID!]!) { bulkReview(ids: $ids, action: APPROVE) { succeeded failed items { id ok code task { status } } } }',
      { ids: [t1.taskId, t2.taskId, t3.taskId] },
    );
    expect(r.bulkReview).toMatchObject({ succeeded: 2, failed: 1 });
    expect(r.bulkReview.items.find((i) => i.id === t3.taskId)).toMatchObject({ ok: false, code: 'CONFLICT', task: null });
    expect(await itemStatus(t1.itemId)).toBe('PUBLISHED');
    expect(code(await api.gql('mutation($ids: [ID!]!) { bulkReview(ids: $ids, action: REJECT) { succeeded } }', { ids: [t1.taskId] }, keys.E1))).toBe('BAD_USER_INPUT');
    // Bulk reject: each draft REJECTED with the reason; a rejected item never answers.
    const t4 = await draftTask(fact('bulk four', `Bulk four ${run} costs 31 euros.`));
    const t5 = await draftTask(fact('bulk five', 'Bulk five.'));
    const rejected = await ok<{ bulkReview: { succeeded: number; failed: number; items: Array<{ task: { status: string; decision: string; note: string } | null }> } }>(
      'mutation($ids: [ID!]!) { bulkReview(ids: $ids, action: REJECT, reason: "not our wording") { succeeded failed items { task { status decision note } } } }',
      { ids: [t4.taskId, t5.taskId] },
    );
    expect(rejected.bulkReview).toMatchObject({ succeeded: 2, failed: 0 });
    expect(rejected.bulkReview.items.map((i) => i.task)).toEqual([0, 1].map(() => ({ status: 'DONE', decision: 'rejected', note: 'not our wording' })));
    expect(await itemStatus(t4.itemId)).toBe('REJECTED');
    expect(await itemStatus(t5.itemId)).toBe('REJECTED');
    const asked = await ok<{ answer: { text: string; knowledge: Array<{ id: string }> } }>('query($q: String!) { answer(question: $q) { text knowledge { id } } }', { q: `What is the bulk four ${run}?` }, keys.CUSTOMER);
    expect(asked.answer.knowledge.map((k) => k.id)).not.toContain(t4.itemId);
    expect(asked.answer.text).not.toContain('31 euros');
  });
});

describe('releases', () => {
  it('previews a batch, publishes it as one release and rolls it back; a rolled-back item never answers again', async () => {
    const a = await draftTask(fact('release a', `Quasar ${run} accounts pay 3 percent interest.`));
    const b = await draftTask(fact('release b', 'Release B answer.'));
    for (const t of [a, b]) expect((await approve(t.taskId, keys.E1, { publish: false })).body.data!.approveReviewTask).toMatchObject({ status: 'DONE', release: null, item: { status: 'IN_REVIEW' } });
    const open = await draftTask(fact('release c', 'Release C answer.'));
    const refused = await api.gql('mutation($ids: [ID!]!) { publishRelease(ids: $ids) { id } }', { ids: [a.itemId, open.itemId] }, keys.E1);
    expect(code(refused)).toBe('CONFLICT');
    expect(await itemStatus(a.itemId)).toBe('IN_REVIEW'); // nothing half-written
    const preview = await ok<{ releasePreview: { publishable: boolean; entries: Array<{ itemId: string; change: string }>; problems: Array<{ itemId: string }> } }>(
      'query($ids: [ID!]!) { releasePreview(ids: $ids) { publishable entries { itemId change } problems { itemId code message } } }',
      { ids: [a.itemId, b.itemId] },
    );
    expect(preview.releasePreview).toEqual({ publishable: true, problems: [], entries: [{ itemId: a.itemId, change: 'ADDED' }, { itemId: b.itemId, change: 'ADDED' }] });
    const released = await ok<{ publishRelease: { id: string; status: string; entries: Array<{ itemId: string; change: string; toStatus: string }> } }>(
      'mutation($ids: [ID!]!) { publishRelease(ids: $ids, note: "two answers") { id status entries { itemId change toStatus } } }',
      { ids: [a.itemId, b.itemId] },
    );
    expect(released.publishRelease.entries.map((e) => e.toStatus)).toEqual(['PUBLISHED', 'PUBLISHED']);
    const cited = async () => {
      const r = await ok<{ answer: { knowledge: Array<{ id: string }> } }>('query($q: String!) { answer(question: $q) { knowledge { id } } }', { q: `What interest do Quasar ${run} accounts pay?` }, keys.CUSTOMER);
      return r.answer.knowledge.some((k) => k.id === a.itemId);
    };
    // Approval reaches answers within a second: the first answer that cites the item was asked less than
    // a second after the release committed (the answer's own latency on this shared machine not counted).
    const published = Date.now();
    let asked = 0;
    await eventually(async () => {
      asked = Date.now();
      return cited();
    }, 10_000, 20);
    expect(asked - published).toBeLessThan(1_000);
    const back = await ok<{ rollbackRelease: { status: string } }>('mutation($id: ID!) { rollbackRelease(id: $id) { status } }', { id: released.publishRelease.id });
    expect(back.rollbackRelease.status).toBe('ROLLED_BACK');
    expect([await itemStatus(a.itemId), await itemStatus(b.itemId)]).toEqual(['ARCHIVED', 'ARCHIVED']);
    expect(await cited()).toBe(false);
    expect(code(await api.gql('mutation($id: ID!) { rollbackRelease(id: $id) { id } }', { id: released.publishRelease.id }, keys.E1))).toBe('CONFLICT');
    expect(code(await api.gql('mutation { rollbackRelease(id: "no-such-release") { id } }', {}, keys.E1))).toBe('NOT_FOUND');
  });

  it('rolls one item back to an earlier live version; never to a draft that was not approved; a version that does not exist is NOT_FOUND', async () => {
    const { taskId, itemId } = await draftTask(fact('versions', 'The first answer.'));
    await approve(taskId, keys.E1, { edits: { answer: 'The second answer.' } });
    // Version 1 was the machine's draft, never approved: a rollback must not put it live past review.
    const unreviewed = await api.gql('mutation($id: ID!) { rollbackKnowledge(id: $id, toVersion: 1) { id } }', { id: itemId }, keys.E1);
    expect(code(unreviewed)).toBe('BAD_USER_INPUT');
    const untouched = await ok<{ knowledgeItem: { version: number; answer: string } }>('query($id: ID!) { knowledgeItem(id: $id) { version ... on Fact { answer } } }', { id: itemId });
    expect(untouched.knowledgeItem).toMatchObject({ version: 2, answer: 'The second answer.' });
    await ok('mutation($id: ID!) { updateKnowledge(id: $id, input: { answer: "The third answer." }) { version } }', { id: itemId });
    const back = await ok<{ rollbackKnowledge: { version: number; status: string; history: Array<{ change: string }> } }>(
      'mutation($id: ID!) { rollbackKnowledge(id: $id, toVersion: 2) { version status history { change } ... on Fact { answer } } }',
      { id: itemId },
    );
    expect(back.rollbackKnowledge).toMatchObject({ version: 4, status: 'PUBLISHED', answer: 'The second answer.' });
    expect(back.rollbackKnowledge.history[0]!.change).toBe('rollback');
    const missing = await api.gql('mutation($id: ID!) { rollbackKnowledge(id: $id, toVersion: 9) { id } }', { id: itemId }, keys.E1);
    expect(code(missing)).toBe('NOT_FOUND');
    expect(code(await api.gql('mutation($id: ID!) { rollbackKnowledge(id: $id, toVersion: 4) { id } }', { id: itemId }, keys.E1))).toBe('CONFLICT');
    expect((await auditOf(itemId)).map((e) => e.action)).toContain('knowledge.rollback');
    await ok('mutation($id: ID!) { archiveKnowledge(id: $id, reason: "replaced") { status } }', { id: itemId });
    expect(code(await api.gql('mutation($id: ID!) { archiveKnowledge(id: $id) { status } }', { id: itemId }, keys.E1))).toBe('CONFLICT');
    expect((await auditOf(itemId))[0]).toMatchObject({ action: 'knowledge.status', before: { status: 'PUBLISHED' }, after: { status: 'ARCHIVED' } });
  });
});

describe('changes to live knowledge', () => {
  const REVISION = 'id type status decision requiredApprovals baseVersion proposedBy approvals { by } diff { items { change fields before after } }';
  interface Revision {
    id: string;
    type: string;
    status: string;
    decision: string | null;
    requiredApprovals: number;
    baseVersion: number | null;
    proposedBy: string | null;
    approvals: Array<{ by: string }>;
    diff: { items: Array<{ change: string; fields: string[]; before: { answer: string }; after: { answer: string } }> };
  }
  const propose = (id: string, input: Record<string, unknown>, key: string) =>
    api.gql<{ proposeKnowledgeRevision: Revision }>(`mutation($id: ID!, $input: KnowledgePatch!) { proposeKnowledgeRevision(id: $id, input: $input, note: "new limit") { ${REVISION} } }`, { id, input }, key);
  const decide = (id: string, key: string) => api.gql<{ approveReviewTask: Revision }>(`mutation($id: ID!) { approveReviewTask(id: $id) { ${REVISION} } }`, { id }, key);
  const itemOf = async (id: string) =>
    (await ok<{ knowledgeItem: { version: number; status: string; visibility: string; answer: string } }>('query($id: ID!) { knowledgeItem(id: $id) { version status visibility ... on Fact { answer } } }', { id }, api.adminKey)).knowledgeItem;
  const update = (id: string, input: Record<string, unknown>, key: string) => api.gql('mutation($id: ID!, $input: KnowledgePatch!) { updateKnowledge(id: $id, input: $input) { version } }', { id, input }, key);

  it('changes a live PUBLIC item at once, audited; live RESTRICTED knowledge changes only through a reviewed revision with four eyes', async () => {
    const ids = await importItems([fact('live open', 'Transfers clear in 1 day.'), fact('live vault', 'The vault limit is 5 bars.', { visibility: 'RESTRICTED' })], true);
    const open = ids.get(`live open-${run}`)!;
    const vault = ids.get(`live vault-${run}`)!;
    // A PUBLIC live item: the edit is live at once, and audited with what changed.
    expect(code(await update(open, { answer: 'Transfers clear in 2 days.' }, keys.E1!))).toBeUndefined();
    expect(await itemOf(open)).toMatchObject({ version: 2, status: 'PUBLISHED', answer: 'Transfers clear in 2 days.' });
    expect((await auditOf(open))[0]).toMatchObject({ action: 'knowledge.update', actor: keyIds.E1, before: { version: 1, status: 'PUBLISHED' }, after: { version: 2, status: 'PUBLISHED' } });
    // RESTRICTED: one editor may not change the live content, nor make live knowledge RESTRICTED (or not).
    for (const [id, input] of [[vault, { answer: 'The vault limit is 50 bars.' }], [vault, { visibility: 'PUBLIC' }], [open, { visibility: 'RESTRICTED' }]] as const) {
      const refused = await update(id, input, keys.R1!);
      expect(code(refused)).toBe('FORBIDDEN');
      expect(refused.body.errors![0]!.message).toMatch(/proposeKnowledgeRevision/);
    }
    expect(await itemOf(vault)).toMatchObject({ version: 1, visibility: 'RESTRICTED', answer: 'The vault limit is 5 bars.' });
    expect(await itemOf(open)).toMatchObject({ version: 2, visibility: 'PUBLIC' });

    // The revision: the live version keeps answering while two different editors approve the change.
    const proposed = await propose(vault, { answer: 'The vault limit is 50 bars.' }, keys.R1!);
    expect(proposed.body.errors).toBeUndefined();
    const task = proposed.body.data!.proposeKnowledgeRevision;
    expect(task).toMatchObject({ type: 'revision', status: 'OPEN', requiredApprovals: 2, baseVersion: 1, proposedBy: keyIds.R1, approvals: [] });
    expect(task.diff.items).toEqual([expect.objectContaining({ change: 'MODIFIED', fields: ['answer'], before: expect.objectContaining({ answer: 'The vault limit is 5 bars.' }), after: expect.objectContaining({ answer: 'The vault limit is 50 bars.' }) })]);
    expect(code(await propose(vault, { answer: 'The vault limit is 60 bars.' }, keys.R2!))).toBe('CONFLICT'); // one open revision per item
    expect(await getTask(task.id, keys.E1)).toBeNull(); // RESTRICTED: invisible without the grant
    const first = await decide(task.id, keys.R1!);
    expect(first.body.data!.approveReviewTask).toMatchObject({ status: 'OPEN', approvals: [{ by: keyIds.R1 }] });
    expect(code(await decide(task.id, keys.R1!))).toBe('CONFLICT');
    expect(await itemOf(vault)).toMatchObject({ version: 1, answer: 'The vault limit is 5 bars.' });
    const second = await decide(task.id, keys.R2!);
    expect(second.body.data!.approveReviewTask).toMatchObject({ status: 'DONE', decision: 'approved', approvals: [{ by: keyIds.R1 }, { by: keyIds.R2 }] });
    expect(await itemOf(vault)).toMatchObject({ version: 2, status: 'PUBLISHED', visibility: 'RESTRICTED', answer: 'The vault limit is 50 bars.' });
    expect((await auditOf(task.id)).map((e) => e.action)).toEqual(['review.approve', 'review.approve', 'review.propose']);
    // The earlier live version stays reachable by rollback (it was live).
    await ok('mutation($id: ID!) { rollbackKnowledge(id: $id, toVersion: 1) { version } }', { id: vault }, keys.R1);
    expect(await itemOf(vault)).toMatchObject({ version: 3, answer: 'The vault limit is 5 bars.' });
  });

  it('refuses a revision of a draft, one that changes nothing, and the approval of one the item has moved past', async () => {
    const { itemId: draftId } = await draftTask(fact('rev draft', 'Draft answer.'));
    expect(code(await propose(draftId, { answer: 'Other.' }, keys.E1!))).toBe('BAD_USER_INPUT');
    const live = (await importItems([fact('rev stale', 'Cards ship in 3 days.')], true)).get(`rev stale-${run}`)!;
    expect(code(await propose(live, { answer: 'Cards ship in 3 days.' }, keys.E1!))).toBe('BAD_USER_INPUT');
    const task = (await propose(live, { answer: 'Cards ship in 4 days.' }, keys.E1!)).body.data!.proposeKnowledgeRevision;
    expect(task.requiredApprovals).toBe(1);
    await update(live, { answer: 'Cards ship in 5 days.' }, keys.E2!);
    const stale = await decide(task.id, keys.E2!);
    expect(code(stale)).toBe('CONFLICT');
    expect(stale.body.errors![0]!.message).toMatch(/changed since this revision was proposed/);
    expect(await itemOf(live)).toMatchObject({ version: 2, answer: 'Cards ship in 5 days.' });
    const rejected = await ok<{ rejectReviewTask: { status: string; decision: string } }>('mutation($id: ID!) { rejectReviewTask(id: $id, reason: "superseded") { status decision } }', { id: task.id }, keys.E2);
    expect(rejected.rejectReviewTask).toEqual({ status: 'DONE', decision: 'rejected' });
    expect(await itemOf(live)).toMatchObject({ version: 2, status: 'PUBLISHED' });
  });

  it('re-imports: never over knowledge the key may not write, live RESTRICTED content not past the four eyes, live changes audited', async () => {
    const ids = await importItems([fact('reimp vault', 'Vault hours are 9 to 5.', { visibility: 'RESTRICTED' }), fact('reimp open', 'Branches open at 9.')], true);
    const vault = ids.get(`reimp vault-${run}`)!;
    const open = ids.get(`reimp open-${run}`)!;
    const reimport = (records: Array<Record<string, unknown>>, key: string) =>
      api.gql<{ importKnowledge: { created: number; updated: number; errors: Array<{ line: number; message: string }> } }>(
        'mutation($d: String!) { importKnowledge(format: JSONL, data: $d) { created updated errors { line message } } }',
        { d: records.map((r) => JSON.stringify(r)).join('\n') },
        key,
      );
    // E1 has no RESTRICTED grant: naming the vault item's externalId with PUBLIC content must not overwrite it.
    const blind = await reimport([fact('reimp open', 'Branches open at 8.'), fact('reimp vault', 'Vault hours are 8 to 8.')], keys.E1!);
    expect(blind.body.data!.importKnowledge).toMatchObject({ updated: 0, errors: [{ line: 2, message: expect.stringMatching(/may not write RESTRICTED/) }] });
    // R1 may write RESTRICTED, but a live RESTRICTED item changes through review.
    const single = await reimport([fact('reimp vault', 'Vault hours are 8 to 8.', { visibility: 'RESTRICTED' })], keys.R1!);
    expect(single.body.data!.importKnowledge.errors[0]!.message).toMatch(/proposeKnowledgeRevision/);
    expect(await itemOf(vault)).toMatchObject({ version: 1, answer: 'Vault hours are 9 to 5.' });
    expect(await itemOf(open)).toMatchObject({ version: 1, answer: 'Branches open at 9.' });
    // A PUBLIC live item re-imported without publish stays live with the new content, audited in the import's transaction.
    const fine = await reimport([fact('reimp open', 'Branches open at 8.')], keys.E1!);
    expect(fine.body.data!.importKnowledge).toMatchObject({ updated: 1, errors: [] });
    expect(await itemOf(open)).toMatchObject({ version: 2, status: 'PUBLISHED', answer: 'Branches open at 8.' });
    const events = await ok<{ auditLog: { edges: Array<{ node: { actor: string; targetType: string; details: { ids: string[] } } }> } }>(
      'query { auditLog(first: 1, filter: {action: "knowledge.update"}) { edges { node { actor targetType details } } } }',
    );
    expect(events.auditLog.edges[0]!.node).toMatchObject({ actor: keyIds.E1, targetType: 'Import', details: { ids: [open] } });
  });
});

describe('entity merges', () => {
  it('shows a merge suggestion as a diff (entity removed, alias added, relations rewired) and drafts about the entity as suspected duplicates', async () => {
    const exec = api.app.services.executor;
    const ids = { fresh: `e-${randomUUID()}`, existing: `e-${randomUUID()}`, other: `e-${randomUUID()}`, merge: `rt-${randomUUID()}` };
    await exec.writeText(
      'test/gov-diff-merge',
      `CREATE (fresh:Entity {id: $ids.fresh, key: 'sky tab ' + $run, name: 'Sky Tab ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (existing:Entity {id: $ids.existing, key: 'skyline tablet ' + $run, name: 'Skyline Tablet ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (other:Entity {id: $ids.other, key: 'sky care ' + $run, name: 'Sky Care ' + $run, type: 'Service', aliases: [], aliasKeys: []})
       CREATE (other)-[:COVERS {documentId: 'doc-y', confidence: 0.7, origin: 'ingestion', evidence: 'covers'}]->(fresh)
       CREATE (t:ReviewTask {id: $ids.merge, type: 'entity-merge', status: 'OPEN', createdAt: datetime(), score: 0.91, reason: 'similar names'})-[:FOR]->(fresh)
       CREATE (t)-[:CANDIDATE]->(existing)`,
      { ids, run },
    );
    const draft = await draftTask(fact('sky tab', 'The Sky Tab has a 10 inch screen.', { entities: [`Sky Tab ${run}`] }));
    const DIFF = 'diff { entities { entityId change detail } relations { type fromId toId change } duplicates { entityId candidateId taskId score } }';
    type Diff = { entities: Array<{ entityId: string; change: string }>; relations: Array<{ type: string; fromId: string; toId: string; change: string }>; duplicates: Array<{ taskId: string; candidateId: string }> };
    const diffOf = async (id: string) => (await ok<{ reviewTask: { confidence: number; diff: Diff } }>(`query($id: ID!) { reviewTask(id: $id) { confidence ${DIFF} } }`, { id })).reviewTask;
    const merge = await diffOf(ids.merge);
    expect(merge.confidence).toBe(0.91);
    expect(merge.diff.entities).toEqual([
      expect.objectContaining({ entityId: ids.fresh, change: 'REMOVED' }),
      expect.objectContaining({ entityId: ids.existing, change: 'CHANGED' }),
    ]);
    expect(merge.diff.relations).toEqual([{ type: 'COVERS', fromId: ids.other, toId: ids.existing, change: 'REWIRED' }]);
    expect(merge.diff.duplicates).toEqual([expect.objectContaining({ taskId: ids.merge, candidateId: ids.existing })]);
    const about = await diffOf(draft.taskId);
    expect(about.diff.entities).toEqual([expect.objectContaining({ entityId: ids.fresh, change: 'LINKED' })]);
    expect(about.diff.duplicates).toEqual([expect.objectContaining({ entityId: ids.fresh, candidateId: ids.existing, taskId: ids.merge })]);
  });

  it('merges with aliases kept and relations rewired, refuses a merge into itself, and undoes it', async () => {
    const exec = api.app.services.executor;
    const ids = { fresh: `e-${randomUUID()}`, existing: `e-${randomUUID()}`, other: `e-${randomUUID()}`, chunk: `c-${randomUUID()}`, item: `k-${randomUUID()}` };
    await exec.writeText(
      'test/gov-merge-setup',
      `CREATE (fresh:Entity {id: $ids.fresh, key: 'nw pad ' + $run, name: 'NW Pad ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (existing:Entity {id: $ids.existing, key: 'northwind pad ' + $run, name: 'Northwind Pad ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (other:Entity {id: $ids.other, key: 'pad care ' + $run, name: 'Pad Care ' + $run, type: 'Service', aliases: [], aliasKeys: []})
       CREATE (:Chunk {id: $ids.chunk, text: 'x', start: 0, end: 1})-[:MENTIONS {count: 1}]->(fresh)
       CREATE (other)-[:COVERS {documentId: 'doc-x', confidence: 0.8, origin: 'ingestion'}]->(fresh)
       CREATE (:Knowledge {id: $ids.item, kind: 'fact', status: 'DRAFT', visibility: 'PUBLIC', version: 1, statement: 'Pads are covered.', language: 'en', contentHash: 'h-' + $run})-[:ABOUT]->(fresh)`,
      { ids, run },
    );
    const MERGE = '... on MutationMergeEntitiesSuccess { data { id targetId } } ... on ReviewActionError { code message }';
    const self = await ok<{ mergeEntities: { code?: string } }>(`mutation($a: ID!) { mergeEntities(sourceId: $a, targetId: $a) { ${MERGE} } }`, { a: ids.fresh });
    expect(self.mergeEntities.code).toBe('BAD_USER_INPUT');
    const merged = await ok<{ mergeEntities: { data: { id: string; targetId: string } } }>(`mutation($a: ID!, $b: ID!) { mergeEntities(sourceId: $a, targetId: $b) { ${MERGE} } }`, { a: ids.fresh, b: ids.existing });
    const mergeId = merged.mergeEntities.data.id;
    const state = async () =>
      (
        await exec.readText(
          'test/gov-merge-state',
          `MATCH (e:Entity {id: $ids.existing})
           RETURN e.aliases AS aliases, EXISTS { (:Chunk {id: $ids.chunk})-[:MENTIONS]->(e) } AS mentioned, EXISTS { (:Entity {id: $ids.other})-[:COVERS]->(e) } AS covered,
                  EXISTS { (:Knowledge {id: $ids.item})-[:ABOUT]->(e) } AS about, EXISTS { MATCH (x:Entity {id: $ids.fresh}) } AS freshLive,
                  EXISTS { (:Chunk {id: $ids.chunk})-[:MENTIONS]->(:Entity {id: $ids.fresh}) } AS freshMentioned,
                  EXISTS { (:Entity {id: $ids.other})-[:COVERS {confidence: 0.8}]->(:Entity {id: $ids.fresh}) } AS freshCovered`,
          { ids },
        )
      )[0];
    expect(await state()).toEqual({ aliases: [`NW Pad ${run}`], mentioned: true, covered: true, about: true, freshLive: false, freshMentioned: false, freshCovered: false });
    const UNDO = '... on MutationUndoEntityMergeSuccess { data { id undone source { id name } } } ... on ReviewActionError { code }';
    const undone = await ok<{ undoEntityMerge: { data: { undone: boolean; source: { name: string } } } }>(`mutation($id: ID!) { undoEntityMerge(id: $id) { ${UNDO} } }`, { id: mergeId });
    expect(undone.undoEntityMerge.data).toMatchObject({ undone: true, source: { name: `NW Pad ${run}` } });
    expect(await state()).toEqual({ aliases: [], mentioned: false, covered: false, about: false, freshLive: true, freshMentioned: true, freshCovered: true });
    const again = await ok<{ undoEntityMerge: { code?: string } }>(`mutation($id: ID!) { undoEntityMerge(id: $id) { ${UNDO} } }`, { id: mergeId });
    expect(again.undoEntityMerge.code).toBe('CONFLICT');
    expect((await auditOf(ids.existing)).map((e) => e.action)).toContain('entity.merge');
    expect((await auditOf(ids.fresh)).map((e) => e.action)).toContain('entity.unmerge');
  });

  it('gives an approved merge suggestion its merge id, whose undo reopens the task', async () => {
    const exec = api.app.services.executor;
    const ids = { fresh: `e-${randomUUID()}`, existing: `e-${randomUUID()}`, task: `rt-${randomUUID()}` };
    await exec.writeText(
      'test/gov-merge-task',
      `CREATE (fresh:Entity {id: $ids.fresh, key: 'lx card ' + $run, name: 'LX Card ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (existing:Entity {id: $ids.existing, key: 'lumix card ' + $run, name: 'Lumix Card ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (t:ReviewTask {id: $ids.task, type: 'entity-merge', status: 'OPEN', createdAt: datetime(), score: 0.88, reason: 'similar names'})-[:FOR]->(fresh)
       CREATE (t)-[:CANDIDATE]->(existing)`,
      { ids, run },
    );
    const approved = await approve(ids.task);
    expect(approved.body.errors).toBeUndefined();
    const task = await ok<{ reviewTask: { status: string; decision: string; mergeId: string | null } }>('query($id: ID!) { reviewTask(id: $id) { status decision mergeId } }', { id: ids.task });
    expect(task.reviewTask).toMatchObject({ status: 'DONE', decision: 'approved', mergeId: expect.any(String) });
    const undone = await ok<{ undoEntityMerge: { data?: { reopenedTaskIds: string[] } } }>(
      'mutation($id: ID!) { undoEntityMerge(id: $id) { ... on MutationUndoEntityMergeSuccess { data { reopenedTaskIds } } } }',
      { id: task.reviewTask.mergeId },
    );
    expect(undone.undoEntityMerge.data!.reopenedTaskIds).toEqual([ids.task]);
    const reopened = await ok<{ reviewTask: { status: string; mergeId: string | null } }>('query($id: ID!) { reviewTask(id: $id) { status mergeId } }', { id: ids.task });
    expect(reopened.reviewTask).toEqual({ status: 'OPEN', mergeId: null });
  });
});

describe('audit trail', () => {
  it('records key changes and review actions, verifies the chain, and detects a tampered event', async () => {
    const keyEvents = await auditOf(keyIds.E1!);
    expect(keyEvents).toEqual([expect.objectContaining({ action: 'apikey.create', after: expect.objectContaining({ role: 'EDITOR' }) })]);
    const verify = async () => (await ok<{ verifyAuditLog: { ok: boolean; checked: number; firstBadEventId: string | null } }>('query { verifyAuditLog { ok checked firstBadEventId problem } }')).verifyAuditLog;
    const before = await verify();
    expect(before).toMatchObject({ ok: true, firstBadEventId: null });
    expect(before.checked).toBeGreaterThan(5);
    const exec = api.app.services.executor;
    const [victim] = await exec.readText('test/gov-victim', "MATCH (e:AuditEvent {action: 'apikey.create'}) RETURN e.id AS id, e.after AS after ORDER BY e.seq LIMIT 1");
    await exec.writeText('test/gov-tamper', 'MATCH (e:AuditEvent {id: $id}) SET e.after = $after', { id: victim!.id, after: '{"role":"ADMIN"}' });
    try {
      expect(await verify()).toMatchObject({ ok: false, firstBadEventId: victim!.id });
    } finally {
      await exec.writeText('test/gov-untamper', 'MATCH (e:AuditEvent {id: $id}) SET e.after = $after', { id: victim!.id, after: victim!.after });
    }
    expect((await verify()).ok).toBe(true);
    const published = await ok<{ auditLog: { totalCount: number; edges: Array<{ node: { actor: string; targetType: string } }> } }>('query { auditLog(first: 5, filter: {action: "knowledge.publish"}) { totalCount edges { node { actor targetType } } } }');
    expect(published.auditLog.totalCount).toBeGreaterThan(0); // the imports published without review (publish: true)
    expect(published.auditLog.edges[0]!.node).toEqual({ actor: 'bootstrap-admin', targetType: 'Import' });
    const mutations = (await ok<{ __type: { fields: Array<{ name: string }> } }>('query { __type(name: "Mutation") { fields { name } } }')).__type.fields.map((f) => f.name);
    expect(mutations.filter((m) => /audit/i.test(m))).toEqual([]);
  });
});

describe('live queue', () => {
  it('tells subscribed editors about approvals', async () => {
    const { taskId } = await draftTask(fact('live', 'Live answer.'));
    const client = api.ws(keys.E2);
    const events: Array<{ taskId: string | null; change: string }> = [];
    client.subscribe<{ reviewQueueChanged: { taskId: string | null; change: string } }>(
      { query: 'subscription { reviewQueueChanged { taskId change by task { status } } }' },
      { next: (m) => m.data && events.push(m.data.reviewQueueChanged), error: () => undefined, complete: () => undefined },
    );
    // The subscription is live once an assignment shows up (no sleeps).
    await eventually(async () => {
      await ok(`mutation($id: ID!, $to: ID) { assignReviewTask(id: $id, assignee: $to) { id } }`, { id: taskId, to: keyIds.E1 });
      return events.some((e) => e.taskId === taskId && e.change === 'assigned');
    }, 15_000, 300);
    await approve(taskId);
    await eventually(async () => events.some((e) => e.taskId === taskId && e.change === 'approved'), 10_000);
    await draftTask(fact('live new', 'A new draft.')); // an import: the queue has new tasks
    await eventually(async () => events.some((e) => e.change === 'created'), 10_000);
  });
});

describe('nothing unreviewed reaches customers', () => {
  const price = async (q: string) => {
    const r = await ok<{ answer: { text: string; citations: Array<{ documentId: string | null }> } }>('query($q: String!) { answer(question: $q) { text citations { documentId } } }', { q }, keys.CUSTOMER);
    return r.answer;
  };

  it('answers from a document’s passages only once it is approved, within a second, and never from a superseded version', async () => {
    const source = `gov-price-${run}`;
    const word = `Zephyrvault${run}`;
    const doc = (amount: number) => `# ${word} pricing\n\nThe ${word} plan costs ${amount} euros per month for each account holder.\n`;
    const v1 = await finished(api, (await ingest(api, { title: `${word} pricing`, mediaType: 'text/markdown', content: doc(47), source, language: 'en', visibility: 'PUBLIC' }, keys.E1)).id);
    expect(v1.status).toBe('COMPLETED');
    const question = `How much does the ${word} plan cost per month?`;
    const before = await price(question);
    expect(before.citations.map((c) => c.documentId)).not.toContain(v1.documentId);
    expect(before.text).not.toContain('47 euros');

    await ok('mutation($id: ID!) { approveDocument(id: $id) { id status } }', { id: v1.documentId });
    const approved = Date.now();
    let asked = 0;
    const after = await eventually(async () => {
      asked = Date.now();
      const a = await price(question);
      return a.citations.some((c) => c.documentId === v1.documentId) ? a : null;
    }, 10_000, 20);
    expect(asked - approved).toBeLessThan(1_000);
    expect(after.text).toContain('47 euros');
    expect(code(await api.gql('mutation($id: ID!) { approveDocument(id: $id) { id } }', { id: v1.documentId }, keys.E1))).toBe('CONFLICT');

    const v2 = await finished(api, (await ingest(api, { title: `${word} pricing`, mediaType: 'text/markdown', content: doc(52), source, language: 'en', visibility: 'PUBLIC' }, keys.E1)).id);
    expect(v2.documentVersion).toBe(2);
    const superseded = await price(question);
    expect(superseded.citations.map((c) => c.documentId)).not.toContain(v1.documentId);
    expect(superseded.text).not.toContain('47 euros');
    expect(superseded.text).not.toContain('52 euros'); // v2 is not reviewed yet
  });

  it('vouches for a published draft’s own passage only: the rest of its document waits for review', async () => {
    const word = `Quillbank${run}`;
    const filler = (topic: string) =>
      `This section explains the ${word} ${topic} for every account holder, with the conditions that apply, the documents you need and the branches where staff can help you with it.`;
    const content = `# ${word} fees\n\n## What does the ${word} plan cost?\n\nThe ${word} plan costs 47 euros per month. ${filler('plan')}\n\n## What does a ${word} replacement card cost?\n\nA ${word} replacement card costs 19 euros. ${filler('card')}\n`;
    const job = await finished(api, (await ingest(api, { title: `${word} fees`, mediaType: 'text/markdown', content, source: `gov-chunks-${run}`, language: 'en', visibility: 'PUBLIC' }, keys.E1)).id);
    expect(job.status).toBe('COMPLETED');
    // Precondition: the two prices sit in different passages.
    const chunks = await api.app.services.executor.readText('test/gov-chunks', 'MATCH (:Document {id: $id})-[:HAS_CHUNK]->(c:Chunk) RETURN c.text AS text', { id: job.documentId });
    expect(chunks.filter((c) => /47 euros|19 euros/.test(String(c.text))).map((c) => String(c.text).includes('47 euros') && String(c.text).includes('19 euros'))).toEqual([false, false]);
    const queue = await ok<{ reviewQueue: { edges: Array<{ node: { id: string; item: { question: string | null } | null } }> } }>(
      'query($doc: ID) { reviewQueue(first: 10, document: $doc, kind: "fact") { edges { node { id item { ... on Fact { question } } } } } }',
      { doc: job.documentId },
    );
    const planTask = queue.reviewQueue.edges.find((e) => e.node.item?.question?.includes('plan cost'))!;
    expect(planTask).toBeDefined();
    expect((await approve(planTask.node.id)).body.errors).toBeUndefined();
    const cardQuestion = `How much does a ${word} replacement card cost?`;
    // (The published plan fact may be cited — it is about the same product — but never the card's passage.)
    const passages = async () => {
      const r = await ok<{ answer: { text: string; citations: Array<{ quote: string | null }> } }>('query($q: String!) { answer(question: $q) { text citations { quote } } }', { q: cardQuestion }, keys.CUSTOMER);
      return { text: r.answer.text, quotes: r.answer.citations.map((c) => c.quote ?? '') };
    };
    const card = await passages();
    expect(card.quotes.filter((q) => q.includes('19 euros'))).toEqual([]);
    expect(card.text).not.toContain('19 euros');
    // Approving the document as a whole opens the rest of it (the control: the passage is what would answer).
    await ok('mutation($id: ID!) { approveDocument(id: $id) { id } }', { id: job.documentId });
    const opened = await eventually(async () => {
      const a = await passages();
      return a.quotes.some((q) => q.includes('19 euros')) ? a : null;
    }, 10_000, 50);
    expect(opened.text).toContain('19 euros');
  });

  it('leaves draft vectors to the embedder when vectors live outside the graph (Qdrant mode), so the external store receives them', async () => {
    const { IngestionPipeline } = await import('../src/ingestion/pipeline.js');
    const { modelAccess } = await import('../src/ingestion/model.stages.js');
    const { createHash } = await import('node:crypto');
    const s = api.app.services;
    // This process's background work would sweep the pending drafts into its (Neo4j) store at once;
    // stopped, the drafts stay as the writer left them (this is the file's last test).
    await s.background.close();
    const models = modelAccess(s.inference, { embedding: s.inference.models.embedding, chunks: api.config.ingestion.chunkEmbeddingModel }, s.logger);
    const written: Record<string, string[]> = {};
    for (const inGraph of [true, false]) {
      const pipeline = new IngestionPipeline({ executor: s.executor, knowledge: s.knowledge, logger: s.logger, models: () => models }, { draftVectorsInGraph: inGraph });
      const content = `What is the Qdrant ${inGraph} ${run} limit?\nThe Qdrant ${inGraph} ${run} limit is 9 items.\n`;
      const contentHash = createHash('sha256').update(content).digest('hex');
      const env = { logger: s.logger, report: () => undefined, timings: {} };
      const request = { title: 'Qdrant mode', mediaType: 'text/plain', content, source: `gov-qdrant-${inGraph}-${run}`, language: 'en', visibility: 'PUBLIC' as const, trusted: false, by: null };
      const prepared = await pipeline.prepare({ request, jobId: `job-${randomUUID()}`, documentId: `doc-${randomUUID()}`, contentHash }, env);
      const result = await pipeline.write(prepared, await pipeline.infer(prepared, env), env);
      expect(result.draftIds.length).toBeGreaterThan(0);
      written[String(inGraph)] = result.draftIds;
    }
    const pending = async (ids: string[]) =>
      (await s.executor.read('retrieval/pending-embeddings', { ids, model: s.inference.models.embedding, limit: 100 })).map((r) => String(r.id)).sort();
    // Neo4j store: the drafts' vectors were written with them. External store: they are pending, so the
    // embedder's sweep (started by the knowledge event) sends them to the store, which marks them embedded.
    expect(await pending(written.true!)).toEqual([]);
    expect(await pending(written.false!)).toEqual([...written.false!].sort());
  }, 240_000);
});
