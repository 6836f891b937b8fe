import { describe, expect, it } from 'vitest';
import type { SlotValidation } from './process.schema.js';
import { checkSlotValue, MAX_ANSWER_LENGTH, parseAnswerDate, type SlotFailure, type SlotValue } from './slot.validate.js';

type Accept = [string, SlotValidation | undefined, string, SlotValue];
type Reject = [string, SlotValidation | undefined, string, SlotFailure];

const yesNo: SlotValidation = { type: 'enum', values: ['yes|是|对', 'no|否|不是'] };

const accepted: Accept[] = [
  ['free text, trimmed', undefined, '  hello there ', 'hello there'],
  ['free text keeps full-width characters', { type: 'string' }, 'ＡＢＣ', 'ＡＢＣ'],
  ['string within length bounds, counting characters not bytes', { type: 'string', min: 2, max: 4 }, '张三丰', '张三丰'],
  ['email', { type: 'email' }, 'Li.Lei@Example.COM', 'Li.Lei@example.com'],
  ['email with plus and subdomain', { type: 'email' }, 'a+b@mail.example.co.uk', 'a+b@mail.example.co.uk'],
  ['full-width email', { type: 'email' }, 'ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ', 'li@example.cn'],
  ['internationalised email', { type: 'email' }, '用户@例子.中国', '用户@例子.中国'],
  ['mainland mobile', { type: 'phone' }, '13812345678', '13812345678'],
  ['mainland mobile with +86 and spaces', { type: 'phone' }, '+86 138 1234 5678', '13812345678'],
  ['mainland mobile with 0086 and dashes', { type: 'phone' }, '0086-138-1234-5678', '13812345678'],
  ['mainland mobile in full-width digits', { type: 'phone' }, '１９９１２３４５６７８', '19912345678'],
  ['international number', { type: 'phone' }, '+44 20 7946 0958', '+442079460958'],
  ['local number with area code', { type: 'phone' }, '(020) 8765-4321', '02087654321'],
  ['number', { type: 'number' }, '12.5', 12.5],
  ['negative number', { type: 'number' }, '-3', -3],
  ['number with thousands separators', { type: 'number' }, '1,234.5', 1234.5],
  ['full-width number', { type: 'number' }, '１２．５', 12.5],
  ['number at the inclusive bounds', { type: 'number', min: 1, max: 5 }, '5', 5],
  ['integer', { type: 'integer', min: 1, max: 10 }, ' 3 ', 3],
  ['ISO date', { type: 'date' }, '2024-05-31', '2024-05-31'],
  ['slashed date', { type: 'date' }, '2024/5/1', '2024-05-01'],
  ['Chinese date', { type: 'date' }, '2024年5月31日', '2024-05-31'],
  ['Chinese date with 号', { type: 'date' }, '2024年12月1号', '2024-12-01'],
  ['date within bounds', { type: 'date', min: '2024-01-01', max: '2024-12-31' }, '2024-12-31', '2024-12-31'],
  ['enum, case-insensitive, stored as the first spelling', yesNo, 'YES', 'yes'],
  ['enum, Chinese synonym', yesNo, '是', 'yes'],
  ['enum, Chinese synonym with punctuation', yesNo, '不是。', 'no'],
  ['enum, plain Chinese value', { type: 'enum', values: ['银卡', '金卡'] }, '金卡', '金卡'],
  ['enum, full-width letters', { type: 'enum', values: ['Gold', 'Silver'] }, 'ｇｏｌｄ', 'Gold'],
  ['regex, whole answer', { type: 'regex', pattern: '\\d{6}' }, '123456', '123456'],
  ['regex, full-width digits', { type: 'regex', pattern: '\\d{6}' }, '１２３４５６', '123456'],
  ['regex, alternation anchored as a whole', { type: 'regex', pattern: 'a|b' }, 'b', 'b'],
  ['default order id, upper-cased, # dropped', { type: 'orderId' }, '#a12345', 'A12345'],
  ['default order id with hyphens', { type: 'orderId' }, '2024-000123', '2024-000123'],
  ['custom order id pattern', { type: 'orderId', pattern: 'JD\\d{8}' }, 'JD12345678', 'JD12345678'],
  ['custom order id pattern, typed in lower case', { type: 'orderId', pattern: '^NW-\\d{6}$' }, 'nw-204518', 'NW-204518'],
  ['custom lower-case order id pattern kept as typed', { type: 'orderId', pattern: '[a-z]{2}\\d{4}' }, 'ab1234', 'ab1234'],
];

const rejected: Reject[] = [
  ['an empty answer', undefined, '   ', 'empty'],
  ['an over-long answer', undefined, 'x'.repeat(MAX_ANSWER_LENGTH + 1), 'too-long'],
  ['a string too short', { type: 'string', min: 3 }, '张三', 'range'],
  ['a string too long', { type: 'string', max: 3 }, 'abcd', 'range'],
  ['an email without a domain', { type: 'email' }, 'li@', 'format'],
  ['an email without a dot', { type: 'email' }, 'li@localhost', 'format'],
  ['an email with spaces', { type: 'email' }, 'li lei@example.com', 'format'],
  ['an email with two @', { type: 'email' }, 'a@b@example.com', 'format'],
  ['a mobile with an invalid second digit', { type: 'phone' }, '12812345678', 'format'],
  ['a +86 mobile with an invalid second digit', { type: 'phone' }, '+86 118 1234 5678', 'format'],
  ['a mobile one digit short', { type: 'phone' }, '1381234567', 'format'],
  ['a phone with letters', { type: 'phone' }, '138-CALL-NOW', 'format'],
  ['a phone too short', { type: 'phone' }, '12345', 'format'],
  ['a word for a number', { type: 'number' }, 'ten', 'format'],
  ['exponent notation', { type: 'number' }, '1e5', 'format'],
  ['a bad thousands grouping', { type: 'number' }, '1,23', 'format'],
  ['a number below min', { type: 'number', min: 1 }, '0.5', 'range'],
  ['a number above max', { type: 'number', max: 5 }, '5.01', 'range'],
  ['a decimal for an integer', { type: 'integer' }, '3.5', 'format'],
  ['an integer beyond safe range', { type: 'integer' }, '9007199254740993', 'format'],
  ['an integer above max', { type: 'integer', max: 10 }, '11', 'range'],
  ['an impossible date', { type: 'date' }, '2023-02-29', 'format'],
  ['a day-first date', { type: 'date' }, '31/05/2024', 'format'],
  ['a date before min', { type: 'date', min: '2024-01-01' }, '2023-12-31', 'range'],
  ['a date after max', { type: 'date', max: '2024-01-01' }, '2024年1月2日', 'range'],
  ['an unlisted enum value', yesNo, 'maybe', 'format'],
  ['a regex partial match', { type: 'regex', pattern: '\\d{6}' }, '1234567', 'format'],
  ['an order id without digits', { type: 'orderId' }, 'hello', 'format'],
  ['an order id with spaces', { type: 'orderId' }, 'A12 345', 'format'],
  ['an order id too short', { type: 'orderId' }, 'A12', 'format'],
  ['an order id off the custom pattern', { type: 'orderId', pattern: 'JD\\d{8}' }, 'A12345', 'format'],
];

describe('checkSlotValue', () => {
  it.each(accepted)('accepts %s', (_name, validation, input, value) => {
    expect(checkSlotValue(validation, input, 'en')).toEqual({ ok: true, value });
  });

  it.each(rejected)('rejects %s', (_name, validation, input, failure) => {
    const result = checkSlotValue(validation, input, 'en');
    expect(result).toMatchObject({ ok: false, failure });
  });

  it.each<[string, SlotValidation, string, string, string]>([
    ['email', { type: 'email' }, 'x', 'Please enter a valid email address, like name@example.com.', '请输入有效的邮箱地址，例如 name@example.com。'],
    ['phone', { type: 'phone' }, 'x', 'Please enter a valid phone number, like +44 20 7946 0958.', '请输入有效的电话号码，例如 13812345678。'],
    ['number range', { type: 'number', min: 1, max: 5 }, '9', 'Please enter a number from 1 to 5.', '请输入 1 到 5 之间的数字。'],
    ['number minimum', { type: 'integer', min: 1 }, '0', 'Please enter a number of at least 1.', '请输入不小于 1 的数字。'],
    ['date range', { type: 'date', max: '2024-01-01' }, '2025-01-01', 'Please enter a date of at most 2024-01-01.', '请输入不大于 2024-01-01 的日期。'],
    ['enum options in the reply language', yesNo, '?', 'Please answer with one of: yes, no.', '请回答以下选项之一：是、否。'],
    ['string length', { type: 'string', min: 2, max: 4 }, 'a', 'Please enter 2 to 4 characters.', '请输入 2 到 4 个字符。'],
  ])('explains a %s failure in English and Chinese', (_name, validation, input, en, zh) => {
    expect(checkSlotValue(validation, input, 'en')).toMatchObject({ ok: false, message: en });
    expect(checkSlotValue(validation, input, 'zh')).toMatchObject({ ok: false, message: zh });
  });
});

describe('parseAnswerDate', () => {
  it.each([
    ['2024-2-29', '2024-02-29'],
    ['2024.02.03', '2024-02-03'],
    ['2025-02-29', undefined],
    ['2024-13-01', undefined],
    ['tomorrow', undefined],
  ])('%s → %s', (text, iso) => {
    expect(parseAnswerDate(text)).toBe(iso);
  });
});
