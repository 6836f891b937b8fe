/**
 * Small text tools for retrieval: tokens for lexical evidence, sentence spans for extracted answers,
 * and the normalisation entity mentions are matched with. Language-neutral: Latin text is split into
 * words (English stop words dropped), Chinese into character bigrams — the same idea as the `cjk`
 * analyzer behind the fulltext indexes, so lexical evidence here agrees with what fulltext matched.
 */

const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Function words that carry no topic. Kept short on purpose: question words stay out of it too. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from as into about over under is are was were be been being am ' +
    'do does did doing have has had having i me my mine we us our you your yours he him his she her it its they them their ' +
    'this that these those there here what which who whom whose when where why how can could would should will shall may might must ' +
    'not no yes so than too very just also any some all each every more most much many such only own same other again once ' +
    'please hi hello thanks thank get got let lets s t don doesn didn isn aren wasn weren won wouldn couldn shouldn ll ve re d m'
  ).split(' '),
);

export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** Lower-cased content tokens: English words without stop words, Chinese as overlapping bigrams. */
export function contentTokens(text: string): string[] {
  const out: string[] = [];
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const match of normalized.matchAll(WORD)) {
    const word = match[0].replace(/['’].*$/u, '');
    if (hasHan(word)) {
      const chars = [...word].filter((c) => HAN.test(c));
      if (chars.length === 1) out.push(chars[0] as string);
      for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
      const rest = word.replace(/\p{Script=Han}+/gu, ' ').trim();
      for (const w of rest.split(/\s+/u)) if (w && !STOP_WORDS.has(w)) out.push(w);
    } else if (!STOP_WORDS.has(word) && word.length > 0) {
      out.push(word);
    }
  }
  return out;
}

/** Share of the query's content tokens found in `text` (0..1); 0 when the query has none. */
export function lexicalCoverage(query: string, text: string): number {
  const q = new Set(contentTokens(query));
  if (q.size === 0) return 0;
  const t = new Set(contentTokens(text));
  let hit = 0;
  for (const token of q) if (t.has(token) || (token.length > 4 && [...t].some((x) => x.startsWith(token.slice(0, 5))))) hit++;
  return hit / q.size;
}

/** Share of the query's distinct Han characters found in `text` (0..1); 0 when the query has none. */
export function hanCoverage(query: string, text: string): number {
  const q = new Set([...query.normalize('NFKC')].filter((c) => HAN.test(c)));
  if (q.size === 0) return 0;
  const t = new Set([...text.normalize('NFKC')].filter((c) => HAN.test(c)));
  let hit = 0;
  for (const c of q) if (t.has(c)) hit++;
  return hit / q.size;
}

export interface SentenceSpan {
  text: string;
  /** Offsets into the text the sentence was cut from (UTF-16 code units, like JavaScript strings and Cypher `substring`). */
  start: number;
  end: number;
}

/** Sentences with their offsets: split after . ! ? 。！？ (and line breaks), whitespace trimmed. */
export function sentences(text: string): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  const re = /[^.!?。！？\n]+(?:[.!?。！？]+["'”’)]*|\n|$)/gu;
  for (const match of text.matchAll(re)) {
    const raw = match[0];
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed.length < 2) continue;
    const start = (match.index ?? 0) + lead;
    out.push({ text: trimmed, start, end: start + trimmed.length });
  }
  return out;
}

/**
 * Lower-case text with every run of characters that are neither letters nor digits turned into one
 * space, padded with spaces: `" the nw x5 "`. Matching `" " + key + " "` against it finds whole words.
 */
export function matchKey(text: string): string {
  return ` ${text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
}

/** Where `needle` (a name or alias) occurs in `text` as a whole word (Chinese: anywhere), case-insensitively. */
export function findMention(text: string, needle: string): { start: number; end: number } | null {
  const n = needle.trim();
  if (n.length < 2 && !hasHan(n)) return null;
  const haystack = text.toLowerCase();
  const target = n.toLowerCase();
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(target, from);
    if (at < 0) return null;
    const before = haystack[at - 1];
    const after = haystack[at + target.length];
    const boundary = hasHan(target) || ((!before || !/[\p{L}\p{N}]/u.test(before)) && (!after || !/[\p{L}\p{N}]/u.test(after)));
    if (boundary) return { start: at, end: at + target.length };
    from = at + 1;
  }
}
