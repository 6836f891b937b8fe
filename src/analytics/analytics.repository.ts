import type { CypherExecutor, Row, Tx } from '../graph/executor.js';
import type { Access } from '../knowledge/knowledge.repository.js';
import { addCount, addKey, emptyBucket, familyOf, keyFamilies, merge, observe, vectorLength, type Bucket, type Grain, type KeyFamily } from './bucket.js';
import { iso, type GrainRange } from './period.js';

/** A bucket with what it is about: one grain, period start (ms), channel and language. */
export interface StoredBucket {
  /** `year`: a raw scan's whole-window group (never stored). */
  grain: Grain | 'year';
  start: number;
  channel: string;
  language: string;
  bucket: Bucket;
}

export interface Filters {
  channel: string | null;
  language: string | null;
}

export const bucketId = (b: { grain: Grain | 'year'; start: number; channel: string; language: string }): string => `${b.grain}|${iso(b.start)}|${b.channel}|${b.language}`;

const toMs = (v: unknown): number => new Date(String(v)).getTime();
const nums = (v: unknown): number[] => ((v ?? []) as unknown[]).filter((x) => x !== null && x !== undefined).map(Number);

/**
 * Turns the raw queries' rows (conversation-level, message-level, keyed counts; grouped by period,
 * channel and language) into buckets. The raw scan and the fold share this, so stored buckets and a
 * raw scan of the same window agree by construction.
 */
export function bucketsFromRaw(grain: Grain | 'year', conversations: Row[], messages: Row[], keys: Row[]): Map<string, StoredBucket> {
  const out = new Map<string, StoredBucket>();
  const at = (r: Row): Bucket => {
    const meta = { grain, start: toMs(r.start), channel: String(r.channel), language: String(r.language) };
    const id = bucketId(meta);
    let b = out.get(id);
    if (!b) out.set(id, (b = { ...meta, bucket: emptyBucket() }));
    return b.bucket;
  };
  for (const r of conversations) {
    const b = at(r);
    addCount(b, 'conversations', Number(r.conversations));
    addCount(b, 'handedOff', Number(r.handedOff));
    addCount(b, 'humanReplied', Number(r.humanReplied));
    addCount(b, 'resolved', Number(r.resolved));
    for (const s of nums(r.csat)) {
      addCount(b, 'csatResponses');
      addCount(b, 'csatSum', s);
      if (s >= 4) addCount(b, 'csatSatisfied');
    }
    for (const s of nums(r.nps)) {
      addCount(b, 'npsResponses');
      if (s >= 9) addCount(b, 'npsPromoters');
      else if (s <= 6) addCount(b, 'npsDetractors');
    }
    const frt = nums(r.firstResponse);
    addCount(b, 'firstResponses', frt.length);
    for (const s of frt) observe(b, 'firstResponse', s);
    for (const s of nums(r.handoffWait)) observe(b, 'handoffWait', s);
    for (const s of nums(r.resolution)) observe(b, 'resolution', s);
    for (const reason of (r.reasons ?? []) as unknown[]) if (reason !== null && reason !== undefined) addKey(b, 'reason', String(reason));
  }
  for (const r of messages) {
    const b = at(r);
    for (const c of ['messages', 'customerMessages', 'botMessages', 'agentMessages', 'botAnswers', 'unanswered', 'outOfScope', 'helpful', 'notHelpful', 'confidenceSum', 'confidenceCount'] as const) addCount(b, c, Number(r[c] ?? 0));
    for (const ms of nums(r.latency)) observe(b, 'botLatency', ms);
  }
  for (const r of keys) {
    const b = at(r);
    const k = String(r.key);
    b.keyed.set(k, (b.keyed.get(k) ?? 0) + Number(r.count));
  }
  return out;
}

function fromStored(r: Row): StoredBucket {
  const keys = (r.keys ?? []) as string[];
  const vals = nums(r.vals);
  const bucket = emptyBucket();
  merge(bucket, { counts: nums(r.counts), keyed: keys.map((k, i) => [k, vals[i] ?? 0] as [string, number]) });
  return { grain: r.grain as Grain, start: toMs(r.start), channel: String(r.channel), language: String(r.language), bucket };
}

function toStored(b: StoredBucket): Row {
  const split = Object.fromEntries(keyFamilies.map((f) => [f, { keys: [] as string[], vals: [] as number[] }])) as Record<KeyFamily, { keys: string[]; vals: number[] }>;
  for (const [k, v] of b.bucket.keyed) {
    const f = split[familyOf(k)];
    f.keys.push(k);
    f.vals.push(v);
  }
  return {
    id: bucketId(b),
    grain: b.grain,
    start: iso(b.start),
    channel: b.channel,
    language: b.language,
    counts: b.bucket.counts.slice(0, vectorLength),
    families: keyFamilies.map((f) => split[f]),
  };
}

const ranges = (rs: readonly GrainRange[]) => rs.map((r) => ({ grain: r.grain, from: iso(r.from), to: iso(r.to) }));

/** Analytics reads and writes in Neo4j: raw scans, stored buckets, and the lookups the report needs. */
export class AnalyticsRepository {
  constructor(private readonly executor: CypherExecutor) {}

  /** Buckets computed from the raw graph for [from, to), grouped by `grain` ('year' for one group per channel/language). */
  async raw(from: number, to: number, grain: Grain | 'year', tx?: Tx): Promise<Map<string, StoredBucket>> {
    const params = { from: iso(from), to: iso(to), grain };
    const run = (name: string) => (tx ? tx.run(name, params) : this.executor.read(name, params));
    const [c, m, k] = tx
      ? [await run('analytics/raw-conversations'), await run('analytics/raw-messages'), await run('analytics/raw-keys')]
      : await Promise.all([run('analytics/raw-conversations'), run('analytics/raw-messages'), run('analytics/raw-keys')]);
    return bucketsFromRaw(grain, c, m, k);
  }

  /** Stored buckets in the given ranges, optionally filtered, with the keyed counts of `families` (null: all). */
  async read(rs: readonly GrainRange[], filters: Filters, families: readonly KeyFamily[] | null = null, tx?: Tx): Promise<StoredBucket[]> {
    if (rs.length === 0) return [];
    const params = { ranges: ranges(rs), channel: filters.channel, language: filters.language, families: families ?? keyFamilies };
    const rows = tx ? await tx.run('analytics/read-buckets', params) : await this.executor.read('analytics/read-buckets', params);
    return rows.map(fromStored);
  }

  /** Writes buckets of one grain for [from, to) and deletes the ones of that span not among them. */
  async replace(tx: Tx, grain: Grain, from: number, to: number, buckets: Iterable<StoredBucket>): Promise<void> {
    const rows = [...buckets].map(toStored);
    for (let i = 0; i < rows.length; i += 500) await tx.run('analytics/write-buckets', { rows: rows.slice(i, i + 500) });
    await tx.run('analytics/delete-buckets', { grain, from: iso(from), to: iso(to), keep: rows.map((r) => r.id) });
  }

  async dirtyHours(conversationIds: string[], messageIds: string[]): Promise<number[]> {
    const rows = await this.executor.read('analytics/dirty-hours', { conversationIds, messageIds });
    return rows.map((r) => toMs(r.hour));
  }

  /**
   * Example messages per entity: first from the window's last 7 days for all entities at once (through the
   * message time index), then, for entities with fewer there, from the whole window through their mentions.
   */
  async complaintExamples(entityIds: string[], from: number, to: number, filters: Filters, examples: number): Promise<Row[]> {
    if (entityIds.length === 0) return [];
    const recentFrom = Math.max(from, to - 7 * 86_400_000);
    const recent = await this.executor.read('analytics/complaint-examples-recent', { entityIds, from: iso(recentFrom), to: iso(to), ...filters, examples });
    const done = new Set(recent.filter((r) => ((r.examples ?? []) as unknown[]).length >= examples).map((r) => String(r.id)));
    const rest = entityIds.filter((id) => !done.has(id));
    if (rest.length === 0 || recentFrom === from) return [...recent, ...(rest.length > 0 && recentFrom === from ? await this.entities(rest, recent) : [])];
    const older = await this.executor.read('analytics/complaint-examples', { entityIds: rest, from: iso(from), to: iso(to), ...filters, examples });
    return [...recent.filter((r) => done.has(String(r.id))), ...older];
  }

  /** Rows for entities a recent scan did not find (names, no examples). */
  private async entities(ids: string[], found: Row[]): Promise<Row[]> {
    const seen = new Set(found.map((r) => String(r.id)));
    const missing = ids.filter((id) => !seen.has(id));
    if (missing.length === 0) return [];
    const rows = await this.executor.read('entities/get-by-ids', { ids: missing });
    return rows.map(({ entity: e }) => ({ id: e.id, name: e.name ?? null, type: e.type ?? null, examples: [] }));
  }

  async visibleKnowledge(ids: string[], access: Access): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.executor.read('analytics/visible-knowledge', { ids, ...access });
    return new Set(rows.map((r) => String(r.id)));
  }

  async gaps(from: number, to: number, top: number, minConfidence: number): Promise<Row[]> {
    return this.executor.read('analytics/knowledge-gaps', { from: iso(from), to: iso(to), top, minConfidence });
  }
}
