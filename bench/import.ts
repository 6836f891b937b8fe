// npm run bench:import — importKnowledge of N facts (default 10,000) in one call, then the same file again.
import { randomUUID } from 'node:crypto';
import { report, startBenchStack } from './harness.js';

const n = Number(process.argv[2] ?? 10_000);
const run = randomUUID().slice(0, 8);
const topics = ['Refund', 'Delivery', 'Warranty', 'Billing', 'Account', 'Store', 'Plan', 'Roaming', 'Repair', 'Trade-in'];
const lines = Array.from({ length: n }, (_, i) =>
  JSON.stringify({
    type: 'fact',
    externalId: `bench-${run}-${i}`,
    question: `How does ${topics[i % topics.length]!.toLowerCase()} case ${i} work?`,
    answer: `Case ${i}: handled within ${(i % 14) + 1} working days by the ${topics[i % topics.length]} team.`,
    language: 'en',
    entities: [topics[i % topics.length], `Bench topic ${run} ${i % 50}`],
  }),
);
const data = lines.join('\n');
const IMPORT = 'mutation($d: String!) { importKnowledge(format: JSONL, data: $d) { created updated unchanged errors { line message } } }';
type R = { importKnowledge: { created: number; updated: number; unchanged: number; errors: unknown[] } };

const stack = await startBenchStack();
try {
  const rows: Array<Record<string, string | number>> = [];
  for (const pass of ['first import', 're-import (unchanged)']) {
    const t0 = performance.now();
    const r = await stack.gql<R>(IMPORT, { d: data });
    const s = (performance.now() - t0) / 1000;
    rows.push({ pass, rows: n, seconds: +s.toFixed(2), 'rows/s': Math.round(n / s), created: r.importKnowledge.created, updated: r.importKnowledge.updated, unchanged: r.importKnowledge.unchanged, errors: r.importKnowledge.errors.length });
  }
  const [dupes] = await stack.app.services.executor.readText('bench/dupes', 'MATCH (k:Knowledge) WHERE k.externalId STARTS WITH $p WITH k.externalId AS e, count(*) AS c WHERE c > 1 RETURN count(e) AS dupes', { p: `bench-${run}-` });
  report('import', rows, { bodyBytes: Buffer.byteLength(data), duplicates: dupes?.dupes ?? 0 });
  await stack.app.services.executor.writeText('bench/cleanup', 'MATCH (k:Knowledge) WHERE k.externalId STARTS WITH $p CALL (k) { OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k) DETACH DELETE v, k } IN TRANSACTIONS OF 2000 ROWS', { p: `bench-${run}-` }).catch(() => undefined);
} finally {
  await stack.close();
}
