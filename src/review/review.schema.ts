import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { EntityRef } from '../knowledge/entity.schema.js';
import { knowledgeKinds } from '../knowledge/knowledge.repository.js';
import { patchInputFields } from '../knowledge/knowledge.inputs.js';
import { kindList } from '../knowledge/kinds/index.js';
import { KnowledgeItemRef, KnowledgePatch } from '../knowledge/knowledge.schema.js';
import type { KnowledgePatch as KnowledgePatchValue } from '../knowledge/kinds/index.js';
import { KNOWLEDGE_TOPIC, type KnowledgeEvent } from '../knowledge/knowledge.service.js';
import { builder, editors } from '../schema/builder.js';
import type { GraphQLContext } from '../schema/context.js';
import { offsetConnection } from '../schema/pagination.js';
import type { MergeResult } from './entity-merge.js';
import type { ReleaseEntry, ReleasePlan, ReleaseProblem, ReleaseRow } from './release.service.js';
import type { DuplicateSuspect, EntityChange, GraphDiff, ItemChange, KnowledgeConflict, RelationChange } from './review.diff.js';
import { REVIEW_TOPIC, type ReviewQueueEvent } from './review.events.js';
import { reviewTaskStatuses, reviewTaskTypes, type ReviewTaskRow } from './review.repository.js';
import { requiredApprovals, type BulkOutcome, type ReviewEdits } from './review.service.js';

/** Knowledge items of a page of tasks, conflicts or release entries: one query per page, not per row. */
const loadItems = (ids: string[], ctx: GraphQLContext) => ctx.services.knowledge.repo.getByIds(ids, knowledgeAccess(ctx.viewer));

const ReviewTaskTypeEnum = builder.enumType('ReviewTaskType', {
  values: Object.fromEntries(reviewTaskTypes.map((t) => [t.toUpperCase().replace('-', '_'), { value: t }])) as Record<'DRAFT' | 'ENTITY_MERGE' | 'SOURCE_REMOVED' | 'QUALITY' | 'SUGGESTION' | 'REVISION', { value: (typeof reviewTaskTypes)[number] }>,
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

/** An expected, user-actionable failure of a review action, returned as data (Pothos errors plugin). */
export class ReviewActionError extends Error {
  override name = 'ReviewActionError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
builder.objectType(ReviewActionError, {
  name: 'ReviewActionError',
  description: 'Why a review action was refused: code CONFLICT (already decided, stale revision, already undone), NOT_FOUND, BAD_USER_INPUT (e.g. an entity merged into itself) or FORBIDDEN. Nothing was written.',
  fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
});
/** Turns a client AppError into a typed result; faults stay errors. */
async function asResult<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && (err.category === 'client' || err.code === 'FORBIDDEN')) throw new ReviewActionError(err.code, err.message);
    throw err;
  }
}

const ChangeEnum = builder.enumType('GraphChange', { values: ['ADDED', 'MODIFIED', 'REMOVED', 'LINKED', 'CHANGED', 'REWIRED', 'DELETED'] as const });

const ItemChangeRef = builder.objectRef<ItemChange>('ItemChange').implement({
  description: 'A knowledge item the task adds, modifies (fields differ from the live version) or removes.',
  fields: (t) => ({
    itemId: t.exposeID('itemId'),
    change: t.field({ type: ChangeEnum, resolve: (c) => c.change }),
    kind: t.exposeString('kind'),
    fields: t.exposeStringList('fields'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.after }),
  }),
});
const EntityChangeRef = builder.objectRef<EntityChange>('EntityChange').implement({
  description: 'An entity the task adds (new with this document), links, changes (a merge adds an alias) or removes (merged away).',
  fields: (t) => ({
    entityId: t.exposeID('entityId'),
    name: t.exposeString('name'),
    type: t.string({ nullable: true, resolve: (e) => e.type }),
    change: t.field({ type: ChangeEnum, resolve: (e) => e.change }),
    detail: t.string({ nullable: true, resolve: (e) => e.detail }),
  }),
});
const RelationChangeRef = builder.objectRef<RelationChange>('RelationChange').implement({
  description: 'A typed relation between entities read from the source span (ADDED), or moved to the kept entity of a merge (REWIRED).',
  fields: (t) => ({
    type: t.exposeString('type'),
    fromId: t.exposeID('fromId'),
    fromName: t.exposeString('fromName'),
    toId: t.exposeID('toId'),
    toName: t.exposeString('toName'),
    confidence: t.float({ nullable: true, resolve: (r) => r.confidence }),
    evidence: t.string({ nullable: true, resolve: (r) => r.evidence }),
    change: t.field({ type: ChangeEnum, resolve: (r) => r.change }),
  }),
});
const DuplicateRef = builder.objectRef<DuplicateSuspect>('SuspectedDuplicate').implement({
  description: 'An entity of this change that may be the same as an existing one (an open entity-merge suggestion).',
  fields: (t) => ({
    entityId: t.exposeID('entityId'),
    entityName: t.exposeString('entityName'),
    candidateId: t.exposeID('candidateId'),
    candidateName: t.exposeString('candidateName'),
    score: t.float({ nullable: true, resolve: (d) => d.score }),
    taskId: t.exposeID('taskId'),
  }),
});
const GraphDiffRef = builder.objectRef<GraphDiff>('GraphDiff').implement({
  description: 'What approving the task changes in the graph.',
  fields: (t) => ({
    items: t.field({ type: [ItemChangeRef], resolve: (d) => d.items }),
    entities: t.field({ type: [EntityChangeRef], resolve: (d) => d.entities }),
    relations: t.field({ type: [RelationChangeRef], resolve: (d) => d.relations }),
    duplicates: t.field({ type: [DuplicateRef], resolve: (d) => d.duplicates }),
  }),
});
const ConflictKindEnum = builder.enumType('KnowledgeConflictKind', { values: ['VALUE', 'RULE_OVERLAP'] as const });
const ConflictRef = builder.objectRef<KnowledgeConflict>('KnowledgeConflict').implement({
  description: 'Published knowledge the proposal contradicts: the same entity and attribute with a different value (VALUE), or a rule that can fire for the same context with another outcome (RULE_OVERLAP).',
  fields: (t) => ({
    kind: t.field({ type: ConflictKindEnum, resolve: (c) => c.kind }),
    item: t.loadable({ type: KnowledgeItemRef, nullable: true, load: loadItems, resolve: (c) => c.itemId }),
    itemId: t.exposeID('itemId'),
    entityId: t.id({ nullable: true, resolve: (c) => c.entityId }),
    entityName: t.string({ nullable: true, resolve: (c) => c.entityName }),
    message: t.exposeString('message'),
    proposed: t.exposeStringList('proposed'),
    published: t.exposeStringList('published'),
  }),
});
const ApprovalRef = builder.objectRef<{ by: string; name: string | null; at: string | null }>('Approval').implement({
  fields: (t) => ({
    by: t.exposeID('by', { description: 'Key id of the approving editor.' }),
    name: t.string({ nullable: true, resolve: (a) => a.name }),
    at: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.at }),
  }),
});

const ReleaseStatusEnum = builder.enumType('ReleaseStatus', { values: ['PUBLISHED', 'ROLLED_BACK'] as const });
const ReleaseChangeEnum = builder.enumType('ReleaseChange', { values: ['ADDED', 'MODIFIED', 'DELETED'] as const });
const ReleaseEntryRef = builder.objectRef<ReleaseEntry | ReleaseRow['entries'][number]>('ReleaseEntry').implement({
  description: 'One item of a release: ADDED (first time live), MODIFIED (live before with other content; `fields` differ) or DELETED (taken down).',
  fields: (t) => ({
    itemId: t.exposeID('itemId'),
    item: t.loadable({ type: KnowledgeItemRef, nullable: true, load: loadItems, resolve: (e) => e.itemId }),
    change: t.field({ type: ReleaseChangeEnum, resolve: (e) => e.change }),
    fromStatus: t.exposeString('fromStatus'),
    toStatus: t.exposeString('toStatus'),
    version: t.exposeInt('version'),
    fields: t.stringList({ resolve: (e) => e.fields ?? [] }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => ('before' in e ? e.before : null) }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => ('after' in e ? e.after : null) }),
  }),
});
export const ReleaseRef = builder.objectRef<ReleaseRow>('Release').implement({
  description: 'Approved changes that went live together; rollbackRelease takes them back.',
  fields: (t) => ({
    id: t.exposeID('id'),
    note: t.string({ nullable: true, resolve: (r) => r.note }),
    status: t.field({ type: ReleaseStatusEnum, resolve: (r) => r.status }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    createdBy: t.string({ nullable: true, resolve: (r) => r.createdBy }),
    rolledBackAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.rolledBackAt }),
    rolledBackBy: t.string({ nullable: true, resolve: (r) => r.rolledBackBy }),
    entries: t.field({ type: [ReleaseEntryRef], resolve: (r) => r.entries }),
  }),
});
const ReleaseProblemRef = builder.objectRef<ReleaseProblem>('ReleaseProblem').implement({
  fields: (t) => ({ itemId: t.exposeID('itemId'), code: t.exposeString('code'), message: t.exposeString('message') }),
});
const ReleasePreviewRef = builder.objectRef<ReleasePlan>('ReleasePreview').implement({
  description: 'What publishRelease would change (entries), and what stands in its way (problems: the release is refused while there are any).',
  fields: (t) => ({
    entries: t.field({ type: [ReleaseEntryRef], resolve: (p) => p.entries }),
    problems: t.field({ type: [ReleaseProblemRef], resolve: (p) => p.problems }),
    publishable: t.boolean({ resolve: (p) => p.problems.length === 0 }),
  }),
});

const ReviewTaskRef = builder.objectRef<ReviewTaskRow>('ReviewTask').implement({
  description: 'Something the machines proposed and an editor decides: a knowledge draft, an uncertain entity merge, or a live item whose source sentence disappeared.',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.exposeString('type', {
      description: 'draft, entity-merge, source-removed, quality (a live item whose quality score fell), suggestion (a finding of src/learning) or revision (a proposed change to a live item: diff.items shows it).',
    }),
    baseVersion: t.int({ nullable: true, description: 'The live version a revision was proposed on.', resolve: (r) => r.baseVersion }),
    proposedBy: t.id({ nullable: true, description: 'Key id of the editor who proposed a revision.', resolve: (r) => r.proposedBy }),
    mergeId: t.id({ nullable: true, description: 'The merge an approved entity-merge task carried out, for undoEntityMerge (null once undone).', resolve: (r) => r.mergeId }),
    status: t.exposeString('status', { description: 'OPEN or DONE.' }),
    kind: t.exposeString('kind', { description: 'What the task is about: fact, rule, process, or entity.' }),
    reason: t.string({ nullable: true, description: 'Why the task exists (e.g. "conditional sentence").', resolve: (r) => r.reason }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    item: t.loadable({
      type: KnowledgeItemRef,
      nullable: true,
      description: 'The knowledge item (draft and source-removed tasks).',
      load: loadItems,
      resolve: (r) => (r.targetLabel === 'Knowledge' ? r.targetId : null),
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
    revision: t.int({ description: 'Changes with every action on the task; pass it as expectedRevision to refuse acting on a stale view.', resolve: (r) => r.rev }),
    confidence: t.float({ description: 'Extraction confidence: name similarity of a merge suggestion; for drafts, the confidence of the extraction rule that produced it.', resolve: (r) => r.confidence }),
    assignee: t.id({ nullable: true, description: 'Key id of the editor the task is assigned to.', resolve: (r) => r.assignee }),
    assignedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.assignedAt }),
    approvals: t.field({
      type: [ApprovalRef],
      description: 'Approvals given so far (of the current content).',
      resolve: (r) => r.approvedBy.map((by, i) => ({ by, name: r.approvedByNames[i] ?? null, at: r.approvedAt[i] ?? null })),
    }),
    requiredApprovals: t.int({ description: '2 for RESTRICTED knowledge (two different editors), else 1.', resolve: (r) => requiredApprovals(r) }),
    diff: t.loadable({
      type: GraphDiffRef,
      description: 'The graph change approving this task applies: items, entities, relations, suspected duplicates.',
      load: (ids: string[], ctx) => ctx.services.review.diffs.diffs(ids),
      resolve: (r) => r.id,
    }),
    conflicts: t.loadableList({
      type: ConflictRef,
      description: 'Published knowledge this draft contradicts.',
      load: (tasks: ReviewTaskRow[], ctx) => ctx.services.review.diffs.conflicts(tasks, knowledgeAccess(ctx.viewer).visibilities),
      loaderOptions: { cacheKeyFn: (task: ReviewTaskRow) => task.id },
      resolve: (r) => r,
    }),
    release: t.loadable({
      type: ReleaseRef,
      nullable: true,
      description: 'The release that published the approved item.',
      load: (ids: string[], ctx) => ctx.services.review.releases.get(ids),
      resolve: (r) => r.releaseId,
    }),
  }),
});

const ReviewEditsInput = builder.inputType('ReviewEdits', {
  description: 'Changes to a draft made while approving it; omitted fields keep their value (a new version is recorded).',
  // KnowledgePatch's field list (knowledge.inputs.ts), merged by the same `mergeContent`.
  fields: (t) => patchInputFields(t, { when: 'The rule condition (replaces a placeholder condition).' }),
});

builder.queryField('reviewQueue', (t) =>
  t.connection(
    {
      type: ReviewTaskRef,
      authScopes: { role: editors },
      description: 'Review tasks, oldest first (open ones unless status says otherwise), with the source passage, graph diff and conflicts of each.',
      args: {
        type: t.arg({ type: ReviewTaskTypeEnum }),
        status: t.arg({ type: ReviewTaskStatusEnum, defaultValue: 'OPEN' }),
        kind: t.arg.string({ description: `${kindList(['entity'])}.` }),
        document: t.arg.id({ description: 'Only the tasks of this document version (IngestionJob.documentId).' }),
        assignee: t.arg.id({ description: 'Only tasks assigned to this key id.' }),
        unassigned: t.arg.boolean({ description: 'Only tasks assigned to nobody.' }),
        minConfidence: t.arg.float(),
        maxConfidence: t.arg.float(),
        createdBefore: t.arg({ type: 'DateTime', description: 'Only tasks older than this (age filter).' }),
        createdAfter: t.arg({ type: 'DateTime', description: 'Only tasks created at or after this.' }),
      },
      resolve: (_r, args, ctx) => {
        if (args.kind && ![...knowledgeKinds, 'entity'].includes(args.kind)) throw new AppError('BAD_USER_INPUT', `kind must be ${kindList(['entity'])}; got ${args.kind}.`);
        if (args.assignee && args.unassigned) throw new AppError('BAD_USER_INPUT', 'Give assignee or unassigned, not both.');
        for (const [name, v] of [['minConfidence', args.minConfidence], ['maxConfidence', args.maxConfidence]] as const) {
          if (v != null && (v < 0 || v > 1)) throw new AppError('BAD_USER_INPUT', `${name} must be between 0 and 1; got ${v}.`);
        }
        return offsetConnection(ctx, args, (page) =>
          ctx.services.review.queue(
            ctx.viewer,
            {
              status: args.status ?? null,
              type: args.type ?? null,
              kind: args.kind ?? null,
              documentId: args.document ? String(args.document) : null,
              assignee: args.unassigned ? '' : args.assignee ? String(args.assignee) : null,
              minConfidence: args.minConfidence ?? null,
              maxConfidence: args.maxConfidence ?? null,
              createdBefore: args.createdBefore ?? null,
              createdAfter: args.createdAfter ?? null,
            },
            page,
          ),
        );
      },
    },
    { name: 'ReviewTaskConnection', fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
    { name: 'ReviewTaskEdge' },
  ),
);

builder.queryFields((t) => ({
  reviewTask: t.field({
    type: ReviewTaskRef,
    nullable: true,
    authScopes: { role: editors },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => (await ctx.services.review.repo.getByIds([String(args.id)], knowledgeAccess(ctx.viewer).visibilities))[0] ?? null,
  }),
  release: t.field({
    type: ReleaseRef,
    nullable: true,
    authScopes: { role: editors },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => (await ctx.services.review.releases.get([String(args.id)]))[0] ?? null,
  }),
  releasePreview: t.field({
    type: ReleasePreviewRef,
    authScopes: { role: editors },
    description: 'The diff publishRelease would apply to these items, before it is published.',
    args: { ids: t.arg.idList({ required: true, description: 'Items to publish.' }), archive: t.arg.idList({ description: 'Live items to take down in the same release.' }) },
    resolve: (_r, args, ctx) => ctx.services.review.releases.preview(ctx.viewer, { publish: args.ids.map(String), archive: (args.archive ?? []).map(String) }),
  }),
}));

builder.queryField('releases', (t) =>
  t.connection(
    {
      type: ReleaseRef,
      authScopes: { role: editors },
      description: 'Releases, newest first.',
      resolve: (_r, args, ctx) => offsetConnection(ctx, args, (page) => ctx.services.review.releases.list(page)),
    },
    { name: 'ReleaseConnection', fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
    { name: 'ReleaseEdge' },
  ),
);

const ReviewActionEnum = builder.enumType('ReviewAction', { values: ['APPROVE', 'REJECT'] as const });
const BulkItemRef = builder.objectRef<BulkOutcome>('BulkReviewItem').implement({
  description: 'The outcome for one task of a bulk action: the task, or the typed error that refused it (nothing written for that task).',
  fields: (t) => ({
    id: t.exposeID('id'),
    ok: t.boolean({ resolve: (o) => o.error === null }),
    task: t.field({ type: ReviewTaskRef, nullable: true, resolve: (o) => o.task }),
    code: t.string({ nullable: true, resolve: (o) => o.error?.code ?? null }),
    message: t.string({ nullable: true, resolve: (o) => o.error?.message ?? null }),
  }),
});
const BulkResultRef = builder.objectRef<BulkOutcome[]>('BulkReviewResult').implement({
  fields: (t) => ({
    succeeded: t.int({ resolve: (r) => r.filter((o) => o.error === null).length }),
    failed: t.int({ resolve: (r) => r.filter((o) => o.error !== null).length }),
    items: t.field({ type: [BulkItemRef], resolve: (r) => r }),
  }),
});
const EntityMergeRef = builder.objectRef<MergeResult & { undone?: boolean; reopenedTaskIds?: string[] }>('EntityMerge').implement({
  description: 'An entity merge (undo it with undoEntityMerge and this id).',
  fields: (t) => ({
    id: t.exposeID('mergeId'),
    sourceId: t.exposeID('sourceId'),
    targetId: t.exposeID('targetId'),
    target: t.loadable({ type: EntityRef, nullable: true, load: (ids: string[], ctx) => ctx.services.knowledge.entities.getByIds(ids), resolve: (m) => m.targetId }),
    source: t.loadable({ type: EntityRef, nullable: true, description: 'The merged entity (null while merged: it is out of the graph until undone).', load: (ids: string[], ctx) => ctx.services.knowledge.entities.getByIds(ids), resolve: (m) => m.sourceId }),
    undone: t.boolean({ resolve: (m) => m.undone ?? false }),
    closedTaskIds: t.idList({ resolve: (m) => m.closedTaskIds ?? [] }),
    reopenedTaskIds: t.idList({ resolve: (m) => m.reopenedTaskIds ?? [] }),
  }),
});
const DocumentApprovalRef = builder.objectRef<{ id: string; approvedAt: string; status: string }>('DocumentApproval').implement({
  fields: (t) => ({ id: t.exposeID('id'), approvedAt: t.field({ type: 'DateTime', resolve: (d) => d.approvedAt }), status: t.exposeString('status', { description: 'current or superseded (superseded passages are never answered).' }) }),
});

builder.mutationFields((t) => ({
  proposeKnowledgeRevision: t.field({
    type: ReviewTaskRef,
    authScopes: { role: editors },
    description:
      'Proposes a change to a live (PUBLISHED) item for review: the item keeps answering with its live version until the revision task is approved (two different editors when the item is, or becomes, RESTRICTED). One open revision per item (CONFLICT otherwise); approving after the item changed is a CONFLICT.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: KnowledgePatch, required: true }), note: t.arg.string({ description: 'Why the change is needed (the task reason).' }) },
    resolve: (_r, args, ctx) => ctx.services.review.proposeRevision(ctx.viewer, String(args.id), args.input as KnowledgePatchValue, args.note ?? null),
  }),
  approveReviewTask: t.field({
    type: ReviewTaskRef,
    authScopes: { role: editors },
    description:
      'Approves a task: a draft is published as a one-item release (with the edits, if any) once it has its required approvals — RESTRICTED knowledge needs two different editors; a source-removed item stays live; an entity merge is carried out (undo: undoEntityMerge). Approving a decided task, or a stale expectedRevision, is a CONFLICT.',
    args: {
      id: t.arg.id({ required: true }),
      edits: t.arg({ type: ReviewEditsInput }),
      expectedRevision: t.arg.int({ description: 'The revision you saw; the approval is refused (CONFLICT) if the task changed since.' }),
      publish: t.arg.boolean({ defaultValue: true, description: 'false: approve now, publish later with publishRelease.' }),
    },
    resolve: (_r, args, ctx) =>
      ctx.services.review.approve(ctx.viewer, String(args.id), {
        edits: (args.edits as ReviewEdits | null | undefined) ?? null,
        expectedRevision: args.expectedRevision ?? null,
        publish: args.publish ?? true,
      }),
  }),
  rejectReviewTask: t.field({
    type: ReviewTaskRef,
    authScopes: { role: editors },
    description: 'Rejects a task: a draft moves to REJECTED, a source-removed item is archived, an entity merge is not made. The reason is kept in the history.',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }), expectedRevision: t.arg.int() },
    resolve: (_r, args, ctx) => ctx.services.review.reject(ctx.viewer, String(args.id), args.reason, args.expectedRevision ?? null),
  }),
  assignReviewTask: t.field({
    type: ReviewTaskRef,
    authScopes: { role: editors },
    description: 'Assigns an open task to an editor (an EDITOR or ADMIN key id); assignee null clears it.',
    args: { id: t.arg.id({ required: true }), assignee: t.arg.id(), expectedRevision: t.arg.int() },
    resolve: (_r, args, ctx) => ctx.services.review.assign(ctx.viewer, String(args.id), args.assignee ? String(args.assignee) : null, args.expectedRevision ?? null),
  }),
  bulkReview: t.field({
    type: BulkResultRef,
    authScopes: { role: editors },
    description: 'Approves or rejects many tasks; each is decided on its own (a refused one is reported in items, the others go through).',
    args: { ids: t.arg.idList({ required: true }), action: t.arg({ type: ReviewActionEnum, required: true }), reason: t.arg.string() },
    resolve: (_r, args, ctx) => ctx.services.review.bulk(ctx.viewer, args.ids.map(String), args.action, args.reason ?? null),
  }),
  publishRelease: t.field({
    type: ReleaseRef,
    authScopes: { role: editors },
    description: 'Publishes approved items together (and takes down `archive`), after checking every one (see releasePreview): one problem refuses the whole release.',
    args: { ids: t.arg.idList({ required: true }), note: t.arg.string(), archive: t.arg.idList() },
    resolve: async (_r, args, ctx) => {
      const id = await ctx.services.review.publishRelease(ctx.viewer, { publish: args.ids.map(String), archive: (args.archive ?? []).map(String), note: args.note ?? null });
      return (await ctx.services.review.releases.get([id]))[0]!;
    },
  }),
  rollbackRelease: t.field({
    type: ReleaseRef,
    authScopes: { role: editors },
    description: 'Takes a release back: items it published are archived (they never answer again), items it took down are live again.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      await ctx.services.review.rollbackRelease(ctx.viewer, String(args.id));
      return (await ctx.services.review.releases.get([String(args.id)]))[0]!;
    },
  }),
  rollbackKnowledge: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description: 'Restores the content of an earlier version as a new version (history is kept). A live item goes back only to a version that was live once (BAD_USER_INPUT otherwise: a draft goes live through review). A version that does not exist is NOT_FOUND.',
    args: { id: t.arg.id({ required: true }), toVersion: t.arg.int({ required: true }) },
    resolve: async (_r, args, ctx) => {
      await ctx.services.review.releases.rollbackItem(ctx.viewer, String(args.id), args.toVersion);
      return (await ctx.services.knowledge.get(String(args.id), knowledgeAccess(ctx.viewer)))!;
    },
  }),
  mergeEntities: t.field({
    type: EntityMergeRef,
    authScopes: { role: editors },
    description: 'Merges an entity into another: its name becomes an alias, its mentions, knowledge and relations move. Nothing is deleted; undoEntityMerge restores it.',
    errors: { types: [ReviewActionError] },
    args: { sourceId: t.arg.id({ required: true }), targetId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => asResult(() => ctx.services.review.mergeEntities(ctx.viewer, String(args.sourceId), String(args.targetId))),
  }),
  undoEntityMerge: t.field({
    type: EntityMergeRef,
    authScopes: { role: editors },
    description: 'Undoes an entity merge: the merged entity, its relationships and the review tasks the merge closed come back.',
    errors: { types: [ReviewActionError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) =>
      asResult(async () => {
        const r = await ctx.services.review.undoMerge(ctx.viewer, String(args.id));
        return { mergeId: r.mergeId, sourceId: r.sourceId, targetId: r.targetId, closedTaskIds: [], reopenedTaskIds: r.reopenedTaskIds, undone: true };
      }),
  }),
  approveDocument: t.field({
    type: DocumentApprovalRef,
    authScopes: { role: editors },
    description: "Approves a document version's passages for answering. Until a document is approved, or its source is trusted, customers get its sentences only from the passages of its published drafts.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.review.approveDocument(ctx.viewer, String(args.id)),
  }),
}));

const ReviewQueueEventRef = builder.objectRef<ReviewQueueEvent>('ReviewQueueEvent').implement({
  description: 'A change in the review queue: refetch the task (or release) it names.',
  fields: (t) => ({
    taskId: t.id({ nullable: true, resolve: (e) => e.taskId }),
    releaseId: t.id({ nullable: true, resolve: (e) => e.releaseId }),
    change: t.exposeString('change', { description: 'approval, approved, rejected, assigned, reopened, merged, released, rolled-back, or created (new tasks arrived: refetch the queue).' }),
    status: t.string({ nullable: true, resolve: (e) => e.status }),
    by: t.string({ nullable: true, resolve: (e) => e.by }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    task: t.field({
      type: ReviewTaskRef,
      nullable: true,
      resolve: async (e, _a, ctx) => (e.taskId ? ((await ctx.services.review.repo.getByIds([e.taskId], knowledgeAccess(ctx.viewer).visibilities))[0] ?? null) : null),
    }),
  }),
});

/**
 * Review events, plus one `created` event whenever ingestion or an import wrote drafts (they publish one
 * knowledge `import` event per document or batch, not one per task): the console then refetches the queue.
 */
async function* queueEvents(review: AsyncIterableIterator<ReviewQueueEvent>, knowledge: AsyncIterableIterator<KnowledgeEvent>): AsyncGenerator<ReviewQueueEvent> {
  const sources: Array<AsyncIterableIterator<ReviewQueueEvent | KnowledgeEvent>> = [review, knowledge];
  const next = (i: number) => sources[i]!.next().then((r) => ({ i, r }));
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<ReviewQueueEvent | KnowledgeEvent> }>>([[0, next(0)], [1, next(1)]]);
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pending.set(i, next(i));
      if (i === 0) yield r.value as ReviewQueueEvent;
      else if ((r.value as KnowledgeEvent).change === 'import') {
        yield { taskId: null, releaseId: null, change: 'created', status: 'OPEN', by: (r.value as KnowledgeEvent).by, at: new Date().toISOString() };
      }
    }
  } finally {
    await Promise.all(sources.flatMap((s) => (s.return ? [s.return()] : [])));
  }
}

builder.subscriptionField('reviewQueueChanged', (t) =>
  t.field({
    type: ReviewQueueEventRef,
    authScopes: { role: editors },
    description: 'Review-queue changes made by any editor on any replica (approvals, decisions, assignments, merges, releases).',
    subscribe: (_r, _a, ctx) => queueEvents(ctx.services.pubsub.subscribe<ReviewQueueEvent>(REVIEW_TOPIC), ctx.services.pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC)),
    resolve: (e) => e,
  }),
);
