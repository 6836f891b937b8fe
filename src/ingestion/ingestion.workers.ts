import os from 'node:os';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { createRedis, type RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { InvalidDocumentError } from './ingestion.errors.js';
import { allQueues, bullJobId, IngestionQueue, jobOptions, type ModelJobData, type PrepareJobData, type QueuePolicy, type WriteJobData } from './ingestion.queues.js';
import type { IngestionCounts } from './ingestion.types.js';
import { isTerminal, type JobRecord, type JobStore } from './job-store.js';
import type { CausalContext } from './ingestion.service.js';
import type { IngestionPipeline, RunEnv } from './pipeline.js';
import type { IngestionMetrics } from '../observability/metrics.js';
import type { StageName, StageTimings } from './stage.js';

export interface IngestionWorkerOptions {
  redisUrl: string;
  /** BullMQ key prefix (shared with the producer). */
  prefix: string;
  /** Queues this process consumes: all by default; `model` only on GPU workers. */
  queues: readonly IngestionQueue[];
  concurrency: Record<IngestionQueue, number>;
  /** A job whose worker stops renewing its lock for this long is stalled and goes to another worker. */
  lockDurationMs: number;
  /** How often each worker looks for stalled jobs. */
  stalledIntervalMs: number;
  /** Stalls before a job fails (a document that kills its worker every time). */
  maxStalledCount: number;
  policy: QueuePolicy;
  /** `host/pid` unless given. */
  workerId?: string;
}

/** Progress updates are throttled to this step or interval, whichever comes first. */
const PROGRESS_STEP = 0.05;
const PROGRESS_EVERY_MS = 500;

export function redisConnection(url: string, options: { failFast?: boolean } = {}): RedisClient {
  const redis = createRedis(url, options.failFast ? { maxRetriesPerRequest: 1, enableOfflineQueue: false } : { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // reconnects on its own; BullMQ reports what it could not do
  return redis;
}

/**
 * BullMQ workers of the ingestion queues. Each processor runs one pipeline step and hands the
 * result to the next queue with a deterministic job id, so a hand-off repeated after a crash is a
 * no-op. Transient faults are retried with exponential backoff; a bad document fails at once
 * (`UnrecoverableError`) with a sentence that says why; a worker that dies mid-job leaves a
 * stalled job that another worker picks up after `lockDurationMs`.
 */
export class IngestionWorkers {
  readonly workerId: string;
  private readonly workers: Worker[] = [];
  private readonly producers = new Map<IngestionQueue, Queue>();
  private readonly connections: RedisClient[] = [];

  constructor(
    private readonly deps: { pipeline: IngestionPipeline; store: JobStore; logger: Logger; metrics?: IngestionMetrics; causal?: CausalContext },
    private readonly options: IngestionWorkerOptions,
  ) {
    this.workerId = options.workerId ?? `${os.hostname()}/${process.pid}`;
  }

  private producer(queue: IngestionQueue): Queue {
    let q = this.producers.get(queue);
    if (!q) {
      const connection = redisConnection(this.options.redisUrl);
      this.connections.push(connection);
      q = new Queue(queue, { connection, prefix: this.options.prefix });
      q.on('error', (err) => this.deps.logger.warn({ err: err.message, queue }, 'ingestion queue error'));
      this.producers.set(queue, q);
    }
    return q;
  }

  async start(): Promise<void> {
    const processors: Record<IngestionQueue, (job: Job) => Promise<unknown>> = {
      [IngestionQueue.Prepare]: (job) => this.prepare(job as Job<PrepareJobData>),
      [IngestionQueue.Model]: (job) => this.infer(job as Job<ModelJobData>),
      [IngestionQueue.Write]: (job) => this.write(job as Job<WriteJobData>),
    };
    for (const queue of allQueues.filter((q) => this.options.queues.includes(q))) {
      const connection = redisConnection(this.options.redisUrl);
      this.connections.push(connection);
      const worker = new Worker(queue, processors[queue], {
        connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency[queue],
        lockDuration: this.options.lockDurationMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: this.options.maxStalledCount,
        autorun: false,
      });
      worker.on('error', (err) => this.deps.logger.warn({ err: err.message, queue }, 'ingestion worker error'));
      worker.on('stalled', (id) => {
        this.deps.metrics?.stalled(queue);
        this.deps.logger.warn({ bullJobId: id, queue }, 'stalled ingestion job moved back to the queue');
      });
      // Failures the processor never saw (a job stalled too often) still fail the ingestion job.
      worker.on('failed', (job, err) => {
        if (!job || !job.finishedOn) return;
        const data = job.data as { jobId?: string };
        if (data.jobId) void this.fail(data.jobId, failureMessage(err, job)).catch(() => undefined);
      });
      void worker.run().catch((err: unknown) => this.deps.logger.error({ err, queue }, 'ingestion worker stopped'));
      this.workers.push(worker);
    }
    this.deps.logger.info({ queues: this.options.queues, worker: this.workerId }, 'ingestion workers started');
  }

  /** Finishes the jobs in hand (their locks are released), then closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.producers.values()].map((q) => q.close()));
    for (const c of this.connections) c.disconnect();
  }

  // ---------- processors ----------

  private async prepare(job: Job<PrepareJobData>): Promise<string> {
    const { jobId, run } = job.data;
    return this.guard(job, async (env, record) => {
      if (await this.producer(IngestionQueue.Model).getJob(bullJobId(jobId, run, IngestionQueue.Model))) return 'handed-off'; // crashed after the hand-off
      const req = job.data.request;
      const same = await this.deps.pipeline.unchanged(req.source, job.data.contentHash);
      if (same) {
        const stats = same.stats ? (JSON.parse(same.stats) as { counts?: Partial<IngestionCounts> }) : null;
        await this.finish(jobId, { unchanged: true, documentId: same.documentId, documentVersion: same.version, counts: { ...record.counts, ...(stats?.counts ?? {}) } }, env);
        await dropContent(job);
        return 'unchanged';
      }
      const prepared = await this.deps.pipeline.prepare({ request: req, jobId, documentId: job.data.documentId, contentHash: job.data.contentHash }, env);
      await this.producer(IngestionQueue.Model).add('infer', { jobId, run, prepared, ...(await this.bookmarks()) } satisfies ModelJobData, jobOptions(this.options.policy, bullJobId(jobId, run, IngestionQueue.Model)));
      await dropContent(job); // the original text (PII included) never stays in Redis
      await this.update(jobId, {
        timings: { ...record.timings, ...env.timings },
        counts: { ...record.counts, blocks: prepared.blocks.length, chunks: prepared.chunks.length, piiFound: prepared.piiFound, values: prepared.values.length, drafts: prepared.drafts.length },
      });
      return 'prepared';
    });
  }

  private async infer(job: Job<ModelJobData>): Promise<string> {
    const { jobId, run, prepared } = job.data;
    return this.guard(job, async (env, record) => {
      if (await this.producer(IngestionQueue.Write).getJob(bullJobId(jobId, run, IngestionQueue.Write))) return 'handed-off';
      const inferred = await this.deps.pipeline.infer(prepared, env);
      await this.producer(IngestionQueue.Write).add('write', { jobId, run, prepared, inferred, ...(await this.bookmarks()) } satisfies WriteJobData, jobOptions(this.options.policy, bullJobId(jobId, run, IngestionQueue.Write)));
      await this.update(jobId, { timings: { ...record.timings, ...env.timings } });
      return 'inferred';
    });
  }

  private async write(job: Job<WriteJobData>): Promise<string> {
    const { jobId, prepared, inferred } = job.data;
    return this.guard(job, async (env, record) => {
      const result = await this.deps.pipeline.write(prepared, inferred, env);
      await this.finish(
        jobId,
        {
          unchanged: result.alreadyWritten && result.writtenBy !== jobId,
          documentId: result.documentId,
          documentVersion: result.version,
          counts: { ...record.counts, ...result.counts },
          timings: { ...record.timings, ...env.timings },
          ...(await this.bookmarks()),
        },
        env,
      );
      return result.alreadyWritten ? 'already-written' : 'written';
    });
  }

  /** This process's Neo4j bookmarks, for the job data of a hand-off or a finished record. */
  private async bookmarks(): Promise<{ bookmarks?: string[] }> {
    const bookmarks = await this.deps.causal?.bookmarks();
    return bookmarks?.length ? { bookmarks } : {};
  }

  // ---------- job record ----------

  /**
   * Runs a processor with a progress reporter bound to the job record, and turns errors into
   * BullMQ's language: a bad document → `UnrecoverableError` (fails now); anything else is thrown
   * as is (retried with backoff until attempts run out). The record says FAILED on the last one.
   */
  private async guard(job: Job<{ jobId: string }>, work: (env: RunEnv & { flush(): Promise<void> }, record: JobRecord) => Promise<string>): Promise<string> {
    const { jobId } = job.data;
    // Reads of this step start after the writes of whoever queued it (the API, the previous step's worker).
    await this.deps.causal?.observe((job.data as { bookmarks?: string[] }).bookmarks);
    const current = await this.deps.store.get(jobId);
    if (current && isTerminal(current.status)) return 'already-finished';
    const record =
      (await this.deps.store.update(jobId, {
        status: 'RUNNING',
        startedAt: current?.startedAt ?? new Date().toISOString(),
        attempts: (current?.attempts ?? 0) + 1,
        workers: current?.workers.at(-1) === this.workerId ? current.workers : [...(current?.workers ?? []), this.workerId],
      })) ?? current;
    const env = this.env(jobId);
    try {
      const out = await work(env, record ?? ({ counts: {}, timings: {} } as JobRecord));
      await env.flush();
      return out;
    } catch (err) {
      await env.flush();
      const permanent = err instanceof InvalidDocumentError || err instanceof UnrecoverableError || (err instanceof AppError && err.category === 'client');
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const message = permanent ? (err).message : failureMessage(err as Error, job, job.attemptsMade + 1);
      if (final) {
        await this.fail(jobId, message).catch((e: unknown) => this.deps.logger.warn({ err: e, jobId }, 'could not record the failure'));
        await dropContent(job).catch(() => undefined);
      } else {
        await this.update(jobId, { lastError: (err as Error).message });
      }
      this.deps.logger[permanent ? 'info' : 'warn']({ jobId, err: (err as Error).message, final }, 'ingestion step failed');
      throw permanent ? new UnrecoverableError(message) : err;
    }
  }

  private env(jobId: string): RunEnv & { flush(): Promise<void> } {
    let chain: Promise<void> = Promise.resolve();
    let last = { stage: '' as StageName | '', progress: -1, at: 0 };
    const timings: StageTimings = {};
    return {
      logger: this.deps.logger.child({ jobId }),
      timings,
      observe: (stage, ms) => this.deps.metrics?.stage(stage, ms),
      report: (stage, progress) => {
        const now = Date.now();
        if (stage === last.stage && progress - last.progress < PROGRESS_STEP && now - last.at < PROGRESS_EVERY_MS) return;
        last = { stage, progress, at: now };
        chain = chain.then(() => this.update(jobId, { stage, progress: Math.round(progress * 1000) / 1000 }));
      },
      flush: () => chain,
    };
  }

  /** Record updates never fail a job: progress is best effort when Redis blinks. */
  private async update(jobId: string, patch: Partial<JobRecord>): Promise<void> {
    try {
      await this.deps.store.update(jobId, patch);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message, jobId }, 'could not update the ingestion job record');
    }
  }

  private async finish(jobId: string, patch: Partial<JobRecord>, env: { flush(): Promise<void> }): Promise<void> {
    await env.flush();
    await this.deps.store.update(jobId, { ...patch, status: 'COMPLETED', stage: 'done', progress: 1, error: null, lastError: null, finishedAt: new Date().toISOString() });
  }

  private async fail(jobId: string, message: string): Promise<void> {
    await this.deps.store.update(jobId, { status: 'FAILED', error: message, finishedAt: new Date().toISOString() });
  }
}

function failureMessage(err: Error, job: Job, attempt = job.attemptsMade): string {
  if (err instanceof UnrecoverableError || err.name === 'UnrecoverableError') return err.message;
  return `Failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${err.message}`;
}

async function dropContent(job: Job): Promise<void> {
  const data = job.data as PrepareJobData;
  if (data.request?.content) await job.updateData({ ...data, request: { ...data.request, content: '' } });
}
