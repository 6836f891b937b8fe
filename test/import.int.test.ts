import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/app.js';
import { readSeed } from '../src/knowledge/seed.js';
import { startTestApi, type TestApi } from './harness.js';

let api: TestApi;
const run = randomUUID().slice(0, 8);
const IMPORT = 'mutation($f: ImportFormat!, $d: String!, $p: Boolean) { importKnowledge(format: $f, data: $d, publish: $p) { created updated unchanged errors { line message } } }';
type Result = { importKnowledge: { created: number; updated: number; unchanged: number; errors: Array<{ line: number; message: string }> } };

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const count = async (where: string, params: Record<string, unknown> = {}) =>
  Number((await api.app.services.executor.readText('test/count', `MATCH (n) WHERE ${where} RETURN count(n) AS n`, params))[0]!.n);

describe('importKnowledge', () => {
  it('accepts every record example of the public contract', async () => {
    const data = [
      `{"type":"fact","externalId":"faq-17-${run}","question":"How long does a refund take?","answer":"Refunds reach your card within 5 working days.","language":"en","visibility":"PUBLIC","entities":["Refund"]}`,
      `{"type":"intent","externalId":"int-card-arrival-${run}","name":"card_arrival_${run}","examples":["When will my card arrive?","Is my card on its way?"],"language":"en"}`,
      `{"type":"entity","externalId":"ent-refund-${run}","name":"Refund ${run}","entityType":"Policy","aliases":["money back ${run}"]}`,
      `{"type":"rule","externalId":"rule-refund-window-${run}","name":"Refund window","when":{"all":[{"fact":"order.ageDays","op":"lte","value":30}]},"then":"Eligible for a full refund."}`,
      `{"type":"process","externalId":"proc-reset-password-${run}","name":"Reset password","intent":"reset_password_${run}","steps":[{"id":"s1","prompt":"What is the email on your account?","slot":"email"},{"id":"s2","prompt":"We sent a reset link to {email}."}]}`,
    ].join('\n');
    const r = await api.gql<Result>(IMPORT, { f: 'JSONL', d: data, p: true });
    expect(r.body.data!.importKnowledge).toEqual({ created: 5, updated: 0, unchanged: 0, errors: [] });
    const again = await api.gql<Result>(IMPORT, { f: 'JSONL', d: data, p: true });
    expect(again.body.data!.importKnowledge).toEqual({ created: 0, updated: 0, unchanged: 5, errors: [] });
  });

  it('reports bad rows with line numbers and writes nothing from that call', async () => {
    const data = [
      `{"type":"fact","externalId":"ok-${run}","statement":"A valid statement ${run}."}`,
      '',
      `{"type":"rule","externalId":"bad-rule-${run}","name":"r","when":{"all":[{"fact":"order.ageDays","op":"lessThan","value":3}]},"then":"x"}`,
      `{"type":"fact","externalId":"bad-json-${run}", nope}`,
    ].join('\n');
    const r = await api.gql<Result>(IMPORT, { f: 'JSONL', d: data });
    const res = r.body.data!.importKnowledge;
    expect(res.created + res.updated + res.unchanged).toBe(0);
    expect(res.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(res.errors[0]!.message).toMatch(/line 3: .*when\.all\[0\]\.op/);
    expect(await count('n.externalId = $id', { id: `ok-${run}` })).toBe(0);
  });

  it('rejects an intent whose handler does not exist, rolling back the whole call', async () => {
    const data = [
      `{"type":"fact","externalId":"h-ok-${run}","statement":"Handler test ${run}."}`,
      `{"type":"intent","externalId":"h-int-${run}","name":"h_${run}","examples":["a","b"],"handler":{"fact":"missing-${run}"}}`,
    ].join('\n');
    const r = await api.gql<Result>(IMPORT, { f: 'JSONL', d: data });
    expect(r.body.data!.importKnowledge.errors).toEqual([{ line: 2, message: expect.stringMatching(/handler "missing-.*" is not a known/) }]);
    expect(await count('n.externalId = $id', { id: `h-ok-${run}` })).toBe(0);
  });

  it('imports CSV (multi-line quoted fields keep their line numbers)', async () => {
    const csv = ['type,externalId,question,answer,language,entities', `fact,csv1-${run},"Two-line\nquestion?",Yes.,en,Alpha;Beta`, `fact,csv2-${run},,,en,`].join('\n');
    const r = await api.gql<Result>(IMPORT, { f: 'CSV', d: csv });
    expect(r.body.data!.importKnowledge.errors.map((e) => e.line)).toEqual([4]);
    const ok = await api.gql<Result>(IMPORT, { f: 'CSV', d: csv.split('\n').slice(0, 3).join('\n') });
    expect(ok.body.data!.importKnowledge).toMatchObject({ created: 1, errors: [] }); // entities named only by a fact become Concepts, not counted rows
  });

  it('a changed record is updated as a new version', async () => {
    const line = (answer: string) => `{"type":"fact","externalId":"ver-${run}","question":"Q ${run}?","answer":"${answer}"}`;
    await api.gql<Result>(IMPORT, { f: 'JSONL', d: line('one') });
    const r = await api.gql<Result>(IMPORT, { f: 'JSONL', d: line('two') });
    expect(r.body.data!.importKnowledge).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const rows = await api.app.services.executor.readText('test/v', 'MATCH (k:Knowledge {externalId: $id}) RETURN k.version AS v, k.answer AS a', { id: `ver-${run}` });
    expect(rows[0]).toEqual({ v: 2, a: 'two' });
  });

  it('loads the bilingual demo seed and a second load changes nothing', async () => {
    const seed = readSeed(path.join(projectRoot, 'seeds'));
    const first = await api.gql<Result>(IMPORT, { f: 'JSONL', d: seed, p: true });
    expect(first.body.data!.importKnowledge.errors).toEqual([]);
    const second = await api.gql<Result>(IMPORT, { f: 'JSONL', d: seed, p: true });
    const s = second.body.data!.importKnowledge;
    expect(s.created + s.updated).toBe(0);
    expect(s.unchanged).toBe(first.body.data!.importKnowledge.created + first.body.data!.importKnowledge.unchanged);
    expect(await count('n:Fact AND n.externalId STARTS WITH "fact-"')).toBeGreaterThanOrEqual(60);
    expect(await count('n:Rule AND n.externalId STARTS WITH "rule-"')).toBeGreaterThanOrEqual(8);
    expect(await count('n:Process AND n.externalId STARTS WITH "proc-"')).toBeGreaterThanOrEqual(6);
    expect(await count('n:Intent')).toBeGreaterThanOrEqual(25);
    // zh and en handlers for one intent
    const handlers = await api.app.services.executor.readText('test/h', "MATCH (:Intent {name: 'return_item'})-[h:HANDLED_BY]->(p) RETURN collect(h.language) AS l");
    expect([...(handlers[0]!.l as string[])].sort()).toEqual(['en', 'zh']);
  });

  it('exports in the import format; re-importing the export changes nothing', async () => {
    // An item made without an external id is exported under its id and found again by it.
    const made = await api.gql<{ createKnowledge: { id: string } }>(
      'mutation { createKnowledge(input: { kind: FACT, language: "en", question: "Do gift cards expire?", answer: "No, gift cards never expire." }) { id } }',
    );
    expect(made.body.errors).toBeUndefined();
    const r = await api.gql<{ exportKnowledge: string }>('query { exportKnowledge(format: JSONL) }');
    const exported = r.body.data!.exportKnowledge;
    expect(exported.split('\n').filter(Boolean).length).toBeGreaterThan(60);
    const again = await api.gql<Result>(IMPORT, { f: 'JSONL', d: exported });
    expect(again.body.data!.importKnowledge).toMatchObject({ created: 0, updated: 0, errors: [] });
    const csv = await api.gql<{ exportKnowledge: string }>('query { exportKnowledge(format: CSV) }');
    const csvAgain = await api.gql<Result>(IMPORT, { f: 'CSV', d: csv.body.data!.exportKnowledge });
    expect(csvAgain.body.data!.importKnowledge).toMatchObject({ created: 0, updated: 0, errors: [] });
  });
});
