import { describe, expect, it } from 'vitest';
import { interpretAnswer, isCancel, looksLikeQuestion, pickEnumOption } from './slot-answer.js';

describe('free-text answers to process steps', () => {
  it.each([
    [['yes', 'no'], 'Yes please', 'yes'],
    [['yes', 'no'], 'nope, not yet', 'no'],
    [['yes', 'no'], "yes, it's not working", 'yes'],
    [['yes', 'no'], 'I do', 'yes'],
    [['是', '否'], '不是', '否'],
    [['是', '否'], '是的', '是'],
    [['store', 'courier'], "I'll drop it at the store", 'store'],
    [['replacement', 'refund'], 'a refund would be great', 'refund'],
    [['yes', 'no'], 'maybe later', null],
  ])('picks %j from "%s"', (values, text, expected) => {
    expect(pickEnumOption(values, text)).toBe(expected);
  });

  it('extracts-values-the-validator-accepts-from-a-sentence', () => {
    expect(interpretAnswer({ type: 'orderId' }, 'my order is NW-204518 thanks', 'en')).toBe('NW-204518');
    expect(interpretAnswer({ type: 'email' }, 'it is jo@example.com.', 'en')).toBe('jo@example.com');
    expect(interpretAnswer({ type: 'phone' }, 'call me on +65 9123 4567 please', 'en')).toBe('+65 9123 4567');
    expect(interpretAnswer({ type: 'string' }, 'the screen flickers', 'en')).toBe('the screen flickers');
    expect(interpretAnswer({ type: 'email' }, 'I do not remember', 'en')).toBe('I do not remember');
  });

  it('recognises-cancel-and-questions', () => {
    expect(isCancel('Cancel')).toBe(true);
    expect(isCancel('never mind.')).toBe(true);
    expect(isCancel('算了')).toBe(true);
    expect(isCancel('cancel my plan please')).toBe(false);
    expect(looksLikeQuestion('How long does delivery take?')).toBe(true);
    expect(looksLikeQuestion('NW-204518')).toBe(false);
  });
});
