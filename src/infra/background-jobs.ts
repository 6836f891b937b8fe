import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { createBullConnection, redisKeys, type RedisClient } from './redis.js';

/**
 * Background model work (embedding sweeps, intent-classifier training, similar-question embedding,
 * quality sweeps) as BullMQ jobs that only the worker role runs, so API replicas stay stateless: they
 * answer, and load what the workers produce.
 *
 * Each kind of work is one named task. {@link BackgroundJobs.request} queues it with BullMQ
 * deduplication (`keepLastIfActive`): at most one run is active and one waits, however many replicas
 * or knowledge events ask, and a request that arrives during a run is not lost — it becomes the next
 * run. A short delay gathers a burst of requests (an import's many events) into one run. Every task is
 * idempotent (it looks at what is stale and does only that), so a repeated run costs a read.
 */

export const BACKGROUND_QUEUE = 'background';

export type TaskHandler = (progress: (p: Record<string, number | string>) => Promise<void>) => Promise<unknown>;

export interface BackgroundTask {
  /** Unique name; also the deduplication id. */
  name: string;
  run: TaskHandler;
  /** Milliseconds a request waits, gathering others, before it runs. Default 200. */
  delayMs?: number;
}

export interface BackgroundJobsOptions {
  redisUrl: string;
  logger: Logger;
}

export interface TaskState {
  name: string;
  state: 'idle' | 'waiting' | 'active';
  /** The last progress the active run reported. */
  progress: Record<string, number | string> | null;
}

export class BackgroundJobs {
  private readonly tasks = new Map<string, BackgroundTask>();
  private queue: Queue | null = null;
  private worker: Worker | null = null;
  private readonly connections: RedisClient[] = [];

  constructor(private readonly o: BackgroundJobsOptions) {}

  /** Makes a task known (every role registers all tasks; only workers run them). */
  register(task: BackgroundTask): void {
    if (this.tasks.has(task.name)) throw new Error(`background task "${task.name}" is registered twice`);
    this.tasks.set(task.name, task);
  }

  private connection(): RedisClient {
    return createBullConnection(this.o.redisUrl, this.connections);
  }

  private queueOf(): Queue {
    this.queue ??= new Queue(BACKGROUND_QUEUE, { connection: this.connection(), prefix: redisKeys.bullPrefix });
    return this.queue;
  }

  /** Asks for a run of `name` (cheap; any role may ask). */
  async request(name: string): Promise<void> {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`unknown background task "${name}"`);
    await this.queueOf().add(
      name,
      {},
      { deduplication: { id: name, keepLastIfActive: true }, delay: task.delayMs ?? 200, removeOnComplete: true, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 2000 } },
    );
  }

  /** Asks for a run of every task (a worker's start: catches up on whatever changed while none ran). */
  async requestAll(): Promise<void> {
    for (const name of this.tasks.keys()) await this.request(name);
  }

  /** Whether each task is waiting, running (with its last progress) or idle. */
  async states(): Promise<TaskState[]> {
    const jobs = await this.queueOf().getJobs(['active', 'waiting', 'delayed', 'prioritized']);
    return [...this.tasks.keys()].map((name) => {
      const active = jobs.find((j) => j.name === name && j.processedOn && !j.finishedOn);
      const waiting = jobs.find((j) => j.name === name && !j.processedOn);
      const progress = active && typeof active.progress === 'object' ? (active.progress as Record<string, number | string>) : null;
      return { name, state: active ? 'active' : waiting ? 'waiting' : 'idle', progress };
    });
  }

  /**
   * Starts running tasks (worker role). One at a time: they are CPU-bound model work and share the
   * process's inference threads with ingestion.
   */
  startWorker(): void {
    if (this.worker) return;
    this.worker = new Worker(
      BACKGROUND_QUEUE,
      async (job: Job) => {
        const task = this.tasks.get(job.name);
        if (!task) throw new Error(`unknown background task "${job.name}"`);
        const started = performance.now();
        const result = await task.run((p) => job.updateProgress(p));
        this.o.logger.debug({ task: job.name, ms: Math.round(performance.now() - started), result }, 'background task done');
        return result;
      },
      { connection: this.connection(), prefix: redisKeys.bullPrefix, concurrency: 1 },
    );
    this.worker.on('failed', (job, err) => this.o.logger.warn({ err, task: job?.name, attempt: job?.attemptsMade }, 'background task failed'));
    this.worker.on('error', (err) => this.o.logger.warn({ err }, 'background worker error'));
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Stops the worker and the queue. A run in progress gets `graceMs` to finish; past that the worker
   * closes anyway and BullMQ hands the unfinished job to another worker (or this one after a restart)
   * as stalled: a long training run must not hold a shutdown for minutes.
   */
  async close(graceMs = 10_000): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = worker.close().then(() => true);
      const expired = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      });
      const closed = await Promise.race([graceful, expired]);
      clearTimeout(timer);
      if (!closed) await worker.close(true);
    }
    await this.queue?.close();
    this.queue = null;
    for (const c of this.connections.splice(0)) c.disconnect();
  }
}
