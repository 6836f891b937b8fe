import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.js';
import { createKey, finished, ingest } from './ingestion-helpers.js';

let api: TestApi;
const run = randomUUID().slice(0, 8);
const keys: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  await api.app.startWorkers();
  for (const role of ['CUSTOMER', 'AGENT', 'EDITOR', 'SERVICE']) keys[role] = await createKey(api, role, `${role}-review-${run}`);
}, 180_000);
afterAll(async () => {
  await api?.close();
});

interface Task {
  id: string;
  type: string;
  status: string;
  kind: string;
  decision: string | null;
  note: string | null;
  source: { quote: string; start: number; end: number } | null;
  item: { id: string; status: string; version: number; tags: string[]; when?: unknown; history: Array<{ change: string; reason: string | null }> } | null;
  entity: { id: string; name: string } | null;
  candidate: { id: string; name: string; aliases: string[] } | null;
}
const TASK = 'id type status kind decision note source { quote start end } item { id status version tags ... on Rule { when } history { change reason } } entity { id name } candidate { id name aliases }';

/** Ingests a small document and returns its draft review tasks by quote (listed with `key`). */
async function draftsOf(content: string, extra: Record<string, unknown> = {}, key = keys.EDITOR): Promise<{ documentId: string; tasks: Map<string, Task> }> {
  const j = await finished(api, (await ingest(api, { title: 'Review test', mediaType: 'text/plain', content, source: `review-${randomUUID()}`, language: 'en', ...extra }, key)).id);
  expect(j.status).toBe('COMPLETED');
  return { documentId: j.documentId!, tasks: await tasksOf(j.documentId!, key) };
}

async function tasksOf(documentId: string, key = keys.EDITOR, status: string | null = 'OPEN'): Promise<Map<string, Task>> {
  const r = await api.gql<{ reviewQueue: { edges: Array<{ node: Task }> } }>(
    `query($doc: ID, $status: ReviewTaskStatus) { reviewQueue(first: 100, type: DRAFT, document: $doc, status: $status) { edges { node { ${TASK} } } } }`,
    { doc: documentId, status },
    key,
  );
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return new Map(r.body.data.reviewQueue.edges.map((e) => [e.node.source!.quote, e.node]));
}

const approve = (id: string, edits?: Record<string, unknown>, key = keys.EDITOR) =>
  api.gql<{ approveReviewTask: Task }>(`mutation($id: ID!, $edits: ReviewEdits) { approveReviewTask(id: $id, edits: $edits) { ${TASK} } }`, { id, edits }, key);
const reject = (id: string, reason: string, key = keys.EDITOR) =>
  api.gql<{ rejectReviewTask: Task }>(`mutation($id: ID!, $reason: String!) { rejectReviewTask(id: $id, reason: $reason) { ${TASK} } }`, { id, reason }, key);

describe('review of drafts', () => {
  it('approves a rule draft with the editor’s condition: published, new version, placeholder tag gone', async () => {
    const { tasks } = await draftsOf('If a device arrives locked, we hold it for 14 days.');
    const task = tasks.get('If a device arrives locked, we hold it for 14 days.')!;
    expect(task).toMatchObject({ status: 'OPEN', kind: 'rule', item: { status: 'DRAFT', tags: ['ingested', 'needs-condition'] } });
    const when = { fact: 'device.activationLocked', op: 'eq', value: true };
    const r = await approve(task.id, { when });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.approveReviewTask).toMatchObject({ status: 'DONE', decision: 'approved', item: { status: 'PUBLISHED', version: 2, tags: ['ingested'], when } });
    expect(r.body.data!.approveReviewTask.item!.history.map((h) => h.change)).toEqual(['publish', 'update', 'create']);
    const again = await approve(task.id);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('rejects a draft with a reason that the item’s history keeps', async () => {
    const { tasks } = await draftsOf('If the parcel is lost, we send a new one.');
    const task = [...tasks.values()][0]!;
    const empty = await reject(task.id, '  ');
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const r = await reject(task.id, 'duplicates the delivery policy');
    expect(r.body.data!.rejectReviewTask).toMatchObject({ status: 'DONE', decision: 'rejected', note: 'duplicates the delivery policy', item: { status: 'REJECTED' } });
    expect(r.body.data!.rejectReviewTask.item!.history[0]).toEqual({ change: 'reject', reason: 'duplicates the delivery policy' });
  });

  it('refuses invalid edits and leaves the task open', async () => {
    const { documentId, tasks } = await draftsOf('If a card expires, order a new one in the app.');
    const task = [...tasks.values()][0]!;
    const r = await approve(task.id, { when: { fact: 'card.expired', op: 'isTrue' } });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect([...(await tasksOf(documentId)).values()].map((t) => [t.id, t.status, t.item?.status, t.item?.version])).toEqual([[task.id, 'OPEN', 'DRAFT', 1]]);
  });

  it.each(['CUSTOMER', 'AGENT', 'SERVICE'])('keeps the queue and its decisions to editors (%s is refused)', async (role) => {
    const q = await api.gql('query { reviewQueue(first: 1) { totalCount } }', {}, keys[role]);
    expect(q.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const a = await approve('rt-any', undefined, keys[role]);
    expect(a.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('hides tasks of RESTRICTED drafts from editors without the grant', async () => {
    const { documentId, tasks } = await draftsOf('If fraud is suspected, hold the order for review.', { visibility: 'RESTRICTED' }, api.adminKey);
    const task = [...tasks.values()][0]!;
    expect(task.item?.status).toBe('DRAFT');
    expect((await tasksOf(documentId, keys.EDITOR)).size).toBe(0);
    expect((await approve(task.id)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('review of entity merges', () => {
  it('merges the new entity into the suggested one: alias, mentions and relations move', async () => {
    const exec = api.app.services.executor;
    const ids = { fresh: `e-${randomUUID()}`, existing: `e-${randomUUID()}`, other: `e-${randomUUID()}`, chunk: `c-${randomUUID()}`, task: `rt-${randomUUID()}` };
    await exec.writeText(
      'test/merge-setup',
      `CREATE (fresh:Entity {id: $ids.fresh, key: 'nw tab ten ' + $run, name: 'NW Tab Ten ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (existing:Entity {id: $ids.existing, key: 'northwind tab ten ' + $run, name: 'Northwind Tab Ten ' + $run, type: 'Product', aliases: ['Tab Ten'], aliasKeys: ['tab ten']})
       CREATE (other:Entity {id: $ids.other, key: 'care ten ' + $run, name: 'Care Ten ' + $run, type: 'Service', aliases: [], aliasKeys: []})
       CREATE (:Chunk {id: $ids.chunk, text: 'x', start: 0, end: 1})-[:MENTIONS {count: 1}]->(fresh)
       CREATE (other)-[:COVERS {documentId: 'doc-x', confidence: 0.8, origin: 'ingestion'}]->(fresh)
       CREATE (t:ReviewTask {id: $ids.task, type: 'entity-merge', status: 'OPEN', createdAt: datetime(), score: 0.87, reason: 'similar names'})-[:FOR]->(fresh)
       CREATE (t)-[:CANDIDATE]->(existing)`,
      { ids, run },
    );
    const r = await approve(ids.task);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.approveReviewTask).toMatchObject({ status: 'DONE', decision: 'approved', kind: 'entity', entity: { id: ids.existing } });
    const [after] = await exec.readText(
      'test/merge-check',
      `MATCH (e:Entity {id: $ids.existing})
       RETURN e.aliases AS aliases, EXISTS { (:Chunk {id: $ids.chunk})-[:MENTIONS]->(e) } AS mentioned,
              EXISTS { (:Entity {id: $ids.other})-[:COVERS]->(e) } AS covered, EXISTS { MATCH (x:Entity {id: $ids.fresh}) } AS freshLeft`,
      { ids },
    );
    expect(after).toEqual({ aliases: ['Tab Ten', `NW Tab Ten ${run}`], mentioned: true, covered: true, freshLeft: false });
  });
});
