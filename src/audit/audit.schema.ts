import { builder, editors } from '../schema/builder.js';
import { offsetConnection } from '../schema/pagination.js';
import { auditActions, type AuditEventRow, type AuditVerification } from './audit.service.js';

const parse = (s: string | null | undefined): unknown => (s == null ? null : (JSON.parse(s) as unknown));

const AuditEventRef = builder.objectRef<AuditEventRow>('AuditEvent').implement({
  description: 'One append-only audit event: who did what to which target, with the state before and after. `hash` chains it to the event before (verifyAuditLog).',
  fields: (t) => ({
    id: t.exposeID('id'),
    seq: t.exposeInt('seq'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    actor: t.id({ nullable: true, description: 'Key id of who acted.', resolve: (e) => e.actor }),
    actorName: t.string({ nullable: true, resolve: (e) => e.actorName }),
    actorRole: t.string({ nullable: true, resolve: (e) => e.actorRole }),
    action: t.exposeString('action', { description: auditActions.join(', ') }),
    targetType: t.exposeString('targetType'),
    targetId: t.exposeID('targetId'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => parse(e.before) }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => parse(e.after) }),
    details: t.field({ type: 'JSON', nullable: true, resolve: (e) => parse(e.details) }),
    prevHash: t.exposeString('prevHash'),
    hash: t.exposeString('hash'),
  }),
});

const AuditVerificationRef = builder.objectRef<AuditVerification>('AuditVerification').implement({
  description: 'The audit chain recomputed from the first event: ok when every hash, link and sequence number holds.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    checked: t.exposeInt('checked'),
    firstBadEventId: t.id({ nullable: true, resolve: (v) => v.firstBadEventId }),
    problem: t.string({ nullable: true, resolve: (v) => v.problem }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    itemId: t.id({ description: 'Events about this target (task, knowledge item, release, entity, key).' }),
    actor: t.id({ description: 'Key id of who acted.' }),
    action: t.string(),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.connection(
    {
      type: AuditEventRef,
      authScopes: { role: editors },
      description: 'The audit trail, newest first. There is no mutation that changes or deletes an event.',
      args: { filter: t.arg({ type: AuditFilter }) },
      resolve: (_r, args, ctx) =>
        offsetConnection(ctx, args, (page) =>
          ctx.services.audit.list(
            {
              itemId: args.filter?.itemId ? String(args.filter.itemId) : null,
              actor: args.filter?.actor ? String(args.filter.actor) : null,
              action: args.filter?.action ?? null,
              from: args.filter?.from ?? null,
              to: args.filter?.to ?? null,
            },
            page,
          ),
        ),
    },
    { name: 'AuditEventConnection', fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
    { name: 'AuditEventEdge' },
  ),
);

builder.queryField('verifyAuditLog', (t) =>
  t.field({
    type: AuditVerificationRef,
    authScopes: { role: editors },
    description: 'Recomputes the hash chain of the audit trail; firstBadEventId names the first event that was changed, removed or reordered.',
    resolve: (_r, _a, ctx) => ctx.services.audit.verify(),
  }),
);
