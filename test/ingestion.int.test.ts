import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/app.js';
import { BULL_PREFIX } from '../src/ingestion/ingestion.module.js';
import { startTestApi, type TestApi } from './harness.js';
import { makeDocx, makePdf } from './ingestion-fixtures.js';
import { createKey, finished, graphCounts, importSeed, ingest, job, type JobView } from './ingestion-helpers.js';

let api: TestApi;
const run = randomUUID().slice(0, 8);
const keys: Record<string, string> = {};
const MAX_BYTES = 200_000;

interface SeedDoc {
  path: string;
  title: string;
  mediaType: string;
  language: string;
  visibility: string;
  source: string;
}
const seeds = JSON.parse(readFileSync(path.join(projectRoot, 'seeds', 'manifest.json'), 'utf8')) as { documents: SeedDoc[] };

beforeAll(async () => {
  api = await startTestApi({ INGEST_MAX_BYTES: String(MAX_BYTES), INGEST_TRUSTED_SOURCES: `trusted-${run}:`, INGEST_BACKOFF_MS: '200' });
  await api.app.startWorkers();
  await importSeed(api);
  for (const role of ['CUSTOMER', 'AGENT', 'EDITOR', 'SERVICE']) keys[role] = await createKey(api, role, `${role}-ingest-${run}`);
}, 180_000);
afterAll(async () => {
  await api?.close();
});

const documentText = async (documentId: string) =>
  String((await api.app.services.executor.readText('test/document-text', 'MATCH (d:Document {id: $id}) RETURN d.text AS text', { id: documentId }))[0]?.text);

interface TaskView {
  id: string;
  type: string;
  kind: string;
  reason: string;
  source: { documentId: string; documentTitle: string; start: number; end: number; quote: string } | null;
  item: { id: string; kind: string; status: string; sources: Array<{ documentId: string; start: number; end: number; quote: string }> } | null;
}
const QUEUE = `query($first: Int, $after: String, $type: ReviewTaskType) { reviewQueue(first: $first, after: $after, type: $type) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id type kind reason source { documentId documentTitle start end quote } item { id kind status sources { documentId start end quote } } } } } }`;

async function allTasks(type: string | null = null): Promise<TaskView[]> {
  const out: TaskView[] = [];
  let after: string | null = null;
  for (;;) {
    const r: { body: { data?: { reviewQueue: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: TaskView }> } }; errors?: unknown } } = await api.gql(QUEUE, { first: 100, after, type }, keys.EDITOR);
    if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
    out.push(...r.body.data.reviewQueue.edges.map((e) => e.node));
    if (!r.body.data.reviewQueue.pageInfo.hasNextPage) return out;
    after = r.body.data.reviewQueue.pageInfo.endCursor;
  }
}

describe('ingesting the demo documents', () => {
  const jobs = new Map<string, JobView>();

  beforeAll(async () => {
    const submitted = await Promise.all(
      seeds.documents.map(async (d) => {
        const content = readFileSync(path.join(projectRoot, 'seeds', d.path), 'utf8');
        return [d.source, await ingest(api, { title: d.title, mediaType: d.mediaType, content, source: `${d.source}-${run}`, language: d.language, visibility: d.visibility }, keys.EDITOR)] as const;
      }),
    );
    for (const [source, j] of submitted) jobs.set(source, await finished(api, j.id, 240_000));
  }, 300_000);

  it('completes every document with chunks, mentions, drafts and a review task per draft', () => {
    for (const [source, j] of jobs) {
      expect({ source, status: j.status, error: j.error }).toEqual({ source, status: 'COMPLETED', error: null });
      expect(j.progress).toBe(1);
      expect(j.counts.chunks).toBeGreaterThan(1);
      expect(j.counts.drafts).toBeGreaterThan(0);
      expect(j.counts.reviewTasks).toBeGreaterThanOrEqual(j.counts.drafts!);
      expect(j.counts.mentions).toBeGreaterThan(0);
    }
  });

  it('queues drafts whose source offsets quote the sentence in the document text, and whose citations agree', async () => {
    const ours = new Set([...jobs.values()].map((j) => j.documentId));
    const tasks = (await allTasks('DRAFT')).filter((t) => t.source && ours.has(t.source.documentId));
    expect(tasks.length).toBeGreaterThan(30);
    const texts = new Map<string, string>();
    for (const t of tasks) {
      const s = t.source!;
      if (!texts.has(s.documentId)) texts.set(s.documentId, await documentText(s.documentId));
      expect(texts.get(s.documentId)!.slice(s.start, s.end)).toBe(s.quote);
      expect(t.item?.status).toBe('DRAFT');
      expect(t.kind).toBe(t.item?.kind);
      // KnowledgeItem.sources (what answers cite) reads the same passage through DERIVED_FROM
      // (one part per chunk when a passage spans two chunks).
      expect(t.item!.sources.length).toBeGreaterThan(0);
      for (const c of t.item!.sources) {
        expect(texts.get(c.documentId)!.slice(c.start, c.end)).toBe(c.quote);
        expect(c.start).toBeGreaterThanOrEqual(s.start);
        expect(c.end).toBeLessThanOrEqual(s.end);
      }
      expect(t.item!.sources[0]!.start).toBe(s.start);
      expect(t.item!.sources.at(-1)!.end).toBe(s.end);
    }
    const quotes = tasks.map((t) => t.source!.quote);
    expect(quotes).toContain('If an item is unopened and still in its original sealed packaging, you can return it within 30 days of delivery for a full refund.');
    expect(quotes).toContain('如果订单不满 50 新元，运费为 5 新元。');
    expect(quotes).toContain('问：你们有哪些配送方式？\n答：我们提供三种方式：标准配送、加急配送和门店自提。');
    const kinds = new Set(tasks.map((t) => t.kind));
    expect(kinds).toEqual(new Set(['fact', 'rule', 'process']));
  });

  it('links mentions to the demo entities and reads relations from the text', async () => {
    const doc = jobs.get('seed:x5-product-guide')!;
    const rows = await api.app.services.executor.readText(
      'test/mentions',
      'MATCH (:Document {id: $id})-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(e:Entity) RETURN collect(DISTINCT e.name) AS names',
      { id: doc.documentId },
    );
    expect(rows[0]!.names).toEqual(expect.arrayContaining(['Northwind X5', 'Northwind Care+', 'Northwind 65W Charger']));
  });

  it('links entities imported just before the document (the import refreshes the ingestion dictionary)', async () => {
    const name = `Quasarcard${run}`;
    const imported = await api.gql<{ importKnowledge: { created: number } }>('mutation($d: String!) { importKnowledge(format: JSONL, data: $d) { created } }', { d: JSON.stringify({ type: 'entity', externalId: `ent-qc-${run}`, name, entityType: 'Product' }) }, keys.EDITOR);
    expect(imported.body.data!.importKnowledge.created).toBe(1);
    const j = await finished(api, (await ingest(api, { title: 'Quasar', mediaType: 'text/plain', content: `If your ${name} is lost, block it in the app.`, source: `gaz-${run}`, language: 'en' }, keys.EDITOR)).id);
    const rows = await api.app.services.executor.readText('test/gazetteer-fresh', 'MATCH (:Document {id: $id})-[:HAS_CHUNK]->(:Chunk)-[m:MENTIONS]->(e:Entity) RETURN e.name AS name, e.origin AS origin', { id: j.documentId });
    expect(rows.map((r) => r.name)).toContain(name);
    expect(rows.find((r) => r.name === name)!.origin).not.toBe('ingestion'); // the imported entity, not a new one
  });

  it('finds people, companies and places in a Chinese document with the Chinese tagger', async () => {
    const content = '门店服务说明\n\n如果您在上海的门店遇到问题，请联系华东区负责人李明。\n\n我们与招商银行合作提供分期付款，详情请咨询深圳总部。';
    const j = await finished(api, (await ingest(api, { title: '门店服务说明', mediaType: 'text/plain', content, source: `ner-zh-${run}`, language: 'zh' }, keys.EDITOR)).id);
    expect(j.status).toBe('COMPLETED');
    const rows = await api.app.services.executor.readText(
      'test/mentions-zh',
      'MATCH (:Document {id: $id})-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(e:Entity) RETURN collect(DISTINCT [e.name, e.type]) AS entities',
      { id: j.documentId },
    );
    expect(rows[0]!.entities).toEqual(expect.arrayContaining([['李明', 'Person'], ['招商银行', 'Organization'], ['上海', 'Location']]));
  });

  it('does nothing for the same content again: same job, unchanged, no new nodes', async () => {
    const d = seeds.documents[0]!;
    const source = `${d.source}-${run}`;
    const before = await graphCounts(api, source);
    const again = await ingest(api, { title: d.title, mediaType: d.mediaType, content: readFileSync(path.join(projectRoot, 'seeds', d.path), 'utf8'), source, language: d.language }, keys.EDITOR);
    expect(again.id).toBe(jobs.get(d.source)!.id);
    expect(again).toMatchObject({ status: 'COMPLETED', unchanged: true });
    expect(await graphCounts(api, source)).toEqual(before);
  });

  it('lists jobs newest first, by status, with totalCount', async () => {
    const r = await api.gql<{ ingestionJobs: { totalCount: number; edges: Array<{ node: { id: string; status: string } }> } }>(
      'query { ingestionJobs(first: 100, status: COMPLETED) { totalCount edges { node { id status } } } }',
      {},
      keys.SERVICE,
    );
    const ids = r.body.data!.ingestionJobs.edges.map((e) => e.node.id);
    for (const j of jobs.values()) expect(ids).toContain(j.id);
    expect(r.body.data!.ingestionJobs.edges.every((e) => e.node.status === 'COMPLETED')).toBe(true);
    expect(r.body.data!.ingestionJobs.totalCount).toBeGreaterThanOrEqual(jobs.size);
  });
});

describe('versions of a document', () => {
  const source = `policy-${run}`;
  const v1 = [
    '# Gift wrapping',
    '',
    'If you order before 2 pm, we wrap the gift on the same day.',
    '',
    'If the wrapping is damaged on arrival, we send new wrapping free of charge.',
    '',
    'If you need a gift receipt, ask for one at checkout.',
  ].join('\n');
  const v2 = [
    '# Gift wrapping',
    '',
    'If you order before 2 pm, we wrap the gift on the same day.',
    '',
    'If you need a gift receipt, ask for one at checkout.',
    '',
    'If you want a card, write your message in the order notes.',
  ].join('\n');

  it('supersedes the old drafts, re-points live items and flags those whose sentence disappeared', async () => {
    const first = await finished(api, (await ingest(api, { title: 'Gift wrapping', mediaType: 'text/markdown', content: v1, source, language: 'en' }, keys.EDITOR)).id);
    expect(first).toMatchObject({ status: 'COMPLETED', documentVersion: 1 });
    const tasks = (await allTasks('DRAFT')).filter((t) => t.source?.documentId === first.documentId);
    expect(tasks.map((t) => t.source!.quote).sort()).toEqual([
      'If the wrapping is damaged on arrival, we send new wrapping free of charge.',
      'If you need a gift receipt, ask for one at checkout.',
      'If you order before 2 pm, we wrap the gift on the same day.',
    ]);
    const byQuote = new Map(tasks.map((t) => [t.source!.quote, t]));
    const kept = byQuote.get('If you order before 2 pm, we wrap the gift on the same day.')!;
    const removed = byQuote.get('If the wrapping is damaged on arrival, we send new wrapping free of charge.')!;
    const unreviewed = byQuote.get('If you need a gift receipt, ask for one at checkout.')!;
    for (const t of [kept, removed]) {
      const r = await api.gql('mutation($id: ID!) { approveReviewTask(id: $id) { status decision } }', { id: t.id }, keys.EDITOR);
      expect(r.body.errors).toBeUndefined();
    }

    const second = await finished(api, (await ingest(api, { title: 'Gift wrapping', mediaType: 'text/markdown', content: v2, source, language: 'en' }, keys.EDITOR)).id);
    expect(second).toMatchObject({ status: 'COMPLETED', documentVersion: 2, unchanged: false });
    expect(second.counts.sourceRemoved).toBe(1);

    const item = async (id: string) =>
      (await api.gql<{ knowledgeItem: { status: string; sources: Array<{ documentId: string; quote: string }> } | null }>('query($id: ID!) { knowledgeItem(id: $id) { status sources { documentId quote } } }', { id }, keys.EDITOR)).body.data!
        .knowledgeItem;
    // A published item whose sentence is still there now cites the new version.
    expect(await item(kept.item!.id)).toEqual({ status: 'PUBLISHED', sources: [{ documentId: second.documentId, quote: 'If you order before 2 pm, we wrap the gift on the same day.' }] });
    // One whose sentence is gone stays live, keeps its old citation, and gets a source-removed task.
    expect(await item(removed.item!.id)).toEqual({ status: 'PUBLISHED', sources: [{ documentId: first.documentId, quote: 'If the wrapping is damaged on arrival, we send new wrapping free of charge.' }] });
    const flagged = (await allTasks('SOURCE_REMOVED')).filter((t) => t.item?.id === removed.item!.id);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.source!.quote).toBe('If the wrapping is damaged on arrival, we send new wrapping free of charge.');
    const flaggedDiff = await api.gql<{ reviewTask: { diff: { items: Array<{ itemId: string; change: string }> } } }>('query($id: ID!) { reviewTask(id: $id) { diff { items { itemId change } } } }', { id: flagged[0]!.id }, keys.EDITOR);
    expect(flaggedDiff.body.data!.reviewTask.diff.items).toEqual([{ itemId: removed.item!.id, change: 'REMOVED' }]);
    // The unreviewed draft of version 1 is gone; version 2 proposes its own drafts (not the one already live).
    expect(await item(unreviewed.item!.id)).toBeNull();
    const v2Drafts = (await allTasks('DRAFT')).filter((t) => t.source?.documentId === second.documentId).map((t) => t.source!.quote);
    expect(v2Drafts.sort()).toEqual(['If you need a gift receipt, ask for one at checkout.', 'If you want a card, write your message in the order notes.']);
    // Ingesting version 2 once more changes nothing; no duplicate task for the flagged item.
    const again = await ingest(api, { title: 'Gift wrapping', mediaType: 'text/markdown', content: v2, source, language: 'en' }, keys.EDITOR);
    expect(again).toMatchObject({ id: second.id, unchanged: true });
    expect((await allTasks('SOURCE_REMOVED')).filter((t) => t.item?.id === removed.item!.id)).toHaveLength(1);
  });
});

describe('provenance and visibility', () => {
  it('an item made public does not quote its internal source document to a customer', async () => {
    const content = `# Staff notes ${run}\n\nIf a parcel is lost, staff refund it without asking for proof.`;
    const j = await finished(api, (await ingest(api, { title: `Staff notes ${run}`, mediaType: 'text/markdown', content, source: `staff-${run}`, language: 'en', visibility: 'INTERNAL' }, keys.EDITOR)).id);
    expect(j).toMatchObject({ status: 'COMPLETED' });
    const [task] = (await allTasks('DRAFT')).filter((t) => t.source?.documentId === j.documentId);
    expect(task).toBeDefined();
    expect((await api.gql('mutation($id: ID!) { approveReviewTask(id: $id) { status } }', { id: task!.id }, keys.EDITOR)).body.errors).toBeUndefined();
    const id = task!.item!.id;
    const made = await api.gql('mutation($id: ID!) { updateKnowledge(id: $id, input: { visibility: PUBLIC }) { id } }', { id });
    expect(made.body.errors).toBeUndefined();
    await api.gql('mutation($id: ID!) { publishKnowledge(id: $id) { id } }', { id });
    const sources = async (key: string) =>
      (await api.gql<{ knowledgeItem: { visibility: string; sources: Array<{ documentId: string }> } | null }>('query($id: ID!) { knowledgeItem(id: $id) { visibility sources { documentId } } }', { id }, key)).body.data!.knowledgeItem;
    expect(await sources(keys.AGENT!)).toEqual({ visibility: 'PUBLIC', sources: [{ documentId: j.documentId }] });
    const customer = await sources(keys.CUSTOMER!);
    // The customer may read the item (published, public) but not the internal document it came from.
    if (customer) expect(customer.sources).toEqual([]);
  });
});

describe('formats', () => {
  it.each([
    ['a PDF', 'application/pdf', async () => makePdf(['Screen care', '', 'If the screen cracks, book a repair in the Northwind App.', '', 'How long does a repair take?', 'Most repairs take 3 working days.']).toString('base64')],
    ['a DOCX file', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', async () => (await makeDocx(['# Screen care', 'If the screen cracks, book a repair in the Northwind App.'])).toString('base64')],
    ['a FAQ CSV', 'text/csv', async () => 'question,answer\n"How long does a repair take?","Most repairs take 3 working days."\n'],
    ['a FAQ JSONL', 'application/jsonl', async () => '{"question":"How long does a repair take?","answer":"Most repairs take 3 working days."}\n'],
    ['an HTML page', 'text/html', async () => '<html><body><h1>Screen care</h1><p>If the screen cracks, book a repair in the <b>Northwind App</b>.</p><script>alert(1)</script></body></html>'],
  ])('ingests %s into drafts', async (_what, mediaType, content) => {
    const j = await finished(api, (await ingest(api, { title: `Format ${mediaType}`, mediaType, content: await content(), source: `format-${mediaType}-${run}`, language: 'en' }, keys.SERVICE)).id);
    expect(j).toMatchObject({ status: 'COMPLETED', error: null });
    expect(j.counts.drafts).toBeGreaterThan(0);
    const text = await documentText(j.documentId!);
    expect(text).not.toMatch(/alert|<|%PDF/);
  });
});

describe('bad files', () => {
  it.each([
    ['an empty file', 'text/plain', '  \n\n ', /empty/i],
    ['binary data sent as text', 'text/plain', `PK\u0003\u0004${'\u0000\u0001\u0002'.repeat(50)}`, /binary data/i],
    ['a corrupt PDF', 'application/pdf', Buffer.from('%PDF-1.7\n%garbage that is not a PDF body\n').toString('base64'), /PDF could not be read/i],
    ['a PDF that is not base64', 'application/pdf', '%PDF-1.4 plain text', /base64/i],
    ['an oversized file', 'text/plain', 'Refunds take five days. '.repeat(Math.ceil((MAX_BYTES + 1000) / 24)), /limit is/i],
    ['an unsupported media type', 'image/png', 'iVBORw0KGgo=', /Unsupported media type "image\/png"/],
  ])('fails %s at once with a clear reason and writes nothing', async (_what, mediaType, content, reason) => {
    const source = `bad-${randomUUID().slice(0, 8)}`;
    const j = await finished(api, (await ingest(api, { title: 'Bad file', mediaType, content, source }, keys.EDITOR)).id);
    expect(j.status).toBe('FAILED');
    expect(j.error).toMatch(reason);
    expect(j.attempts).toBe(1); // permanent: no retries
    expect(await graphCounts(api, source)).toEqual({ documents: 0, chunks: 0, drafts: 0, tasks: 0, mentions: 0 });
    const data = await api.app.redis.keys(`${BULL_PREFIX}:ingest-prepare:${j.id}`);
    if (data.length) expect(await api.app.redis.hget(data[0]!, 'data')).not.toContain(content.slice(0, 20));
  });
});

describe('privacy', () => {
  it('masks PII before anything is stored', async () => {
    const content = 'Contact\n\nIf your refund is late, e-mail jane.tan@example.com or call 13812345678. Card 4111 1111 1111 1111 and ID 11010519491231002X were seen.';
    const j = await finished(api, (await ingest(api, { title: 'PII', mediaType: 'text/plain', content, source: `pii-${run}`, language: 'en' }, keys.EDITOR)).id);
    expect(j.status).toBe('COMPLETED');
    expect(j.counts.piiFound).toBe(4);
    const rows = await api.app.services.executor.readText(
      'test/pii',
      `MATCH (d:Document {id: $id}) OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk) OPTIONAL MATCH (k:Knowledge)-[:DERIVED_FROM]->(c)
       RETURN d.text AS text, collect(c.text) AS chunks, collect(coalesce(k.then, '') + coalesce(k.name, '')) AS items`,
      { id: j.documentId },
    );
    const stored = JSON.stringify(rows[0]);
    expect(stored).toContain('[EMAIL]');
    expect(stored).toContain('[PHONE]');
    expect(stored).toContain('[CARD]');
    expect(stored).toContain('[CN_ID]');
    for (const secret of ['jane.tan', '13812345678', '4111 1111', '11010519491231002X']) expect(stored).not.toContain(secret);
  });
});

describe('progress and access', () => {
  it('streams progress over the subscription until the job completes', async () => {
    const content = Array.from({ length: 40 }, (_, i) => `If step ${i} fails, call Customer Care and quote the order number.`).join('\n\n');
    const j = await ingest(api, { title: 'Progress', mediaType: 'text/plain', content, source: `progress-${run}`, language: 'en' }, keys.EDITOR);
    const client = api.ws(keys.EDITOR);
    const seen: Array<{ status: string; progress: number; stage: string }> = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ ingestionProgress: { status: string; progress: number; stage: string } }>(
        { query: 'subscription($id: ID!) { ingestionProgress(jobId: $id) { status progress stage } }', variables: { id: j.id } },
        { next: (m) => (m.data ? seen.push(m.data.ingestionProgress) : reject(new Error(JSON.stringify(m.errors)))), error: reject, complete: resolve },
      );
    });
    expect(seen.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 1, stage: 'done' });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
  });

  it.each([
    ['CUSTOMER', 'FORBIDDEN'],
    ['AGENT', 'FORBIDDEN'],
  ])('refuses ingestion to %s', async (role, code) => {
    const r = await api.gql('mutation { ingestDocument(input: {title: "x", mediaType: "text/plain", content: "x"}) { id } }', {}, keys[role]);
    expect(r.body.errors?.[0]?.extensions?.code).toBe(code);
  });

  it('refuses trusted ingestion to SERVICE keys, and publishes sources configured as trusted without review', async () => {
    const refused = await api.gql('mutation { ingestDocument(input: {title: "x", mediaType: "text/plain", content: "If x, y.", trusted: true}) { id } }', {}, keys.SERVICE);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const j = await finished(api, (await ingest(api, { title: 'Trusted', mediaType: 'text/plain', content: 'If the parcel is late, we refund the delivery fee.', source: `trusted-${run}:doc`, language: 'en' }, keys.SERVICE)).id);
    expect(j).toMatchObject({ status: 'COMPLETED' });
    expect(j.counts.reviewTasks).toBe(0);
    const rows = await api.app.services.executor.readText('test/trusted', 'MATCH (k:Knowledge)-[:DERIVED_FROM]->(:Chunk)<-[:HAS_CHUNK]-(:Document {id: $id}) RETURN collect(k.status) AS statuses', { id: j.documentId });
    expect(rows[0]!.statuses).toEqual(['PUBLISHED']);
    // Publishing without review is audited: who asked, for which source, why it was trusted.
    const audit = await api.gql<{ auditLog: { edges: Array<{ node: { action: string; targetType: string; details: { trustedBy: string } } }> } }>(
      'query($id: ID!) { auditLog(first: 5, filter: { itemId: $id }) { edges { node { action targetType details } } } }',
      { id: j.id },
      api.adminKey,
    );
    expect(audit.body.data!.auditLog.edges.map((e) => e.node)).toEqual([{ action: 'knowledge.publish', targetType: 'Document', details: expect.objectContaining({ trustedBy: 'INGEST_TRUSTED_SOURCES' }) }]);
  });

  it('reviews RESTRICTED documents of a trusted source: trust never skips the four eyes', async () => {
    const j = await finished(api, (await ingest(api, { title: 'Trusted but restricted', mediaType: 'text/plain', content: 'If a VIP account is frozen, the relationship manager unfreezes it within one hour.', source: `trusted-${run}:restricted`, language: 'en', visibility: 'RESTRICTED' })).id);
    expect(j).toMatchObject({ status: 'COMPLETED' });
    expect(j.counts.reviewTasks).toBeGreaterThan(0);
    const rows = await api.app.services.executor.readText('test/trusted-restricted', 'MATCH (k:Knowledge)-[:DERIVED_FROM]->(:Chunk)<-[:HAS_CHUNK]-(:Document {id: $id}) RETURN collect(DISTINCT k.status) AS statuses', { id: j.documentId });
    expect(rows[0]!.statuses).toEqual(['DRAFT']);
  });

  it('answers null for an unknown job', async () => {
    expect(await job(api, 'ing-unknown')).toBeNull();
  });
});
