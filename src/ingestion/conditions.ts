import type { Condition, FactCondition } from '../knowledge/rules/index.js';

/**
 * Best-effort conditions for rule drafts: a small lexicon turns common clauses of customer-service
 * policies into leaves over the customer context ("within 30 days" → `order.ageDays lte 30`,
 * "unopened" → `item.opened eq false`, "满 50 新元" → `order.total gte 50`). Anything it cannot
 * read becomes an `exists` placeholder (`condition.<words>`) that the editor replaces in review.
 * The result always passes the condition grammar.
 */

interface Lexeme {
  re: RegExp;
  leaf(m: RegExpMatchArray): FactCondition;
}

const num = (s: string | undefined) => Number((s ?? '0').replace(/,/g, ''));

const EN: Lexeme[] = [
  { re: /\b(?:more than|over|after|longer than)\s+(\d+)\s+days?\b/i, leaf: (m) => ({ fact: 'order.ageDays', op: 'gt', value: num(m[1]) }) },
  { re: /\bnot\b[^,.]*\bwithin\s+(\d+)\s+days?\b/i, leaf: (m) => ({ fact: 'order.ageDays', op: 'gt', value: num(m[1]) }) },
  { re: /\b(?:within|less than|up to|no more than)\s+(\d+)\s+days?\b/i, leaf: (m) => ({ fact: 'order.ageDays', op: 'lte', value: num(m[1]) }) },
  { re: /\b(?:more than|over|above|at least)\s+S?\$\s?([\d,]+(?:\.\d+)?)/i, leaf: (m) => ({ fact: 'order.total', op: /at least/i.test(m[0]) ? 'gte' : 'gt', value: num(m[1]) }) },
  { re: /\b(?:under|below|less than)\s+S?\$\s?([\d,]+(?:\.\d+)?)/i, leaf: (m) => ({ fact: 'order.total', op: 'lt', value: num(m[1]) }) },
  { re: /\b(?:not|never)\s+(?:been\s+)?opened\b/i, leaf: () => ({ fact: 'item.opened', op: 'eq', value: false }) },
  { re: /\b(?:unopened|sealed)\b/i, leaf: () => ({ fact: 'item.opened', op: 'eq', value: false }) },
  { re: /\b(?:have|has|is|was)\s+opened\b|\bopened\b/i, leaf: () => ({ fact: 'item.opened', op: 'eq', value: true }) },
  { re: /\bnot\s+(?:faulty|defective)\b/i, leaf: () => ({ fact: 'item.faulty', op: 'eq', value: false }) },
  { re: /\b(?:faulty|defective|fault|dead on arrival)\b/i, leaf: () => ({ fact: 'item.faulty', op: 'eq', value: true }) },
  { re: /\b(gold|platinum|silver)\b/i, leaf: (m) => ({ fact: 'customer.tier', op: 'eq', value: m[1]!.toLowerCase() }) },
  { re: /\b(?:lost|stolen)\b/i, leaf: () => ({ fact: 'device.lostOrStolen', op: 'eq', value: true }) },
];

const ZH: Lexeme[] = [
  { re: /超过\s*(\d+)\s*天/u, leaf: (m) => ({ fact: 'order.ageDays', op: 'gt', value: num(m[1]) }) },
  { re: /(\d+)\s*天(?:内|之内|以内)(?:仍|还|都)?(?:未|没有|没)/u, leaf: (m) => ({ fact: 'order.ageDays', op: 'gt', value: num(m[1]) }) },
  { re: /(\d+)\s*天(?:内|之内|以内)/u, leaf: (m) => ({ fact: 'order.ageDays', op: 'lte', value: num(m[1]) }) },
  { re: /(?:不满|未满|低于|少于)\s*(\d+(?:\.\d+)?)\s*(?:新元|元)/u, leaf: (m) => ({ fact: 'order.total', op: 'lt', value: num(m[1]) }) },
  { re: /(?:满|超过|高于)\s*(\d+(?:\.\d+)?)\s*(?:新元|元)/u, leaf: (m) => ({ fact: 'order.total', op: m[0].startsWith('满') ? 'gte' : 'gt', value: num(m[1]) }) },
  { re: /未拆封|未开封|没有拆封|原封/u, leaf: () => ({ fact: 'item.opened', op: 'eq', value: false }) },
  { re: /已拆封|已开封|拆封/u, leaf: () => ({ fact: 'item.opened', op: 'eq', value: true }) },
  { re: /质量问题|故障|损坏|坏了/u, leaf: () => ({ fact: 'item.faulty', op: 'eq', value: true }) },
  { re: /白金/u, leaf: () => ({ fact: 'customer.tier', op: 'eq', value: 'platinum' }) },
  { re: /金卡/u, leaf: () => ({ fact: 'customer.tier', op: 'eq', value: 'gold' }) },
  { re: /银卡/u, leaf: () => ({ fact: 'customer.tier', op: 'eq', value: 'silver' }) },
  { re: /丢失|被盗|遗失/u, leaf: () => ({ fact: 'device.lostOrStolen', op: 'eq', value: true }) },
];

/** A fact path for the placeholder: a few words of the clause, snake_case (Chinese kept as is). */
export function placeholderPath(clause: string): string {
  const han = /\p{Script=Han}/u.test(clause);
  const latin = han ? [] : (clause.toLowerCase().match(/[a-z][a-z0-9]*/g)?.filter((w) => !STOP.has(w)).slice(0, 4) ?? []);
  const words = latin.length > 0 ? latin.join('_') : clause.replace(/[\s.。，,、；;：:!！?？"“”'‘’()（）[\]]/gu, '').slice(0, 16);
  return `condition.${words || 'unspecified'}`;
}

const STOP = new Set(['a', 'an', 'the', 'you', 'your', 'it', 'is', 'are', 'was', 'were', 'be', 'been', 'has', 'have', 'had', 'if', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'we', 'our', 'do', 'does', 'still']);

export interface ConditionDraft {
  when: Condition;
  /** True when nothing could be read and `when` is a placeholder. */
  placeholder: boolean;
}

export function conditionFrom(clause: string, language: string): ConditionDraft {
  const lexicon = language.startsWith('zh') ? ZH : EN;
  const leaves: FactCondition[] = [];
  let rest = clause;
  for (const lx of lexicon) {
    const m = lx.re.exec(rest);
    if (!m) continue;
    const leaf = lx.leaf(m);
    if (!leaves.some((l) => l.fact === leaf.fact)) leaves.push(leaf);
    // consume the matched words so that "unopened" is not read again as "opened"
    rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
  }
  if (leaves.length === 0) return { when: { fact: placeholderPath(clause), op: 'exists' }, placeholder: true };
  if (leaves.length === 1) return { when: leaves[0]!, placeholder: false };
  // "A or B" / "A，或 B": either leaf; otherwise all of them.
  const either = /\bor\b|或/iu.test(clause) && !/\band\b|并且|而且/iu.test(clause);
  return { when: either ? { any: leaves } : { all: leaves }, placeholder: false };
}
