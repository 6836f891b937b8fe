import { assertMayChangeLive, assertMayPublishDirectly, assertMayPublishWithoutReview, assertMayWriteVisibility } from '../auth/policies.js';
import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { builder, editors, anyRole, KnowledgeStatusEnum, VisibilityEnum } from '../schema/builder.js';
import type { GraphQLContext } from '../schema/context.js';
import { offsetConnection } from '../schema/pagination.js';
import { EntityRef } from './entity.schema.js';
import { kindList, mergeContent, storedJson } from './kinds/index.js';
import { contentInputFields, patchInputFields } from './knowledge.inputs.js';
import { knowledgeKinds, type KnowledgeKind, type KnowledgeRow, type SourceRow, type VersionRow } from './knowledge.repository.js';
import { KNOWLEDGE_TOPIC, type KnowledgeEvent, type Transition } from './knowledge.service.js';

const KnowledgeKindEnum = builder.enumType('KnowledgeKind', { values: knowledgeKinds.map((k) => k.toUpperCase() as Uppercase<KnowledgeKind>) });
const toKind = (k: string) => k.toLowerCase() as KnowledgeKind;

const SourceRef = builder.objectRef<SourceRow>('KnowledgeSource').implement({
  description: 'Where a knowledge item was read from: the document, chunk and character offsets of the sentence.',
  fields: (t) => ({
    documentId: t.exposeID('documentId'),
    documentTitle: t.exposeString('documentTitle'),
    chunkId: t.exposeID('chunkId'),
    start: t.exposeInt('start'),
    end: t.exposeInt('end'),
    quote: t.exposeString('quote'),
  }),
});

const VersionRef = builder.objectRef<VersionRow>('KnowledgeVersion').implement({
  description: 'One entry of an item’s history: who changed what, when.',
  fields: (t) => ({
    version: t.exposeInt('version'),
    change: t.exposeString('change', { description: 'create, update, publish, archive, reject, submit, restore, link or unlink.' }),
    changedFields: t.stringList({ resolve: (v) => v.changedFields ?? [] }),
    status: t.field({ type: KnowledgeStatusEnum, resolve: (v) => v.status }),
    reason: t.string({ nullable: true, resolve: (v) => v.reason ?? null }),
    by: t.string({ nullable: true, resolve: (v) => v.by }),
    at: t.field({ type: 'DateTime', resolve: (v) => v.at }),
    snapshot: t.field({ type: 'JSON', nullable: true, description: 'The content as of this version (content changes only).', resolve: (v) => (v.snapshot ? JSON.parse(v.snapshot) : null) }),
  }),
});

export const KnowledgeItemRef = builder.interfaceRef<KnowledgeRow>('KnowledgeItem').implement({
  resolveType: (row) => kindTypes[row.kind].name,
  fields: (t) => ({
    id: t.exposeID('id'),
    externalId: t.exposeString('externalId', { nullable: true }),
    kind: t.exposeString('kind', { description: `${kindList()}.` }),
    status: t.field({ type: KnowledgeStatusEnum, resolve: (k) => k.status }),
    visibility: t.field({ type: VisibilityEnum, resolve: (k) => k.visibility }),
    version: t.exposeInt('version'),
    language: t.exposeString('language'),
    qualityScore: t.float({ nullable: true, resolve: (k) => k.qualityScore ?? null }),
    tags: t.stringList({ resolve: (k) => k.tags ?? [] }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (k) => k.updatedAt }),
    entities: t.loadableList({
      type: EntityRef,
      description: 'Entities this item is ABOUT.',
      load: (ids: string[], ctx) => ctx.services.knowledge.repo.entitiesOf(ids),
      resolve: (k) => k.id,
    }),
    sources: t.loadableList({
      type: SourceRef,
      description: 'Provenance: the source sentences it was derived from.',
      load: (ids: string[], ctx) => ctx.services.knowledge.repo.sourcesOf(ids, knowledgeAccess(ctx.viewer)),
      resolve: (k) => k.id,
    }),
    history: t.loadableList({
      type: VersionRef,
      authScopes: { role: ['AGENT', 'EDITOR', 'ADMIN', 'SERVICE'] },
      load: (ids: string[], ctx) => ctx.services.knowledge.repo.historyOf(ids),
      resolve: (k) => k.id,
    }),
  }),
});

// Entities point back at the knowledge about them (graph exploration); defined here to avoid an import cycle.
builder.objectField(EntityRef, 'knowledge', (t) =>
  t.loadableList({
    type: KnowledgeItemRef,
    description: 'Visible knowledge items ABOUT this entity, newest first (at most 20).',
    load: (ids: string[], ctx) => ctx.services.knowledge.entities.knowledgeOf(ids, 20, knowledgeAccess(ctx.viewer)),
    resolve: (e) => e.id,
  }),
);

/** Facts: other modules add fields (similar questions, src/learning). */
export const FactRef = builder.objectRef<KnowledgeRow>('Fact');
builder.objectType(FactRef, {
  interfaces: [KnowledgeItemRef],
  isTypeOf: (row) => (row as KnowledgeRow).kind === 'fact',
  fields: (t) => ({
    question: t.string({ nullable: true, resolve: (k) => k.question ?? null }),
    answer: t.string({ nullable: true, resolve: (k) => k.answer ?? null }),
    statement: t.string({ nullable: true, resolve: (k) => k.statement ?? null }),
  }),
});

const RuleRef = builder.objectRef<KnowledgeRow>('Rule');
builder.objectType(RuleRef, {
  interfaces: [KnowledgeItemRef],
  isTypeOf: (row) => (row as KnowledgeRow).kind === 'rule',
  fields: (t) => ({
    name: t.string({ resolve: (k) => k.name ?? '' }),
    when: t.field({ type: 'JSON', description: 'The condition (docs/knowledge-format.md).', resolve: (k) => storedJson(k, 'when', '{}') }),
    then: t.string({ resolve: (k) => k.then ?? '' }),
    otherwise: t.string({ nullable: true, resolve: (k) => k.otherwise ?? null }),
  }),
});

const ProcessRef = builder.objectRef<KnowledgeRow>('Process');
builder.objectType(ProcessRef, {
  interfaces: [KnowledgeItemRef],
  isTypeOf: (row) => (row as KnowledgeRow).kind === 'process',
  fields: (t) => ({
    name: t.string({ resolve: (k) => k.name ?? '' }),
    intent: t.string({ nullable: true, resolve: (k) => k.intent ?? null }),
    steps: t.field({ type: 'JSON', description: 'Steps with prompts, slots and branches (docs/knowledge-format.md).', resolve: (k) => storedJson(k, 'steps', '[]') }),
  }),
});

/** Each kind's GraphQL object type (KnowledgeItem.resolveType): a kind without one does not compile. */
const kindTypes: Readonly<Record<KnowledgeKind, { name: string }>> = { fact: FactRef, rule: RuleRef, process: ProcessRef };

const KnowledgeFilter = builder.inputType('KnowledgeFilter', {
  fields: (t) => ({
    kind: t.string({ description: `${kindList()}.` }),
    status: t.field({ type: KnowledgeStatusEnum }),
    visibility: t.field({ type: VisibilityEnum }),
    entity: t.id({ description: 'Only items ABOUT this entity.' }),
    language: t.string(),
    text: t.string({ description: 'Fulltext search over questions, answers, statements and names (English and Chinese).' }),
  }),
});

builder.queryFields((t) => ({
  knowledgeItem: t.field({
    type: KnowledgeItemRef,
    nullable: true,
    authScopes: { role: anyRole },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.knowledge.get(String(args.id), knowledgeAccess(ctx.viewer)),
  }),
  knowledgeItems: t.connection(
    {
      type: KnowledgeItemRef,
      authScopes: { role: anyRole },
      args: { filter: t.arg({ type: KnowledgeFilter }) },
      resolve: (_r, args, ctx) => {
        const f = args.filter ?? {};
        if (f.kind && !knowledgeKinds.includes(f.kind.toLowerCase() as KnowledgeKind)) {
          throw new AppError('BAD_USER_INPUT', `filter.kind must be ${kindList()}; got "${f.kind}".`);
        }
        return offsetConnection(ctx, args, (page) =>
          ctx.services.knowledge.repo.list(
            { kind: f.kind ? toKind(f.kind) : null, status: f.status, visibility: f.visibility, entityId: f.entity ? String(f.entity) : null, language: f.language, text: f.text },
            page,
            knowledgeAccess(ctx.viewer),
          ),
        );
      },
    },
    { fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
  ),
}));

// ---------- writes ----------

const KnowledgeInput = builder.inputType('KnowledgeInput', {
  description: 'A new knowledge item. Which fields apply depends on kind (see docs/knowledge-format.md).',
  fields: (t) => ({
    kind: t.field({ type: KnowledgeKindEnum, required: true }),
    externalId: t.string(),
    language: t.string({ description: 'en or zh; guessed from the text when omitted.' }),
    visibility: t.field({ type: VisibilityEnum, defaultValue: 'PUBLIC' }),
    entities: t.stringList({ description: 'Entity names or aliases; unknown names become Concept entities.' }),
    tags: t.stringList(),
    // Every kind's fields, from the kind registry.
    ...contentInputFields(t),
  }),
});

// The same field list as ReviewEdits (review.schema.ts); both are merged by `mergeContent`.
export const KnowledgePatch = builder.inputType('KnowledgePatch', {
  description: 'Changes to an item; omitted fields keep their value. Creates a new version.',
  fields: (t) => patchInputFields(t),
});

/** Writes act only on items the caller can see: an invisible item is NOT_FOUND, never FORBIDDEN (no existence leak). */
const loadVisible = async (ctx: GraphQLContext, id: string) => {
  const row = await ctx.services.knowledge.get(id, knowledgeAccess(ctx.viewer));
  if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
  return row;
};

builder.mutationFields((t) => ({
  createKnowledge: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description: 'Creates a DRAFT item (or PUBLISHED with publish: true).',
    args: { input: t.arg({ type: KnowledgeInput, required: true }), publish: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_r, { input, publish }, ctx) => {
      const content = mergeContent(toKind(input.kind), input);
      assertMayWriteVisibility(ctx.viewer, content.visibility);
      if (publish) {
        assertMayPublishWithoutReview(ctx.viewer);
        assertMayPublishDirectly(ctx.viewer, content.visibility);
      }
      // Publishing without review is audited, in the item's own transaction.
      const id = await ctx.services.knowledge.create(content, {
        status: publish ? 'PUBLISHED' : 'DRAFT',
        by: ctx.viewer.keyId,
        inTx: publish ? (tx, itemId) => ctx.services.audit.append(tx, ctx.viewer, { action: 'knowledge.publish', targetType: 'Knowledge', targetId: itemId, after: { status: 'PUBLISHED', version: 1 } }) : undefined,
      });
      return loadVisible(ctx, id);
    },
  }),
  updateKnowledge: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description:
      'Writes a new version of an item. A live (PUBLISHED) item changes at once — that is publishing, audited as knowledge.update — except RESTRICTED knowledge (or a change to or from RESTRICTED), which an EDITOR changes through review: proposeKnowledgeRevision.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: KnowledgePatch, required: true }) },
    resolve: async (_r, { id, input }, ctx) => {
      const current = await loadVisible(ctx, String(id));
      assertMayWriteVisibility(ctx.viewer, input.visibility);
      await ctx.services.knowledge.update(current.id, (base) => mergeContent(current.kind, input, base), ctx.viewer.keyId, {
        // Read in the write's transaction: the status and visibility the change applies to.
        check: (item, next) => {
          if (item.status === 'PUBLISHED') assertMayChangeLive(ctx.viewer, item.visibility, next.visibility);
        },
        inTx: (tx, change) =>
          ctx.services.audit.append(tx, ctx.viewer, {
            action: 'knowledge.update',
            targetType: 'Knowledge',
            targetId: change.id,
            before: { version: change.fromVersion, status: change.status, visibility: change.visibility.before },
            after: { version: change.toVersion, status: change.status, visibility: change.visibility.after },
            details: { fields: change.fields, live: change.status === 'PUBLISHED' },
          }),
      });
      return loadVisible(ctx, current.id);
    },
  }),
  ...Object.fromEntries(
    (
      [
        ['publishKnowledge', 'publish', 'Makes an item live, as a one-item release (see publishRelease): refused while its review task is open, or for RESTRICTED knowledge without two approvals.'],
        ['archiveKnowledge', 'archive', 'Takes an item out of service; it stays in the graph with its history.'],
        ['submitKnowledgeForReview', 'submit', 'Moves a draft to the review queue.'],
        ['rejectKnowledge', 'reject', 'Rejects a draft, with a reason.'],
        ['restoreKnowledge', 'restore', 'Brings an archived or rejected item back as a draft.'],
      ] as Array<[string, Transition, string]>
    ).map(([field, move, description]) => [
      field,
      t.field({
        type: KnowledgeItemRef,
        authScopes: { role: editors },
        description,
        args: { id: t.arg.id({ required: true }), reason: t.arg.string() },
        resolve: async (_r, args, ctx) => {
          const current = await loadVisible(ctx, String(args.id));
          if (move === 'publish') {
            // Going live is a release (review governance): refused while a review task is open or a
            // RESTRICTED item lacks its two approvals, audited, and rollbackRelease can take it back.
            await ctx.services.review.publishRelease(ctx.viewer, { publish: [current.id], archive: [], note: args.reason ?? null });
            return loadVisible(ctx, current.id);
          }
          // Other status moves are audited with the move, in one transaction.
          return ctx.services.review.moveItem(ctx.viewer, current.id, move, args.reason ?? null);
        },
      }),
    ]),
  ),
  linkEntity: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    args: { knowledgeId: t.arg.id({ required: true }), entityId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const current = await loadVisible(ctx, String(args.knowledgeId));
      return ctx.services.knowledge.link(current.id, String(args.entityId), true, ctx.viewer.keyId, (tx, item) =>
        ctx.services.audit.append(tx, ctx.viewer, { action: 'knowledge.link', targetType: 'Knowledge', targetId: item.id, after: { status: item.status, version: item.version }, details: { entityId: String(args.entityId), link: true } }),
      );
    },
  }),
  unlinkEntity: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    args: { knowledgeId: t.arg.id({ required: true }), entityId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const current = await loadVisible(ctx, String(args.knowledgeId));
      return ctx.services.knowledge.link(current.id, String(args.entityId), false, ctx.viewer.keyId, (tx, item) =>
        ctx.services.audit.append(tx, ctx.viewer, { action: 'knowledge.link', targetType: 'Knowledge', targetId: item.id, after: { status: item.status, version: item.version }, details: { entityId: String(args.entityId), link: false } }),
      );
    },
  }),
}));

// ---------- live changes for the review console ----------

const KnowledgeEventRef = builder.objectRef<KnowledgeEvent>('KnowledgeEvent').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    change: t.exposeString('change'),
    status: t.field({ type: KnowledgeStatusEnum, resolve: (e) => e.status }),
    version: t.exposeInt('version'),
    by: t.exposeString('by', { nullable: true }),
  }),
});

builder.subscriptionField('knowledgeChanged', (t) =>
  t.field({
    type: KnowledgeEventRef,
    description: 'Every change to knowledge (create, update, status moves, links), from any API replica.',
    authScopes: { role: editors },
    subscribe: (_r, _a, ctx) => ctx.services.pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC),
    resolve: (e) => e,
  }),
);
