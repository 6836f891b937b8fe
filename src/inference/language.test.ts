import { describe, expect, it } from 'vitest';
import { detectLanguage, primaryLanguage } from './language.js';

describe('detectLanguage', () => {
  it.each([
    ['Where is my order?', 'en'],
    ['我的订单到哪里了？', 'zh'],
    ['我的 iPhone 15 充不进电了，怎么办？', 'zh'],
    ['訂單查詢', 'zh'],
    ['Please reply in Chinese: 请问退货流程是什么？', 'zh'],
    ['My order 订单 is late and nobody answers my emails', 'en'],
    ['注文はいつ届きますか', 'ja'],
    ['주문이 어디에 있나요?', 'ko'],
    ['Где мой заказ?', 'ru'],
    ['1234 !!! 😀', 'und'],
    ['', 'und'],
  ])('%s → %s', (text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });
});

describe('primaryLanguage', () => {
  it.each([
    ['zh-Hant-TW', 'zh'],
    ['EN_us', 'en'],
    ['zh', 'zh'],
  ])('%s → %s', (tag, expected) => {
    expect(primaryLanguage(tag)).toBe(expected);
  });
});
