import { AppError } from '../errors.js';
import { knowledgeAccess } from '../auth/roles.js';
import { FactRef, KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import { builder, editors, staff } from '../schema/builder.js';
import type { GraphQLContext } from '../schema/context.js';
import type { KnowledgeRow } from '../knowledge/knowledge.repository.js';
import type { GapCluster } from './gaps.js';
import type { QualityInputs } from './quality.js';
import type { QualityHistoryRow, QualityRow } from './quality.service.js';
import type { SimilarQuestionRow } from './similar-questions.js';
import type { Suggestion } from './suggestions.js';

// ---------- quality scores ----------

const QualityInputsRef = builder.objectRef<QualityInputs>('QualityInputs').implement({
  description: 'What a quality score is computed from: feedback since the item was last verified.',
  fields: (t) => ({
    helpful: t.exposeInt('helpful', { description: 'Answers that used the item, rated helpful.' }),
    unhelpful: t.exposeInt('unhelpful', { description: 'Answers that used the item, rated not helpful.' }),
    csat: t.exposeIntList('csat', { description: 'CSAT (1–5) of conversations that used it.' }),
    uses: t.exposeInt('uses', { description: 'Bot answers that used it.' }),
    escalations: t.exposeInt('escalations', { description: 'Of those, how many escalated to a human in that turn or the next.' }),
  }),
});

const KnowledgeQualityRef = builder.objectRef<QualityRow>('KnowledgeQuality').implement({
  description:
    'An item’s quality score: the posterior mean of a Beta prior (QUALITY_PRIOR_MEAN, QUALITY_PRIOR_STRENGTH) updated by ratings, CSAT and escalations, halved every QUALITY_HALF_LIFE_DAYS past the review date. Below the threshold a published item goes back to review.',
  fields: (t) => ({
    score: t.exposeFloat('score'),
    evidenceScore: t.exposeFloat('evidenceScore', { description: 'The score before the decay past the review date.' }),
    decay: t.exposeFloat('decay', { description: 'Multiplier from the review date (1 before it).' }),
    threshold: t.exposeFloat('threshold'),
    reviewBy: t.field({ type: 'DateTime', resolve: (q) => q.reviewBy }),
    lastVerified: t.field({ type: 'DateTime', nullable: true, description: 'When an editor last approved its quality review.', resolve: (q) => q.lastVerified }),
    inputs: t.field({ type: QualityInputsRef, resolve: (q) => q.inputs }),
    reasons: t.exposeStringList('reasons', { description: 'Why the score is lower than the prior, in words.' }),
  }),
});

const QualityHistoryRef = builder.objectRef<QualityHistoryRow>('QualityScoreChange').implement({
  description: 'One stored change of an item’s quality score.',
  fields: (t) => ({
    score: t.exposeFloat('score'),
    evidenceScore: t.exposeFloat('evidenceScore'),
    decay: t.exposeFloat('decay'),
    inputs: t.field({ type: QualityInputsRef, resolve: (h) => h.inputs }),
    reasons: t.exposeStringList('reasons'),
    at: t.field({ type: 'DateTime', resolve: (h) => h.at }),
  }),
});

builder.interfaceFields(KnowledgeItemRef, (t) => ({
  quality: t.loadable({
    type: KnowledgeQualityRef,
    nullable: true,
    authScopes: { role: staff },
    description: 'The quality score computed now, with its inputs and reasons (`qualityScore` is the last stored one).',
    load: (ids: string[], ctx: GraphQLContext) => ctx.services.learning.quality.current(ids),
    resolve: (k) => k.id,
  }),
  qualityHistory: t.loadableList({
    type: QualityHistoryRef,
    authScopes: { role: staff },
    description: 'Stored quality scores, newest first (at most 50).',
    load: (ids: string[], ctx: GraphQLContext) => ctx.services.learning.quality.history(ids),
    resolve: (k) => k.id,
  }),
}));

builder.mutationFields((t) => ({
  setReviewBy: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description: 'Sets the date an item is due for review (null: the default of its kind, REVIEW_BY_DAYS). Past it, its quality score decays.',
    args: { id: t.arg.id({ required: true }), reviewBy: t.arg({ type: 'DateTime' }) },
    resolve: async (_r, args, ctx) => {
      const id = String(args.id);
      if (!(await ctx.services.knowledge.get(id, knowledgeAccess(ctx.viewer)))) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
      const at = args.reviewBy ? new Date(args.reviewBy) : null;
      if (at && Number.isNaN(at.getTime())) throw new AppError('BAD_USER_INPUT', 'reviewBy is not a date.');
      await ctx.services.learning.quality.setReviewBy(id, at ? at.toISOString() : null);
      return (await ctx.services.knowledge.get(id, knowledgeAccess(ctx.viewer)))!;
    },
  }),
  rescoreKnowledge: t.idList({
    authScopes: { role: editors },
    description: 'Recomputes the quality scores of these items now (a sweep does it every LEARNING_SWEEP_INTERVAL_MS); returns the ids that went back to review.',
    args: { ids: t.arg.idList({ required: true }) },
    resolve: async (_r, args, ctx) => {
      if (args.ids.length === 0 || args.ids.length > 1000) throw new AppError('BAD_USER_INPUT', `Give 1 to 1,000 ids; got ${args.ids.length}.`);
      const access = knowledgeAccess(ctx.viewer);
      const visible = (await ctx.services.knowledge.repo.getByIds(args.ids.map(String), access)).filter((k) => k !== null).map((k) => k.id);
      return ctx.services.learning.quality.rescore(visible);
    },
  }),
}));

// ---------- similar questions ----------

const SimilarQuestionRef = builder.objectRef<SimilarQuestionRow>('SimilarQuestion').implement({
  description: 'Another way customers ask a fact’s question (相似问). Retrieval matches them: a fact scores by its best question.',
  fields: (t) => ({
    id: t.exposeID('id'),
    text: t.exposeString('text'),
    language: t.exposeString('language'),
    origin: t.exposeString('origin', { description: 'editor, gap (attached from a knowledge gap) or import.' }),
    gapId: t.exposeID('gapId', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (q) => q.createdAt }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    embedded: t.exposeBoolean('embedded', { description: 'Embedded with the served model (until then it is matched by its words only).' }),
  }),
});

builder.objectFields(FactRef, (t) => ({
  questions: t.loadableList({
    type: 'String',
    description: 'Similar questions (相似问): other ways customers ask this. The import record field is `questions` too.',
    load: async (ids: string[], ctx: GraphQLContext) => (await ctx.services.learning.questions.questionsOf(ids)).map((qs) => qs.map((q) => q.text)),
    resolve: (k) => k.id,
  }),
  similarQuestions: t.loadableList({
    type: SimilarQuestionRef,
    authScopes: { role: staff },
    description: 'Similar questions with where they came from.',
    load: (ids: string[], ctx: GraphQLContext) => ctx.services.learning.questions.questionsOf(ids),
    resolve: (k) => k.id,
  }),
}));

builder.mutationFields((t) => ({
  addSimilarQuestions: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description: `Adds similar questions to a fact (1–500, each at most 1,000 characters; duplicates by spelling are skipped). They answer from the fact as soon as this returns.`,
    args: { knowledgeId: t.arg.id({ required: true }), questions: t.arg.stringList({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const id = String(args.knowledgeId);
      await ctx.services.learning.questions.add(id, args.questions, knowledgeAccess(ctx.viewer), ctx.viewer.keyId, (tx, n) =>
        ctx.services.audit.append(tx, ctx.viewer, { action: 'knowledge.update', targetType: 'Knowledge', targetId: id, details: { similarQuestions: 'added', count: n, questions: args.questions.slice(0, 50) } }),
      );
      return (await ctx.services.knowledge.get(id, knowledgeAccess(ctx.viewer)))!;
    },
  }),
  removeSimilarQuestions: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description: 'Removes similar questions from a fact (matched by spelling, ignoring case, spaces and surrounding punctuation).',
    args: { knowledgeId: t.arg.id({ required: true }), questions: t.arg.stringList({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const id = String(args.knowledgeId);
      await ctx.services.learning.questions.remove(id, args.questions, knowledgeAccess(ctx.viewer), ctx.viewer.keyId, (tx, n) =>
        ctx.services.audit.append(tx, ctx.viewer, { action: 'knowledge.update', targetType: 'Knowledge', targetId: id, details: { similarQuestions: 'removed', count: n, questions: args.questions.slice(0, 50) } }),
      );
      const item = await ctx.services.knowledge.get(id, knowledgeAccess(ctx.viewer));
      if (!item) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
      return item;
    },
  }),
}));

// ---------- knowledge gaps ----------

const GapStatusEnum = builder.enumType('KnowledgeGapStatus', { values: ['OPEN', 'RESOLVED', 'DISMISSED'] as const });

const GapQuestionRef = builder.objectRef<GapCluster['questions'][number]>('KnowledgeGapQuestion').implement({
  fields: (t) => ({
    text: t.exposeString('text', { description: 'As stored: PII masked.' }),
    count: t.exposeInt('count', { description: 'How often it was asked (same spelling).' }),
    lastAt: t.field({ type: 'DateTime', resolve: (q) => q.lastAt }),
  }),
});

const GapTrendRef = builder.objectRef<GapCluster['trend'][number]>('KnowledgeGapTrendPoint').implement({
  fields: (t) => ({ day: t.exposeString('day'), count: t.exposeInt('count') }),
});

const NearestRef = builder.objectRef<{ item: KnowledgeRow; similarity: number | null }>('KnowledgeGapNearest').implement({
  description: 'An existing item near the gap: where its questions may belong.',
  fields: (t) => ({
    item: t.field({ type: KnowledgeItemRef, resolve: (n) => n.item }),
    similarity: t.float({ nullable: true, resolve: (n) => n.similarity }),
  }),
});

export const KnowledgeGapRef = builder.objectRef<GapCluster>('KnowledgeGap').implement({
  description:
    'Questions the bot failed on (unanswered, low confidence, escalated, rated not helpful), grouped by meaning (English: sentence embeddings; Chinese: character bigrams). Act on it with the `version` you read.',
  fields: (t) => ({
    id: t.exposeID('id'),
    version: t.exposeInt('version', { description: 'Changes whenever questions join it or it is decided; actions with an older version are refused.' }),
    status: t.field({ type: GapStatusEnum, resolve: (g) => g.status }),
    language: t.exposeString('language'),
    size: t.exposeInt('size', { description: 'Questions in it.' }),
    question: t.exposeString('leader', { description: 'Its first question (new questions are compared with it).' }),
    count: t.exposeInt('size', { description: 'Same as size.' }),
    questions: t.field({ type: [GapQuestionRef], args: { first: t.arg.int({ defaultValue: 20 }) }, description: 'Distinct questions, most asked first.', resolve: (g, a) => g.questions.slice(0, Math.max(0, Math.min(a.first ?? 20, 500))) }),
    examples: t.stringList({ description: 'Up to 5 distinct questions, most asked first.', resolve: (g) => g.questions.slice(0, 5).map((q) => q.text) }),
    reasons: t.field({ type: 'JSON', description: 'Questions per failure: unanswered, low-confidence, escalated, not-helpful.', resolve: (g) => g.reasons }),
    trend: t.field({ type: [GapTrendRef], description: 'Questions per day over the last 14 days.', resolve: (g) => g.trend }),
    growth: t.float({ nullable: true, description: 'Questions in the last 7 days ÷ the 7 days before.', resolve: (g) => g.growth }),
    firstAt: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.firstAt }),
    lastAt: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.lastAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (g) => g.createdAt }),
    resolution: t.string({ nullable: true, description: 'attached, drafted or dismissed.', resolve: (g) => g.resolution }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.resolvedAt }),
    resolvedBy: t.string({ nullable: true, resolve: (g) => g.resolvedBy }),
    dismissReason: t.string({ nullable: true, resolve: (g) => g.dismissReason }),
    resolvedTo: t.field({
      type: KnowledgeItemRef,
      nullable: true,
      description: 'The fact its questions were attached to, or the fact drafted from it.',
      resolve: async (g, _a, ctx) => (g.resolvedFactId ? ctx.services.knowledge.get(g.resolvedFactId, knowledgeAccess(ctx.viewer)) : null),
    }),
    nearest: t.field({
      type: [NearestRef],
      args: { first: t.arg.int({ defaultValue: 3 }) },
      description: 'Existing items nearest to its first question (GraphRAG retrieval, as the caller may see).',
      resolve: async (g, args, ctx) => {
        const first = Math.max(1, Math.min(args.first ?? 3, 10));
        const u = await ctx.services.dialogue.understander.begin(g.leader, g.language, { tagger: false, emotion: false, sentimentGate: true });
        const result = await ctx.services.retrieval.retriever.retrieve({ query: u.text, vector: u.vector, entityIds: u.entities.map((e) => e.id), access: knowledgeAccess(ctx.viewer), languages: null, k: first, language: u.language });
        return result.candidates.map((c) => ({ item: c.item, similarity: c.item.sim }));
      },
    }),
  }),
});

const gapVersion = (v: number | null | undefined) => (v === undefined || v === null ? null : v);

builder.queryFields((t) => ({
  knowledgeGaps: t.field({
    type: [KnowledgeGapRef],
    authScopes: { role: editors },
    description: 'Knowledge gaps, largest first: clusters of questions the bot failed on (refreshed as this is read).',
    args: {
      from: t.arg({ type: 'DateTime', description: 'Only gaps with questions at or after this.' }),
      to: t.arg({ type: 'DateTime', description: 'Only gaps with questions before this.' }),
      language: t.arg.string(),
      status: t.arg({ type: GapStatusEnum, defaultValue: 'OPEN', description: 'Default OPEN; null for all.' }),
      first: t.arg.int({ defaultValue: 20 }),
      skip: t.arg.int({ defaultValue: 0 }),
    },
    resolve: (_r, args, ctx) => {
      const first = args.first ?? 20;
      if (first < 1 || first > 200) throw new AppError('BAD_USER_INPUT', `first must be between 1 and 200; got ${first}.`);
      const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
      return ctx.services.learning.gaps.list({ status: args.status ?? null, language: args.language ?? null, from: iso(args.from), to: iso(args.to) }, { skip: Math.max(0, args.skip ?? 0), limit: first });
    },
  }),
  knowledgeGap: t.field({
    type: KnowledgeGapRef,
    authScopes: { role: editors },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.learning.gaps.get(String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  resolveKnowledgeGap: t.field({
    type: KnowledgeGapRef,
    authScopes: { role: editors },
    description:
      'Attaches the gap’s questions (or `questions`, a subset the editor kept) to a fact as similar questions and resolves the gap; they answer from the fact as soon as this returns. With `version`, refused (CONFLICT) when the gap changed since it was read.',
    args: { id: t.arg.id({ required: true }), knowledgeId: t.arg.id({ required: true }), version: t.arg.int(), questions: t.arg.stringList() },
    resolve: (_r, args, ctx) =>
      ctx.services.learning.gaps.attach({ id: String(args.id), version: gapVersion(args.version), factId: String(args.knowledgeId), questions: args.questions ?? null, access: knowledgeAccess(ctx.viewer), by: ctx.viewer.keyId }),
  }),
  draftFactFromGap: t.field({
    type: KnowledgeItemRef,
    authScopes: { role: editors },
    description: 'Drafts a fact from a gap — its first question (or `question`) with your answer, the other questions as similar questions — and puts it in the review queue; resolves the gap.',
    args: { id: t.arg.id({ required: true }), answer: t.arg.string({ required: true }), question: t.arg.string(), version: t.arg.int() },
    resolve: async (_r, args, ctx) => {
      const r = await ctx.services.learning.gaps.draft({ id: String(args.id), version: gapVersion(args.version), answer: args.answer, question: args.question ?? null, access: knowledgeAccess(ctx.viewer), by: ctx.viewer.keyId });
      return (await ctx.services.knowledge.get(r.factId, knowledgeAccess(ctx.viewer)))!;
    },
  }),
  dismissKnowledgeGap: t.field({
    type: KnowledgeGapRef,
    authScopes: { role: editors },
    description: 'Dismisses a gap (not knowledge we want); questions like it keep joining it instead of opening a new gap.',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string(), version: t.arg.int() },
    resolve: (_r, args, ctx) => ctx.services.learning.gaps.dismiss({ id: String(args.id), version: gapVersion(args.version), reason: args.reason ?? null, by: ctx.viewer.keyId }),
  }),
}));

// ---------- suggestions ----------

const SuggestionKindEnum = builder.enumType('KnowledgeSuggestionKind', {
  values: { CONTRADICTION: { value: 'contradiction' }, DUPLICATE: { value: 'duplicate' }, STALE: { value: 'stale' } } as const,
});

const SuggestionRef = builder.objectRef<Suggestion>('KnowledgeSuggestion').implement({
  description: 'Review work found in published knowledge: a contradiction, a near-duplicate or a stale item, with its evidence. Decided through its review task.',
  fields: (t) => ({
    key: t.exposeID('key'),
    kind: t.field({ type: SuggestionKindEnum, resolve: (s) => s.kind }),
    reason: t.exposeString('reason'),
    evidence: t.field({ type: 'JSON', resolve: (s) => JSON.parse(s.evidence) }),
    score: t.float({ nullable: true, resolve: (s) => s.score }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.createdAt ?? null }),
    items: t.field({
      type: [KnowledgeItemRef],
      description: 'The items it is about (those the caller may see).',
      resolve: async (s, _a, ctx) => (await ctx.services.knowledge.repo.getByIds(s.itemIds, knowledgeAccess(ctx.viewer))).filter((k): k is KnowledgeRow => k !== null),
    }),
    reviewTaskId: t.id({ nullable: true, resolve: (s) => s.taskId ?? null }),
    reviewStatus: t.string({ nullable: true, description: 'OPEN or DONE.', resolve: (s) => s.taskStatus ?? null }),
    decision: t.string({ nullable: true, resolve: (s) => s.decision ?? null }),
  }),
});

const ScanResultRef = builder.objectRef<{ found: Record<string, number>; filed: number }>('KnowledgeSuggestionScan').implement({
  fields: (t) => ({
    contradictions: t.int({ resolve: (r) => r.found.contradiction ?? 0 }),
    duplicates: t.int({ resolve: (r) => r.found.duplicate ?? 0 }),
    stale: t.int({ resolve: (r) => r.found.stale ?? 0 }),
    filed: t.exposeInt('filed', { description: 'New suggestions filed as review tasks (ones seen before are not filed again).' }),
  }),
});

builder.queryField('knowledgeSuggestions', (t) =>
  t.field({
    type: [SuggestionRef],
    authScopes: { role: editors },
    description: 'Suggestions found by scanKnowledgeSuggestions, newest first.',
    args: { kind: t.arg({ type: SuggestionKindEnum }), open: t.arg.boolean({ description: 'Only those whose review task is open (true) or decided (false).' }), first: t.arg.int({ defaultValue: 50 }), skip: t.arg.int({ defaultValue: 0 }) },
    resolve: (_r, args, ctx) => {
      const first = args.first ?? 50;
      if (first < 1 || first > 500) throw new AppError('BAD_USER_INPUT', `first must be between 1 and 500; got ${first}.`);
      return ctx.services.learning.suggestions.list({ kind: args.kind ?? null, open: args.open ?? null }, { skip: Math.max(0, args.skip ?? 0), limit: first });
    },
  }),
);

builder.mutationField('scanKnowledgeSuggestions', (t) =>
  t.field({
    type: ScanResultRef,
    authScopes: { role: editors },
    description: 'Scans published knowledge for contradictions, near-duplicates and stale items and files new findings as `suggestion` review tasks.',
    resolve: (_r, _a, ctx) => ctx.services.learning.suggestions.scan(),
  }),
);
