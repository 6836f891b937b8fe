/**
 * Character offsets for tokens, computed by aligning the token strings back onto the original text.
 *
 * transformers.js does not return offset mappings, so we rebuild them: both the text and every token are
 * *folded* the same way (NFKD, combining marks dropped, lower-cased, whitespace unified, control and
 * format characters removed) — a superset of what BERT-style normalisers do, so cased/uncased and
 * accent-stripping models align alike — and tokens are matched left to right against the folded text,
 * which keeps a map back to original UTF-16 indices.
 *
 * Tokens that cannot be matched — `[UNK]`, byte-fallback pieces, anything a normaliser changed in a way
 * we did not predict — are *deferred*: the text between the last matched token and the next matched one
 * (the gap) is split into pre-tokenizer words (whitespace-separated runs, single punctuation marks, single
 * CJK ideographs) and handed to the deferred tokens in order. So one unknown token never shifts the
 * offsets of the tokens after it.
 */

export type TokenOffset = readonly [start: number, end: number];

export interface AlignOptions {
  /** WordPiece continuation prefix. Default `##`. */
  continuingSubwordPrefix?: string;
  /** The tokenizer's unknown token. Default `[UNK]`. */
  unkToken?: string;
  /** Word-start markers stripped from token starts (SentencePiece `▁`, byte-level BPE `Ġ`). */
  wordStartMarkers?: readonly string[];
}

export interface AlignedToken {
  /** `[start, end)` into the original text, or null for special tokens. */
  offset: TokenOffset | null;
  /** True when the token begins a new word (not a `##` continuation). False for special tokens. */
  wordStart: boolean;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const WHITESPACE = /\s/u;
const DROPPED = /[\p{Cc}\p{Cf}\p{M}]/u;
/** BERT's `_is_punctuation`: Unicode punctuation plus every ASCII non-alphanumeric symbol. */
const PUNCTUATION = /[\p{P}!-/:-@[-`{-~]/u;
const COMBINING = /\p{M}/u;

/**
 * CJK ideographs, which BERT-style pre-tokenizers split into one token each (the ranges of
 * `BasicTokenizer._is_chinese_char`, plus compatibility ideographs).
 */
export function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Characters a BERT-style pre-tokenizer makes a word of their own: punctuation and CJK ideographs. */
function isStandalone(ch: string): boolean {
  return PUNCTUATION.test(ch) || isCjkIdeograph(ch.codePointAt(0) ?? 0);
}

/** The whole code point that ends just before UTF-16 index `p`. */
function charBefore(s: string, p: number): string {
  const low = s.charCodeAt(p - 1);
  if (p >= 2 && low >= 0xdc00 && low <= 0xdfff) return s.slice(p - 2, p);
  return s.slice(p - 1, p);
}

/** Folds one character (code point) to the comparison alphabet. */
export function foldChar(ch: string): string {
  if (WHITESPACE.test(ch)) return ' ';
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0xfffd) return '';
  // Characters a normaliser would delete; a lone combining mark also folds to nothing.
  if (DROPPED.test(ch)) return '';
  return ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function foldString(s: string): string {
  let out = '';
  for (const ch of s) out += foldChar(ch);
  return out.replace(/\s+/gu, '');
}

interface FoldedText {
  /** Folded text, UTF-16 units. */
  norm: string;
  /** For each unit of `norm`, the original start index of the character it came from. */
  origStart: Int32Array;
  /** For each unit of `norm`, the original end index (exclusive) of that character. */
  origEnd: Int32Array;
}

function foldText(text: string): FoldedText {
  let norm = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) {
      starts.push(i);
      ends.push(i + ch.length);
    }
    norm += f;
    i += ch.length;
  }
  return { norm, origStart: Int32Array.from(starts), origEnd: Int32Array.from(ends) };
}

/** Splits `text[from, to)` into pre-tokenizer words: whitespace runs separate; punctuation and CJK stand alone. */
export function preTokenizeWords(text: string, from: number, to: number): TokenOffset[] {
  const words: TokenOffset[] = [];
  let runStart = -1;
  let i = from;
  while (i < to) {
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    const width = ch.length;
    const alone = isStandalone(ch);
    if (WHITESPACE.test(ch) || alone) {
      if (runStart >= 0) words.push([runStart, i]);
      runStart = -1;
      if (alone) words.push([i, i + width]);
    } else if (runStart < 0) {
      runStart = i;
    }
    i += width;
  }
  if (runStart >= 0) words.push([runStart, to]);
  return words;
}

interface Deferred {
  /** Index into the token array. */
  index: number;
  /** Continuation pieces join the previous deferred token's word. */
  continuation: boolean;
}

/**
 * Aligns tokens (as vocabulary strings, specials included) to `text`.
 *
 * @param isSpecial marks tokens that have no text (`[CLS]`, `[SEP]`, padding)
 */
export function alignTokens(
  text: string,
  tokens: readonly string[],
  isSpecial: (index: number) => boolean,
  options: AlignOptions = {},
): AlignedToken[] {
  const prefix = options.continuingSubwordPrefix ?? '##';
  const unk = options.unkToken ?? '[UNK]';
  const markers = options.wordStartMarkers ?? ['▁', 'Ġ'];
  const { norm, origStart, origEnd } = foldText(text);
  const result: AlignedToken[] = tokens.map(() => ({ offset: null, wordStart: false }));

  let pos = 0; // cursor into norm
  let deferred: Deferred[] = [];
  let gapFrom = 0; // original index where the current run of deferred tokens starts

  const origAt = (p: number): number => (p < norm.length ? (origStart[p] as number) : text.length);
  const skipSpaces = (p: number): number => {
    while (p < norm.length && norm[p] === ' ') p++;
    return p;
  };
  const atWordBoundary = (p: number): boolean => {
    if (p === 0) return true;
    const prev = charBefore(norm, p);
    const here = String.fromCodePoint(norm.codePointAt(p) ?? 0);
    return prev === ' ' || isStandalone(prev) || isStandalone(here);
  };

  const resolveDeferred = (gapTo: number): void => {
    if (deferred.length === 0) return;
    // Trim the gap; assign one pre-token word per deferred group, the last group takes the rest.
    const words = preTokenizeWords(text, gapFrom, gapTo);
    const groups: Deferred[][] = [];
    for (const d of deferred) {
      const last = groups[groups.length - 1];
      if (d.continuation && last) last.push(d);
      else groups.push([d]);
    }
    groups.forEach((group, g) => {
      let span: TokenOffset;
      if (words.length === 0) span = [gapFrom, gapFrom];
      else if (g < words.length) {
        const first = words[g] as TokenOffset;
        const lastWord = g === groups.length - 1 ? (words[words.length - 1] as TokenOffset) : first;
        span = [first[0], lastWord[1]];
      } else {
        const lastWord = words[words.length - 1] as TokenOffset;
        span = [lastWord[1], lastWord[1]];
      }
      for (const d of group) result[d.index] = { offset: span, wordStart: result[d.index]?.wordStart ?? false };
    });
    deferred = [];
  };

  tokens.forEach((token, index) => {
    if (isSpecial(index)) return;
    let surface = token;
    let continuation = false;
    if (prefix.length > 0 && surface.startsWith(prefix) && surface.length > prefix.length) {
      surface = surface.slice(prefix.length);
      continuation = true;
    }
    for (const m of markers) {
      if (surface.startsWith(m)) {
        surface = surface.slice(m.length);
        break;
      }
    }
    result[index] = { offset: null, wordStart: !continuation };
    const folded = token === unk ? '' : foldString(surface);
    pos = skipSpaces(pos);
    if (folded.length === 0) {
      // Unknown or empty-after-folding: resolved from the gap to the next matched token.
      if (deferred.length === 0) gapFrom = origAt(pos);
      deferred.push({ index, continuation });
      // An unknown token covers at least one character.
      if (token === unk && pos < norm.length) pos++;
      return;
    }
    let found = -1;
    if (deferred.length === 0 && norm.startsWith(folded, pos)) found = pos;
    else {
      // Search ahead. Without deferred tokens only non-word characters may be skipped (ones the
      // tokenizer dropped); with deferred tokens prefer a match at a word boundary.
      let candidate = norm.indexOf(folded, pos);
      let firstCandidate = -1;
      while (candidate >= 0) {
        if (deferred.length === 0) {
          const skipped = norm.slice(pos, candidate);
          if (!WORD_CHAR.test(skipped)) found = candidate;
          break;
        }
        if (firstCandidate < 0) firstCandidate = candidate;
        if (atWordBoundary(candidate) || continuation) {
          found = candidate;
          break;
        }
        candidate = norm.indexOf(folded, candidate + 1);
      }
      if (found < 0 && firstCandidate >= 0) found = firstCandidate;
    }
    if (found < 0) {
      // Could not place it: treat like an unknown token.
      if (deferred.length === 0) gapFrom = origAt(pos);
      deferred.push({ index, continuation });
      return;
    }
    if (deferred.length > 0) {
      // A continuation piece that found its text glued to the gap belongs to the same word.
      resolveDeferred(origAt(found));
    }
    const end = found + folded.length;
    let origEndIndex = origEnd[end - 1] as number;
    // Combining marks after the last character (decomposed "e\u0301") belong to it.
    while (origEndIndex < text.length && COMBINING.test(text[origEndIndex] as string)) origEndIndex++;
    result[index] = { offset: [origStart[found] as number, origEndIndex], wordStart: !continuation };
    pos = end;
  });
  resolveDeferred(text.length);
  return result;
}
