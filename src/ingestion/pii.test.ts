import { describe, expect, it } from 'vitest';
import { findPii, isLuhnValid, isValidCnId, maskPii } from './pii.js';

describe('maskPii', () => {
  it.each([
    ['e-mail', 'Write to jane.doe+orders@example.co.uk today.', 'Write to [EMAIL] today.'],
    ['mainland-China mobile', '我的手机号是13812345678，请回电。', '我的手机号是[PHONE]，请回电。'],
    ['mobile with spaces and +86', 'Call +86 138 1234 5678 after 6pm.', 'Call [PHONE] after 6pm.'],
    ['mobile with dashes', '电话：139-1234-5678', '电话：[PHONE]'],
    ['Singapore mobile', 'SMS me on 9123 4567.', 'SMS me on [PHONE].'],
    ['Singapore number with country code', 'Our customer is at +65 6123 4567.', 'Our customer is at [PHONE].'],
    ['Chinese landline', '座机 010-12345678', '座机 [PHONE]'],
    ['resident ID with valid checksum', '身份证号 11010519491231002X 已核验', '身份证号 [CN_ID] 已核验'],
    ['card number with Luhn check', 'Card 4111 1111 1111 1111 was charged.', 'Card [CARD] was charged.'],
    ['card number without spaces', 'card 5555555555554444.', 'card [CARD].'],
  ])('masks a %s', (_what, input, expected) => {
    expect(maskPii(input).text).toBe(expected);
  });

  it.each([
    ['a resident ID with a wrong check digit', '110105194912310021'],
    ['a card number failing Luhn', '4111 1111 1111 1112'],
    ['a toll-free hotline', 'call 1800 555 0100 (8 am to 10 pm)'],
    ['an order number', 'order NW-204518 shipped'],
    ['prices and dates', 'S$1,299 from 1 March 2025; 2–4 working days; 12-month warranty'],
    ['a Chinese date and amount', '2025年3月1日起，订单满 50 新元免运费'],
  ])('leaves %s alone', (_what, input) => {
    expect(maskPii(input)).toEqual({ text: input, found: [] });
  });

  it('reports each finding with original and masked offsets', () => {
    const input = 'Mail a@b.io or call 13812345678.';
    const { text, found } = maskPii(input);
    expect(found.map((f) => f.type)).toEqual(['EMAIL', 'PHONE']);
    for (const f of found) {
      expect(text.slice(f.maskedStart, f.maskedEnd)).toBe(`[${f.type}]`);
    }
    expect(input.slice(found[0]!.start, found[0]!.end)).toBe('a@b.io');
    expect(input.slice(found[1]!.start, found[1]!.end)).toBe('13812345678');
  });

  it('prefers the resident ID over a card reading of the same digits', () => {
    expect(findPii('11010519491231002X').map((h) => h.type)).toEqual(['CN_ID']);
  });

  it('validates checksums directly', () => {
    expect(isValidCnId('11010519491231002X')).toBe(true);
    expect(isValidCnId('110105194913310028')).toBe(false); // month 13
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('0000000000000000')).toBe(false);
  });
});
