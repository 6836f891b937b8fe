import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApp, projectRoot, type App } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import type { JobRecord } from '../src/ingestion/job-store.js';
import { createLogger } from '../src/observability/logger.js';
import { freePort } from '../src/services/processes.js';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { finished, graphCounts, importSeed, ingest, job } from './ingestion-helpers.js';

/**
 * Reliability of the pipeline against real failures: a worker process killed with SIGKILL in the
 * middle of a document, and Redis stopped and started again while documents are in flight. Workers
 * run as child processes (`node --import tsx src/main.ts worker`) against the test Neo4j.
 */

const run = randomUUID().slice(0, 8);
const children = new Set<ChildProcess>();

/** A document big enough to keep a worker busy for a while (many chunks to embed and write). */
function longDocument(tag: string): string {
  const paragraphs = Array.from({ length: 160 }, (_, i) =>
    [
      `If order ${tag}-${i} arrives damaged, contact Customer Care within 7 days and we replace the Northwind X5 free of charge.`,
      `Standard Delivery takes 2–4 working days in the Metro Zone; Express Delivery costs S$12 and arrives the same day.`,
      `Northwind Care+ covers the Northwind X5 against accidental damage for 24 months.`,
    ].join(' '),
  );
  return [`# Service notes ${tag}`, ...paragraphs].join('\n\n');
}

function startWorker(env: Record<string, string>, name: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'main.ts'), 'worker'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', SEED_ON_EMPTY: 'false', INGEST_LOCK_MS: '4000', INGEST_STALLED_INTERVAL_MS: '1000', INGEST_BACKOFF_MS: '300', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (code && code !== 0) console.error(`worker ${name} exited ${code}: ${tail}`);
    void signal;
  });
  children.add(child);
  return child;
}

const workerId = (child: ChildProcess) => `${os.hostname()}/${child.pid}`;

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

afterAll(async () => {
  await Promise.all([...children].map((c) => stop(c, 'SIGKILL')));
});

describe('a worker killed in the middle of a document', () => {
  let api: TestApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await startTestApi();
    await importSeed(api);
    const s = inject('services');
    env = { NEO4J_URI: s.neo4jUri, NEO4J_PASSWORD: s.neo4jPassword, REDIS_URL: s.redisUrl };
  }, 180_000);
  afterAll(async () => {
    await api?.close();
  });

  it('is finished by another worker, with no duplicate nodes', async () => {
    const source = `sigkill-${run}`;
    const a = startWorker(env, 'A');
    const submitted = await ingest(api, { title: 'Service notes', mediaType: 'text/markdown', content: longDocument('k'), source, language: 'en' });
    // Wait until worker A is inside the document (past parsing, not finished), then kill it outright.
    const during = await eventually(async () => {
      const j = await job(api, submitted.id);
      return j && j.status === 'RUNNING' && j.progress > 0.1 && j.workers.includes(workerId(a)) ? j : null;
    }, 180_000, 20);
    expect(during.status).toBe('RUNNING');
    await stop(a, 'SIGKILL');

    const b = startWorker(env, 'B');
    const done = await finished(api, submitted.id, 240_000);
    expect(done).toMatchObject({ status: 'COMPLETED', error: null });
    expect(done.workers).toEqual(expect.arrayContaining([workerId(a), workerId(b)]));

    const counts = await graphCounts(api, source);
    expect(counts).toMatchObject({ documents: 1, chunks: done.counts.chunks, drafts: done.counts.drafts, tasks: done.counts.reviewTasks });
    const [dup] = await api.app.services.executor.readText(
      'test/duplicates',
      `MATCH (d:Document {id: $id})-[:HAS_CHUNK]->(c:Chunk)
       WITH count(c) AS chunks, count(DISTINCT c.index) AS indexes
       MATCH (k:Knowledge) WHERE k.externalId STARTS WITH $prefix
       RETURN chunks, indexes, count(k) AS items, count(DISTINCT k.externalId) AS externalIds`,
      { id: done.documentId, prefix: 'ing-' },
    );
    expect(dup!.chunks).toBe(dup!.indexes);
    expect(dup!.items).toBe(dup!.externalIds);
    await stop(b);
  }, 420_000);
});

// ---------- Redis restarted mid-run ----------

/** A throwaway Redis (Debian's redis-server, as the local services use), persisted with AOF like production. */
class ThrowawayRedis {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'answergraph-redis-'));
  constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    children.add(this.child);
    await eventually(async () => {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, 20_000, 50);
  }
  /** SIGTERM: Redis writes its AOF and exits, as on a managed restart. */
  async stop(): Promise<void> {
    if (this.child) await stop(this.child, 'SIGTERM');
    this.child = null;
  }
  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('Redis restarted while documents are in flight', () => {
  let redis: ThrowawayRedis;
  let app: App;
  let api: TestApi;

  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    const s = inject('services');
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', NEO4J_URI: s.neo4jUri, NEO4J_PASSWORD: s.neo4jPassword, REDIS_URL: redis.url, INGEST_LOCK_MS: '4000', INGEST_STALLED_INTERVAL_MS: '1000', INGEST_BACKOFF_MS: '300', INGEST_ATTEMPTS: '10' });
    app = await buildApp(config, { neo4j: { uri: s.neo4jUri, user: s.neo4jUser, password: s.neo4jPassword }, redisUrl: redis.url }, createLogger('silent'));
    await app.startWorkers();
    api = await startTestApi(); // the test Neo4j, for graph counts
  }, 180_000);
  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await api?.close();
    await redis?.stop();
    redis?.cleanup();
  });

  it('recovers: every document completes once', async () => {
    const svc = app.services.ingestion;
    const sources = Array.from({ length: 4 }, (_, i) => `redis-restart-${run}-${i}`);
    const jobs: JobRecord[] = [];
    for (const [i, source] of sources.entries()) jobs.push(await svc.submit({ title: `Notes ${i}`, mediaType: 'text/markdown', content: longDocument(`r${i}`).slice(0, 20_000), source, language: 'en' }, null));

    // Restart Redis while the first document is being worked on.
    await eventually(async () => (await svc.get(jobs[0]!.id))?.status === 'RUNNING', 120_000, 20);
    await redis.stop();
    await redis.start();

    const done = await eventually(async () => {
      const all = await Promise.all(jobs.map((j) => svc.get(j.id).catch(() => null)));
      return all.every((j) => j && (j.status === 'COMPLETED' || j.status === 'FAILED')) ? all : null;
    }, 300_000, 250);
    for (const j of done) expect({ status: j!.status, error: j!.error }).toEqual({ status: 'COMPLETED', error: null });
    for (const [i, source] of sources.entries()) {
      expect(await graphCounts(api, source)).toMatchObject({ documents: 1, chunks: done[i]!.counts.chunks, drafts: done[i]!.counts.drafts });
    }
  }, 480_000);
});
