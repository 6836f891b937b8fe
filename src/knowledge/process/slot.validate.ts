import { daysInMonth } from '../rules/iso-date.js';
import type { PathSegment } from '../rules/problem.js';
import { slotMessages, type Language } from './messages.js';
import type { SlotType, SlotValidation } from './process.schema.js';

/**
 * Checking a customer's answer against a step's `validate`. Answers are NFKC-normalised first
 * (except free `string` answers), so full-width input from Chinese keyboards — `１３８…`,
 * `ｎａｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ` — reads like its ASCII form.
 */

export type SlotValue = string | number;

export type SlotFailure = 'empty' | 'too-long' | 'format' | 'range';

export type SlotCheck =
  | { readonly ok: true; readonly value: SlotValue }
  | { readonly ok: false; readonly failure: SlotFailure; readonly message: string };

/** Longest answer a slot accepts, in characters. */
export const MAX_ANSWER_LENGTH = 1000;

const HAN = /\p{Script=Han}/u;
const EMAIL =
  /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}$/u;
const CN_MOBILE = /^(?:\+?86|0086)?(1\d{10})$/;
const CN_MOBILE_VALID = /^1[3-9]\d{9}$/;
const INTERNATIONAL_PHONE = /^\+[1-9]\d{6,14}$/;
/** National numbers without `+`; a leading 1 only ever starts a mainland mobile, checked above. */
const LOCAL_PHONE = /^[02-9]\d{6,14}$/;
const PHONE_SEPARATORS = /[\s().-]/g;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?)$/;
const INTEGER = /^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)$/;
const DATE_NUMERIC = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const DATE_CHINESE = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Letters, digits and hyphens, 4-40 long, with at least one digit: `A12345`, `2024-0001`. */
export const DEFAULT_ORDER_ID = /^(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,39}$/;
const TRAILING_PUNCTUATION = /[\s.!?,;:。！？，；：、]+$/u;

const nfkc = (input: string): string => input.normalize('NFKC').trim();

/** `2024-05-31` from year, month, day when they name a real day. */
function isoDay(y: string, m: string, d: string): string | undefined {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function parseAnswerDate(text: string): string | undefined {
  const m = DATE_NUMERIC.exec(text) ?? DATE_CHINESE.exec(text);
  return m ? isoDay(m[1] ?? '', m[2] ?? '', m[3] ?? '') : undefined;
}

function isIsoDay(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DAY.exec(value);
  return m !== null && isoDay(m[1] ?? '', m[2] ?? '', m[3] ?? '') === value;
}

/** `"yes|是|对"` → `["yes", "是", "对"]`; the first spelling is the stored value. */
export function enumAlternatives(entry: string): string[] {
  return entry
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const enumKey = (text: string): string => nfkc(text).toLowerCase().replace(TRAILING_PUNCTUATION, '');

/** The spelling of an option to show in `language`: a Chinese synonym for zh, a non-Chinese one for en. */
function displayOption(entry: string, language: Language): string {
  const alternatives = enumAlternatives(entry);
  const preferred = alternatives.find((a) => HAN.test(a) === (language === 'zh'));
  return preferred ?? alternatives[0] ?? entry;
}

function compileAnchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

const boundText = (value: number | string | undefined): string | undefined => (value === undefined ? undefined : String(value));

function fail(failure: SlotFailure, message: string): SlotCheck {
  return { ok: false, failure, message };
}

function checkNumber(validation: SlotValidation, text: string, language: Language): SlotCheck {
  const integer = validation.type === 'integer';
  if (!(integer ? INTEGER : DECIMAL).test(text)) {
    return fail('format', integer ? slotMessages.integer(language) : slotMessages.number(language));
  }
  const value = Number(text.replace(/,/g, ''));
  if (!Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    return fail('format', slotMessages.number(language));
  }
  const { min, max } = validation;
  if ((typeof min === 'number' && value < min) || (typeof max === 'number' && value > max)) {
    return fail('range', slotMessages.numberRange(language, { min: boundText(min), max: boundText(max) }));
  }
  return { ok: true, value: Object.is(value, -0) ? 0 : value };
}

function checkPhone(text: string, language: Language): SlotCheck {
  const compact = text.replace(PHONE_SEPARATORS, '');
  const mainland = CN_MOBILE.exec(compact);
  if (mainland) {
    // Eleven digits starting with 1 can only be a mainland mobile; check it as one.
    const national = mainland[1] ?? '';
    return CN_MOBILE_VALID.test(national) ? { ok: true, value: national } : fail('format', slotMessages.phone(language));
  }
  if (INTERNATIONAL_PHONE.test(compact) || LOCAL_PHONE.test(compact)) return { ok: true, value: compact };
  return fail('format', slotMessages.phone(language));
}

/**
 * Checks one answer. Stored values are normalised: emails with a lower-case domain, phones
 * without separators (mainland mobiles as 11 digits), numbers as numbers, dates as `YYYY-MM-DD`,
 * enum answers as the first spelling of the option, default order ids upper-case.
 */
export function checkSlotValue(validation: SlotValidation | undefined, input: string, language: Language): SlotCheck {
  const type: SlotType = validation?.type ?? 'string';
  if ([...input].length > MAX_ANSWER_LENGTH) return fail('too-long', slotMessages.tooLong(language));
  const raw = input.normalize('NFC').trim();
  if (raw === '') return fail('empty', slotMessages.empty(language));
  const text = nfkc(input);

  switch (type) {
    case 'string': {
      const length = [...raw].length;
      const min = typeof validation?.min === 'number' ? validation.min : undefined;
      const max = typeof validation?.max === 'number' ? validation.max : undefined;
      if ((min !== undefined && length < min) || (max !== undefined && length > max)) {
        return fail('range', slotMessages.string(language, { min: boundText(min), max: boundText(max) }));
      }
      return { ok: true, value: raw };
    }
    case 'email': {
      if (text.length > 254 || !EMAIL.test(text)) return fail('format', slotMessages.email(language));
      const at = text.lastIndexOf('@');
      return { ok: true, value: `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}` };
    }
    case 'phone':
      return checkPhone(text, language);
    case 'number':
    case 'integer':
      return checkNumber({ ...validation, type }, text, language);
    case 'date': {
      const day = parseAnswerDate(text);
      if (day === undefined) return fail('format', slotMessages.date(language));
      const min = isIsoDay(validation?.min) ? validation.min : undefined;
      const max = isIsoDay(validation?.max) ? validation.max : undefined;
      if ((min !== undefined && day < min) || (max !== undefined && day > max)) {
        return fail('range', slotMessages.dateRange(language, { min, max }));
      }
      return { ok: true, value: day };
    }
    case 'enum': {
      const entries = validation?.values ?? [];
      const key = enumKey(text);
      for (const entry of entries) {
        const alternatives = enumAlternatives(entry);
        if (alternatives.some((a) => enumKey(a) === key)) return { ok: true, value: alternatives[0] ?? entry };
      }
      return fail('format', slotMessages.enum(language, entries.map((e) => displayOption(e, language))));
    }
    case 'regex': {
      const pattern = validation?.pattern;
      if (pattern === undefined) return fail('format', slotMessages.regex(language));
      return compileAnchored(pattern).test(text) ? { ok: true, value: text } : fail('format', slotMessages.regex(language));
    }
    case 'orderId': {
      const id = text.replace(/^#\s*/, '');
      const upper = id.toUpperCase();
      if (validation?.pattern !== undefined) {
        // Order ids are case-insensitive in practice: "nw-204518" is NW-204518.
        const pattern = compileAnchored(validation.pattern);
        const match = [id, upper].find((candidate) => pattern.test(candidate));
        return match === undefined ? fail('format', slotMessages.orderId(language)) : { ok: true, value: match };
      }
      return DEFAULT_ORDER_ID.test(upper) ? { ok: true, value: upper } : fail('format', slotMessages.orderId(language));
    }
  }
}

export interface ValidatorProblem {
  readonly path: PathSegment[];
  readonly message: string;
}

const USES: Record<SlotType, ReadonlySet<keyof SlotValidation>> = {
  string: new Set(['min', 'max']),
  email: new Set(),
  phone: new Set(),
  number: new Set(['min', 'max']),
  integer: new Set(['min', 'max']),
  date: new Set(['min', 'max']),
  enum: new Set(['values']),
  regex: new Set(['pattern']),
  orderId: new Set(['pattern']),
};

/** Static problems with a `validate` block: fields its type ignores, bad bounds, bad patterns. */
export function validatorProblems(validation: SlotValidation): ValidatorProblem[] {
  const problems: ValidatorProblem[] = [];
  const { type } = validation;
  for (const key of ['values', 'pattern', 'min', 'max'] as const) {
    if (validation[key] !== undefined && !USES[type].has(key)) {
      problems.push({ path: [key], message: `does not apply to "${type}" validation` });
    }
  }
  if (type === 'enum') {
    if (validation.values === undefined) problems.push({ path: ['values'], message: 'an "enum" validation needs values' });
    const seen = new Map<string, number>();
    (validation.values ?? []).forEach((entry, i) => {
      for (const alternative of enumAlternatives(entry)) {
        const key = enumKey(alternative);
        const first = seen.get(key);
        if (first !== undefined && first !== i) {
          problems.push({ path: ['values', i], message: `"${alternative}" is already accepted by values[${first}]` });
        } else seen.set(key, i);
      }
      if (enumAlternatives(entry).length === 0) problems.push({ path: ['values', i], message: 'must not be empty' });
    });
  }
  if (type === 'regex' && validation.pattern === undefined) {
    problems.push({ path: ['pattern'], message: 'a "regex" validation needs a pattern' });
  }
  if (validation.pattern !== undefined && USES[type].has('pattern')) {
    try {
      compileAnchored(validation.pattern);
    } catch (error) {
      const reason = error instanceof SyntaxError ? error.message : String(error);
      problems.push({ path: ['pattern'], message: `invalid regular expression: ${reason}` });
    }
  }
  if (USES[type].has('min')) {
    const wantsDate = type === 'date';
    for (const key of ['min', 'max'] as const) {
      const bound = validation[key];
      if (bound === undefined) continue;
      if (wantsDate ? !isIsoDay(bound) : typeof bound !== 'number') {
        problems.push({ path: [key], message: wantsDate ? 'must be a date like "2024-01-31"' : 'must be a number' });
      } else if (type === 'string' && (!Number.isInteger(bound) || (bound as number) < 0)) {
        problems.push({ path: [key], message: 'must be a whole number of characters' });
      }
    }
    const { min, max } = validation;
    if (min !== undefined && max !== undefined && typeof min === typeof max && min > max) {
      problems.push({ path: ['min'], message: `is greater than max (${String(max)})` });
    }
  }
  return problems;
}
