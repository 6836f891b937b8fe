import { describe, expect, it } from 'vitest';
import { generatePassword } from './local-services.js';

describe('local service passwords', () => {
  it('never start with "-" (neo4j-admin would read it as an option), even from the bytes that used to', () => {
    // 0xf8.. encodes to "-" as the first base64url character: the old generator failed on these.
    expect(Buffer.from([0xf8, 0, 0]).toString('base64url').startsWith('-')).toBe(true);
    expect(generatePassword(new Uint8Array([0xf8, ...new Array<number>(15).fill(0)]))).toMatch(/^[0-9a-f]{32}$/u);
  });

  it.each(Array.from({ length: 5 }, (_, i) => i))('draws 2,000 random passwords of 32 hex digits (batch %i)', () => {
    for (let i = 0; i < 2000; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[0-9a-f]{32}$/u);
    }
  });
});
