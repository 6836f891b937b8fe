/**
 * Language of a message by script, as a BCP-47 primary tag.
 *
 * Counts letters per script and takes the script with the most letters, with two rules that matter for
 * customer service in zh/en:
 *  - Han (and kana, Hangul) count 3× against a Latin letter: a Chinese message routinely carries Latin
 *    product names and order numbers ("我的 iPhone 15 充不进电"), and a Han character carries about as
 *    much as three Latin letters (a Chinese word is ~1.5 characters, an English word ~5 letters).
 *  - Kana anywhere means Japanese (Japanese text mixes Han and kana; Chinese never uses kana).
 * Latin text is reported as `en`: telling English from other Latin-script languages needs a statistical
 * model, and every Latin-script message is handled by the English models anyway. Text without letters
 * (digits, emoji, punctuation) is `und` (undetermined).
 */

const SCRIPTS: readonly { tag: string; re: RegExp; weight: number }[] = [
  { tag: 'zh', re: /\p{Script=Han}/u, weight: 3 },
  { tag: 'ja', re: /[\p{Script=Hiragana}\p{Script=Katakana}]/u, weight: 3 },
  { tag: 'ko', re: /\p{Script=Hangul}/u, weight: 3 },
  { tag: 'en', re: /\p{Script=Latin}/u, weight: 1 },
  { tag: 'ru', re: /\p{Script=Cyrillic}/u, weight: 1 },
  { tag: 'el', re: /\p{Script=Greek}/u, weight: 1 },
  { tag: 'ar', re: /\p{Script=Arabic}/u, weight: 1 },
  { tag: 'he', re: /\p{Script=Hebrew}/u, weight: 1 },
  { tag: 'th', re: /\p{Script=Thai}/u, weight: 1 },
  { tag: 'hi', re: /\p{Script=Devanagari}/u, weight: 1 },
];

export function detectLanguage(text: string): string {
  const counts = new Map<string, number>();
  for (const ch of text) {
    for (const s of SCRIPTS) {
      if (s.re.test(ch)) {
        counts.set(s.tag, (counts.get(s.tag) ?? 0) + s.weight);
        break;
      }
    }
  }
  if ((counts.get('ja') ?? 0) > 0) return 'ja';
  let best = 'und';
  let bestCount = 0;
  for (const [tag, n] of counts) {
    if (n > bestCount) {
      best = tag;
      bestCount = n;
    }
  }
  return best;
}

/** Primary subtag of a caller-given tag, lower-cased: `zh-Hant-TW` → `zh`. */
export function primaryLanguage(tag: string): string {
  return (tag.split(/[-_]/u)[0] ?? tag).toLowerCase();
}
