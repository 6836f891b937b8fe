/**
 * The shape of an analytics time bucket and the arithmetic on it: one bucket holds the additive
 * ingredients of every metric (counts, sums, histogram bins, keyed counts) for one period, channel
 * and language, so any window is answered by adding buckets and deriving the figures once
 * (`figures`). Percentiles come from fixed histogram bins: a p50/p90 is the upper edge of the bin
 * the rank falls in ("90 % of first replies came within X s"), never finer than the bins below.
 */

export const grains = ['hour', 'day', 'month'] as const;
export type Grain = (typeof grains)[number];

/**
 * Additive counters, by position in a stored bucket's `counts` vector. Append only: a stored vector
 * shorter than this list reads the missing counters as 0 (rebuild to fill them for old periods).
 * `c.` counters belong to the hour the conversation started in; `m.` counters to the hour of the message.
 */
export const counters = [
  'conversations', // c. conversations started
  'handedOff', // c. escalated to a human at least once (the bot asked for one, or a human replied)
  'humanReplied', // c. a human agent wrote at least one message
  'resolved', // c. marked resolved
  'firstResponses', // c. the customer wrote and got a reply (bot or human)
  'csatResponses', // c. rated 1–5
  'csatSatisfied', // c. rated 4 or 5
  'csatSum', // c. sum of the 1–5 ratings
  'npsResponses', // c. gave a 0–10 likelihood-to-recommend score
  'npsPromoters', // c. 9–10
  'npsDetractors', // c. 0–6
  'messages', // m. every stored message
  'customerMessages',
  'botMessages',
  'agentMessages',
  'botAnswers', // m. bot replies to a customer message
  'unanswered', // m. bot replies that found nothing to answer with (kind `none`)
  'outOfScope', // m. customer messages the intent model placed out of scope
  'helpful', // m. bot messages rated helpful
  'notHelpful', // m. bot messages rated not helpful
  'confidenceSum', // m. sum of bot answer confidence
  'confidenceCount',
] as const;
export type CounterName = (typeof counters)[number];

/** Histogram upper bin edges; a value lands in the first bin whose edge is ≥ it, beyond the last in an overflow bin. */
export const secondsEdges = [0.5, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800, 259200, 604800];
export const msEdges = [10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];

export const histograms = {
  /** c. seconds from the customer's first message to the first reply, bot or human. */
  firstResponse: secondsEdges,
  /** c. seconds from the hand-off to the first human reply (the bot-to-human wait). */
  handoffWait: secondsEdges,
  /** c. seconds from the start of the conversation to its resolution. */
  resolution: secondsEdges,
  /** m. milliseconds a bot reply took. */
  botLatency: msEdges,
} as const;
export type HistogramName = keyof typeof histograms;

const histogramNames = Object.keys(histograms) as HistogramName[];
/** Where each histogram's bins start in the vector (after the counters). */
const histogramOffset: Record<HistogramName, number> = (() => {
  let at = counters.length;
  const out = {} as Record<HistogramName, number>;
  for (const h of histogramNames) {
    out[h] = at;
    at += histograms[h].length + 1;
  }
  return out;
})();
export const vectorLength = counters.length + histogramNames.reduce((n, h) => n + histograms[h].length + 1, 0);
const counterIndex = new Map<string, number>(counters.map((c, i) => [c, i]));

/**
 * Keyed counts, stored as `prefix:key` → count (a bucket's `keys`/`vals` arrays):
 * intent (customer messages), emotion (customer messages: emotion, else sentiment), reason (hand-off
 * reasons, by conversation), ianswered / ihelpful / inothelpful (bot answers to, and ratings of, an
 * intent's questions), ku / kh / kn (knowledge used, rated helpful, not helpful), neg (entities in
 * customer messages with a negative emotion (angry, sad, fear; else negative sentiment)).
 */
export const keyPrefixes = ['intent', 'emotion', 'reason', 'ianswered', 'ihelpful', 'inothelpful', 'ku', 'kh', 'kn', 'neg'] as const;
export type KeyPrefix = (typeof keyPrefixes)[number];

/**
 * Keyed counts are stored in four families, each its own pair of arrays on the bucket node, so a read
 * fetches only what it needs: a year of headline figures never ships thousands of knowledge ids.
 */
export const keyFamilies = ['core', 'emotion', 'complaint', 'knowledge'] as const;
export type KeyFamily = (typeof keyFamilies)[number];
const FAMILY: Record<KeyPrefix, KeyFamily> = { intent: 'core', reason: 'core', ianswered: 'core', ihelpful: 'core', inothelpful: 'core', emotion: 'emotion', neg: 'complaint', ku: 'knowledge', kh: 'knowledge', kn: 'knowledge' };
export const familyOf = (key: string): KeyFamily => FAMILY[key.slice(0, key.indexOf(':')) as KeyPrefix] ?? 'core';

export interface Bucket {
  counts: number[];
  keyed: Map<string, number>;
}

export function emptyBucket(): Bucket {
  return { counts: new Array<number>(vectorLength).fill(0), keyed: new Map() };
}

export function binOf(edges: readonly number[], value: number): number {
  for (let i = 0; i < edges.length; i++) if (value <= (edges[i] as number)) return i;
  return edges.length;
}

export function addCount(b: Bucket, name: CounterName, n = 1): void {
  const i = counterIndex.get(name) as number;
  b.counts[i] = (b.counts[i] as number) + n;
}

export function observe(b: Bucket, h: HistogramName, value: number): void {
  const i = histogramOffset[h] + binOf(histograms[h], value);
  b.counts[i] = (b.counts[i] as number) + 1;
}

export function addKey(b: Bucket, prefix: KeyPrefix, key: string, n = 1): void {
  const k = `${prefix}:${key}`;
  b.keyed.set(k, (b.keyed.get(k) ?? 0) + n);
}

/** Adds `from` into `into` (shorter stored vectors count as zeros). */
export function merge(into: Bucket, from: { counts: readonly number[]; keyed: Iterable<[string, number]> }): Bucket {
  for (let i = 0; i < from.counts.length && i < into.counts.length; i++) into.counts[i] = (into.counts[i] as number) + (from.counts[i] as number);
  for (const [k, v] of from.keyed) into.keyed.set(k, (into.keyed.get(k) ?? 0) + v);
  return into;
}

export function count(b: Bucket, name: CounterName): number {
  return b.counts[counterIndex.get(name) as number] ?? 0;
}

export function bins(b: Bucket, h: HistogramName): number[] {
  const at = histogramOffset[h];
  return b.counts.slice(at, at + histograms[h].length + 1);
}

/**
 * The q-quantile of a histogram as the upper edge of the bin holding the ⌈q·n⌉-th smallest value;
 * null without observations, and null when it falls in the overflow bin (beyond the last edge: "more than").
 */
export function quantile(edges: readonly number[], counts: readonly number[], q: number): number | null {
  const n = counts.reduce((a, c) => a + c, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (seen >= rank) return i < edges.length ? (edges[i] as number) : null;
  }
  return null;
}

export interface KeyCount {
  key: string;
  count: number;
}

/** Keyed counts of one prefix, most first (ties by key). */
export function keyed(b: Bucket, prefix: KeyPrefix): KeyCount[] {
  const p = `${prefix}:`;
  const out: KeyCount[] = [];
  for (const [k, v] of b.keyed) if (k.startsWith(p) && v !== 0) out.push({ key: k.slice(p.length), count: v });
  return out.sort((a, b2) => b2.count - a.count || (a.key < b2.key ? -1 : a.key > b2.key ? 1 : 0));
}

export function keyedCount(b: Bucket, prefix: KeyPrefix, key: string): number {
  return b.keyed.get(`${prefix}:${key}`) ?? 0;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** The figures people use, derived from one (merged) bucket. Formulas: README, "Analytics". */
export interface Figures {
  conversations: number;
  messages: number;
  customerMessages: number;
  botMessages: number;
  agentMessages: number;
  /** Conversations in which no human wrote. */
  contained: number;
  containmentRate: number | null;
  handedOff: number;
  handoffRate: number | null;
  resolved: number;
  firstResponseP50S: number | null;
  firstResponseP90S: number | null;
  handoffWaitP50S: number | null;
  handoffWaitP90S: number | null;
  resolutionP50S: number | null;
  resolutionP90S: number | null;
  csatResponses: number;
  /** Share of 1–5 ratings that were 4 or 5. */
  csatScore: number | null;
  /** Mean of the 1–5 ratings. */
  csatAverage: number | null;
  /** Rated conversations ÷ conversations. */
  csatResponseRate: number | null;
  npsResponses: number;
  /** % promoters − % detractors, −100…100. */
  nps: number | null;
  helpful: number;
  notHelpful: number;
  helpfulRate: number | null;
  botAnswers: number;
  unanswered: number;
  unansweredRate: number | null;
  outOfScope: number;
  avgConfidence: number | null;
  botLatencyP50Ms: number | null;
  botLatencyP95Ms: number | null;
}

export function figures(b: Bucket): Figures {
  const c = (n: CounterName) => count(b, n);
  const q = (h: HistogramName, p: number) => quantile(histograms[h], bins(b, h), p);
  const npsN = c('npsResponses');
  return {
    conversations: c('conversations'),
    messages: c('messages'),
    customerMessages: c('customerMessages'),
    botMessages: c('botMessages'),
    agentMessages: c('agentMessages'),
    contained: c('conversations') - c('humanReplied'),
    containmentRate: ratio(c('conversations') - c('humanReplied'), c('conversations')),
    handedOff: c('handedOff'),
    handoffRate: ratio(c('handedOff'), c('conversations')),
    resolved: c('resolved'),
    firstResponseP50S: q('firstResponse', 0.5),
    firstResponseP90S: q('firstResponse', 0.9),
    handoffWaitP50S: q('handoffWait', 0.5),
    handoffWaitP90S: q('handoffWait', 0.9),
    resolutionP50S: q('resolution', 0.5),
    resolutionP90S: q('resolution', 0.9),
    csatResponses: c('csatResponses'),
    csatScore: ratio(c('csatSatisfied'), c('csatResponses')),
    csatAverage: ratio(c('csatSum'), c('csatResponses')),
    csatResponseRate: ratio(c('csatResponses'), c('conversations')),
    npsResponses: npsN,
    nps: npsN > 0 ? (100 * (c('npsPromoters') - c('npsDetractors'))) / npsN : null,
    helpful: c('helpful'),
    notHelpful: c('notHelpful'),
    helpfulRate: ratio(c('helpful'), c('helpful') + c('notHelpful')),
    botAnswers: c('botAnswers'),
    unanswered: c('unanswered'),
    unansweredRate: ratio(c('unanswered'), c('botAnswers')),
    outOfScope: c('outOfScope'),
    avgConfidence: ratio(c('confidenceSum'), c('confidenceCount')),
    botLatencyP50Ms: q('botLatency', 0.5),
    botLatencyP95Ms: q('botLatency', 0.95),
  };
}
