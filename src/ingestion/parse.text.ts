import type { Block } from './ingestion.types.js';

/**
 * Plain text (and the text layer of PDFs) to blocks. A line is its own block when it is a heading,
 * a list item, a question or an answer; other lines are joined into paragraphs when they look
 * wrapped (no sentence-final punctuation at the end, next line not blank and not a marker).
 */

const ORDERED_ITEM = /^(?:(\d{1,3})[.)．、]|[（(](\d{1,3})[)）]|第([一二三四五六七八九十]{1,3})步[：:、，,]?|([①②③④⑤⑥⑦⑧⑨⑩]))\s*/u;
const BULLET_ITEM = /^[-*•·●▪◦]\s+/u;
const QUESTION = /^(?:问[：:]|Q[：:.]|Question[：:])\s*/iu;
const ANSWER = /^(?:答[：:]|A[：:.]|Answer[：:])\s*/iu;
const CJK_SECTION = /^[一二三四五六七八九十]{1,3}[、.．]\s*\S/u;
const MD_HEADING = /^(#{1,6})\s+\S/u;
const SENTENCE_END = /[.!?。！？：:;；)）"”」』]$/u;

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩';
const CN_NUMBERS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

function chineseNumber(s: string): number {
  if (s.length === 1) return CN_NUMBERS[s] ?? 0;
  if (s.startsWith('十')) return 10 + (CN_NUMBERS[s.slice(1)] ?? 0);
  const [tens, , ones] = [...s];
  return (CN_NUMBERS[tens ?? ''] ?? 0) * 10 + (ones ? (CN_NUMBERS[ones] ?? 0) : 0);
}

/** The number of an ordered-list line (`3.`, `(3)`, `第三步`, `③`), or null. */
export function orderedItemNumber(line: string): number | null {
  const m = ORDERED_ITEM.exec(line);
  if (!m) return null;
  if (m[1] ?? m[2]) return Number(m[1] ?? m[2]);
  if (m[3]) return chineseNumber(m[3]);
  if (m[4]) return CIRCLED.indexOf(m[4]) + 1;
  return null;
}

/** The length of a list/Q/A marker at the start of a block's text (0 when none). */
export function markerLength(text: string): number {
  return (ORDERED_ITEM.exec(text) ?? BULLET_ITEM.exec(text) ?? QUESTION.exec(text) ?? ANSWER.exec(text))?.[0].length ?? 0;
}

function classify(line: string): Block | null {
  const heading = MD_HEADING.exec(line);
  if (heading) return { kind: 'heading', level: heading[1]!.length, text: line.slice(heading[0].length - 1).trim() };
  if (QUESTION.test(line)) return { kind: 'question', text: line };
  if (ANSWER.test(line)) return { kind: 'answer', text: line };
  const n = orderedItemNumber(line);
  if (n !== null) return { kind: 'list-item', ordered: true, index: n, text: line };
  if (BULLET_ITEM.test(line)) return { kind: 'list-item', ordered: false, text: line };
  if (CJK_SECTION.test(line) && line.length <= 40 && !SENTENCE_END.test(line)) return { kind: 'heading', level: 2, text: line };
  return null;
}

export function textToBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim());
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) blocks.push({ kind: 'paragraph', text: joinLines(para) });
    para = [];
  };
  for (const line of lines) {
    if (!line) {
      flush();
      continue;
    }
    const special = classify(line);
    if (special) {
      flush();
      blocks.push(special);
      continue;
    }
    para.push(line);
    // A line ending a sentence ends the paragraph (one unit per line, typical of CJK text files);
    // at worst a wrapped paragraph becomes two, which keeps every sentence whole.
    if (SENTENCE_END.test(line)) flush();
  }
  flush();
  // A short first line with no sentence punctuation is the title.
  const first = blocks[0];
  if (first && first.kind === 'paragraph' && first.text.length <= 80 && !SENTENCE_END.test(first.text) && blocks.length > 1) {
    blocks[0] = { kind: 'heading', level: 1, text: first.text };
  }
  return groupLists(blocks);
}

const CJK_END = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$/u;
const CJK_START = /^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/u;

/** Joins wrapped lines: with a space, except between two CJK characters. */
export function joinLines(lines: string[]): string {
  let out = lines[0] ?? '';
  for (const line of lines.slice(1)) out += CJK_END.test(out) && CJK_START.test(line) ? line : ` ${line}`;
  return out;
}

/** Consecutive list items (and table rows) get one group number each run. */
export function groupLists(blocks: Block[]): Block[] {
  let group = 0;
  let prev: Block | undefined;
  for (const b of blocks) {
    if (b.kind === 'list-item' || b.kind === 'table-row') {
      const continues = prev && prev.kind === b.kind && (b.kind === 'table-row' || prev.ordered === b.ordered);
      if (!continues) group++;
      b.group = b.group ?? group;
    }
    prev = b;
  }
  return blocks;
}
