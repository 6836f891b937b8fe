import { createHash, randomUUID } from 'node:crypto';
import type { Viewer } from '../auth/roles.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';

/** What is audited. Adding an action is a schema change (AuditAction enum), on purpose. */
export const auditActions = [
  'review.approve',
  'review.reject',
  'review.assign',
  'review.propose',
  'knowledge.publish',
  'knowledge.update',
  'knowledge.link',
  'knowledge.status',
  'knowledge.rollback',
  'release.publish',
  'release.rollback',
  'document.approve',
  'entity.merge',
  'entity.unmerge',
  'apikey.create',
  'apikey.revoke',
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditInput {
  action: AuditAction;
  targetType: 'ReviewTask' | 'Knowledge' | 'Release' | 'Document' | 'Entity' | 'ApiKey' | 'Import';
  targetId: string;
  /** State before and after (plain JSON; kept as text, hashed as written). */
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

export interface AuditEventRow {
  id: string;
  seq: number;
  at: string;
  actor: string | null;
  actorName: string | null;
  actorRole: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string;
  before: string | null;
  after: string | null;
  details: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadEventId: string | null;
  problem: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * The hash of an event: SHA-256 over its fields in a fixed order and the previous event's hash, so
 * changing, removing or reordering any event breaks every hash after it.
 */
export function eventHash(e: Omit<AuditEventRow, 'hash'>): string {
  const fields = [e.seq, e.id, e.at, e.actor, e.actorName, e.actorRole, e.action, e.targetType, e.targetId, e.before, e.after, e.details, e.prevHash];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * An append-only, hash-chained audit trail in the graph. Events are appended inside the audited
 * transaction (the change and its event commit together, or neither), serialised by a lock on the
 * chain's head node, which also remembers the last hash so a truncated log is detected. There is no
 * update or delete path in the API; tampering through the database is what {@link AuditService.verify} finds.
 */
export class AuditService {
  constructor(private readonly executor: CypherExecutor) {}

  /** Appends an event in the caller's transaction. */
  async append(tx: Tx, viewer: Pick<Viewer, 'keyId' | 'name' | 'role'>, input: AuditInput): Promise<string> {
    const [head] = await tx.run('audit/lock-chain');
    const base = {
      id: randomUUID(),
      seq: Number(head?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      actor: viewer.keyId,
      actorName: viewer.name,
      actorRole: viewer.role,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId,
      before: json(input.before),
      after: json(input.after),
      details: json(input.details),
      prevHash: String(head?.hash ?? GENESIS_HASH),
    };
    const e: AuditEventRow = { ...base, hash: eventHash(base) };
    await tx.run('audit/append', { e });
    return e.id;
  }

  /** Appends an event in a transaction of its own. */
  record(viewer: Pick<Viewer, 'keyId' | 'name' | 'role'>, input: AuditInput): Promise<string> {
    return this.executor.writeTx('audit/record', (tx) => this.append(tx, viewer, input));
  }

  async list(
    filter: { itemId?: string | null; actor?: string | null; action?: string | null; from?: Date | null; to?: Date | null },
    page: { skip: number; limit: number },
  ): Promise<{ total: number; items: AuditEventRow[] }> {
    const [row] = await this.executor.read('audit/list', {
      itemId: filter.itemId ?? null,
      actor: filter.actor ?? null,
      action: filter.action ?? null,
      from: filter.from ? filter.from.toISOString() : null,
      to: filter.to ? filter.to.toISOString() : null,
      ...page,
    });
    return { total: row?.total ?? 0, items: row?.items ?? [] };
  }

  /**
   * Recomputes the chain from the first event: each hash from its fields, each link to the previous
   * hash, sequence numbers without gaps, and the head's anchor at the end. Reads 1,000 events a query.
   */
  async verify(pageSize = 1000): Promise<AuditVerification> {
    let prevHash = GENESIS_HASH;
    let prevSeq = 0;
    let checked = 0;
    const bad = (e: AuditEventRow | null, problem: string): AuditVerification => ({ ok: false, checked, firstBadEventId: e?.id ?? null, problem });
    for (;;) {
      const rows = await this.executor.read('audit/chain-page', { afterSeq: prevSeq, limit: pageSize });
      for (const r of rows) {
        const e = r.event as AuditEventRow;
        checked++;
        if (e.seq !== prevSeq + 1) return bad(e, `event ${e.seq} follows ${prevSeq}: events are missing`);
        if (e.prevHash !== prevHash) return bad(e, `event ${e.seq} does not link to the event before it`);
        const { hash, ...fields } = e;
        const expected = eventHash({
          id: fields.id, seq: fields.seq, at: fields.at, actor: fields.actor ?? null, actorName: fields.actorName ?? null, actorRole: fields.actorRole ?? null,
          action: fields.action, targetType: fields.targetType, targetId: fields.targetId, before: fields.before ?? null, after: fields.after ?? null,
          details: fields.details ?? null, prevHash: fields.prevHash,
        });
        if (expected !== hash) return bad(e, `event ${e.seq} was changed after it was written`);
        prevHash = hash;
        prevSeq = e.seq;
      }
      if (rows.length < pageSize) break;
    }
    const [head] = await this.executor.read('audit/head');
    if (head && (Number(head.seq) !== prevSeq || String(head.hash) !== prevHash)) {
      return bad(null, `the chain ends at event ${prevSeq} but its head says ${String(head.seq)}: events were removed from the end`);
    }
    return { ok: true, checked, firstBadEventId: null, problem: null };
  }
}
