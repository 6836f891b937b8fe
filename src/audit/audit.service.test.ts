import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH, type AuditEventRow } from './audit.service.js';

const event = (over: Partial<AuditEventRow> = {}): Omit<AuditEventRow, 'hash'> => ({
  id: 'e1', seq: 1, at: '2026-01-01T00:00:00.000Z', actor: 'k1', actorName: 'Ann', actorRole: 'EDITOR', action: 'review.approve',
  targetType: 'ReviewTask', targetId: 't1', before: '{"status":"OPEN"}', after: '{"status":"DONE"}', details: null, prevHash: GENESIS_HASH, ...over,
});

describe('audit event hash', () => {
  it('is stable for the same fields', () => {
    expect(eventHash(event())).toBe(eventHash(event()));
    expect(eventHash(event())).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([['after', { after: '{"status":"OPEN"}' }], ['actor', { actor: 'k2' }], ['previous hash', { prevHash: '1'.repeat(64) }], ['sequence', { seq: 2 }], ['time', { at: '2026-01-01T00:00:00.001Z' }]])(
    'changes when the %s changes',
    (_name, over) => {
      expect(eventHash(event(over as Partial<AuditEventRow>))).not.toBe(eventHash(event()));
    },
  );
});
