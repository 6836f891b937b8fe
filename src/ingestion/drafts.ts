import type { Visibility } from '../auth/roles.js';
import { contentProblems } from '../knowledge/knowledge.service.js';
import { conditionFrom } from './conditions.js';
import type { DraftData, PlacedBlock } from './ingestion.types.js';
import type { StructuredRecord } from './parse.js';
import { markerLength } from './parse.text.js';
import type { Sentence } from './sentences.js';

/**
 * Knowledge drafts from document structure, each with the span it was read from:
 *  - Q/A pairs (`Q:`/`A:`, `问：`/`答：`, a question heading and the text under it) → facts
 *  - conditional sentences (`If …, …`, `如果…就/则…`) → rules, with a best-effort condition
 *  - numbered instructions (an ordered list of two or more steps) → processes
 * FAQ files skip the analysis: each record is a draft. Every draft passes `contentProblems`
 * (the validator of the knowledge API); one that would not is left out.
 */

export interface DraftInput {
  text: string;
  blocks: PlacedBlock[];
  sentences: Sentence[];
  language: string;
  visibility: Visibility;
  records: StructuredRecord[] | null;
}

const QUESTION_END = /[?？]$/u;
const EN_IF = /^(?:if|in case)\s+/i;
/** Words that start the outcome of an English conditional ("…, you can…", "…, we will…"). */
const EN_OUTCOME_START = /^(?:then\s+)?(?:you|we|it|they|he|she|the|this|that|these|those|there|your|our|its|their|a|an|please|bring|contact|call|send|do|don't|choose|take|go|use|ask|visit|keep|return|book|check|no|any|all|each|every|only|[A-Z]\S*\s)/;

/**
 * Splits "If <condition>, <outcome>" at the comma (outside brackets) before the outcome: the first one
 * followed by a typical outcome start, else a colon, else "then", else the first comma.
 */
export function splitEnglishConditional(sentence: string): [string, string] | null {
  const head = EN_IF.exec(sentence);
  if (!head) return null;
  const body = sentence.slice(head[0].length);
  const commas: number[] = [];
  let colon = -1;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    else if (depth === 0 && ch === ',') commas.push(i);
    else if (depth === 0 && ch === ':' && colon < 0) colon = i;
  }
  const then = /\s+then\s+/i.exec(body);
  const at =
    commas.find((i) => EN_OUTCOME_START.test(body.slice(i + 1).trimStart())) ??
    (colon >= 0 ? colon : undefined) ??
    (then ? then.index : undefined) ??
    commas[0];
  if (at === undefined) return null;
  const rest = then && at === then.index ? body.slice(at + then[0].length) : body.slice(at + 1);
  return [body.slice(0, at).trim(), rest.replace(/^\s*then\s+/i, '').trim()];
}
const ZH_IF_THEN = /^(?:如果|若|假如|要是|倘若)([^，,；;]+?)[，,]?(?:就|则|那么|便)(.+)$/su;
const ZH_IF = /^(?:如果|若|假如|要是|倘若)/u;
/** A comma followed by these continues the condition ("如果 A，或 B，…"). */
const ZH_CONTINUES = /^(?:或|或者|或是|并且|并|且|而且|以及|和|及|同时)/u;

/** Splits "如果<condition>，<outcome>" at the first comma that does not continue the condition. */
export function splitChineseConditional(sentence: string): [string, string] | null {
  const thenForm = ZH_IF_THEN.exec(sentence);
  if (thenForm) return [thenForm[1]!, thenForm[2]!];
  const head = ZH_IF.exec(sentence);
  if (!head) return null;
  const body = sentence.slice(head[0].length);
  for (const m of body.matchAll(/[，,]/gu)) {
    const rest = body.slice(m.index + 1).trimStart();
    if (!ZH_CONTINUES.test(rest)) return [body.slice(0, m.index), rest];
  }
  return null;
}
const HEADING_NUMBER = /^(?:\d{1,3}(?:\.\d{1,3})*[.)．、]?|[一二三四五六七八九十]{1,3}[、.．])\s*/u;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const escapeBraces = (s: string) => s.replace(/\{/g, '{{').replace(/\}/g, '}}');
const stripMarker = (s: string) => s.slice(markerLength(s)).trim();

export function buildDrafts(input: DraftInput): DraftData[] {
  const common = { language: input.language, visibility: input.visibility, entities: [] as string[], tags: ['ingested'] };
  const drafts: DraftData[] = [];
  const push = (d: Omit<DraftData, 'entityKeys'>) => {
    if (contentProblems(d.content).length === 0) drafts.push({ ...d, entityKeys: [] });
  };

  if (input.records) {
    input.records.forEach((r, i) => {
      const first = input.blocks[r.blocks[0]]!;
      const last = input.blocks[r.blocks[1]]!;
      push({ ref: `rec-${i + 1}`, start: first.start, end: last.end, content: { ...r.content, externalId: null, tags: [...new Set([...r.content.tags, 'ingested'])] }, reason: 'record of a FAQ file' });
    });
    return drafts;
  }

  const { blocks } = input;
  // Q/A pairs
  let qa = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const isQuestion = b.kind === 'question' || ((b.kind === 'heading' || b.kind === 'paragraph') && QUESTION_END.test(b.text) && !b.text.includes('\n'));
    if (!isQuestion) continue;
    const answers: PlacedBlock[] = [];
    for (let j = i + 1; j < blocks.length && answers.length < 4; j++) {
      const n = blocks[j]!;
      if (b.kind === 'question' ? n.kind !== 'answer' : n.kind === 'heading' || n.kind === 'question' || (n.kind === 'paragraph' && QUESTION_END.test(n.text))) break;
      if (b.kind === 'paragraph' && answers.length > 0) break; // a question paragraph takes one answer paragraph
      answers.push(n);
    }
    if (answers.length === 0) continue;
    const question = b.kind === 'question' ? stripMarker(b.text) : b.kind === 'heading' ? b.text.replace(HEADING_NUMBER, '') : b.text;
    const answer = answers.map((a) => (a.kind === 'answer' ? stripMarker(a.text) : a.text)).join('\n');
    push({ ref: `qa-${++qa}`, start: b.start, end: answers.at(-1)!.end, content: { ...common, kind: 'fact', question, answer, statement: null }, reason: 'question and answer' });
  }

  // Conditional sentences
  let rules = 0;
  const zh = input.language.startsWith('zh');
  for (const s of input.sentences) {
    const block = blocks[s.block]!;
    if (block.kind === 'heading' || block.kind === 'table-row' || block.kind === 'question') continue;
    const skip = s.start === block.start ? markerLength(block.text) : 0;
    const sentence = input.text.slice(s.start + skip, s.end);
    const parts = zh ? splitChineseConditional(sentence) : splitEnglishConditional(sentence);
    if (!parts) continue;
    const clause = parts[0].trim();
    const outcome = parts[1].trim();
    if (clause.length < 3 || outcome.length < 3) continue;
    const { when, placeholder } = conditionFrom(clause, input.language);
    const name = zh ? `如果${clip(clause, 40)}` : `If ${clip(clause, 90)}`;
    push({
      ref: `rule-${++rules}`,
      start: s.start + skip,
      end: s.end,
      content: { ...common, tags: placeholder ? [...common.tags, 'needs-condition'] : common.tags, kind: 'rule', name, when, then: capitalise(outcome), otherwise: null },
      reason: placeholder ? 'conditional sentence (condition to be written by the editor)' : 'conditional sentence',
    });
  }

  // Numbered instructions
  let procs = 0;
  const groups = new Map<number, number[]>();
  blocks.forEach((b, i) => {
    if (b.kind === 'list-item' && b.ordered && b.group !== undefined) groups.set(b.group, [...(groups.get(b.group) ?? []), i]);
  });
  for (const indexes of groups.values()) {
    if (indexes.length < 2) continue;
    const items = indexes.map((i) => blocks[i]!);
    const steps = items.map((b, k) => ({ id: `s${k + 1}`, prompt: escapeBraces(stripMarker(b.text)) }));
    if (steps.some((s) => !s.prompt)) continue;
    const name = processName(blocks, indexes[0]!) ?? (zh ? `步骤：${clip(steps[0]!.prompt, 40)}` : `Steps: ${clip(steps[0]!.prompt, 80)}`);
    push({ ref: `proc-${++procs}`, start: items[0]!.start, end: items.at(-1)!.end, content: { ...common, kind: 'process', name, intent: null, steps }, reason: 'numbered instructions' });
  }
  return drafts.sort((a, b) => a.start - b.start || a.ref.localeCompare(b.ref));
}

/** The heading above a list (or a lead-in line ending with a colon), without its numbering. */
function processName(blocks: PlacedBlock[], first: number): string | null {
  for (let i = first - 1; i >= Math.max(0, first - 3); i--) {
    const b = blocks[i]!;
    if (b.kind === 'heading') return clip(b.text.replace(HEADING_NUMBER, '').trim(), 120) || null;
    if (b.kind === 'paragraph' && /[:：]$/u.test(b.text) && b.text.length <= 120) return b.text.replace(/[:：]$/u, '').trim();
    if (b.kind === 'list-item') return null;
  }
  return null;
}
