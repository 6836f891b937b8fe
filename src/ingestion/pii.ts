/**
 * De-identification of free text: e-mail addresses, phone numbers, Chinese resident identity numbers
 * and payment card numbers are replaced by typed placeholders (`[EMAIL]`, `[PHONE]`, `[CN_ID]`,
 * `[CARD]`). Used by ingestion before anything is chunked or stored, and by the dialogue engine on
 * every message. Pure and synchronous; no model involved, so it is cheap enough for the hot path.
 *
 * What counts as a phone number is deliberately narrow, because documents are full of numbers:
 *  - numbers with an international prefix (`+65 9123 4567`, `+86 138 1234 5678`, `0086 …`)
 *  - mainland-China mobiles (`13812345678`, `138 1234 5678`, `138-1234-5678`)
 *  - Chinese landlines with an area code (`010-12345678`, `0755-1234567`)
 *  - North-American formats (`(415) 555-0132`, `415-555-0132`)
 *  - Singapore mobiles (8 digits starting with 8 or 9, `9123 4567`)
 * Toll-free service lines (`1800 555 0100`, `400-…`) are company numbers, not personal data, and stay.
 * Resident ID numbers must pass the GB 11643 checksum and carry a real birth date; card numbers must
 * pass the Luhn check — so order numbers and prices are not masked.
 */
import type { PiiType } from './ingestion.types.js';

export type { PiiType };

export interface PiiFinding {
  type: PiiType;
  /** Offsets into the input text. */
  start: number;
  end: number;
  /** Offsets of the placeholder in the masked text. */
  maskedStart: number;
  maskedEnd: number;
}

export interface MaskResult {
  text: string;
  found: PiiFinding[];
}

export const PII_PLACEHOLDERS: Record<PiiType, string> = {
  EMAIL: '[EMAIL]',
  PHONE: '[PHONE]',
  CN_ID: '[CN_ID]',
  CARD: '[CARD]',
};

/**
 * Overlapping matches: the higher tier wins (an ID number is never read as a card); within a tier the
 * longer match wins (a card whose middle looks like a phone number is a card), then the phone.
 */
const PRIORITY: Record<PiiType, number> = { EMAIL: 3, CN_ID: 2, PHONE: 1, CARD: 1 };

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const CN_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const PHONES: RegExp[] = [
  // international prefix: +CC or 00CC, then 6–14 more digits in groups
  /(?<![\w+])(?:\+|00)\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?![\d])/g,
  // mainland-China mobile, optionally with 86
  /(?<!\d[\s-]?)(?:86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![\s-]?\d)/g,
  // Chinese landline with area code
  /(?<![\d])0\d{2,3}-\d{7,8}(?![\d])/g,
  // North America
  /(?<![\d])(?:\(\d{3}\)\s?|\d{3}-)\d{3}-\d{4}(?![\d])/g,
  // Singapore mobile
  /(?<!\d[\s-]?)(?<![.,$])[89]\d{3}[\s-]?\d{4}(?![\s-]?\d)(?![.,]\d)/g,
];

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const PROVINCES = new Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91]);

/** GB 11643-1999 check: province code, a real birth date, ISO 7064 MOD 11-2 check character. */
export function isValidCnId(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  if (!PROVINCES.has(Number(id.slice(0, 2)))) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date.getTime() > Date.now()) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

/** Luhn (mod 10) over the digits of a 13–19 digit card number. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits) || /^(\d)\1+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

const TOLL_FREE = /^(?:1800|1300|800|400)/;

interface Hit {
  type: PiiType;
  start: number;
  end: number;
}

function collect(text: string): Hit[] {
  const hits: Hit[] = [];
  for (const m of text.matchAll(EMAIL)) hits.push({ type: 'EMAIL', start: m.index, end: m.index + m[0].length });
  for (const m of text.matchAll(CN_ID)) if (isValidCnId(m[0])) hits.push({ type: 'CN_ID', start: m.index, end: m.index + m[0].length });
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (isLuhnValid(digits)) hits.push({ type: 'CARD', start: m.index, end: m.index + m[0].length });
  }
  for (const re of PHONES) {
    for (const m of text.matchAll(re)) {
      const digits = m[0].replace(/\D/g, '');
      if (digits.length < 8 || digits.length > 15 || TOLL_FREE.test(digits)) continue;
      hits.push({ type: 'PHONE', start: m.index, end: m.index + m[0].length });
    }
  }
  return hits;
}

/** Finds PII without changing the text (offsets into `text`, sorted, non-overlapping). */
export function findPii(text: string): Hit[] {
  const hits = collect(text).sort(
    (a, b) => PRIORITY[b.type] - PRIORITY[a.type] || b.end - b.start - (a.end - a.start) || (a.type === 'PHONE' ? -1 : 0) - (b.type === 'PHONE' ? -1 : 0) || a.start - b.start,
  );
  const kept: Hit[] = [];
  for (const h of hits) if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  return kept.sort((a, b) => a.start - b.start);
}

/**
 * Replaces every PII occurrence with its typed placeholder. `found` gives the type and both the
 * original and the masked offsets of each replacement, in text order.
 */
export function maskPii(text: string): MaskResult {
  const hits = findPii(text);
  if (hits.length === 0) return { text, found: [] };
  let out = '';
  let at = 0;
  const found: PiiFinding[] = [];
  for (const h of hits) {
    out += text.slice(at, h.start);
    const placeholder = PII_PLACEHOLDERS[h.type];
    found.push({ type: h.type, start: h.start, end: h.end, maskedStart: out.length, maskedEnd: out.length + placeholder.length });
    out += placeholder;
    at = h.end;
  }
  out += text.slice(at);
  return { text: out, found };
}
