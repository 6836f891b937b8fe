import type { EntityCandidate, ValueMention } from './ingestion.types.js';

/**
 * Transparent patterns for what models are bad at and documents are full of: amounts, dates,
 * durations, percentages and product codes (`NW-X5`). English and Chinese.
 */

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, fourteen: 14, fifteen: 15, thirty: 30, sixty: 60, ninety: 90,
};
const ZH_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 十 → 10, 二十四 → 24, 三 → 3 (up to 99). */
export function zhNumber(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? ZH_DIGITS[m[1]]! : 1) * 10 + (m[2] ? ZH_DIGITS[m[2]]! : 0);
  return s.length === 1 && ZH_DIGITS[s] !== undefined ? ZH_DIGITS[s] : null;
}

const toNumber = (s: string) => Number(s.replace(/,/g, ''));
const numberOf = (s: string): number | null => {
  const w = NUMBER_WORDS[s.toLowerCase()];
  if (w !== undefined) return w;
  if (/^[\d,]+(?:\.\d+)?$/.test(s)) return toNumber(s);
  return zhNumber(s);
};

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const MONTH = '(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.?';
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const UNIT_DAYS: Record<string, number> = {
  minute: 1 / 1440, hour: 1 / 24, day: 1, 'working day': 1, 'business day': 1, week: 7, month: 30, year: 365,
  分钟: 1 / 1440, 小时: 1 / 24, 天: 1, 日: 1, 工作日: 1, 周: 7, 星期: 7, 个月: 30, 月: 30, 年: 365,
};

interface ValueRule {
  type: ValueMention['type'];
  re: RegExp;
  value(m: RegExpMatchArray): Record<string, string | number> | null;
}

const NUM = '\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?';
const EN_NUM = `${NUM}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|thirty|sixty|ninety`;
const ZH_NUM = '\\d+|[一二两三四五六七八九十]{1,3}';

const VALUE_RULES: ValueRule[] = [
  { type: 'Date', re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)? ${MONTH},? (\\d{4})\\b`, 'gi'), value: (m) => ({ date: iso(Number(m[3]), MONTHS[m[2]!.slice(0, 3).toLowerCase()]!, Number(m[1])) }) },
  { type: 'Date', re: new RegExp(`\\b${MONTH} (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b`, 'gi'), value: (m) => ({ date: iso(Number(m[3]), MONTHS[m[1]!.slice(0, 3).toLowerCase()]!, Number(m[2])) }) },
  { type: 'Date', re: /\b(\d{4})-(\d{2})-(\d{2})\b/g, value: (m) => ({ date: iso(Number(m[1]), Number(m[2]), Number(m[3])) }) },
  { type: 'Date', re: /(\d{4})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?[日号]/g, value: (m) => ({ date: iso(Number(m[1]), Number(m[2]), Number(m[3])) }) },
  { type: 'Date', re: /(?<!\d)(\d{1,2})\s?月\s?(\d{1,2})\s?[日号]/g, value: (m) => ({ month: Number(m[1]), day: Number(m[2]) }) },
  { type: 'Amount', re: new RegExp(`(S\\$|SGD ?|US\\$|USD ?|RMB ?|CNY ?|¥|￥|\\$)(${NUM})`, 'g'), value: (m) => ({ amount: toNumber(m[2]!), currency: currencyOf(m[1]!) }) },
  { type: 'Amount', re: new RegExp(`(${NUM})\\s?(新元|新币|元|块|美元|人民币)`, 'g'), value: (m) => ({ amount: toNumber(m[1]!), currency: currencyOf(m[2]!) }) },
  { type: 'Percentage', re: new RegExp(`(${NUM})\\s?%`, 'g'), value: (m) => ({ percent: toNumber(m[1]!) }) },
  { type: 'Percentage', re: /百分之([一二两三四五六七八九十]{1,3}|\d+)/g, value: (m) => (zhNumber(m[1]!) === null ? null : { percent: zhNumber(m[1]!)! }) },
  {
    type: 'Duration',
    re: new RegExp(`\\b(${EN_NUM})(?:\\s?[–-]\\s?(${NUM}))?[ -](working days?|business days?|days?|weeks?|months?|years?|hours?|minutes?)\\b`, 'gi'),
    value: (m) => duration(m[1]!, m[2], m[3]!.toLowerCase().replace(/s$/, '')),
  },
  {
    type: 'Duration',
    re: new RegExp(`(${ZH_NUM})(?:\\s?[–-]\\s?(${ZH_NUM}))?\\s?(个工作日|工作日|个月|分钟|小时|星期|天|周|年)`, 'g'),
    value: (m) => duration(m[1]!, m[2], m[3]!.replace(/^个(?=工作日)/, '')),
  },
];

function currencyOf(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  if (s === 'S$' || s === 'SGD' || s === '新元' || s === '新币') return 'SGD';
  if (s === 'US$' || s === 'USD' || s === '$' || s === '美元') return 'USD';
  return 'CNY';
}

function duration(from: string, to: string | undefined, unit: string): Record<string, string | number> | null {
  const a = numberOf(from);
  if (a === null) return null;
  const b = to ? numberOf(to) : null;
  const perDay = UNIT_DAYS[unit];
  if (perDay === undefined) return null;
  const out: Record<string, string | number> = { value: a, unit };
  if (b !== null) out.max = b;
  out.days = Math.round(a * perDay * 1000) / 1000;
  return out;
}

/** Every value mention, earliest first; a later rule never takes text an earlier one matched. */
export function findValues(text: string): ValueMention[] {
  const out: ValueMention[] = [];
  for (const rule of VALUE_RULES) {
    for (const m of text.matchAll(rule.re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (out.some((v) => start < v.end && v.start < end)) continue;
      const value = rule.value(m);
      if (value) out.push({ type: rule.type, start, end, text: m[0], value });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Codes that look like product codes but name standards, not products. */
const NOT_PRODUCTS = new Set(['USB-C', 'USB-A', 'COVID-19', 'IP68', 'IP67', 'WI-FI', 'E-SIM', 'NFC-A', 'PIN-1']);

/** `NW-X5`, `NW-C65`, `AB-12`: 2–4 capitals, a dash, 1–6 letters/digits with a letter or at most 3 digits (`NW-204518` is an order number). */
const PRODUCT_CODE = /(?<![A-Za-z0-9-])([A-Z]{2,4})-([A-Z0-9]{1,6})(?![A-Za-z0-9-])/g;

export function findProductCodes(text: string): EntityCandidate[] {
  const out: EntityCandidate[] = [];
  for (const m of text.matchAll(PRODUCT_CODE)) {
    const tail = m[2]!;
    if (NOT_PRODUCTS.has(m[0].toUpperCase())) continue;
    if (!/[A-Z]/.test(tail) && tail.length > 3) continue;
    out.push({ start: m.index, end: m.index + m[0].length, text: m[0], type: 'Product', source: 'pattern', confidence: 0.9 });
  }
  return out;
}

/** Product codes compare without separators or case: `NW-X5` = `nw x5` = `NWX5`. */
export function codeKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]/g, '');
}
