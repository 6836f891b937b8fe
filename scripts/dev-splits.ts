/**
 * The fixed dev splits every evaluation and the encoder fine-tune (training/e5lib.py) agree on, so a dev
 * figure is never measured on a question a model or a ranker was trained on.
 */
import { createHash } from 'node:crypto';

/**
 * BankFAQ dev: md5 of the lower-cased, whitespace-collapsed, stripped question, as an integer, mod 10 in
 * {1, 2} (e5lib.bankfaq_is_dev). The fine-tuned encoder never sees these questions.
 */
export function isBankfaqDev(question: string): boolean {
  const key = question.toLowerCase().replace(/\s+/g, ' ').trim();
  const h = createHash('md5').update(key).digest();
  // md5 as a 128-bit integer mod 10 = (sum of byte_i * 256^(15-i)) mod 10; 256 ≡ 6 (mod 10) and 6^k ≡ 6 for k ≥ 1.
  let mod = 0;
  h.forEach((b, i) => {
    mod = (mod + b * (i === 15 ? 1 : 6)) % 10;
  });
  return mod === 1 || mod === 2;
}

/** Character bigrams of a text, lower-cased, NFKC, without spaces and punctuation (a Chinese query's "words"). */
function bigrams(text: string): Set<string> {
  const chars = [...text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '')];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(`${chars[i]}${chars[i + 1]}`);
  if (chars.length === 1) out.add(chars[0] as string);
  return out;
}

/**
 * Dev examples without a near-duplicate among the training examples: character-bigram Jaccard ≥ `min`
 * (default 0.7) counts as one ("123和34的和等于多少" and "123和34的差等于多少" are one question twice). A
 * dev split carved from the training file by row index keeps many; scoring them flatters the model.
 */
export function withoutNearDuplicates<T extends { text: string }>(dev: readonly T[], train: readonly { text: string }[], min = 0.7): { kept: T[]; dropped: number } {
  const trainSets = train.map((t) => bigrams(t.text));
  const postings = new Map<string, number[]>();
  trainSets.forEach((s, i) => {
    for (const g of s) {
      const list = postings.get(g);
      if (list) list.push(i);
      else postings.set(g, [i]);
    }
  });
  const df = (g: string): number => postings.get(g)?.length ?? 0;
  const kept = dev.filter((d) => {
    const s = bigrams(d.text);
    // Prefix filter: a training text with Jaccard ≥ min lacks at most (1 − min)·|s| of these bigrams, so it
    // holds one of the floor((1 − min)·|s|) + 1 rarest; only those postings are candidates (English dev
    // splits have thousands of texts sharing " t", and comparing with all of them is quadratic).
    const rarest = [...s].sort((a, b) => df(a) - df(b)).slice(0, Math.floor((1 - min) * s.size) + 1);
    const candidates = new Set<number>();
    for (const g of rarest) for (const i of postings.get(g) ?? []) candidates.add(i);
    for (const i of candidates) {
      const t = trainSets[i] as Set<string>;
      let shared = 0;
      for (const g of s) if (t.has(g)) shared++;
      if (shared / (s.size + t.size - shared) >= min) return false;
    }
    return true;
  });
  return { kept, dropped: dev.length - kept.length };
}
