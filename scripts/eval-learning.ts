/**
 * `npm run eval:learning [-- --slot 8 --rounds 3 --en-stream 600 --zh-stream 600 --zh-dev 300 --zh-distractors 1500 --stream-sample 200 --concurrency 4]`
 *
 * Does the knowledge base learn from its conversations? Replays a stream of customer questions in
 * rounds through the real API (conversations over GraphQL), with simulated customers who rate a wrong
 * answer not helpful; after each round a scripted editor reads `knowledgeGaps`, largest first, and
 * attaches each gap's questions to the fact they belong to (`resolveKnowledgeGap`, the questions of
 * the majority fact only, as an editor reading them would), exactly as a person would in the console.
 * Right-first answers (`answer`'s first item is the right fact) are measured on held-out dev questions
 * before the replay and after every round, and on a sample of the stream's own questions (asked again:
 * did the knowledge base learn what it was taught?). Sizes are kept to about 10 minutes on 2 cores.
 *
 *  - English: BankFAQ. The 1,202 answers are facts (statements); the training questions are the stream,
 *    except the dev questions: md5(lower-cased, whitespace-collapsed, stripped question) % 10 ∈ {1, 2}.
 *  - Chinese: ATEC. Sentences joined by positive pairs (train and dev) form groups; each group is one
 *    fact (its first sentence as the question): those the questions need plus `--zh-distractors` others. Stream: the other sentences of groups from train pairs;
 *    dev: the other sentences of groups from dev pairs that never occur in train.
 *
 * A held-out question can only gain from attachments when the stream taught its fact something, so the
 * script also prints that ceiling: the share of dev questions whose fact has any stream question.
 * Runs against its own local Neo4j + Redis (`.data/test-<slot>`), emptied first. Prints a table and writes
 * bench-results/eval-learning.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import neo4j from 'neo4j-driver';
import { projectRoot } from '../src/app.js';
import { mulberry32 } from '../src/inference/softmax-head.js';
import { questionKey } from '../src/learning/clustering.js';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';
import { report, startBenchStack, type BenchStack } from '../bench/harness.js';
import { isBankfaqDev } from './dev-splits.js';

const { values: args } = parseArgs({
  options: {
    slot: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'en-stream': { type: 'string', default: '600' },
    'zh-stream': { type: 'string', default: '600' },
    'zh-dev': { type: 'string', default: '300' },
    'zh-distractors': { type: 'string', default: '1500' },
    'stream-sample': { type: 'string', default: '200' },
    top: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    only: { type: 'string', default: 'en,zh' },
    datasets: { type: 'string', default: path.resolve(projectRoot, '..', 'shared', 'datasets') },
  },
});
const slot = Number(args.slot);
const rounds = Math.max(1, Number(args.rounds));
const concurrency = Math.max(1, Number(args.concurrency));
const top = Math.max(1, Number(args.top));
const only = new Set(args.only.split(','));
const datasets = args.datasets;
const TARGET_POINTS = 15;

const csv = (file: string) => parseCsv(readFileSync(path.join(datasets, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
const tsv = (file: string) =>
  readFileSync(path.join(datasets, file), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([id, s1, s2, label]) => ({ id: id!, s1: s1!.trim(), s2: s2!.trim(), label: label!.trim() }));

async function pool<T, R>(items: readonly T[], work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T, i);
      }
    }),
  );
  return out;
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

interface Question {
  text: string;
  /** externalId of the right fact. */
  expected: string;
}

interface Dataset {
  name: string;
  language: 'en' | 'zh';
  facts: object[];
  stream: Question[];
  dev: Question[];
}

function bankfaq(): Dataset {
  const answers = csv('bankfaq/answers_kb.csv');
  const questions = csv('bankfaq/questions_train.csv').map((q) => ({ text: q.question!, expected: `bankfaq-${q.answer_id}` }));
  const limit = Number(args['en-stream']);
  const stream = shuffle(questions.filter((q) => !isBankfaqDev(q.text)), 13);
  return {
    name: 'bankfaq (en)',
    language: 'en',
    facts: answers.map((a) => ({ type: 'fact', externalId: `bankfaq-${a.answer_id}`, statement: a.answer, language: 'en', tags: [`bankfaq:${a.class}`] })),
    stream: limit > 0 ? stream.slice(0, limit) : stream,
    dev: questions.filter((q) => isBankfaqDev(q.text)),
  };
}

function atec(): Dataset {
  const train = tsv('atec/train.tsv').filter((r) => r.label === '1');
  const dev = tsv('atec/dev.tsv').filter((r) => r.label === '1');
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const r of [...train, ...dev]) union(r.s1, r.s2);
  const inTrain = new Set(train.flatMap((r) => [r.s1, r.s2]));
  // One fact per group: its first sentence (in file order) is the fact's question.
  const canonical = new Map<string, string>();
  for (const r of [...train, ...dev]) for (const s of [r.s1, r.s2]) if (!canonical.has(find(s))) canonical.set(find(s), s);
  const ids = new Map([...canonical.keys()].map((root, i) => [root, `atec-${i}`]));
  const others = (pairs: typeof train, keep: (s: string) => boolean) => {
    const seen = new Set<string>();
    const out: Question[] = [];
    for (const r of pairs)
      for (const s of [r.s1, r.s2]) {
        const root = find(s);
        if (s === canonical.get(root) || seen.has(s) || !keep(s)) continue;
        seen.add(s);
        out.push({ text: s, expected: ids.get(root)! });
      }
    return out;
  };
  const stream = shuffle(others(train, () => true), 17).slice(0, Number(args['zh-stream']) || undefined);
  const devQs = shuffle(others(dev, (s) => !inTrain.has(s)), 19).slice(0, Number(args['zh-dev']) || undefined);
  // The facts the questions need, and other groups as distractors (all 7,600 groups take long to embed on 2 cores).
  const needed = new Set([...stream, ...devQs].map((q) => q.expected));
  const distractors = shuffle([...ids.values()].filter((id) => !needed.has(id)), 23).slice(0, Number(args['zh-distractors']));
  const keep = new Set([...needed, ...distractors]);
  const facts = [...canonical.entries()]
    .filter(([root]) => keep.has(ids.get(root)!))
    .map(([root, q]) => ({ type: 'fact', externalId: ids.get(root), question: q, answer: `（蚂蚁金服客服问题组 ${ids.get(root)} 的答复）`, language: 'zh' }));
  return { name: 'atec (zh)', language: 'zh', facts, stream, dev: devQs };
}

async function importFacts(stack: BenchStack, records: object[]): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) {
    const data = records.slice(i, i + 1000).map((r) => JSON.stringify(r)).join('\n');
    const r = await stack.gql<{ importKnowledge: { errors: unknown[] } }>('mutation($data: String!) { importKnowledge(format: JSONL, data: $data, publish: true) { errors { line message } } }', { data });
    if (r.importKnowledge.errors.length > 0) throw new Error(`import failed: ${JSON.stringify(r.importKnowledge.errors.slice(0, 3))}`);
  }
}

/** Share of questions whose `answer` names the right fact first. */
async function rightFirst(stack: BenchStack, questions: readonly Question[], idOf: Map<string, string>): Promise<number> {
  const right = await pool(questions, async (q) => {
    const a = await stack.gql<{ answer: { knowledge: Array<{ id: string }> } }>('query($q: String!) { answer(question: $q) { knowledge { id } } }', { q: q.text });
    return a.answer.knowledge[0]?.id === idOf.get(q.expected);
  });
  return right.filter(Boolean).length / (questions.length || 1);
}

/** One round of customers: a conversation per question; a wrong answer is rated not helpful. */
async function replay(stack: BenchStack, questions: readonly Question[], idOf: Map<string, string>): Promise<{ right: number; rated: number }> {
  const outcomes = await pool(questions, async (q) => {
    const c = await stack.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "eval"}) { id } }');
    const m = await stack.gql<{ sendMessage: { id: string; knowledge: Array<{ id: string }> } }>('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id knowledge { id } } }', {
      id: c.startConversation.id,
      t: q.text,
    });
    const right = m.sendMessage.knowledge[0]?.id === idOf.get(q.expected);
    if (!right && m.sendMessage.knowledge.length > 0) await stack.gql('mutation($id: ID!) { rateMessage(messageId: $id, helpful: false) { __typename } }', { id: m.sendMessage.id });
    return { right, rated: !right && m.sendMessage.knowledge.length > 0 };
  });
  return { right: outcomes.filter((o) => o.right).length, rated: outcomes.filter((o) => o.rated).length };
}

interface Gap {
  id: string;
  version: number;
  size: number;
  questions: Array<{ text: string }>;
}

/**
 * The scripted editor: the largest open gaps first; for each, the fact most of its questions belong to
 * (what an editor reading them would pick), and only those questions are attached. Returns its actions.
 */
async function edit(stack: BenchStack, language: string, expectedOf: Map<string, string>, idOf: Map<string, string>): Promise<{ attached: number; dismissed: number; questions: number; gaps: number }> {
  const r = await stack.gql<{ knowledgeGaps: Gap[] }>('query($l: String, $n: Int) { knowledgeGaps(language: $l, first: $n) { id version size questions(first: 500) { text } } }', { l: language, n: top });
  let attached = 0;
  let dismissed = 0;
  let questions = 0;
  for (const g of r.knowledgeGaps) {
    const votes = new Map<string, string[]>();
    for (const q of g.questions) {
      const expected = expectedOf.get(questionKey(q.text));
      if (expected) votes.set(expected, [...(votes.get(expected) ?? []), q.text]);
    }
    const best = [...votes.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    if (!best || !idOf.has(best[0])) {
      await stack.gql('mutation($id: ID!, $v: Int) { dismissKnowledgeGap(id: $id, version: $v, reason: "not about our knowledge") { id } }', { id: g.id, v: g.version });
      dismissed++;
      continue;
    }
    await stack.gql('mutation($id: ID!, $k: ID!, $v: Int, $q: [String!]) { resolveKnowledgeGap(id: $id, knowledgeId: $k, version: $v, questions: $q) { id } }', {
      id: g.id,
      k: idOf.get(best[0]),
      v: g.version,
      q: best[1],
    });
    attached++;
    questions += best[1].length;
  }
  return { attached, dismissed, questions, gaps: r.knowledgeGaps.length };
}

const pct = (x: number) => Math.round(x * 1000) / 10;

async function main(): Promise<void> {
  await ensureInstalled({});
  const services = await ensureLocalServices({ profile: 'test', dataDir: `.data/test-${slot}`, ports: { neo4jBolt: 17687 + 10 * slot, neo4jHttp: 17474 + 10 * slot, redis: 16379 + 10 * slot } });
  const driver = neo4j.driver(services.neo4jUri, neo4j.auth.basic(services.neo4jUser, services.neo4jPassword));
  const session = driver.session({ database: 'neo4j' });
  try {
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
  }
  process.env.NEO4J_URI = services.neo4jUri;
  process.env.NEO4J_PASSWORD = services.neo4jPassword;
  process.env.REDIS_URL = services.redisUrl;
  const stack = await startBenchStack({ RESOLVER_TIMEOUT_MS: '1800000', RATE_LIMIT_PER_MINUTE: '100000000', SEED_ON_EMPTY: 'false', LOG_LEVEL: 'warn', LEARNING_SWEEP_INTERVAL_MS: '0' });
  const started = Date.now();
  const rows: Array<Record<string, string | number>> = [];
  const extra: Record<string, unknown> = { datasets, slot, rounds, target: `+${TARGET_POINTS} points right-first on each dev set`, sets: {} as Record<string, unknown> };
  try {
    const sets = [only.has('en') ? bankfaq() : null, only.has('zh') ? atec() : null].filter((d): d is Dataset => d !== null);
    for (const d of sets) await importFacts(stack, d.facts);
    await stack.gql('mutation { embedKnowledge }');
    // embedKnowledge returns at once while the background sweep holds the lock: wait until every item has a vector.
    for (let waited = 0; ; waited += 2) {
      const s1 = driver.session({ database: 'neo4j' });
      const left = await s1.run('MATCH (k:Knowledge) WHERE k.embedding IS NULL RETURN count(k) AS n').finally(() => s1.close());
      const n = Number(left.records[0]?.get('n') ?? 0);
      if (n === 0) break;
      if (waited % 30 === 0) console.log(`waiting for ${n} items to be embedded`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const idOf = new Map<string, string>();
    const s2 = driver.session({ database: 'neo4j' });
    try {
      const res = await s2.run('MATCH (k:Knowledge) WHERE k.externalId IS NOT NULL RETURN k.externalId AS e, k.id AS id');
      for (const r of res.records) idOf.set(r.get('e') as string, r.get('id') as string);
    } finally {
      await s2.close();
    }
    for (const d of sets) {
      const taughtFacts = new Set(d.stream.map((q) => q.expected));
      const ceiling = d.dev.filter((q) => taughtFacts.has(q.expected)).length / (d.dev.length || 1);
      console.log(`${d.name}: ${d.facts.length} facts, stream ${d.stream.length} questions in ${rounds} rounds, dev ${d.dev.length}; dev questions whose fact the stream teaches anything: ${pct(ceiling)} %`);
      const expectedOf = new Map(d.stream.map((q) => [questionKey(q.text), q.expected]));
      const t0 = Date.now();
      const start = await rightFirst(stack, d.dev, idOf);
      const sample = d.stream.slice(0, Number(args['stream-sample']) || d.stream.length);
      const streamStart = await rightFirst(stack, sample, idOf);
      rows.push({ dataset: d.name, round: 0, 'dev right-first %': pct(start), 'stream right-first %': pct(streamStart), 'stream answered right %': '', 'gaps read': '', attached: '', dismissed: '', 'questions attached': '', seconds: Math.round((Date.now() - t0) / 1000) });
      let actions = 0;
      let last = start;
      let lastStream = streamStart;
      const per = Math.ceil(d.stream.length / rounds);
      for (let r = 1; r <= rounds; r++) {
        const t = Date.now();
        const batch = d.stream.slice((r - 1) * per, r * per);
        const played = await replay(stack, batch, idOf);
        const e = await edit(stack, d.language, expectedOf, idOf);
        actions += e.attached + e.dismissed;
        last = await rightFirst(stack, d.dev, idOf);
        lastStream = await rightFirst(stack, sample, idOf);
        rows.push({
          dataset: d.name,
          round: r,
          'dev right-first %': pct(last),
          'stream right-first %': pct(lastStream),
          'stream answered right %': pct(played.right / (batch.length || 1)),
          'gaps read': e.gaps,
          attached: e.attached,
          dismissed: e.dismissed,
          'questions attached': e.questions,
          seconds: Math.round((Date.now() - t) / 1000),
        });
        console.log(`${d.name} round ${r}: dev right-first ${pct(last)} % (start ${pct(start)} %), stream ${pct(lastStream)} %; editor: ${e.attached} attached, ${e.dismissed} dismissed of ${e.gaps} gaps`);
      }
      const gain = pct(last - start);
      (extra.sets as Record<string, unknown>)[d.name] = {
        facts: d.facts.length,
        stream: d.stream.length,
        dev: d.dev.length,
        devStart: pct(start),
        devEnd: pct(last),
        devGainPoints: gain,
        streamStart: pct(streamStart),
        streamEnd: pct(lastStream),
        editorActions: actions,
        devCeilingShare: pct(ceiling),
        targetMet: gain >= TARGET_POINTS,
      };
    }
  } finally {
    await stack.close();
    await driver.close();
  }
  extra.seconds = Math.round((Date.now() - started) / 1000);
  report('eval-learning', rows, extra);
  for (const [name, s] of Object.entries(extra.sets as Record<string, { devGainPoints: number; targetMet: boolean; devCeilingShare: number; streamStart: number; streamEnd: number; editorActions: number }>)) {
    console.log(
      `${name}: dev right-first ${s.devGainPoints >= 0 ? '+' : ''}${s.devGainPoints} points (target +${TARGET_POINTS}: ${s.targetMet ? 'met' : 'NOT met'}; only ${s.devCeilingShare} % of dev questions have a fact the stream taught); stream questions ${s.streamStart} → ${s.streamEnd} %; ${s.editorActions} editor actions`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
