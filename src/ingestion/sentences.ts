import type { PlacedBlock, Span } from './ingestion.types.js';

/**
 * Sentence boundaries, for English and Chinese. CJK sentence punctuation (。！？；and the full-width
 * ! ?) always ends a sentence; `.`, `!`, `?` end one when followed by space and something that can
 * start a sentence, unless the word before the dot is a known abbreviation or an initial. A line
 * break ends a sentence too (list items, table rows and `<br>` lines are separate units).
 */

const CJK_END = /[。！？；]/u;
const CLOSERS = /["'”’」』)）\]】]/u;
const ABBREVIATIONS = new Set([
  'e.g', 'i.e', 'etc', 'vs', 'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'no', 'nos', 'pte', 'ltd', 'inc', 'co', 'corp', 'approx', 'incl', 'excl', 'min', 'max',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'fig', 'p', 'pp', 'cf', 'al', 'dept', 'est', 'tel', 'ext', 'a.m', 'p.m',
]);

function isAbbreviation(text: string, dot: number): boolean {
  let i = dot;
  while (i > 0 && /[A-Za-z.]/.test(text[i - 1]!)) i--;
  const word = text.slice(i, dot).toLowerCase();
  if (word.length === 1 && /[a-z]/.test(word)) return true; // an initial: "J. Smith", "p. 4"
  return ABBREVIATIONS.has(word);
}

/** Sentence spans (trimmed) within `text.slice(start, end)`, as absolute offsets. */
export function splitSentences(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  let from = start;
  const push = (to: number) => {
    let s = from;
    let e = to;
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) spans.push({ start: s, end: e });
    from = to;
  };
  for (let i = start; i < end; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      push(i);
      continue;
    }
    let boundary = false;
    if (CJK_END.test(ch)) {
      boundary = true;
    } else if (ch === '!' || ch === '?') {
      // "Really?" ends a sentence; "Yahoo!Mail" does not. Chinese text sometimes uses ASCII ?.
      const next = text[i + 1];
      boundary = next === undefined || i + 1 >= end || /[\s\p{Script=Han}"'”’」』)）]/u.test(next);
    } else if (ch === '.') {
      let j = i + 1;
      while (j < end && CLOSERS.test(text[j]!)) j++;
      const next = text[j];
      if (j >= end) boundary = true;
      else if (next !== undefined && /\s/.test(next)) {
        let k = j;
        while (k < end && /[ \t]/.test(text[k]!)) k++;
        const starter = text[k];
        boundary = starter === undefined || starter === '\n' || /[\p{Lu}\p{N}"'“‘(（\p{Script=Han}]/u.test(starter);
        if (boundary && isAbbreviation(text, i)) boundary = false;
      }
    }
    if (boundary) {
      let j = i + 1;
      while (j < end && CLOSERS.test(text[j]!)) j++;
      push(j);
      i = j - 1;
    }
  }
  push(end);
  return spans;
}

export interface Sentence extends Span {
  /** Index of the block it lies in. */
  block: number;
}

/** Every sentence of the document, block by block (a sentence never crosses a block). */
export function documentSentences(text: string, blocks: PlacedBlock[]): Sentence[] {
  const out: Sentence[] = [];
  blocks.forEach((b, block) => {
    for (const s of splitSentences(text, b.start, b.end)) out.push({ ...s, block });
  });
  return out;
}
