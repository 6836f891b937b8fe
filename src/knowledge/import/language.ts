import { LANGUAGES, type Language } from '../process/messages.js';

export { LANGUAGES, type Language };

const HAN = /\p{Script=Han}/gu;

/**
 * `zh` when more than a fifth of the non-space characters are Han, else `en` — the same rule
 * `guessLanguage` in knowledge.content.ts uses, so imported and edited items agree.
 */
export function detectLanguage(text: string): Language {
  const han = text.match(HAN)?.length ?? 0;
  const visible = text.replace(/\s/g, '').length || 1;
  return han / visible > 0.2 ? 'zh' : 'en';
}

/**
 * Intents and entities may span languages (examples or aliases in both): BCP-47 `mul`,
 * "multiple languages".
 */
export type RecordLanguage = Language | 'mul';

/**
 * `en`, `EN`, `en-US`, `zh-Hans-CN` → the supported primary tag (`mul` too when allowed);
 * anything else → undefined.
 */
export function normalizeLanguage(tag: string, options: { allowMul?: boolean } = {}): RecordLanguage | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (primary === 'mul') return options.allowMul === true ? 'mul' : undefined;
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : undefined;
}

/** `mul` when the texts (examples, aliases) are in different languages, else their one language. */
export function detectLanguages(texts: readonly string[]): RecordLanguage {
  const found = new Set(texts.map(detectLanguage));
  return found.size > 1 ? 'mul' : ([...found][0] ?? 'en');
}
