import { describe, expect, it } from 'vitest';
import { isIsoDate, parseIsoDate } from './iso-date.js';

describe('parseIsoDate', () => {
  it.each<[string, string]>([
    ['2024-05-31', '2024-05-31T00:00:00.000Z'],
    ['2024-05-31T10:00', '2024-05-31T10:00:00.000Z'],
    ['2024-05-31T10:00:30Z', '2024-05-31T10:00:30.000Z'],
    ['2024-05-31T10:00:30.25Z', '2024-05-31T10:00:30.250Z'],
    ['2024-05-31T10:00:30.123456789Z', '2024-05-31T10:00:30.123Z'],
    ['2024-05-31 18:00+08:00', '2024-05-31T10:00:00.000Z'],
    ['2024-05-31T05:30-0430', '2024-05-31T10:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0050-01-01', '0050-01-01T00:00:00.000Z'],
  ])('reads %s as %s (zone-less is UTC)', (text, iso) => {
    expect(new Date(parseIsoDate(text) ?? Number.NaN).toISOString()).toBe(iso);
  });

  it.each(['2023-02-29', '2024-13-01', '2024-04-31', '2024-05-31T24:00', '2024-05-31T10:60', '31/05/2024', '2024-5-31', '20240531', 'soon', '2024-05-31T10:00+25:00'])(
    'rejects %s',
    (text) => {
      expect(parseIsoDate(text)).toBeUndefined();
      expect(isIsoDate(text)).toBe(false);
    },
  );
});
