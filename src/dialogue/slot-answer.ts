import { checkSlotValue, type SlotValidation } from '../knowledge/process/index.js';
import type { Language } from '../knowledge/process/index.js';

/**
 * Customers answer in sentences ("yes please", "it's NW-204518", "my email is a@b.co"); a slot wants
 * one value. This turns a free-text answer into the value the step's validator accepts, or returns
 * the text unchanged so the validator explains what it needs.
 */

const YES = ['yes', 'y', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'correct', 'right', 'of course', 'please do', 'go ahead', 'absolutely', 'definitely', 'i do', 'it is', '是', '是的', '对', '对的', '好', '好的', '可以', '要', '嗯', '有', '行', '没错'];
const NO = ['no', 'n', 'nope', 'nah', 'not', "don't", 'dont', 'do not', 'never', 'negative', 'no thanks', "it isn't", 'it is not', '否', '不', '不是', '不要', '没有', '没', '不用', '不行', '不对'];

const norm = (s: string) => s.normalize('NFKC').toLowerCase().trim();

/** Index of `phrase` in `text` as a whole word (Chinese: anywhere), or -1. */
function phraseAt(text: string, phrase: string): number {
  if (/\p{Script=Han}/u.test(phrase)) return text.indexOf(phrase);
  const m = new RegExp(`(^|[^\\p{L}\\p{N}])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'u').exec(text);
  return m ? m.index + (m[1]?.length ?? 0) : -1;
}

/** Which enum option a sentence picks: an option named in it, else yes/no meaning. Null when unclear. */
export function pickEnumOption(values: readonly string[], text: string): string | null {
  const t = norm(text);
  const options = values.map((v) => ({ alternatives: v.split('|').map(norm).filter(Boolean) }));
  // Options that are themselves yes/no words are decided by meaning below ("不是" contains "是").
  const polar = (o: { alternatives: string[] }) => o.alternatives.some((a) => YES.includes(a) || NO.includes(a));
  const named = options.filter((o) => !polar(o) && o.alternatives.some((a) => phraseAt(t, a) >= 0));
  if (named.length === 1) return named[0]?.alternatives[0] ?? null;
  // Yes/no meaning: whichever comes first ("no, not yet", "yes, it's not working", "不是").
  const firstAt = (words: string[]) => Math.min(...words.map((w) => phraseAt(t, w)).filter((i) => i >= 0), Infinity);
  const yes = firstAt(YES);
  const no = firstAt(NO);
  if (yes === Infinity && no === Infinity) return null;
  const words = no <= yes ? NO : YES;
  const match = options.find((o) => o.alternatives.some((a) => words.includes(a)));
  return match?.alternatives[0] ?? null;
}

/** Candidate substrings of a sentence, longest first: single tokens and runs of digits with separators. */
function candidates(text: string): string[] {
  const tokens = text.split(/[\s,;，；。!?！？]+/u).map((t) => t.replace(/^[("'“‘]+|[)"'”’.:：]+$/gu, '')).filter(Boolean);
  const runs = text.match(/\+?\d[\d\s().-]{5,}\d/g) ?? [];
  return [...new Set([...runs.map((r) => r.trim()), ...tokens])];
}

/** The value to give the process runner for this answer. */
export function interpretAnswer(validation: SlotValidation | undefined, text: string, language: Language): string {
  const type = validation?.type ?? 'string';
  if (type === 'string') return text;
  if (checkSlotValue(validation, text, language).ok) return text;
  if (type === 'enum') return pickEnumOption(validation?.values ?? [], text) ?? text;
  for (const candidate of candidates(text)) {
    if (checkSlotValue(validation, candidate, language).ok) return candidate;
  }
  return text;
}

/** "cancel", "stop", "never mind", "取消", "算了": the customer wants out of the running process. */
export function isCancel(text: string): boolean {
  const t = norm(text).replace(/[.!?。！？]+$/u, '');
  return /^(?:please\s+)?(?:cancel|stop|quit|exit|abort|never\s?mind|forget it|start over)(?:\s+(?:it|this|that|please))?$/u.test(t) || /^(?:取消|算了|不办了|不用了|退出|停止)/u.test(t);
}

/** Does this read as a question (rather than an answer to ours)? */
export function looksLikeQuestion(text: string): boolean {
  const t = norm(text);
  return /[?？]\s*$/u.test(t) || /^(what|how|why|when|where|who|which|can|could|do|does|is|are|will|should)\b/u.test(t) || /(吗|怎么|如何|为什么|多少|哪里|什么)/u.test(t);
}
