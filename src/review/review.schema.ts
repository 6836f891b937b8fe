import { knowledgeAccess } from '../auth/roles.js';
import { EntityRef } from '../knowledge/entity.schema.js';
import { KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import { builder, editors, VisibilityEnum } from '../schema/builder.js';
import { offsetConnection } from '../schema/pagination.js';
import { reviewTaskStatuses, reviewTaskTypes, type ReviewTaskRow } from './review.repository.js';
import type { ReviewEdits } from './review.service.js';

const ReviewTaskTypeEnum = builder.enumType('ReviewTaskType', {
  values: Object.fromEntries(reviewTaskTypes.map((t) => [t.toUpperCase().replace('-', '_'), { value: t }])) as Record<'DRAFT' | 'ENTITY_MERGE' | 'SOURCE_REMOVED', { value: (typeof reviewTaskTypes)[number] }>,
});
const ReviewTaskStatusEnum = builder.enumType('ReviewTaskStatus', { values: reviewTaskStatuses });

const ReviewSourceRef = builder.objectRef<ReviewTaskRow>('ReviewSource').implement({
  description: 'The passage a draft was read from: `start`/`end` are offsets into the document text, `quote` is that text.',
  fields: (t) => ({
    documentId: t.id({ nullable: true, resolve: (r) => r.documentId }),
    documentTitle: t.string({ nullable: true, resolve: (r) => r.documentTitle }),
    chunkId: t.id({ nullable: true, resolve: (r) => r.chunkId }),
    start: t.int({ nullable: true, resolve: (r) => r.start }),
    end: t.int({ nullable: true, resolve: (r) => r.end }),
    quote: t.string({ resolve: (r) => r.quote ?? '' }),
  }),
});

const ReviewTaskRef = builder.objectRef<ReviewTaskRow>('ReviewTask').implement({
  description: 'Something the machines proposed and an editor decides: a knowledge draft, an uncertain entity merge, or a live item whose source sentence disappeared.',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.exposeString('type', { description: 'draft, entity-merge or source-removed.' }),
    status: t.exposeString('status', { description: 'OPEN or DONE.' }),
    kind: t.exposeString('kind', { description: 'What the task is about: fact, rule, process, or entity.' }),
    reason: t.string({ nullable: true, description: 'Why the task exists (e.g. "conditional sentence").', resolve: (r) => r.reason }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    item: t.field({
      type: KnowledgeItemRef,
      nullable: true,
      description: 'The knowledge item (draft and source-removed tasks).',
      resolve: (r, _a, ctx) => (r.targetLabel === 'Knowledge' ? ctx.services.knowledge.get(r.targetId, knowledgeAccess(ctx.viewer)) : null),
    }),
    entity: t.loadable({
      type: EntityRef,
      nullable: true,
      description: 'The new entity (entity-merge tasks).',
      load: (ids: string[], ctx) => ctx.services.knowledge.entities.getByIds(ids),
      resolve: (r) => (r.targetLabel === 'Entity' ? r.targetId : null),
    }),
    candidate: t.loadable({
      type: EntityRef,
      nullable: true,
      description: 'The existing entity it may be (entity-merge tasks).',
      load: (ids: string[], ctx) => ctx.services.knowledge.entities.getByIds(ids),
      resolve: (r) => r.candidateId,
    }),
    score: t.float({ nullable: true, description: 'Name similarity of an entity-merge suggestion (cosine).', resolve: (r) => r.score }),
    source: t.field({ type: ReviewSourceRef, nullable: true, resolve: (r) => (r.quote !== null || r.documentId !== null ? r : null) }),
    decision: t.string({ nullable: true, description: 'approved, rejected or merged.', resolve: (r) => r.decision }),
    decidedBy: t.string({ nullable: true, resolve: (r) => r.decidedBy }),
    decidedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.decidedAt }),
    note: t.string({ nullable: true, description: 'The reason given when rejecting.', resolve: (r) => r.note }),
  }),
});

const ReviewEditsInput = builder.inputType('ReviewEdits', {
  description: 'Changes to a draft made while approving it; omitted fields keep their value (a new version is recorded).',
  fields: (t) => ({
    question: t.string(),
    answer: t.string(),
    statement: t.string(),
    name: t.string(),
    when: t.field({ type: 'JSON', description: 'The rule condition (replaces a placeholder condition).' }),
    then: t.string(),
    otherwise: t.string(),
    intent: t.string(),
    steps: t.field({ type: 'JSON' }),
    entities: t.stringList(),
    tags: t.stringList(),
    language: t.string(),
    visibility: t.field({ type: VisibilityEnum }),
  }),
});

builder.queryField('reviewQueue', (t) =>
  t.connection(
    {
      type: ReviewTaskRef,
      authScopes: { role: editors },
      description: 'Review tasks, oldest first (open ones unless status says otherwise), with the source passage of each draft.',
      args: {
        type: t.arg({ type: ReviewTaskTypeEnum }),
        status: t.arg({ type: ReviewTaskStatusEnum, defaultValue: 'OPEN' }),
        document: t.arg.id({ description: 'Only the tasks of this document version (IngestionJob.documentId).' }),
      },
      resolve: (_r, args, ctx) =>
        offsetConnection(ctx, args, (page) => ctx.services.review.queue(ctx.viewer, { status: args.status ?? null, type: args.type ?? null, documentId: args.document ? String(args.document) : null }, page)),
    },
    { name: 'ReviewTaskConnection', fields: (c) => ({ totalCount: c.int({ resolve: (conn) => (conn as unknown as { totalCount: number }).totalCount }) }) },
    { name: 'ReviewTaskEdge' },
  ),
);

builder.mutationFields((t) => ({
  approveReviewTask: t.field({
    type: ReviewTaskRef,
    authScopes: { role: editors },
    description: 'Approves a task: a draft is published (with the edits, if any); a source-removed item stays live; an entity merge is carried out.',
    args: { id: t.arg.id({ required: true }), edits: t.arg({ type: ReviewEditsInput }) },
    resolve: (_r, args, ctx) => ctx.services.review.approve(ctx.viewer, String(args.id), (args.edits as ReviewEdits | null | undefined) ?? null),
  }),
  rejectReviewTask: t.field({
    type: ReviewTaskRef,
    authScopes: { role: editors },
    description: 'Rejects a task: a draft moves to REJECTED, a source-removed item is archived, an entity merge is not made. The reason is kept in the history.',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.review.reject(ctx.viewer, String(args.id), args.reason),
  }),
}));
