import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskPii } from '../ingestion/pii.js';
import { DataProtector, REDACTED } from './data-protector.js';
import { FieldCipher, isEncrypted } from './field-cipher.js';

const key = () => randomBytes(32).toString('base64');
const mask = (t: string) => maskPii(t).text;

describe('FieldCipher', () => {
  it('round-trips and keeps the key id for rotation', () => {
    const old = { id: 'k1', key: key() };
    const c1 = new FieldCipher([old]);
    const enc = c1.encrypt('ada@example.com', 'conv-1');
    expect(enc).toMatch(/^enc:v1:k1:/);
    expect(enc).not.toContain('ada');
    // Rotated: new values use k2, old ones still decrypt with k1.
    const c2 = new FieldCipher([{ id: 'k2', key: key() }, old], 'k2');
    expect(FieldCipher.keyIdOf(c2.encrypt('x'))).toBe('k2');
    expect(c2.decrypt(enc, 'conv-1')).toBe('ada@example.com');
  });

  it('rejects-a-value-moved-to-another-owner-or-altered', () => {
    const c = new FieldCipher([{ id: 'k1', key: key() }]);
    const enc = c.encrypt('secret', 'conv-1');
    expect(() => c.decrypt(enc, 'conv-2')).toThrow(/integrity/);
    const tampered = `${enc.slice(0, -3)}${enc.endsWith('A') ? 'B' : 'A'}${enc.slice(-2)}`;
    expect(() => c.decrypt(tampered, 'conv-1')).toThrow();
    expect(() => new FieldCipher([{ id: 'short', key: randomBytes(16).toString('base64') }])).toThrow(/32 bytes/);
  });
});

describe('DataProtector', () => {
  const ctx = { customer: { email: 'ada@example.com', tier: 'gold', note: 'call 13812345678' }, order: { id: 'NW-1', ageDays: 3 } };

  it('encrypts-sensitive-context-fields-and-masks-the-rest', () => {
    const p = new DataProtector({ mask, cipher: new FieldCipher([{ id: 'k1', key: key() }]), sensitiveContextFields: ['customer.email'] });
    const stored = p.protectContext(ctx, 'c1');
    const json = JSON.stringify(stored);
    expect(json).not.toContain('ada@example.com');
    expect(json).not.toContain('13812345678');
    expect(isEncrypted((stored.customer as Record<string, unknown>).email)).toBe(true);
    expect(p.revealContext(stored, 'c1')).toEqual({ ...ctx, customer: { ...ctx.customer, note: 'call [PHONE]' } });
    // Protecting again leaves ciphertexts alone.
    expect(p.protectContext(stored, 'c1')).toEqual(stored);
  });

  it('redacts-sensitive-fields-without-a-key', () => {
    const p = new DataProtector({ mask, cipher: new FieldCipher([]), sensitiveContextFields: ['customer.email'] });
    expect(p.protectContext(ctx, 'c1')).toMatchObject({ customer: { email: REDACTED, tier: 'gold' } });
    expect(p.protectValue('ada@example.com', 'c1')).toBe('[EMAIL]');
    expect(JSON.parse(p.sealJson({ a: 'ada@example.com' }, 'x'))).toEqual({ a: '[EMAIL]' });
  });

  it('encrypts-only-collected-values-that-hold-personal-data', () => {
    const p = new DataProtector({ mask, cipher: new FieldCipher([{ id: 'k1', key: key() }]) });
    expect(p.protectValue('NW-204518', 'c')).toBe('NW-204518');
    expect(p.protectValue(42, 'c')).toBe(42);
    const enc = p.protectValue('ada@example.com', 'c');
    expect(isEncrypted(enc)).toBe(true);
    expect(p.revealValue(enc, 'c')).toBe('ada@example.com');
    expect(p.openJson(p.sealJson({ a: 1 }, 'x'), 'x')).toEqual({ a: 1 });
  });
});
