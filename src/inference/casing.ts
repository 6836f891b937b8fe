import { preTokenizeWords, type AlignedToken } from './token-alignment.js';

/**
 * Casing features for NER models whose tokenizer is uncased (manifest `casing`, input `case_ids`):
 * every token gets the casing class of the BERT pre-tokenizer word of the *original* text it comes from
 * (whitespace-separated, each punctuation mark and CJK character alone). Mirrors `casing_class()` in
 * training/train_ner.py — the reference definition; keep the two in step.
 */
export const CASE_CLASSES = ['special', 'lower', 'title', 'upper', 'mixed', 'uncased'] as const;

const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;

/** 5 uncased (no cased letters), 1 lower, 2 title (incl. one capital), 3 upper (≥ 2), 4 mixed. */
export function casingClass(word: string): number {
  const cased = Array.from(word).filter((c) => UPPER.test(c) || LOWER.test(c));
  if (cased.length === 0) return 5;
  if (cased.every((c) => LOWER.test(c))) return 1;
  if (UPPER.test(cased[0] as string) && cased.slice(1).every((c) => LOWER.test(c))) return 2;
  if (cased.every((c) => UPPER.test(c))) return 3;
  return 4;
}

/** One class per token (0 for tokens without text), from the word each token's start falls in. */
export function caseIdsFor(text: string, aligned: readonly Pick<AlignedToken, 'offset'>[]): number[] {
  const words = preTokenizeWords(text, 0, text.length);
  let w = 0;
  return aligned.map(({ offset }) => {
    if (!offset) return 0;
    const [start, end] = offset;
    while (w < words.length && (words[w] as readonly [number, number])[1] <= start) w++;
    const word = words[w];
    if (word && word[0] <= start && start < word[1]) return casingClass(text.slice(word[0], word[1]));
    return casingClass(text.slice(start, end));
  });
}
