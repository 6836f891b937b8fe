import { AppError } from '../errors.js';
import type { Access } from '../knowledge/knowledge.repository.js';
import { count, emptyBucket, figures, keyed, keyedCount, merge, type Bucket, type Figures, type KeyCount, type KeyFamily } from './bucket.js';
import type { AnalyticsAggregator } from './analytics.aggregator.js';
import type { AnalyticsRepository, Filters, StoredBucket } from './analytics.repository.js';
import { addTo, ceilTo, cover, floorTo, type SeriesGranularity } from './period.js';

/** Keyed counts the headline figures need; knowledge usage (thousands of item ids) is read only when asked for. */
const TOTALS_FAMILIES: KeyFamily[] = ['core', 'emotion', 'complaint'];
/** Emotion keys (a message's emotion, else its sentiment) that make it a complaint; the Cypher under cypher/analytics uses the same list. */
const NEGATIVE_EMOTIONS: ReadonlySet<string> = new Set(['negative', 'angry', 'sad', 'fear']);

/** Windows may span at most this many days (a year, leap years included). */
export const MAX_WINDOW_DAYS = 366;
/** A time series has at most this many points (hourly: about 100 days). */
export const MAX_POINTS = 2400;

export interface AnalyticsWindow {
  /** Hour-aligned: the request's `from` rounded down, `to` rounded up. */
  from: number;
  to: number;
  filters: Filters;
}

/** Headline figures of a window plus where its conversations came from. */
export interface Totals {
  bucket: Bucket;
  figures: Figures;
  channels: KeyCount[];
  languages: KeyCount[];
}

export interface SeriesPoint {
  start: number;
  end: number;
  bucket: Bucket;
  figures: Figures;
}

export interface ComplaintSignal {
  entity: { id: string; name: string | null; type: string | null };
  count: number;
  previousCount: number;
  /** count − previousCount. */
  change: number;
  /** change ÷ previousCount; null when the entity was not mentioned in negative messages before. */
  changeRate: number | null;
  /** Share of the window's customer messages with a negative emotion (angry, sad, fear; else negative sentiment) that mention it. */
  share: number | null;
  trend: Array<{ start: number; end: number; count: number }>;
  examples: Array<{ id: string; conversationId: string; text: string; at: string; language: string | null; emotion: string | null }>;
}

export interface IntentQuality {
  intent: string;
  count: number;
  answered: number;
  answeredRate: number | null;
  helpful: number;
  notHelpful: number;
  helpfulRate: number | null;
}

export interface KnowledgeUse {
  id: string;
  uses: number;
  helpful: number;
  notHelpful: number;
  helpfulRate: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/**
 * Analytics answered from time buckets (see `bucket.ts` and `AnalyticsAggregator`): a year is a dozen
 * month buckets per channel and language plus days and hours at its edges, whatever the message volume.
 */
export class AnalyticsService {
  constructor(
    readonly repo: AnalyticsRepository,
    readonly aggregator: AnalyticsAggregator,
  ) {}

  /** Validates a request's window and snaps it to whole hours (the finest stored period). */
  window(from: Date, to: Date, filters: Partial<Filters> = {}): AnalyticsWindow {
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new AppError('BAD_USER_INPUT', '`from` and `to` must be date-times.');
    if (!(from < to)) throw new AppError('BAD_USER_INPUT', '`from` must be before `to`.');
    if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) throw new AppError('BAD_USER_INPUT', `The window may span at most ${MAX_WINDOW_DAYS} days.`);
    const clean = (v: string | null | undefined, what: string) => {
      if (v === null || v === undefined) return null;
      if (v.length === 0 || v.length > 100) throw new AppError('BAD_USER_INPUT', `${what} must have 1 to 100 characters.`);
      return v;
    };
    return { from: floorTo(from.getTime(), 'hour'), to: ceilTo(to.getTime(), 'hour'), filters: { channel: clean(filters.channel, 'channel'), language: clean(filters.language, 'language') } };
  }

  /** The window's figures from the stored buckets, after folding pending changes; `allKeys` adds knowledge usage counts. */
  async totals(w: AnalyticsWindow, allKeys = false): Promise<Totals> {
    await this.aggregator.flushBeforeRead();
    return totalsOf(await this.repo.read(cover(w.from, w.to), w.filters, allKeys ? null : TOTALS_FAMILIES));
  }

  /** The same figures by scanning every conversation and message of the window (what the buckets replace; benchmarks compare the two). */
  async rawTotals(w: AnalyticsWindow): Promise<Totals> {
    const groups = await this.repo.raw(w.from, w.to, 'year');
    return totalsOf([...groups.values()].filter((b) => (w.filters.channel === null || b.channel === w.filters.channel) && (w.filters.language === null || b.language === w.filters.language)));
  }

  /** Points of `granularity` across the window (empty periods included), each clipped to the window. */
  async series(w: AnalyticsWindow, granularity: SeriesGranularity, families: KeyFamily[] = ['emotion']): Promise<SeriesPoint[]> {
    const first = floorTo(w.from, granularity);
    const points = Math.ceil((w.to - first) / (addTo(first, granularity) - first));
    if (points > MAX_POINTS) throw new AppError('BAD_USER_INPUT', `A ${granularity} series of this window would have ${points} points; at most ${MAX_POINTS}. Use a coarser granularity or a shorter window.`);
    await this.aggregator.flushBeforeRead();
    const rows = await this.repo.read(cover(w.from, w.to, granularity === 'hour' ? 'hour' : 'day'), w.filters, families);
    const byStart = new Map<number, Bucket>();
    for (const r of rows) {
      const k = floorTo(r.start, granularity);
      merge(byStart.get(k) ?? byStart.set(k, emptyBucket()).get(k)!, r.bucket);
    }
    const out: SeriesPoint[] = [];
    for (let t = first; t < w.to; t = addTo(t, granularity)) {
      const bucket = byStart.get(t) ?? emptyBucket();
      out.push({ start: Math.max(t, w.from), end: Math.min(addTo(t, granularity), w.to), bucket, figures: figures(bucket) });
    }
    return out;
  }

  intents(t: Totals, top: number): IntentQuality[] {
    return keyed(t.bucket, 'intent')
      .slice(0, top)
      .map(({ key, count: n }) => {
        const answered = keyedCount(t.bucket, 'ianswered', key);
        const helpful = keyedCount(t.bucket, 'ihelpful', key);
        const notHelpful = keyedCount(t.bucket, 'inothelpful', key);
        return { intent: key, count: n, answered, answeredRate: ratio(answered, n), helpful, notHelpful, helpfulRate: ratio(helpful, helpful + notHelpful) };
      });
  }

  /** The most used knowledge the caller may see, with how its answers were rated. */
  async knowledgeUsage(w: AnalyticsWindow, top: number, access: Access): Promise<KnowledgeUse[]> {
    await this.aggregator.flushBeforeRead();
    const rows = await this.repo.read(cover(w.from, w.to), w.filters, ['knowledge']);
    const t = { bucket: rows.reduce((b, r) => merge(b, r.bucket), emptyBucket()) };
    const candidates = keyed(t.bucket, 'ku');
    const out: KnowledgeUse[] = [];
    for (let i = 0; i < candidates.length && out.length < top; i += 500) {
      const slice = candidates.slice(i, i + 500);
      const visible = await this.repo.visibleKnowledge(slice.map((c) => c.key), access);
      for (const c of slice) {
        if (!visible.has(c.key) || out.length >= top) continue;
        const helpful = keyedCount(t.bucket, 'kh', c.key);
        const notHelpful = keyedCount(t.bucket, 'kn', c.key);
        out.push({ id: c.key, uses: c.count, helpful, notHelpful, helpfulRate: ratio(helpful, helpful + notHelpful) });
      }
    }
    return out;
  }

  /**
   * Entities most mentioned in customer messages with a negative emotion (angry, sad, fear; else negative sentiment): counts, the change against the
   * previous period of the same length, a trend (hourly up to two days, daily up to 92, else weekly) and examples.
   */
  async complaintSignals(w: AnalyticsWindow, t: Totals, input: { top: number; examples: number }): Promise<ComplaintSignal[]> {
    const current = keyed(t.bucket, 'neg').slice(0, input.top);
    if (current.length === 0) return [];
    const length = w.to - w.from;
    const previousRows = await this.repo.read(cover(w.from - length, w.from), w.filters, ['complaint']);
    const previous = previousRows.reduce((b, r) => merge(b, r.bucket), emptyBucket());
    const granularity: SeriesGranularity = length <= 2 * 86_400_000 ? 'hour' : length <= 92 * 86_400_000 ? 'day' : 'week';
    const trend = await this.series(w, granularity, ['complaint']);
    const negative = keyed(t.bucket, 'emotion')
      .filter((e) => NEGATIVE_EMOTIONS.has(e.key))
      .reduce((n, e) => n + e.count, 0);
    const found = new Map((await this.repo.complaintExamples(current.map((c) => c.key), w.from, w.to, w.filters, input.examples)).map((r) => [String(r.id), r]));
    return current.map(({ key, count: n }) => {
      const before = keyedCount(previous, 'neg', key);
      const e = found.get(key);
      return {
        entity: { id: key, name: (e?.name as string | null) ?? null, type: (e?.type as string | null) ?? null },
        count: n,
        previousCount: before,
        change: n - before,
        changeRate: ratio(n - before, before),
        share: ratio(n, negative),
        trend: trend.map((p) => ({ start: p.start, end: p.end, count: keyedCount(p.bucket, 'neg', key) })),
        examples: ((e?.examples ?? []) as ComplaintSignal['examples']).map((x) => ({ ...x, at: String(x.at) })),
      };
    });
  }

  async gaps(w: AnalyticsWindow, top: number, minConfidence: number) {
    return this.repo.gaps(w.from, w.to, top, minConfidence);
  }
}

export function totalsOf(rows: readonly StoredBucket[]): Totals {
  const bucket = emptyBucket();
  const channels = new Map<string, number>();
  const languages = new Map<string, number>();
  for (const r of rows) {
    merge(bucket, r.bucket);
    const n = count(r.bucket, 'conversations');
    if (n > 0) {
      channels.set(r.channel, (channels.get(r.channel) ?? 0) + n);
      languages.set(r.language, (languages.get(r.language) ?? 0) + n);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].map(([key, n]) => ({ key, count: n })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  return { bucket, figures: figures(bucket), channels: sorted(channels), languages: sorted(languages) };
}
