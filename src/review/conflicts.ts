import type { KnowledgeContent } from '../knowledge/knowledge.content.js';
import type { Condition } from '../knowledge/rules/index.js';

/**
 * Conflict checks between a proposed item and published knowledge, pure functions over content.
 *
 * - **Value conflict** (facts): two facts about the same entity that state the same attribute — the
 *   same wording once values are taken out — with different values ("Premium costs $25 a month"
 *   against a published "Premium costs $20 a month").
 * - **Rule overlap** (rules): two rules whose conditions can hold for the same customer context
 *   (they test at least one common fact and nothing makes them exclusive) but whose outcomes differ.
 */

/** Money, percentages, numbers with units, dates: the "value" part of a sentence (never digits inside a word or name). */
const UNIT = '(?:%|percent|euros?|eur|usd|dollars?|gbp|pounds?|cny|rmb|yuan|元|(?:working |business )?days?|weeks?|months?|years?|hours?|minutes?|天|个月|小时)';
const VALUE = new RegExp(`(?<![\\p{Script=Latin}\\p{N}])(?:[$€£¥]\\s?\\d[\\d,.]*|\\d{4}-\\d{2}-\\d{2}|\\d[\\d,.]*(?:\\s?${UNIT}(?!\\p{Script=Latin}))?)(?![\\p{Script=Latin}\\p{N}])`, 'giu');
const STOP = new Set('a an the is are was were be of for to in on at by with and or our your you we it its this that per each every can will may do does how what when which who much many'.split(' '));

export interface ValueSignature {
  /** Content words with the values taken out. */
  attribute: Set<string>;
  /** Values, normalised (spaces and thousands separators removed, lower case). */
  values: string[];
}

export function factText(c: KnowledgeContent): string {
  if (c.kind !== 'fact') return '';
  return [c.statement, c.question, c.answer].filter(Boolean).join(' ');
}

export function valueSignature(text: string): ValueSignature {
  const values = [...text.matchAll(VALUE)].map((m) => m[0].toLowerCase().replace(/[\s,]/g, '').replace(/\.$/, '')).filter((v) => /\d/.test(v));
  const rest = text.replace(VALUE, ' ').toLowerCase();
  const words = rest.match(/[\p{L}\p{N}]+/gu) ?? [];
  const attribute = new Set<string>();
  for (const w of words) {
    if (STOP.has(w)) continue;
    // Han text has no spaces: use characters, so 月费 and 月费是 still share most of the attribute.
    if (/\p{Script=Han}/u.test(w)) for (const ch of w) attribute.add(ch);
    else attribute.add(w);
  }
  return { attribute, values: [...new Set(values)].sort() };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** The attribute-similarity above which two facts are taken to state the same attribute. */
export const SAME_ATTRIBUTE = 0.6;

/** A value conflict between two facts (caller checks they are about a common entity), or null. */
export function valueConflict(proposed: KnowledgeContent, published: KnowledgeContent): { similarity: number; proposed: string[]; published: string[] } | null {
  if (proposed.kind !== 'fact' || published.kind !== 'fact') return null;
  const a = valueSignature(factText(proposed));
  const b = valueSignature(factText(published));
  if (a.values.length === 0 || b.values.length === 0) return null;
  const similarity = jaccard(a.attribute, b.attribute);
  if (similarity < SAME_ATTRIBUTE) return null;
  if (a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i])) return null;
  return { similarity: Math.round(similarity * 100) / 100, proposed: a.values, published: b.values };
}

/** Interval and equality constraints on one fact path, from the leaves of a conjunction. */
interface PathConstraint {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
  eq: unknown[];
  ne: unknown[];
  inSets: unknown[][];
  exists: boolean | null;
}

/** The leaves that must all hold (top-level `all` chains); `any`/`not` are left unconstrained (conservative: may overlap). */
function conjunctLeaves(c: Condition, out: Array<{ fact: string; op: string; value?: unknown }>): void {
  if ('all' in c) for (const x of c.all) conjunctLeaves(x, out);
  else if ('fact' in c) out.push(c);
}

export function referencedPaths(c: Condition): string[] {
  const out = new Set<string>();
  const walk = (x: Condition) => {
    if ('all' in x) x.all.forEach(walk);
    else if ('any' in x) x.any.forEach(walk);
    else if ('not' in x) walk(x.not);
    else out.add(x.fact);
  };
  walk(c);
  return [...out];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function satisfiable(k: PathConstraint): boolean {
  if (k.exists === false && (k.eq.length > 0 || k.inSets.length > 0 || Number.isFinite(k.lo) || Number.isFinite(k.hi))) return false;
  if (k.lo > k.hi || (k.lo === k.hi && (k.loOpen || k.hiOpen))) return false;
  if (k.eq.length > 0) {
    const v = k.eq[0];
    if (!k.eq.every((x) => same(x, v))) return false;
    if (k.ne.some((x) => same(x, v))) return false;
    if (k.inSets.some((s) => !s.some((x) => same(x, v)))) return false;
    if (typeof v === 'number' && (v < k.lo || v > k.hi || (v === k.lo && k.loOpen) || (v === k.hi && k.hiOpen))) return false;
  }
  if (k.inSets.length > 1) {
    const common = k.inSets[0]!.filter((x) => k.inSets.every((s) => s.some((y) => same(x, y))) && !k.ne.some((y) => same(x, y)));
    if (common.length === 0) return false;
  }
  return true;
}

/**
 * Whether two conditions can hold at once, judged on the leaves each requires (top-level `all`).
 * Sound for conjunctions of comparisons; anything under `any`/`not` is treated as satisfiable, so an
 * overlap may be reported where none exists (the reviewer then sees it), never the other way round
 * for plain conjunctions.
 */
export function conditionsOverlap(a: Condition, b: Condition): boolean {
  const leaves: Array<{ fact: string; op: string; value?: unknown }> = [];
  conjunctLeaves(a, leaves);
  conjunctLeaves(b, leaves);
  const byPath = new Map<string, PathConstraint>();
  for (const l of leaves) {
    const k = byPath.get(l.fact) ?? { lo: -Infinity, loOpen: false, hi: Infinity, hiOpen: false, eq: [], ne: [], inSets: [], exists: null };
    byPath.set(l.fact, k);
    const v = l.value;
    switch (l.op) {
      case 'eq':
        k.eq.push(v);
        break;
      case 'ne':
        k.ne.push(v);
        break;
      case 'in':
        if (Array.isArray(v)) k.inSets.push(v);
        break;
      case 'lt':
      case 'lte':
        if (typeof v === 'number' && (v < k.hi || (v === k.hi && l.op === 'lt'))) {
          k.hi = v;
          k.hiOpen = l.op === 'lt';
        }
        break;
      case 'gt':
      case 'gte':
        if (typeof v === 'number' && (v > k.lo || (v === k.lo && l.op === 'gt'))) {
          k.lo = v;
          k.loOpen = l.op === 'gt';
        }
        break;
      case 'exists':
        k.exists = k.exists === false ? false : true;
        if (k.exists === true && byPath.get(l.fact)?.exists === false) return false;
        break;
      case 'notExists':
        if (k.exists === true) return false;
        k.exists = false;
        break;
      default:
        break;
    }
  }
  return [...byPath.values()].every(satisfiable);
}

/** A rule overlap: both can fire for one context, they test a common fact, and their outcomes differ. */
export function ruleConflict(proposed: KnowledgeContent, published: KnowledgeContent): { sharedFacts: string[] } | null {
  if (proposed.kind !== 'rule' || published.kind !== 'rule') return null;
  if (proposed.tags.includes('needs-condition')) return null; // the condition is a placeholder until the editor writes it
  const shared = referencedPaths(proposed.when).filter((p) => referencedPaths(published.when).includes(p));
  if (shared.length === 0) return null;
  const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  if (norm(proposed.then) === norm(published.then) && norm(proposed.otherwise) === norm(published.otherwise)) return null;
  return conditionsOverlap(proposed.when, published.when) ? { sharedFacts: shared } : null;
}
