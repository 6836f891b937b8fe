import { Queue } from 'bullmq';
import type { RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import type { Visibility } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { PubSub } from '../infra/pubsub.js';
import { contentHashOf, formatOf, ingestionIds } from './content.js';
import { InvalidDocumentError } from './ingestion.errors.js';
import { bullJobId, IngestionQueue, jobOptions, type PrepareJobData, type QueuePolicy } from './ingestion.queues.js';
import type { IngestRequest } from './ingestion.types.js';
import { isTerminal, JobStore, type JobRecord, type JobStatus } from './job-store.js';

export const ingestionTopic = (jobId: string) => `ingestion:${jobId}`;

export interface IngestionServiceOptions {
  /** BullMQ key prefix (shared with the workers). */
  prefix: string;
  policy: QueuePolicy;
  /** Source prefixes whose drafts are published without review (INGEST_TRUSTED_SOURCES). */
  trustedSources: readonly string[];
  /**
   * Neo4j causal consistency across processes: a queued job carries this process's bookmarks (the
   * worker reads after them); a finished job's bookmarks (the worker's writes) are observed when this
   * process reads the record, so its next reads see what the worker wrote.
   */
  causal?: CausalContext;
}

export interface CausalContext {
  bookmarks(): Promise<string[]>;
  observe(bookmarks: readonly string[] | null | undefined): Promise<void>;
}

export interface SubmitInput {
  title: string;
  mediaType: string;
  content: string;
  source?: string | null;
  language?: string | null;
  visibility?: Visibility | null;
  trusted?: boolean | null;
}

const MAX_TITLE = 500;
const MAX_SOURCE = 2000;

/**
 * The API side of ingestion: submits documents (deterministic job id from source and content
 * hash: submitting the same document again returns the same job), reads job records, and streams
 * their progress. Workers do the work (`IngestionWorkers`), in this process or others.
 */
export class IngestionService {
  private readonly queue: Queue;
  readonly store: JobStore;

  constructor(
    redis: RedisClient,
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
    private readonly options: IngestionServiceOptions,
  ) {
    this.store = new JobStore(redis, { publish: (r) => this.pubsub.publish(ingestionTopic(r.id), r).catch((err: unknown) => this.logger.warn({ err }, 'ingestion progress not published')) });
    this.queue = new Queue(IngestionQueue.Prepare, { connection: redis, prefix: options.prefix });
    this.queue.on('error', (err) => this.logger.warn({ err: err.message }, 'ingestion queue error'));
  }

  isTrusted(source: string): boolean {
    return this.options.trustedSources.some((p) => p && source.startsWith(p));
  }

  async submit(input: SubmitInput, by: string | null): Promise<JobRecord> {
    const title = input.title.trim();
    if (!title) throw new AppError('BAD_USER_INPUT', 'title must not be empty.');
    if (title.length > MAX_TITLE) throw new AppError('BAD_USER_INPUT', `title is longer than ${MAX_TITLE} characters.`);
    if (input.source && input.source.length > MAX_SOURCE) throw new AppError('BAD_USER_INPUT', `source is longer than ${MAX_SOURCE} characters.`);
    const language = input.language?.trim().toLowerCase().split(/[-_]/)[0] || null;
    if (language && !/^[a-z]{2,3}$/.test(language)) throw new AppError('BAD_USER_INPUT', `language must be a BCP-47 tag such as "en" or "zh"; got "${input.language}".`);

    // An unknown media type still becomes a job (FAILED, saying which types work), like any bad file.
    let format: ReturnType<typeof formatOf> | null = null;
    try {
      format = formatOf(input.mediaType);
    } catch (err) {
      if (!(err instanceof InvalidDocumentError)) throw err;
    }
    const contentHash = contentHashOf(format ?? 'text', input.content);
    const source = input.source?.trim() || `upload:${contentHash.slice(0, 16)}`;
    const { jobId, documentId } = ingestionIds(source, contentHash);
    const visibility = input.visibility ?? 'PUBLIC';
    // A trusted source skips review, but never the four eyes RESTRICTED knowledge needs (policies.ts
    // mayPublishDirectly): its RESTRICTED documents are reviewed like any other. Only an explicit
    // `trusted` (which the resolver allows ADMIN alone for RESTRICTED) publishes them directly.
    const trusted = Boolean(input.trusted) || (this.isTrusted(source) && visibility !== 'RESTRICTED');
    const fields = { id: jobId, title, source, mediaType: input.mediaType, language, visibility, trusted, contentHash, by } as const;

    const { created, record } = await this.store.create(JobStore.newRecord(fields));
    if (!created) {
      if (record.status === 'COMPLETED') {
        // The same document again: nothing to do, and the job says so.
        return (await this.store.update(jobId, { unchanged: true }, { force: true })) ?? record;
      }
      if (record.status !== 'FAILED') return record; // queued or running: the same job
      const restarted = await this.store.restart(JobStore.newRecord({ ...fields, run: record.run + 1 }));
      await this.enqueue(restarted, input.content, documentId);
      return restarted;
    }
    await this.enqueue(record, input.content, documentId);
    return record;
  }

  private async enqueue(record: JobRecord, content: string, documentId: string): Promise<void> {
    const request: IngestRequest = {
      title: record.title,
      mediaType: record.mediaType,
      content,
      source: record.source,
      language: record.language,
      visibility: record.visibility,
      trusted: record.trusted,
      by: record.by,
    };
    const bookmarks = await this.options.causal?.bookmarks();
    const data: PrepareJobData = { jobId: record.id, run: record.run, documentId, contentHash: record.contentHash, request, ...(bookmarks?.length ? { bookmarks } : {}) };
    try {
      await this.queue.add('prepare', data, jobOptions(this.options.policy, bullJobId(record.id, record.run, IngestionQueue.Prepare)));
    } catch (err) {
      await this.store.update(record.id, { status: 'FAILED', error: `Could not queue the document: ${(err as Error).message}` }).catch(() => undefined);
      throw new AppError('SERVICE_UNAVAILABLE', 'The ingestion queue (Redis) is not reachable; try again shortly.', undefined, { cause: err });
    }
  }

  async get(id: string): Promise<JobRecord | null> {
    return this.observed(await this.store.get(id));
  }

  /** A finished job's bookmarks become this process's: reads after this one see the worker's writes. */
  private async observed(record: JobRecord | null): Promise<JobRecord | null> {
    if (record?.bookmarks?.length && isTerminal(record.status)) await this.options.causal?.observe(record.bookmarks);
    return record;
  }

  list(filter: { status?: JobStatus | null }, page: { skip: number; limit: number }) {
    return this.store.list(filter, page);
  }

  /**
   * The job now, then every change until it finishes. Events come through Redis pub/sub (any
   * worker, any API replica); the record is also re-read every second, so an event lost while
   * subscribing (or in a Redis blip) only delays the next update.
   */
  async *progress(jobId: string, pollMs = 1000): AsyncGenerator<JobRecord> {
    const events = this.pubsub.subscribe<JobRecord>(ingestionTopic(jobId));
    try {
      let pending = events.next();
      let last = await this.store.get(jobId);
      if (!last) throw new AppError('NOT_FOUND', `Ingestion job ${jobId} does not exist.`);
      yield last;
      while (!isTerminal(last.status)) {
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<'tick'>((resolve) => {
          timer = setTimeout(() => resolve('tick'), pollMs);
        });
        const winner = await Promise.race([pending, tick]);
        clearTimeout(timer);
        let next: JobRecord | null;
        if (winner === 'tick') next = await this.store.get(jobId);
        else {
          if (winner.done) return;
          pending = events.next();
          next = winner.value;
        }
        if (next && (next.updatedAt !== last.updatedAt || next.status !== last.status)) {
          last = next;
          await this.observed(next);
          yield next;
        }
      }
    } finally {
      await events.return?.();
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
