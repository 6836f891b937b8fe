import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QueryEvent } from '../src/graph/executor.js';
import { BULL_PREFIX } from '../src/ingestion/ingestion.module.js';
import { startTestApi, type TestApi } from './harness.js';
import { finished, graphCounts, importSeed, ingest } from './ingestion-helpers.js';

/**
 * Neo4j through a routing URI (`neo4j://`, what a cluster or Aura needs) on the local server, and
 * read-your-writes across processes with bookmarks. The API and the worker are two separate apps
 * (each its own driver, connection pool and bookmark manager, as two processes would have); the worker
 * only sees the API's bookmarks through the job, and the API only sees the worker's through the job record.
 */

const run = randomUUID().slice(0, 8);
let api: TestApi;
let worker: TestApi;

beforeAll(async () => {
  const s = inject('services');
  // A generous transaction timeout: the shared test machine is often many times oversubscribed.
  const env = { NEO4J_URI: s.neo4jUri.replace(/^bolt:/, 'neo4j:'), RESOLVER_TIMEOUT_MS: '120000' };
  api = await startTestApi(env);
  worker = await startTestApi(env);
  await worker.app.startWorkers();
  await importSeed(api);
}, 480_000);

afterAll(async () => {
  await worker?.close();
  await api?.close();
}, 300_000);

describe('Neo4j through a routing driver', () => {
  it('runs-reads-as-read-transactions-and-writes-as-write-transactions-over-neo4j-uri', async () => {
    expect(api.config.neo4j.uri).toMatch(/^neo4j:\/\//);
    const seen: QueryEvent[] = [];
    const executor = api.app.services.executor.with({ observer: (e) => seen.push(e) });
    const id = `routing-${run}`;
    await executor.writeText('test/routing-write', 'CREATE (:RoutingProbe {id: $id})', { id });
    const rows = await executor.readText('test/routing-read', 'MATCH (p:RoutingProbe {id: $id}) RETURN p.id AS id', { id });
    expect(rows).toEqual([{ id }]);
    expect(seen.map((e) => [e.name, e.mode])).toEqual([
      ['test/routing-write', 'WRITE'],
      ['test/routing-read', 'READ'],
    ]);
    // The write moved this process's causal position: its bookmark manager holds a bookmark now.
    expect((await api.app.services.executor.bookmarks()).length).toBeGreaterThan(0);
    await executor.writeText('test/routing-cleanup', 'MATCH (p:RoutingProbe {id: $id}) DELETE p', { id });
  });

  it('carries-bookmarks-api-to-worker-in-the-job-and-worker-to-api-in-the-job-record', async () => {
    // The API writes what the worker must read (a new entity its mention linking looks up) …
    const entity = `Zephyr Blender Z${run}`;
    const created = await api.gql<{ importKnowledge: { created: number; errors: unknown[] } }>(
      'mutation($data: String!) { importKnowledge(format: JSONL, data: $data, publish: true) { created errors { message } } }',
      { data: JSON.stringify({ type: 'entity', externalId: `ent-zephyr-${run}`, name: entity, entityType: 'Product', aliases: [] }) },
    );
    expect(created.body.data?.importKnowledge.errors).toEqual([]);
    const apiPosition = await api.app.services.executor.bookmarks();
    expect(apiPosition.length).toBeGreaterThan(0);

    // … and queues a document about it: the job carries the API's bookmarks to the worker.
    const source = `bookmarks-${run}`;
    const submitted = await ingest(api, { title: 'Zephyr care', mediaType: 'text/markdown', content: `# Zephyr care\n\nThe ${entity} comes with a 24 month warranty from Northwind Mobile.`, source, language: 'en' });
    const afterSubmit = await api.app.services.executor.bookmarks();
    const data = JSON.parse((await api.app.redis.hget(`${BULL_PREFIX}:ingest-prepare:${submitted.id}`, 'data')) ?? '{}') as { bookmarks?: string[] };
    expect(data.bookmarks?.length).toBeGreaterThan(0);
    // The API's position when it queued the job: the one read before, or a newer one when background work of
    // this process (the embedder storing the entity's vector, say) wrote in between — never another process's.
    const carriedBefore = apiPosition.every((b) => data.bookmarks!.includes(b));
    const carriedLater = afterSubmit.every((b) => data.bookmarks!.includes(b));
    expect(carriedBefore || carriedLater).toBe(true);

    // The worker's record of the finished job carries the worker's bookmarks (its writes) …
    const done = await finished(api, submitted.id, 180_000);
    expect(done.status).toBe('COMPLETED');
    const record = await worker.app.services.ingestion.store.get(submitted.id);
    expect(record?.bookmarks?.length).toBeGreaterThan(0);
    // … which the API took on when it read the record: its next reads start after the worker's writes.
    const apiNow = await api.app.services.executor.bookmarks();
    for (const b of record!.bookmarks!) expect(apiNow).toContain(b);
    expect(await graphCounts(api, source)).toMatchObject({ documents: 1, chunks: done.counts.chunks });
    // The worker read the API's entity: the chunk mentions it.
    const [mention] = await api.app.services.executor.readText(
      'test/bookmark-mention',
      'MATCH (:DocumentSource {source: $source})-[:HAS_VERSION]->(:Document)-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(e:Entity {name: $name}) RETURN count(e) AS n',
      { source, name: entity },
    );
    expect(mention?.n).toBeGreaterThan(0);
  }, 240_000);
});
