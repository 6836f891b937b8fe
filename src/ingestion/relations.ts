import type { RelationType, Span } from './ingestion.types.js';

/**
 * Relation extraction, transparent on purpose: inside one sentence, the text between two
 * consecutive entity mentions is matched against trigger phrases of a whitelist of relation types
 * (`relationTypes`). Coordinated mentions (`A covers B and C`) share the relation. A negation in the
 * gap (`is not covered by`) suppresses it. Adjacent mentions with no trigger are `RELATED_TO` with a
 * low confidence (co-occurrence). Precision is measured on `relations.gold.jsonl`
 * (`relations.test.ts`); the triggers are the place to improve it.
 */

export interface MentionRef extends Span {
  /** Entity key of the mention. */
  key: string;
}

export interface ExtractedRelation {
  type: RelationType;
  head: string;
  tail: string;
  confidence: number;
  evidence: string;
}

interface Trigger {
  type: Exclude<RelationType, 'RELATED_TO'>;
  /** Tested on the text between the two mentions. */
  re: RegExp;
  /** Also required right after the second mention (Chinese frames: 受 A 保障, 可在 A 办理). */
  after?: RegExp;
  /** The tail comes first in the text (`B is covered by A`). */
  reverse?: boolean;
  confidence: number;
}

const TRIGGERS: Trigger[] = [
  // passive forms first: "is covered by" must not read as "covers"
  { type: 'COVERS', re: /\b(?:is|are|be|being)\s+(?:also\s+)?(?:covered|protected|insured)\s+(?:by|under)\b/i, reverse: true, confidence: 0.8 },
  { type: 'INCLUDES', re: /\b(?:is|are)\s+(?:also\s+)?included\s+(?:in|with)\b/i, reverse: true, confidence: 0.8 },
  { type: 'REPLACES', re: /\b(?:is|are)\s+replaced\s+by\b/i, reverse: true, confidence: 0.75 },
  { type: 'COVERS', re: /\b(?:covers?|covering|protects?|insures?)\b/i, confidence: 0.8 },
  { type: 'INCLUDES', re: /\b(?:includes?|including|comes?\s+with|contains?|bundles?)\b/i, confidence: 0.75 },
  { type: 'REQUIRES', re: /\b(?:requires?|needs?|must\s+(?:have|use)|depends\s+on)\b/i, confidence: 0.7 },
  { type: 'APPLIES_TO', re: /\b(?:appl(?:y|ies)\s+to|valid\s+(?:for|on))\b/i, confidence: 0.75 },
  { type: 'AVAILABLE_AT', re: /\b(?:available\s+(?:at|in|from|through|on)|sold\s+(?:at|in|through)|(?:collect|pick\s+up|buy|bought)\b.{0,20}\b(?:at|from|in))\b/i, confidence: 0.7 },
  { type: 'COMPATIBLE_WITH', re: /\b(?:compatible\s+with|works?\s+with|pairs?\s+with)\b/i, confidence: 0.75 },
  { type: 'REPLACES', re: /\b(?:replaces?|supersedes?|successor\s+(?:to|of))\b/i, confidence: 0.75 },
  // Chinese
  { type: 'COVERS', re: /(?:由|受)\s*$/u, after: /^\s*(?:保障|保修|承保|覆盖)/u, reverse: true, confidence: 0.7 },
  { type: 'AVAILABLE_AT', re: /(?:可在|可以在|在)\s*$/u, after: /^\s*(?:购买|办理|领取|自提|取货|买到|提供|使用)/u, confidence: 0.7 },
  { type: 'COVERS', re: /(?:覆盖|涵盖|保障|承保|保修范围包括|保修)/u, confidence: 0.75 },
  { type: 'INCLUDES', re: /(?:包含在|包括在)/u, reverse: true, confidence: 0.75 },
  { type: 'INCLUDES', re: /(?:包含|包括|含有|附带|配有|自带|内含)/u, confidence: 0.75 },
  { type: 'REQUIRES', re: /(?:需要|须|需|要求|必须)/u, confidence: 0.65 },
  { type: 'APPLIES_TO', re: /适用于|适用/u, confidence: 0.75 },
  { type: 'COMPATIBLE_WITH', re: /兼容/u, confidence: 0.75 },
  { type: 'REPLACES', re: /取代|替代/u, confidence: 0.7 },
];

const NEGATION = /\b(?:not|no|never|cannot|can't|isn't|aren't|doesn't|don't|without|except|excluding)\b|不|未|没有|无法|除外/iu;
const COORDINATION = /^\s*[,，、]?\s*(?:and|or|as well as|plus|&|和|及|与|以及|或|或者)?\s*(?:the|your|a|an)?\s*$/iu;
/** A gap this long (characters) is too far for a reliable reading. */
const MAX_GAP = { latin: 80, han: 30 };

/** Relations in one sentence, from its mentions (any order; overlapping mentions are ignored). */
export function extractRelations(text: string, sentence: Span, mentions: readonly MentionRef[]): ExtractedRelation[] {
  const inside = mentions
    .filter((m) => m.start >= sentence.start && m.end <= sentence.end)
    .sort((a, b) => a.start - b.start)
    .filter((m, i, all) => i === 0 || m.start >= all[i - 1]!.end);
  const out: ExtractedRelation[] = [];
  let last: { trigger: Trigger; head: MentionRef } | null = null;
  for (let j = 1; j < inside.length; j++) {
    const a = inside[j - 1]!;
    const b = inside[j]!;
    if (a.key === b.key) continue;
    const gap = text.slice(a.end, b.start);
    const han = /\p{Script=Han}/u.test(gap);
    if (gap.length > (han ? MAX_GAP.han : MAX_GAP.latin)) {
      last = null;
      continue;
    }
    if (last && gap.trim() && COORDINATION.test(gap)) {
      // "A covers B and C": C shares A's relation
      const { trigger, head } = last;
      if (head.key !== b.key) out.push(relation(trigger, head, b, gap, 0.9));
      continue;
    }
    const after = text.slice(b.end, Math.min(sentence.end, b.end + 12));
    const trigger = NEGATION.test(gap) ? null : TRIGGERS.find((t) => t.re.test(gap) && (!t.after || t.after.test(after)));
    if (trigger) {
      out.push(relation(trigger, a, b, gap, gap.length > 40 ? 0.85 : 1));
      last = trigger.reverse ? null : { trigger, head: a };
    } else {
      last = null;
      if (!NEGATION.test(gap)) out.push({ type: 'RELATED_TO', head: a.key, tail: b.key, confidence: 0.3, evidence: 'co-occurrence' });
    }
  }
  return dedupe(out);
}

function relation(t: Trigger, a: MentionRef, b: MentionRef, gap: string, factor: number): ExtractedRelation {
  const [head, tail] = t.reverse ? [b, a] : [a, b];
  return { type: t.type, head: head.key, tail: tail.key, confidence: Math.round(t.confidence * factor * 100) / 100, evidence: (t.re.exec(gap)?.[0] ?? gap).trim() };
}

function dedupe(rs: ExtractedRelation[]): ExtractedRelation[] {
  const best = new Map<string, ExtractedRelation>();
  for (const r of rs) {
    const k = `${r.type}\u0000${r.head}\u0000${r.tail}`;
    const prev = best.get(k);
    if (!prev || prev.confidence < r.confidence) best.set(k, r);
  }
  return [...best.values()];
}
