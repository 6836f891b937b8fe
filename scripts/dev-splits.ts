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
