/**
 * `npm run bench:intent-retrain [-- --slot 9 --examples 0 --datasets ../shared/datasets]`
 *
 * Issue #10's measurement, repeated on the stateless roles: a tenant imports CLINC150's 150 intents
 * (15,000 training examples and the out-of-scope ones) through an API replica while customers ask
 * questions. Before, the API process rebuilt the classifier itself: the import had not answered after
 * 300 s and the API stalled. Now an `api` process and a `worker` process run as deployed (`src/main.ts
 * api|worker`, separate processes): the import returns when the graph is written, the worker trains, and
 * the API answers throughout with the previous classifier until it swaps the new one in.
 *
 * Prints a table and writes bench-results/intent-retrain.json: the import call's time, the training
 * time, the time until the API serves the new classifier, and answer latency before and during training
 * (p50/p95, errors). Runs against its own local services slot (wiped first).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import neo4j from 'neo4j-driver';
import { Redis } from 'ioredis';
import { projectRoot } from '../src/app.js';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';
import { testServices } from '../test/service-slot.js';
import { report } from './harness.js';
import { freePort } from '../src/services/processes.js';
import { children, startProcess, waitServing } from './processes.js';

const { values: args } = parseArgs({
  options: {
    slot: { type: 'string', default: '9' },
    examples: { type: 'string', default: '0' },
    datasets: { type: 'string', default: path.join(projectRoot, '..', 'shared', 'datasets') },
  },
});
const slot = Number(args.slot);
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  await ensureInstalled({});
  const services = await ensureLocalServices(testServices(slot));
  const driver = neo4j.driver(services.neo4jUri, neo4j.auth.basic(services.neo4jUser, services.neo4jPassword));
  const session = driver.session({ database: 'neo4j' });
  await session.run('MATCH (n) WHERE NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  await session.close();
  const redis = new Redis(services.redisUrl);
  await redis.flushdb();
  redis.disconnect();

  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: adminKey,
    NEO4J_URI: services.neo4jUri,
    NEO4J_PASSWORD: services.neo4jPassword,
    REDIS_URL: services.redisUrl,
    RATE_LIMIT_PER_MINUTE: '100000000',
    RESOLVER_TIMEOUT_MS: '600000',
  };
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  startProcess('api', env, apiPort);
  startProcess('worker', env, workerPort);
  await Promise.all([waitServing(apiPort), waitServing(workerPort)]);
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
    return body.data as T;
  };
  type Model = { intentModel: { intents: string[]; examples: number; trainedAt: string | null; trainingMs: number | null; training: { state: string; progress: Record<string, unknown> | null } | null } };
  const model = () => gql<Model>('{ intentModel { intents examples trainedAt trainingMs training } }').then((m) => m.intentModel);
  // The API seeded the demo knowledge base; the worker embeds it and trains the seed's intents.
  const seedDeadline = Date.now() + 600_000;
  while ((await model()).intents.length === 0) {
    if (Date.now() > seedDeadline) throw new Error('the worker did not train the seed intents');
    await new Promise((r) => setTimeout(r, 500));
  }
  const seedModel = await model();
  console.log(`seed classifier served: ${seedModel.intents.length} intents, ${seedModel.examples} examples`);

  const questions = ['Where is my parcel?', 'How do I return an item?', 'Can I change my delivery address?', 'What is the warranty on the Northwind X5?', '我的快递到哪里了？', '怎么退货？'];
  const answer = async (q: string) => {
    const t = performance.now();
    try {
      await gql('query($q: String!) { answer(question: $q) { text confidence } }', { q });
      return { ms: performance.now() - t, ok: true };
    } catch {
      return { ms: performance.now() - t, ok: false };
    }
  };
  const baseline: number[] = [];
  for (let i = 0; i < 30; i++) baseline.push((await answer(questions[i % questions.length]!)).ms);

  const data = JSON.parse(readFileSync(path.join(args.datasets, 'clinc150/data_full.train_val.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const limit = Number(args.examples);
  const pairs = [...(data.train ?? []), ...(data.oos_train ?? [])].slice(0, limit > 0 ? limit : undefined);
  const byIntent = new Map<string, string[]>();
  for (const [text, intent] of pairs) byIntent.set(intent, [...(byIntent.get(intent) ?? []), text]);
  const jsonl = [...byIntent.entries()]
    .map(([intent, examples]) => JSON.stringify({ type: 'intent', externalId: `clinc150-${intent}`, name: intent === 'oos' ? 'out_of_scope' : intent, language: 'en', examples }))
    .join('\n');
  console.log(`importing ${byIntent.size} intents with ${pairs.length} examples through the api process`);

  const started = performance.now();
  const imported = await gql<{ importKnowledge: { created: number; errors: unknown[] } }>('mutation($d: String!) { importKnowledge(format: JSONL, data: $d) { created errors { line message } } }', { d: jsonl });
  const importMs = performance.now() - started;
  if (imported.importKnowledge.errors.length > 0) throw new Error(JSON.stringify(imported.importKnowledge.errors).slice(0, 500));
  console.log(`import answered in ${round(importMs / 1000, 1)} s; asking questions until the api serves the new classifier`);

  const during: Array<{ ms: number; ok: boolean }> = [];
  let swappedAt = NaN;
  let lastProgress: unknown = null;
  let i = 0;
  const deadline = Date.now() + 1_800_000;
  for (;;) {
    during.push(await answer(questions[i++ % questions.length]!));
    if (i % 5 === 0) {
      const m = await model();
      if (m.training?.progress) lastProgress = m.training.progress;
      if (m.intents.length > seedModel.intents.length) {
        swappedAt = performance.now() - started;
        break;
      }
    }
    if (Date.now() > deadline) throw new Error('the new classifier was not served within 30 minutes');
  }
  const served = await model();
  const sortedBase = [...baseline].sort((a, b) => a - b);
  const sortedDuring = during.map((d) => d.ms).sort((a, b) => a - b);
  const rows = [
    { measure: 'import call (api process)', value: `${round(importMs / 1000, 1)} s`, note: `${byIntent.size} intents, ${pairs.length} examples` },
    { measure: 'training (worker process)', value: `${round((served.trainingMs ?? NaN) / 1000, 1)} s`, note: 'IntentModel.trainingMs' },
    { measure: 'import to new classifier served', value: `${round(swappedAt / 1000, 1)} s`, note: `${served.intents.length} intents, ${served.examples} examples` },
    { measure: 'answer p50 / p95 before', value: `${round(percentile(sortedBase, 50))} / ${round(percentile(sortedBase, 95))} ms`, note: `${baseline.length} answers` },
    { measure: 'answer p50 / p95 during training', value: `${round(percentile(sortedDuring, 50))} / ${round(percentile(sortedDuring, 95))} ms`, note: `${during.length} answers, ${during.filter((d) => !d.ok).length} errors` },
    { measure: 'p50 during ÷ before', value: round(percentile(sortedDuring, 50) / percentile(sortedBase, 50), 2), note: 'the api keeps answering while the worker trains' },
  ];
  report('intent-retrain', rows, { intents: byIntent.size, examples: pairs.length, importMs, swappedAtMs: swappedAt, trainingMs: served.trainingMs, lastProgress, baselineMs: baseline, duringMs: during.map((d) => d.ms), errors: during.filter((d) => !d.ok).length, cpus: (await import('node:os')).cpus().length });
  await driver.close();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
