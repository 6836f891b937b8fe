import { redisKeys, type RedisClient } from '../infra/redis.js';
import type { Visibility } from '../auth/roles.js';
import { emptyCounts, type IngestionCounts } from './ingestion.types.js';
import type { StageName, StageTimings } from './stage.js';

export const jobStatuses = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** What `ingestionJob` shows: the state of one document's trip through the pipeline. */
export interface JobRecord {
  id: string;
  status: JobStatus;
  stage: StageName;
  /** 0..1, never goes back within one run. */
  progress: number;
  error: string | null;
  /** The graph already held this exact version (same source and content hash): nothing was written. */
  unchanged: boolean;
  title: string;
  source: string;
  mediaType: string;
  language: string | null;
  visibility: Visibility;
  trusted: boolean;
  contentHash: string;
  documentId: string | null;
  documentVersion: number | null;
  counts: IngestionCounts;
  timings: StageTimings;
  /** Processing attempts, retries and stalled-job recoveries included. */
  attempts: number;
  /** Workers (`host/pid`) that worked on it, in order. */
  workers: string[];
  /** Last transient error, while retries are still to come. */
  lastError: string | null;
  /** 1 for the first run; a failed job submitted again runs again. */
  run: number;
  by: string | null;
  createdAt: string;
  createdAtMs: number;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Neo4j bookmarks of the worker's last write: readers that observe them see what it wrote. */
  bookmarks?: string[];
}

export const isTerminal = (s: JobStatus) => s === 'COMPLETED' || s === 'FAILED';

/**
 * Merges a patch into a record atomically; the status index moves with it. A finished job is only
 * changed with `force` (a new run); progress never decreases unless forced. Finished records expire.
 * KEYS: record, status-index prefix. ARGV: patch JSON, force ('1'/'0'), retention seconds.
 */
const UPDATE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local rec = cjson.decode(cur)
local patch = cjson.decode(ARGV[1])
local force = ARGV[2] == '1'
local old = rec.status
if (old == 'COMPLETED' or old == 'FAILED') and not force then return cur end
local oldProgress = tonumber(rec.progress) or 0
for k, v in pairs(patch) do rec[k] = v end
if not force and (tonumber(rec.progress) or 0) < oldProgress then rec.progress = oldProgress end
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out)
if rec.status ~= old then
  redis.call('ZREM', KEYS[2] .. old, rec.id)
  redis.call('ZADD', KEYS[2] .. rec.status, rec.createdAtMs, rec.id)
end
if rec.status == 'COMPLETED' or rec.status == 'FAILED' then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
else
  redis.call('PERSIST', KEYS[1])
end
return out
`;

export interface JobStoreOptions {
  /** Key prefix. Default `{answergraph:ingestion}:` (one hash tag: the update script moves a record between status indexes). */
  prefix?: string;
  /** Seconds a finished job stays visible. Default 7 days. */
  retentionSeconds?: number;
  /** Most jobs kept in the listing. Default 10,000. */
  maxJobs?: number;
  /** Called with every changed record (subscriptions). */
  publish?: (record: JobRecord) => Promise<void>;
}

/**
 * Job records in Redis, next to the BullMQ queues: one JSON value per job, plus sorted sets (by
 * creation time) of all jobs and of each status for `ingestionJobs(status:)`. Bounded: finished
 * records expire after the retention period and the listing keeps the newest `maxJobs`.
 */
export class JobStore {
  private readonly prefix: string;
  private readonly retention: number;
  private readonly maxJobs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: JobStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? redisKeys.ingestionPrefix;
    this.retention = options.retentionSeconds ?? 7 * 24 * 3600;
    this.maxJobs = options.maxJobs ?? 10_000;
  }

  private key = (id: string) => `${this.prefix}job:${id}`;
  private index = (status?: JobStatus) => `${this.prefix}jobs${status ? `:${status}` : ''}`;

  static newRecord(fields: Pick<JobRecord, 'id' | 'title' | 'source' | 'mediaType' | 'language' | 'visibility' | 'trusted' | 'contentHash' | 'by'> & { run?: number }): JobRecord {
    const now = new Date();
    return {
      ...fields,
      status: 'QUEUED',
      stage: 'queued',
      progress: 0,
      error: null,
      unchanged: false,
      documentId: null,
      documentVersion: null,
      counts: emptyCounts(),
      timings: {},
      attempts: 0,
      workers: [],
      lastError: null,
      run: fields.run ?? 1,
      createdAt: now.toISOString(),
      createdAtMs: now.getTime(),
      startedAt: null,
      finishedAt: null,
      updatedAt: now.toISOString(),
    };
  }

  /** Creates the record unless one exists; returns what is stored. */
  async create(record: JobRecord): Promise<{ created: boolean; record: JobRecord }> {
    const ok = await this.redis.set(this.key(record.id), JSON.stringify(record), 'NX');
    if (!ok) {
      const existing = await this.get(record.id);
      if (existing) return { created: false, record: existing };
      await this.redis.set(this.key(record.id), JSON.stringify(record)); // expired between the two calls
    }
    await this.index_(record);
    await this.options.publish?.(record);
    return { created: true, record };
  }

  /** Starts a new run of a finished job (a failed document submitted again). */
  async restart(record: JobRecord): Promise<JobRecord> {
    const previous = await this.get(record.id);
    await this.redis.set(this.key(record.id), JSON.stringify(record));
    const tx = this.redis.multi();
    if (previous) tx.zrem(this.index(previous.status), record.id);
    await tx.exec();
    await this.index_(record);
    await this.options.publish?.(record);
    return record;
  }

  private async index_(record: JobRecord) {
    const cutoff = Date.now() - this.retention * 1000;
    const tx = this.redis.multi();
    tx.zadd(this.index(), record.createdAtMs, record.id);
    tx.zadd(this.index(record.status), record.createdAtMs, record.id);
    for (const key of [this.index(), ...[...(['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED'] as const)].map((s) => this.index(s))]) {
      tx.zremrangebyscore(key, '-inf', `(${cutoff}`);
      tx.zremrangebyrank(key, 0, -(this.maxJobs + 1));
    }
    await tx.exec();
  }

  async update(id: string, patch: Partial<JobRecord>, opts: { force?: boolean } = {}): Promise<JobRecord | null> {
    const out = (await this.redis.eval(UPDATE_SCRIPT, 2, this.key(id), `${this.prefix}jobs:`, JSON.stringify({ ...patch, updatedAt: new Date().toISOString() }), opts.force ? '1' : '0', String(this.retention))) as string | null;
    if (!out) return null;
    const record = parse(out);
    await this.options.publish?.(record);
    return record;
  }

  async get(id: string): Promise<JobRecord | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? parse(raw) : null;
  }

  async getMany(ids: readonly string[]): Promise<Array<JobRecord | null>> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map(this.key));
    return raws.map((r) => (r ? parse(r) : null));
  }

  /** Newest first. */
  async list(filter: { status?: JobStatus | null }, page: { skip: number; limit: number }): Promise<{ total: number; items: JobRecord[] }> {
    const key = this.index(filter.status ?? undefined);
    const [total, ids] = await Promise.all([this.redis.zcard(key), this.redis.zrevrange(key, page.skip, page.skip + page.limit - 1)]);
    const records = await this.getMany(ids);
    const gone = ids.filter((_, i) => !records[i]);
    if (gone.length) await this.redis.zrem(key, ...gone);
    return { total: total - gone.length, items: records.filter((r): r is JobRecord => r !== null) };
  }
}

/** cjson turns empty arrays into `{}`; lists are repaired here. */
function parse(raw: string): JobRecord {
  const r = JSON.parse(raw) as JobRecord;
  if (!Array.isArray(r.workers)) r.workers = [];
  r.counts = { ...emptyCounts(), ...(r.counts ?? {}) };
  r.timings = r.timings && typeof r.timings === 'object' ? r.timings : {};
  return r;
}
