/**
 * `npm run bench:inference [-- --seconds S] [--threads N] [--models-dir DIR] [--out FILE]`
 *
 * Throughput and latency of the inference pipelines on this machine, bounded to well under 3 minutes
 * (`--seconds` per phase, default 4):
 *  - embeddings/s at batch 1 and 32, fp32 and int8 (cache off, so every text is really embedded), for all-MiniLM
 *    and, when built, the multilingual encoder (me5-ft, else me5-small)
 *  - p50/p95 latency and throughput with 16 concurrent single-text callers (micro-batching at work),
 *    with the event-loop delay p99 meanwhile — for worker-hosted sessions (the default) and, for
 *    contrast, sessions on the main thread
 *  - NER tokens/s
 *  - our pipeline's throughput over a bare `InferenceSession.run` on the same pre-tokenized batch in the
 *    same process (target ≥ 0.85)
 * Prints a table and writes bench-results/inference.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { InferenceService } from '../src/inference/inference.service.js';
import { buildTokenBatch } from '../src/inference/model-io.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    threads: { type: 'string' },
    'models-dir': { type: 'string' },
    out: { type: 'string', default: 'bench-results/inference.json' },
  },
});
const seconds = Number(args.seconds);
const modelsDir = args['models-dir'] ?? process.env.ANSWERGRAPH_MODELS_DIR ?? path.join(os.homedir(), '.cache', 'answergraph', 'models');
const threads = args.threads ? Number(args.threads) : Math.max(1, Math.min(4, os.availableParallelism()));

/** Customer-service messages of varied length (written for this bench). */
/** Chinese customer messages of 10–40 characters, with and without names (the Chinese NER rows). */
const ZH_MESSAGES = [
  '我上周在北京朝阳区的门店买的北风X5，屏幕出现了问题。',
  '请问张经理什么时候可以给我回电话？',
  '招商银行的信用卡可以分期付款吗？',
  '退款多久能到账？',
  '我想把收货地址改成上海市浦东新区世纪大道100号。',
  '你们的客服李小姐说可以免运费，但是账单上还是扣了。',
  '快递一直没到，物流显示还在广州。',
  '能不能帮我查一下订单状态，谢谢。',
];

const SENTENCES = [
  'Where is my order?',
  'I was charged twice for the same purchase and I would like one of the payments refunded.',
  'How do I reset my password?',
  'The parcel arrived damaged.',
  'Can I change the delivery address after the order has shipped to the warehouse in Rotterdam?',
  'Thanks, that solved it!',
  'The app crashes every time I open the settings page on my Pixel 8 running Android 15.',
  'Cancel my subscription at the end of the month, please.',
  'Is there a student discount?',
  'My card was declined but the money still left my account, and the bank says it is your fault.',
  'Please send me the invoice for March.',
  'The refund has not arrived after ten business days; what is going on?',
  'Do you ship to Canada?',
  'I love the new design.',
  'This is the third time I am contacting support about the same broken charger, and nobody has called me back yet.',
  'Can I talk to a human?',
  'John Smith from Acme Corporation in Berlin ordered two laptops last week.',
  'The tracking number from DHL does not work.',
  'How much is express shipping to Paris?',
  'I forgot which email I used to sign up, can you look it up with my phone number?',
  'The jacket is described as waterproof but it leaks at the seams after ten minutes of light rain.',
  'What is the difference between the basic and the premium plan?',
  'Why was my account suspended?',
  'Great service, the courier was friendly and on time.',
  'The medium fits like a small.',
  'Can I pick the order up in the store on Oxford Street instead of having it delivered?',
  'I received someone else’s parcel.',
  'What happens to my data if I delete my account?',
  'The coupon SAVE20 is not accepted.',
  'Please confirm my appointment with Dr. Müller next Friday at 3 pm in the Zurich office.',
  'ok',
  'The hotel room was clean but the wifi was painfully slow and the breakfast was cold.',
];

interface Timed {
  ops: number;
  items: number;
  seconds: number;
  latenciesMs: number[];
}

async function timed(durationS: number, concurrency: number, op: (i: number) => Promise<number>): Promise<Timed> {
  const deadline = performance.now() + durationS * 1000;
  const latenciesMs: number[] = [];
  let ops = 0;
  let items = 0;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const n = await op(counter++);
        items += n;
        latenciesMs.push(performance.now() - t0);
        ops++;
      }
    }),
  );
  return { ops, items, seconds: (performance.now() - started) / 1000, latenciesMs };
}

const percentile = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const batchOf = (i: number, n: number): string[] => Array.from({ length: n }, (_, k) => SENTENCES[(i * n + k) % SENTENCES.length] as string);

async function withEventLoopDelay<T>(fn: () => Promise<T>): Promise<{ result: T; p99Ms: number; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const result = await fn();
  h.disable();
  return { result, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
}

/** me5-ft + me5-ft-int8 when the manifest lists both, else me5-small + me5-small-int8, else none. */
async function multilingualEncoder(): Promise<string[]> {
  let names: Set<string>;
  try {
    const manifest = JSON.parse(await readFile(path.join(modelsDir, 'manifest.json'), 'utf8')) as { models: { name: string }[] };
    names = new Set(manifest.models.map((m) => m.name));
  } catch {
    return [];
  }
  for (const base of ['me5-ft', 'me5-small']) if (names.has(base) && names.has(`${base}-int8`)) return [base, `${base}-int8`];
  return [];
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg();
  const rows: [string, string, string][] = [];
  const report: Record<string, unknown> = {};
  const common = { modelsDir, device: 'cpu' as const, intraOpThreads: threads, maxBatch: 32, maxWaitMs: 2, cacheSize: 0 };

  const service = new InferenceService(common);
  try {
    // The multilingual encoder (fine-tuned if built, else zero-shot; same architecture and cost) beside all-MiniLM.
    const embedders = ['minilm-embed', 'minilm-embed-int8', ...(await multilingualEncoder())];
    await service.ready(embedders);
    // Embeddings/s, batch 1 and 32, fp32 and int8.
    for (const model of embedders) {
      const p = service.embedding(model);
      await p.embed(SENTENCES, 'query'); // warm-up
      const b1 = await timed(seconds, 1, async (i) => (await p.embed(batchOf(i, 1), 'query')).length);
      const b32 = await timed(seconds, 1, async (i) => (await p.embed(batchOf(i, 32), 'query')).length);
      report[`${model}.batch1`] = { embeddingsPerSecond: r1(b1.items / b1.seconds), p50Ms: r1(percentile(b1.latenciesMs, 50)) };
      report[`${model}.batch32`] = { embeddingsPerSecond: r1(b32.items / b32.seconds), p50Ms: r1(percentile(b32.latenciesMs, 50)) };
      rows.push([`${model} batch 1`, `${r1(b1.items / b1.seconds)} emb/s`, `p50 ${r1(percentile(b1.latenciesMs, 50))} ms`]);
      rows.push([`${model} batch 32`, `${r1(b32.items / b32.seconds)} emb/s`, `p50 ${r1(percentile(b32.latenciesMs, 50))} ms per call`]);
    }

    // 16 concurrent single-text callers, worker-hosted sessions.
    const embed = service.embedding('minilm-embed');
    const before = embed.stats;
    const conc = await withEventLoopDelay(() => timed(seconds, 16, async (i) => (await embed.embed(batchOf(i, 1), 'query')).length));
    const after = embed.stats;
    const meanBatch = (after.items - before.items) / Math.max(1, after.batches - before.batches);
    report['minilm-embed.concurrency16'] = {
      embeddingsPerSecond: r1(conc.result.items / conc.result.seconds),
      p50Ms: r1(percentile(conc.result.latenciesMs, 50)),
      p95Ms: r1(percentile(conc.result.latenciesMs, 95)),
      meanBatch: r1(meanBatch),
      eventLoopDelayP99Ms: r1(conc.p99Ms),
      eventLoopDelayMaxMs: r1(conc.maxMs),
    };
    rows.push([
      'minilm-embed 16 concurrent callers',
      `p50 ${r1(percentile(conc.result.latenciesMs, 50))} ms, p95 ${r1(percentile(conc.result.latenciesMs, 95))} ms`,
      `${r1(conc.result.items / conc.result.seconds)} emb/s, mean batch ${r1(meanBatch)}`,
    ]);
    rows.push(['event-loop delay p99 under that load (worker sessions)', `${r1(conc.p99Ms)} ms`, `max ${r1(conc.maxMs)} ms`]);

    // NER tokens/s.
    const ner = service.tokenClassification();
    await ner.ready();
    const nerModel = await service.registry.load(service.models.ner);
    const tokenizer = nerModel.tokenizer;
    if (!tokenizer) throw new Error('ner model has no tokenizer');
    const tokensIn = (texts: string[]): number => texts.reduce((s, t) => s + tokenizer.tokenize(t).ids.length, 0);
    await ner.tokenClassifyBatch(SENTENCES);
    const nerRun = await timed(seconds, 1, async (i) => {
      const texts = batchOf(i, 32);
      await ner.tokenClassifyBatch(texts);
      return tokensIn(texts);
    });
    report['ner.batch32'] = { tokensPerSecond: r1(nerRun.items / nerRun.seconds), sentencesPerSecond: r1((nerRun.ops * 32) / nerRun.seconds) };
    rows.push(['ner batch 32', `${r1(nerRun.items / nerRun.seconds)} tokens/s`, `${r1((nerRun.ops * 32) / nerRun.seconds)} sentences/s`]);

    // Chinese NER (ner-zh): one message at a time, what a Chinese dialogue turn pays, and batches of 32.
    for (const zhModel of ['ner-zh', 'ner-zh-int8']) {
      if (!(await service.registry.has(zhModel))) continue;
      const zh = service.tokenClassification(zhModel);
      await zh.tokenClassifyBatch(ZH_MESSAGES);
      const one = await timed(seconds, 1, async (i) => {
        await zh.tokenClassify(ZH_MESSAGES[i % ZH_MESSAGES.length] as string);
        return 1;
      });
      const many = await timed(seconds, 1, async (i) => (await zh.tokenClassifyBatch(Array.from({ length: 32 }, (_, k) => ZH_MESSAGES[(i * 32 + k) % ZH_MESSAGES.length] as string))).length);
      report[`${zhModel}`] = { messageP50Ms: r1(percentile(one.latenciesMs, 50)), batch32SentencesPerSecond: r1(many.items / many.seconds) };
      rows.push([`${zhModel} (Chinese NER)`, `one message p50 ${r1(percentile(one.latenciesMs, 50))} ms`, `batch 32: ${r1(many.items / many.seconds)} sentences/s`]);
    }

    // Pipeline vs bare InferenceSession.run on the same pre-tokenized batch of 32.
    const loaded = await service.registry.load('minilm-embed');
    const embTok = loaded.tokenizer;
    if (!embTok) throw new Error('minilm-embed has no tokenizer');
    const sequences = batchOf(0, 32).map((t) => embTok.encode(t, loaded.spec.maxLength));
    const bare = await ort.InferenceSession.create(path.join(loaded.dir, loaded.spec.files.model), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const bareRun = async (): Promise<number> => {
      const { feeds } = buildTokenBatch(sequences, embTok.padId, loaded.session.inputs);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      await bare.run(ortFeeds);
      return sequences.length;
    };
    await bareRun();
    const bareT = await timed(seconds, 1, bareRun);
    const pipeT = await timed(seconds, 1, async () => (await embed.embedTokenized(sequences)).length);
    const e2eT = await timed(seconds, 1, async () => (await embed.embed(batchOf(0, 32), 'query')).length);
    await bare.release();
    const bareRate = bareT.items / bareT.seconds;
    const ratio = pipeT.items / pipeT.seconds / bareRate;
    const ratioE2e = e2eT.items / e2eT.seconds / bareRate;
    report['minilm-embed.vsBare'] = {
      bareSequencesPerSecond: r1(bareRate),
      pipelinePreTokenizedPerSecond: r1(pipeT.items / pipeT.seconds),
      pipelineFromTextPerSecond: r1(e2eT.items / e2eT.seconds),
      ratioPreTokenized: r3(ratio),
      ratioFromText: r3(ratioE2e),
      target: 0.85,
    };
    rows.push([
      'pipeline / bare session.run (same 32 pre-tokenized)',
      `${r3(ratio)} (target ≥ 0.85: ${ratio >= 0.85 ? 'met' : 'MISSED'})`,
      `bare ${r1(bareRate)} seq/s, pipeline ${r1(pipeT.items / pipeT.seconds)} seq/s; from text ${r3(ratioE2e)}`,
    ]);
  } finally {
    await service.close();
  }

  // The same 16-caller load with sessions on the main thread: why sessions live in workers.
  const inline = new InferenceService({ ...common, isolation: 'inline' });
  try {
    const p = inline.embedding('minilm-embed');
    await p.embed(SENTENCES, 'query');
    const conc = await withEventLoopDelay(() => timed(Math.min(seconds, 3), 16, async (i) => (await p.embed(batchOf(i, 1), 'query')).length));
    report['minilm-embed.concurrency16.inline'] = {
      embeddingsPerSecond: r1(conc.result.items / conc.result.seconds),
      p95Ms: r1(percentile(conc.result.latenciesMs, 95)),
      eventLoopDelayP99Ms: r1(conc.p99Ms),
      eventLoopDelayMaxMs: r1(conc.maxMs),
    };
    rows.push(['event-loop delay p99, sessions on main thread (contrast)', `${r1(conc.p99Ms)} ms`, `max ${r1(conc.maxMs)} ms, ${r1(conc.result.items / conc.result.seconds)} emb/s`]);
  } finally {
    await inline.close();
  }

  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0), 8));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ');
  console.log(line(['measure', 'value', 'detail']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));

  const outFile = path.resolve(ROOT, args.out);
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(
    outFile,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: `npm run bench:inference -- ${process.argv.slice(2).join(' ')}`.trim(),
        node: process.version,
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        intraOpThreads: threads,
        // Other work on the machine skews every figure; the 1-minute load average says how much.
        loadAverage: { atStart: loadAtStart.map(r1), atEnd: os.loadavg().map(r1) },
        secondsPerPhase: seconds,
        totalSeconds: r1((performance.now() - started) / 1000),
        results: report,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `\nwrote ${path.relative(ROOT, outFile)} in ${r1((performance.now() - started) / 1000)} s; ${os.availableParallelism()} CPUs, load average ${r1(loadAtStart[0] ?? 0)} → ${r1(os.loadavg()[0] ?? 0)}`,
  );
}

await main();
