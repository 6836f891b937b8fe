/**
 * `npm run eval:answers [-- --slot 8 --limit 0 --only bankfaq,banking77,clinc150 --concurrency 4]`
 *
 * Evaluates answers and intents through the real API (GraphQL over HTTP, in this process) on the
 * public datasets in ../shared/datasets, read in place (never copied into the repository):
 *  - bankfaq: the 1,202 answers imported as facts; each training question is asked and the rank of
 *    its answer is read — hybrid GraphRAG retrieval next to BM25-only (fulltext) and vector-only
 *    baselines (P@1, Recall@5, MRR@10), plus `answer`'s own top item and how its confidence is calibrated.
 *  - banking77 and clinc150: the training examples imported as intents; dev utterances go through
 *    `answer` and its `intent` is scored (accuracy; for CLINC150 in-scope accuracy and out-of-scope
 *    recall, Larson et al. 2019). CLINC150's `oos_train` is imported as the `out_of_scope` intent,
 *    which only tunes the out-of-scope threshold.
 * Runs against its own local Neo4j + Redis (`.data/test-<slot>`, default slot 8; `bench:answer` keeps its fixture in slot 9), emptied first.
 * Prints a table and writes bench-results/eval-answers.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import neo4j from 'neo4j-driver';
import { projectRoot } from '../src/app.js';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';
import { report, startBenchStack, type BenchStack } from '../bench/harness.js';

const { values: args } = parseArgs({
  options: {
    slot: { type: 'string', default: '8' },
    limit: { type: 'string', default: '0' },
    only: { type: 'string', default: 'bankfaq,banking77,clinc150' },
    concurrency: { type: 'string', default: '4' },
    datasets: { type: 'string', default: path.resolve(projectRoot, '..', 'shared', 'datasets') },
  },
});
const slot = Number(args.slot);
const limit = Number(args.limit);
const only = new Set(args.only.split(','));
const concurrency = Math.max(1, Number(args.concurrency));
const datasets = args.datasets;

const take = <T>(rows: T[]): T[] => (limit > 0 ? rows.slice(0, limit) : rows);
const csv = (file: string) => parseCsv(readFileSync(path.join(datasets, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;

/** Runs `work` over `items` with at most `concurrency` in flight, keeping order. */
async function pool<T, R>(items: readonly T[], work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T, i);
        if (++done % 250 === 0) console.log(`  ${done}/${items.length} (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    }),
  );
  return out;
}

async function importJsonl(stack: BenchStack, records: object[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const data = records.slice(i, i + 500).map((r) => JSON.stringify(r)).join('\n');
    const r = await stack.gql<{ importKnowledge: { errors: Array<{ line: number; message: string }> } }>(
      'mutation($data: String!) { importKnowledge(format: JSONL, data: $data, publish: true) { created updated unchanged errors { line message } } }',
      { data },
    );
    if (r.importKnowledge.errors.length > 0) throw new Error(`import failed: ${JSON.stringify(r.importKnowledge.errors.slice(0, 3))}`);
  }
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

interface Ranked {
  p1: number;
  r5: number;
  mrr: number;
}

function score(ranks: Array<number | null>): Ranked {
  const n = ranks.length || 1;
  return {
    p1: ranks.filter((r) => r === 1).length / n,
    r5: ranks.filter((r) => r !== null && r <= 5).length / n,
    mrr: ranks.reduce<number>((s, r) => s + (r !== null && r <= 10 ? 1 / r : 0), 0) / n,
  };
}

async function bankfaq(stack: BenchStack, rows: Array<Record<string, string | number>>, extra: Record<string, unknown>): Promise<void> {
  const answers = csv('bankfaq/answers_kb.csv');
  const questions = take(csv('bankfaq/questions_train.csv'));
  console.log(`bankfaq: importing ${answers.length} answers as facts`);
  await importJsonl(
    stack,
    answers.map((a) => ({ type: 'fact', externalId: `bankfaq-${a.answer_id}`, statement: a.answer, language: 'en', visibility: 'PUBLIC', tags: [`bankfaq:${a.class}`] })),
  );
  const started = Date.now();
  const embedded = await stack.gql<{ embedKnowledge: number }>('mutation { embedKnowledge }');
  console.log(`bankfaq: embedded ${embedded.embedKnowledge} items in ${Math.round((Date.now() - started) / 1000)} s; asking ${questions.length} questions`);

  // Hybrid with its default (convex) fusion, hybrid with reciprocal rank fusion, and the two baselines.
  const modes = [
    { name: 'hybrid', mode: 'HYBRID', fusion: 'CONVEX' },
    { name: 'hybrid (rrf)', mode: 'HYBRID', fusion: 'RRF' },
    { name: 'vector', mode: 'VECTOR', fusion: 'CONVEX' },
    { name: 'fulltext', mode: 'FULLTEXT', fusion: 'CONVEX' },
  ] as const;
  const perMode: Record<string, Array<number | null>> = Object.fromEntries(modes.map((m) => [m.name, []]));
  const answered: Array<{ correct: boolean; confidence: number; escalate: boolean; kind: string }> = [];
  await pool(questions, async (q) => {
    const expected = `bankfaq-${q.answer_id}`;
    for (const m of modes) {
      const r = await stack.gql<{ retrieve: Array<{ item: { externalId: string } }> }>(
        'query($q: String!, $mode: RetrievalMode, $fusion: Fusion) { retrieve(query: $q, mode: $mode, fusion: $fusion, first: 10) { item { externalId } } }',
        { q: q.question, mode: m.mode, fusion: m.fusion },
      );
      const at = r.retrieve.findIndex((h) => h.item.externalId === expected);
      perMode[m.name]?.push(at < 0 ? null : at + 1);
    }
    const a = await stack.gql<{ answer: { confidence: number; escalate: boolean; kind: string; knowledge: Array<{ externalId: string }> } }>(
      'query($q: String!) { answer(question: $q) { confidence escalate kind knowledge { externalId } } }',
      { q: q.question },
    );
    answered.push({ correct: a.answer.knowledge[0]?.externalId === expected, confidence: a.answer.confidence, escalate: a.answer.escalate, kind: a.answer.kind });
  });
  for (const m of modes) {
    const s = score(perMode[m.name] ?? []);
    rows.push({ dataset: 'bankfaq', task: `retrieval ${m.name}`, n: questions.length, 'P@1': round(s.p1), 'Recall@5': round(s.r5), MRR: round(s.mrr) });
  }
  const buckets = [0, 0.2, 0.4, 0.6, 0.8, 1.0001].slice(0, -1).map((lo, i, all) => {
    const hi = all[i + 1] ?? 1.0001;
    const inBucket = answered.filter((x) => x.confidence >= lo && x.confidence < hi);
    return { confidence: `${lo.toFixed(1)}–${Math.min(hi, 1).toFixed(1)}`, n: inBucket.length, accuracy: inBucket.length ? round(inBucket.filter((x) => x.correct).length / inBucket.length) : null };
  });
  const p1 = answered.filter((x) => x.correct).length / (answered.length || 1);
  rows.push({ dataset: 'bankfaq', task: 'answer (top item)', n: answered.length, 'P@1': round(p1), escalated: round(answered.filter((x) => x.escalate).length / (answered.length || 1)) });
  extra.bankfaqCalibration = buckets;
  console.table(buckets);
}

async function intents(
  stack: BenchStack,
  name: 'banking77' | 'clinc150',
  train: Array<{ text: string; intent: string }>,
  dev: Array<{ text: string; intent: string }>,
  rows: Array<Record<string, string | number>>,
  extra: Record<string, unknown>,
  driver: ReturnType<typeof neo4j.driver>,
): Promise<void> {
  await driver.executeQuery('MATCH (i:Intent) DETACH DELETE i', {}, { database: 'neo4j' });
  const byIntent = new Map<string, string[]>();
  for (const r of train) byIntent.set(r.intent, [...(byIntent.get(r.intent) ?? []), r.text]);
  console.log(`${name}: importing ${byIntent.size} intents with ${train.length} examples`);
  await importJsonl(
    stack,
    [...byIntent.entries()].map(([intent, examples]) => ({ type: 'intent', externalId: `${name}-${intent}`, name: intent === 'oos' ? 'out_of_scope' : intent, language: 'en', examples })),
  );
  const started = Date.now();
  const model = await stack.gql<{ rebuildIntentModel: { intents: string[]; threshold: number; tuning: unknown } }>('mutation { rebuildIntentModel { intents threshold tuning } }');
  console.log(`${name}: classifier of ${model.rebuildIntentModel.intents.length} intents built in ${Math.round((Date.now() - started) / 1000)} s (threshold ${round(model.rebuildIntentModel.threshold)}); scoring ${dev.length} utterances`);
  const predictions = await pool(dev, async (d) => {
    const r = await stack.gql<{ answer: { intent: { name: string; confidence: number; outOfScope: boolean } | null } }>('query($q: String!) { answer(question: $q) { intent { name confidence outOfScope } } }', { q: d.text });
    return { expected: d.intent, predicted: r.answer.intent };
  });
  const inScope = predictions.filter((p) => p.expected !== 'oos');
  const oos = predictions.filter((p) => p.expected === 'oos');
  const top = inScope.filter((p) => p.predicted?.name === p.expected).length / (inScope.length || 1);
  const accepted = inScope.filter((p) => p.predicted?.name === p.expected && !p.predicted.outOfScope).length / (inScope.length || 1);
  const row: Record<string, string | number> = { dataset: name, task: 'intent', n: predictions.length, accuracy: round(top), 'in-scope accuracy': round(accepted) };
  if (oos.length > 0) row['OOS recall'] = round(oos.filter((p) => p.predicted?.outOfScope).length / oos.length);
  row['rejected in-scope'] = round(inScope.filter((p) => p.predicted?.outOfScope).length / (inScope.length || 1));
  rows.push(row);
  extra[`${name}Tuning`] = model.rebuildIntentModel.tuning;
}

async function main(): Promise<void> {
  await ensureInstalled({});
  const services = await ensureLocalServices({
    profile: 'test',
    dataDir: `.data/test-${slot}`,
    ports: { neo4jBolt: 17687 + 10 * slot, neo4jHttp: 17474 + 10 * slot, redis: 16379 + 10 * slot },
  });
  const driver = neo4j.driver(services.neo4jUri, neo4j.auth.basic(services.neo4jUser, services.neo4jPassword));
  // An empty graph: the evaluation owns this slot.
  const session = driver.session({ database: 'neo4j' });
  try {
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
  }
  process.env.NEO4J_URI = services.neo4jUri;
  process.env.NEO4J_PASSWORD = services.neo4jPassword;
  process.env.REDIS_URL = services.redisUrl;
  const stack = await startBenchStack({ RESOLVER_TIMEOUT_MS: '1800000', RATE_LIMIT_PER_MINUTE: '100000000', SEED_ON_EMPTY: 'false', LOG_LEVEL: 'warn' });
  const rows: Array<Record<string, string | number>> = [];
  const extra: Record<string, unknown> = { datasets, limit: limit || null, slot };
  const started = Date.now();
  try {
    if (only.has('bankfaq')) await bankfaq(stack, rows, extra);
    if (only.has('banking77')) {
      const toRows = (file: string) => csv(file).map((r) => ({ text: r.text as string, intent: r.category as string }));
      await intents(stack, 'banking77', toRows('banking77/train.csv'), take(toRows('banking77/dev.csv')), rows, extra, driver);
    }
    if (only.has('clinc150')) {
      const data = JSON.parse(readFileSync(path.join(datasets, 'clinc150/data_full.train_val.json'), 'utf8')) as Record<string, Array<[string, string]>>;
      const pairs = (key: string) => (data[key] ?? []).map(([text, intent]) => ({ text, intent }));
      await intents(stack, 'clinc150', [...pairs('train'), ...pairs('oos_train')], take([...pairs('val'), ...pairs('oos_val')]), rows, extra, driver);
    }
  } finally {
    await stack.close();
    await driver.close();
  }
  extra.seconds = Math.round((Date.now() - started) / 1000);
  report('eval-answers', rows, extra);
  const hybrid = rows.find((r) => r.task === 'retrieval hybrid');
  if (hybrid) {
    const best = Math.max(...rows.filter((r) => r.task === 'retrieval vector' || r.task === 'retrieval fulltext').map((r) => Number(r['Recall@5'])));
    console.log(`hybrid Recall@5 ${hybrid['Recall@5']} vs best single retriever ${best}: ${Number(hybrid['Recall@5']) > best ? 'hybrid wins' : 'hybrid does NOT beat both'}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
