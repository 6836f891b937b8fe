// npm run bench:ingest [-- --docs 500 --budget-s 420 --chunk-model minilm-embed]  (chunk model: INGEST_CHUNK_EMBEDDING_MODEL by default)
// End-to-end ingestion throughput on a generated corpus: documents submitted through GraphQL
// (ingestDocument), processed by the BullMQ workers in this process (prepare → model → write), until
// every job is COMPLETED. Reports documents/min, chunks/s, time per stage, the share spent in model
// inference, and graph write rates (inside the pipeline, and bulk UNWIND writes of 1,000 rows).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/app.js';
import { Queue } from 'bullmq';
import { WRITE_BATCH } from '../src/ingestion/graph-writer.js';
import { BULL_PREFIX } from '../src/ingestion/ingestion.module.js';
import { allQueues, bullJobId } from '../src/ingestion/ingestion.queues.js';
import type { JobRecord } from '../src/ingestion/job-store.js';
import { stageNames, type StageName } from '../src/ingestion/stage.js';
import { mulberry32 } from '../src/inference/softmax-head.js';
import { importKnowledge } from '../src/knowledge/knowledge.import.js';
import { readSeed } from '../src/knowledge/seed.js';
import { report, startBenchStack } from './harness.js';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '500' }, 'budget-s': { type: 'string', default: '420' }, concurrency: { type: 'string', default: '16' }, 'chunk-model': { type: 'string', default: '' } } });
const N = Number(values.docs);
const BUDGET_MS = Number(values['budget-s']) * 1000;
const run = randomUUID().slice(0, 8);

// ---------- a synthetic but realistic corpus (written here; no dataset text) ----------

// Seeded, so every run ingests the same corpus.
const rand = mulberry32(20250301);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const products = ['Northwind X5', 'Northwind A3', 'Northwind Tab 10', 'Northwind Watch 2', 'Northwind Buds', 'Northwind 65W Charger', 'X5 Protective Case', 'Northwind X7 Pro', 'Northwind Tab 12', 'Northwind Band 3'];
const codes = ['NW-X5', 'NW-A3', 'NW-T10', 'NW-W2', 'NW-B1', 'NW-C65', 'NW-CS5', 'NW-X7', 'NW-T12', 'NW-BD3'];
const services = ['Northwind Care+', 'Express Delivery', 'Standard Delivery', 'Click & Collect', 'Trade-in Programme', 'Repair Service', 'International Roaming', 'AutoPay'];
const places = ['Central Plaza Flagship Store', 'Eastgate Mall Store', 'Harbourfront Store', 'the Online Shop', 'the Northwind App'];
const topics = ['returns', 'repairs', 'delivery', 'billing', 'warranty', 'accessories', 'trade-ins', 'roaming', 'account security', 'store pickup'];
const zhProducts = ['北风X5', '北风A3', '北风平板 10', '北风手表 2', '北风耳机'];
const zhServices = ['北风无忧保', '加急配送', '标准配送', '门店自提', '以旧换新', '维修服务'];

function enParagraph(): string {
  const p = pick(products);
  const s = pick(services);
  const sentences = [
    `${p} (${pick(codes)}) is covered by ${s} for ${int(6, 24)} months from the delivery date.`,
    `If you bought your ${p} at ${pick(places)}, you can return it within ${int(7, 30)} days for a full refund.`,
    `${s} costs S$${int(5, 199)}.${pick(['00', '50', '90'])} and is available at ${pick(places)}.`,
    `Our team usually replies within ${int(1, 3)} working days, and urgent cases are handled the same day.`,
    `The ${p} includes a USB-C cable, a SIM tool and a quick-start card, but no charger.`,
    `From ${int(1, 28)} ${pick(['March', 'April', 'May', 'June'])} 2025, orders over S$${int(40, 120)} ship free of charge in the Metro Zone.`,
    `If the screen of your ${p} cracks, book a repair in the Northwind App; with ${s} the excess is S$${int(29, 149)}.`,
    `Customers on the Gold Tier get priority support and a ${int(5, 15)}% discount on accessories.`,
    `Please keep your order number (NW- followed by six digits) ready when you contact Customer Care.`,
    `A restocking fee of ${int(5, 15)}% applies to opened items that are not faulty.`,
  ];
  return Array.from({ length: int(3, 6) }, () => pick(sentences)).join(' ');
}

function zhParagraph(): string {
  const sentences = [
    `${pick(zhProducts)}享受 ${int(6, 24)} 个月保修，${pick(zhServices)}可延长至 ${int(12, 36)} 个月。`,
    `如果订单不满 ${int(30, 80)} 新元，运费为 ${int(3, 8)} 新元。`,
    `${pick(zhServices)}通常在 ${int(1, 5)} 个工作日内完成，费用为 ${int(10, 150)} 新元。`,
    `如果商品未拆封，您可以在收货后 ${int(7, 30)} 天内申请全额退款。`,
    `金卡会员可享受免费加急配送和 ${int(5, 15)}% 的配件折扣。`,
    `请准备好订单号，以便客服尽快为您处理。`,
  ];
  return Array.from({ length: int(3, 6) }, () => pick(sentences)).join('');
}

function enDocument(i: number, pages: number): string {
  const topic = pick(topics);
  const parts = [`# Northwind guide ${i}: ${topic}`];
  let size = 0;
  let section = 1;
  while (size < pages * 3000) {
    const kind = rand();
    let block: string;
    if (kind < 0.55) block = enParagraph();
    else if (kind < 0.7) block = `## ${section++}. How to handle ${pick(topics)}\n\n${Array.from({ length: int(3, 6) }, (_, k) => `${k + 1}. ${pick(['Open', 'Check', 'Choose', 'Confirm', 'Bring'])} ${pick(['the Northwind App', 'your order number', 'the item and its accessories', 'the return confirmation email', 'your Northwind ID'])} ${pick(['before you continue.', 'and tap Next.', 'at any store.', 'within 7 days.'])}`).join('\n')}`;
    else if (kind < 0.85) block = `## How long does ${pick(topics)} take?\n\n${enParagraph()}`;
    else block = `| Item | Price | Warranty |\n|---|---|---|\n${Array.from({ length: int(3, 5), }, () => `| ${pick(products)} | S$${int(29, 1499)} | ${int(6, 24)} months |`).join('\n')}`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('\n\n');
}

function zhDocument(i: number, pages: number): string {
  const parts = [`北风移动服务说明 ${i}`];
  let size = 0;
  while (size < pages * 1500) {
    const block = rand() < 0.3 ? `问：${pick(zhServices)}怎么收费？\n答：${zhParagraph()}` : zhParagraph();
    parts.push(block);
    size += block.length;
  }
  return parts.join('\n\n');
}

const corpus = Array.from({ length: N }, (_, i) => {
  const pages = int(1, 3);
  const zh = rand() < 0.2;
  return { i, pages, language: zh ? 'zh' : 'en', mediaType: zh ? 'text/plain' : 'text/markdown', content: zh ? zhDocument(i, pages) : enDocument(i, pages) };
});
const pages = corpus.reduce((n, d) => n + d.pages, 0);

// ---------- run ----------

const stack = await startBenchStack({ INGEST_CONCURRENCY: '2', INGEST_MODEL_CONCURRENCY: '2', ...(values['chunk-model'] ? { INGEST_CHUNK_EMBEDDING_MODEL: values['chunk-model'] } : {}) });
try {
  await importKnowledge(stack.app.services.knowledge, stack.app.services.executor, {
    format: 'JSONL',
    data: readSeed(path.join(projectRoot, 'seeds')),
    publish: true,
    by: 'bench',
    access: { visibilities: ['PUBLIC', 'INTERNAL', 'RESTRICTED'], statuses: ['DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED', 'REJECTED'] },
    mayPublishRestricted: true,
  });
  await stack.app.startWorkers();
  const svc = stack.app.services.ingestion;

  const started = performance.now();
  const ids: string[] = [];
  const queue = [...corpus];
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const r = await stack.gql<{ ingestDocument: { id: string } }>('mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }', {
          input: { title: `Bench ${run} ${d.i}`, mediaType: d.mediaType, content: d.content, source: `bench-${run}-${d.i}`, language: d.language },
        });
        ids.push(r.ingestDocument.id);
      }
    }),
  );
  const submittedMs = performance.now() - started;

  let records: JobRecord[] = [];
  for (;;) {
    records = (await svc.store.getMany(ids)).filter((r): r is JobRecord => r !== null);
    const open = records.filter((r) => r.status !== 'COMPLETED' && r.status !== 'FAILED').length;
    if (open === 0 || performance.now() - started > BUDGET_MS) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const wallS = (performance.now() - started) / 1000;
  // Measurement over: stop the workers (jobs in hand finish) and drop what is left of this run's jobs.
  await stack.app.stopWorkers();
  const left = (await svc.store.getMany(ids)).filter((r) => r && r.status !== 'COMPLETED' && r.status !== 'FAILED').map((r) => r!.id);
  for (const queue of allQueues) {
    const q = new Queue(queue, { connection: stack.app.redis, prefix: BULL_PREFIX });
    for (const id of left) await q.remove(bullJobId(id, 1, queue)).catch(() => 0);
    await q.close();
  }
  for (const id of left) await svc.store.update(id, { status: 'FAILED', error: 'Cancelled: the benchmark ran out of its time budget.' });
  const completed = records.filter((r) => r.status === 'COMPLETED');
  const failed = records.filter((r) => r.status === 'FAILED');
  const donePages = completed.reduce((n, r) => n + corpus[Number(r.title.split(' ').at(-1))]!.pages, 0);
  const chunks = completed.reduce((n, r) => n + r.counts.chunks, 0);
  const nodes = completed.reduce((n, r) => n + 1 + r.counts.chunks + 2 * r.counts.drafts + r.counts.reviewTasks + r.counts.entitiesCreated, 0);

  const stageMs = Object.fromEntries(stageNames.map((s) => [s, completed.reduce((n, r) => n + (r.timings[s] ?? 0), 0)])) as Record<StageName, number>;
  const stageTotal = Object.values(stageMs).reduce((a, b) => a + b, 0);
  const modelMs = stageMs.ner + stageMs.embed;

  // Bulk writer throughput: chunk rows of a throwaway document, 1,000 per UNWIND, in one transaction.
  const bulkRows = 20_000;
  const bulkDoc = `bench-bulk-${run}`;
  await stack.app.services.executor.writeText('bench/bulk-doc', 'CREATE (:Document {id: $id, source: $id, title: "bulk", status: "current"})', { id: bulkDoc });
  const b0 = performance.now();
  await stack.app.services.executor.writeTx('bench/bulk-chunks', async (tx) => {
    for (let i = 0; i < bulkRows; i += WRITE_BATCH) {
      const rows = Array.from({ length: Math.min(WRITE_BATCH, bulkRows - i) }, (_, k) => ({
        id: `${bulkDoc}-c${i + k}`, index: i + k, text: `Chunk ${i + k} of the bulk write benchmark.`, start: (i + k) * 50, end: (i + k) * 50 + 40, embedding: null, values: '[]',
      }));
      await tx.run('ingestion/create-chunks', { documentId: bulkDoc, model: null, rows });
    }
  });
  const bulkS = (performance.now() - b0) / 1000;
  await stack.app.services.executor.writeText('bench/bulk-cleanup', 'MATCH (d:Document {id: $id}) OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c) CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 5000 ROWS', { id: bulkDoc }).catch(() => undefined);
  await stack.app.services.executor.writeText('bench/bulk-cleanup-doc', 'MATCH (d:Document {id: $id}) DETACH DELETE d', { id: bulkDoc });

  const rows: Array<Record<string, string | number>> = [
    { metric: 'documents (completed / submitted)', value: `${completed.length} / ${N}`, target: '' },
    { metric: 'failed', value: failed.length, target: '0' },
    { metric: 'pages (≈3,000 chars en, 1,500 zh)', value: donePages, target: '' },
    { metric: 'wall time (s)', value: +wallS.toFixed(1), target: '< 480' },
    { metric: 'documents / min', value: +((completed.length / wallS) * 60).toFixed(1), target: '' },
    { metric: 'two-page documents / min', value: +(((donePages / 2) / wallS) * 60).toFixed(1), target: '≥ 100' },
    { metric: 'chunks / s', value: +(chunks / wallS).toFixed(1), target: '' },
    { metric: 'model inference share of stage time', value: `${((modelMs / Math.max(1, stageTotal)) * 100).toFixed(1)} %`, target: '' },
    { metric: 'graph nodes written / s (end to end)', value: +(nodes / wallS).toFixed(0), target: '' },
    { metric: 'graph nodes / s inside write transactions', value: +(nodes / Math.max(0.001, stageMs.write / 1000)).toFixed(0), target: '' },
    { metric: `bulk chunk writes, ${WRITE_BATCH} rows per UNWIND (nodes/s)`, value: +((bulkRows / bulkS)).toFixed(0), target: '≥ 5,000' },
    { metric: 'submission time (s)', value: +(submittedMs / 1000).toFixed(1), target: '' },
  ];
  // Where the write transactions spend their time, query by query (from the Cypher latency histogram).
  const histogram = (await stack.app.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'answergraph_cypher_query_duration_seconds');
  const perQuery = new Map<string, { ms: number; count: number }>();
  for (const v of (histogram?.values ?? []) as Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>) {
    const q = String(v.labels.query);
    if (!/^(ingestion|knowledge|entities)\//.test(q)) continue;
    const row = perQuery.get(q) ?? { ms: 0, count: 0 };
    if (v.metricName?.endsWith('_sum')) row.ms += v.value * 1000;
    if (v.metricName?.endsWith('_count')) row.count += v.value;
    perQuery.set(q, row);
  }
  const queries = [...perQuery.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12).map(([query, r]) => ({ query, calls: r.count, 'total ms': Math.round(r.ms), 'ms / call': +(r.ms / Math.max(1, r.count)).toFixed(1) }));
  console.table(queries);
  const perStage = stageNames
    .filter((s) => stageMs[s] > 0)
    .map((s) => ({ stage: s, 'total ms': Math.round(stageMs[s]), 'ms / document': +(stageMs[s] / Math.max(1, completed.length)).toFixed(1), share: `${((stageMs[s] / Math.max(1, stageTotal)) * 100).toFixed(1)} %` }));
  console.table(perStage);
  report('ingest', rows, {
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    corpus: { documents: N, pages, english: corpus.filter((d) => d.language === 'en').length, chinese: corpus.filter((d) => d.language === 'zh').length },
    stages: perStage,
    queries,
    models: { knowledge: stack.app.services.inference.models.embedding, chunks: stack.app.services.config.ingestion.chunkEmbeddingModel || stack.app.services.inference.models.embedding },
    chunks,
    nodes,
    errors: failed.slice(0, 5).map((r) => r.error),
  });
  // The benchmark's documents leave the graph again, a few thousand nodes per transaction.
  for (;;) {
    const [row] = await stack.app.services.executor.writeText(
      'bench/cleanup',
      `MATCH (s:DocumentSource) WHERE s.source STARTS WITH $p
       WITH s LIMIT 20
       OPTIONAL MATCH (s)-[:HAS_VERSION]->(d:Document)
       OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
       OPTIONAL MATCH (k:Knowledge)-[:DERIVED_FROM]->(c)
       OPTIONAL MATCH (t:ReviewTask)-[:FOR]->(k)
       OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k)
       WITH collect(DISTINCT s) + collect(DISTINCT d) + collect(DISTINCT c) + collect(DISTINCT k) + collect(DISTINCT t) + collect(DISTINCT v) AS nodes
       FOREACH (n IN nodes | DETACH DELETE n)
       RETURN size(nodes) AS deleted`,
      { p: `bench-${run}-` },
    );
    if (!row || Number(row.deleted) === 0) break;
  }
} finally {
  await stack.close();
}
