import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import { admins, builder, ingesters, staff } from '../schema/builder.js';
import { evidenceConfidence, evidenceOf } from './answer-composer.js';
import type { EmbeddingStatus } from './embedding-models.js';
import type { Candidate, Citation } from './retrieval.types.js';

export const CitationRef = builder.objectRef<Citation>('Citation').implement({
  description: 'Where an answer comes from: the knowledge item, and the document, chunk and character offsets of the source sentence.',
  fields: (t) => ({
    knowledgeId: t.id({ nullable: true, resolve: (c) => c.knowledgeId }),
    documentId: t.id({ nullable: true, resolve: (c) => c.documentId }),
    chunkId: t.id({ nullable: true, resolve: (c) => c.chunkId }),
    start: t.int({ nullable: true, resolve: (c) => c.start }),
    end: t.int({ nullable: true, resolve: (c) => c.end }),
    quote: t.string({ nullable: true, resolve: (c) => c.quote }),
  }),
});

const RetrievalModeEnum = builder.enumType('RetrievalMode', {
  values: { HYBRID: { value: 'hybrid' }, VECTOR: { value: 'vector' }, FULLTEXT: { value: 'fulltext' } } as const,
});

const FusionEnum = builder.enumType('Fusion', {
  description:
    'LEARNED: the ranker fitted per language on the dev sets (default; CONVEX when none is fitted for the served embedding model); CONVEX: normalised similarity and fulltext scores, weighted; RRF: weighted reciprocal rank fusion.',
  values: { LEARNED: { value: 'learned' }, CONVEX: { value: 'convex' }, RRF: { value: 'rrf' } } as const,
});

interface Hit {
  candidate: Candidate;
  rank: number;
  confidence: number;
}

const RetrievalHitRef = builder.objectRef<Hit>('RetrievalHit').implement({
  description: 'One ranked candidate of GraphRAG retrieval, with the evidence behind its rank.',
  fields: (t) => ({
    rank: t.exposeInt('rank'),
    item: t.field({ type: KnowledgeItemRef, resolve: (h) => h.candidate.item }),
    score: t.float({ description: 'Fused score: the learned ranker\'s score, a convex combination, or a reciprocal-rank score (see `fusion`).', resolve: (h) => h.candidate.fused }),
    similarity: t.float({ nullable: true, description: 'Cosine similarity to the question, mapped to 0..1.', resolve: (h) => h.candidate.item.sim }),
    confidence: t.exposeFloat('confidence', { description: 'Confidence that this item answers the question (0..1).' }),
    matchedQuestion: t.string({ nullable: true, description: 'The similar question of this fact that matched: why it is a hit.', resolve: (h) => h.candidate.item.matchedQuestion?.text ?? null }),
    ranks: t.field({ type: 'JSON', description: 'Rank in each list that found it: vector, text, graph, chunk, intent.', resolve: (h) => h.candidate.ranks }),
    features: t.field({ type: 'JSON', nullable: true, description: 'The learned ranker\'s features of this candidate (hybrid mode with LEARNED fusion).', resolve: (h) => h.candidate.features ?? null }),
  }),
});

builder.queryField('retrieve', (t) =>
  t.field({
    type: [RetrievalHitRef],
    authScopes: { role: staff },
    description: 'GraphRAG retrieval on its own, for evaluation and debugging: ranked candidates for a question (fused, or one list alone).',
    args: {
      query: t.arg.string({ required: true }),
      language: t.arg.string(),
      mode: t.arg({ type: RetrievalModeEnum, defaultValue: 'hybrid' }),
      fusion: t.arg({ type: FusionEnum, description: 'How hybrid mode fuses its lists (default: RETRIEVAL_FUSION).' }),
      first: t.arg.int({ defaultValue: 10 }),
    },
    resolve: async (_r, args, ctx) => {
      const first = args.first ?? 10;
      if (first < 1 || first > 50) throw new AppError('BAD_USER_INPUT', `first must be between 1 and 50; got ${first}.`);
      const { understander, answerer } = ctx.services.dialogue;
      const mode = (args.mode ?? 'hybrid');
      const u = await understander.begin(args.query, args.language, { tagger: false, emotion: false, sentimentGate: true });
      const handler = mode === 'hybrid' ? answerer.actionable(u.intent) : null;
      const intentHandler = handler ? ctx.services.dialogue.intents.handlerFor(handler.name, u.language, knowledgeAccess(ctx.viewer)) : null;
      const result = await ctx.services.retrieval.retriever.retrieve({
        query: u.text,
        vector: mode === 'fulltext' ? null : u.vector,
        vectorModel: u.vectorModel,
        language: u.language,
        entityIds: u.entities.map((e) => e.id),
        access: knowledgeAccess(ctx.viewer),
        languages: null,
        mode,
        fusion: args.fusion ?? undefined,
        k: first,
        extraLists: intentHandler ? [{ name: 'intent', ids: [intentHandler.knowledgeId], weight: 1.5 }] : [],
      });
      return result.candidates.map((candidate, i) => ({
        candidate,
        rank: i + 1,
        confidence: candidate.confidence ?? evidenceConfidence(evidenceOf(u.text, candidate, result.candidates), u.language),
      }));
    },
  }),
);

builder.mutationField('embedKnowledge', (t) =>
  t.int({
    authScopes: { role: ingesters },
    description: 'Embeds the given knowledge items now (or every item whose embedding is missing or stale); returns how many were embedded. Embedding also runs by itself after every knowledge change.',
    args: { ids: t.arg.idList() },
    resolve: (_r, args, ctx) => {
      const { embedder } = ctx.services.retrieval;
      return args.ids ? embedder.embedKnowledge(args.ids.map(String)) : embedder.embedPending();
    },
  }),
);

const EmbeddingStatusRef = builder.objectRef<EmbeddingStatus>('EmbeddingStatus').implement({
  description:
    'Which embedding model retrieval serves, and the re-embedding towards RETRIEVAL_EMBEDDING_MODEL (run by a worker; answers use the served vectors until the new ones are complete, then switch at once).',
  fields: (t) => ({
    servedModel: t.exposeString('servedModel', { description: 'The model whose vectors questions are compared with.' }),
    configuredModel: t.exposeString('configuredModel', { description: 'RETRIEVAL_EMBEDDING_MODEL as resolved by this replica (a fallback when it is not built).' }),
    target: t.exposeString('target', { nullable: true, description: 'The model the last re-embedding moved (or moves) to.' }),
    status: t.exposeString('status', { description: 'idle, queued, running, done or failed.' }),
    done: t.exposeInt('done', { description: 'Items and chunks embedded with the target model so far.' }),
    total: t.exposeInt('total'),
    progress: t.exposeFloat('progress', { description: 'done / total, 0..1.' }),
    error: t.exposeString('error', { nullable: true }),
    startedAt: t.exposeString('startedAt', { nullable: true }),
    finishedAt: t.exposeString('finishedAt', { nullable: true }),
  }),
});

builder.queryField('embeddingStatus', (t) =>
  t.field({
    type: EmbeddingStatusRef,
    authScopes: { role: staff },
    description: 'The served embedding model and the progress of a re-embedding.',
    resolve: (_r, _a, ctx) => ctx.services.retrieval.models.status(),
  }),
);

builder.mutationField('reembedKnowledge', (t) =>
  t.field({
    type: EmbeddingStatusRef,
    authScopes: { role: admins },
    description:
      'Queues a re-embedding of every knowledge item and chunk with `model` (default: RETRIEVAL_EMBEDDING_MODEL), run by a worker. Answers keep using the served vectors until all new ones are stored, then switch in one transaction. A no-op when `model` is served already or being embedded.',
    args: { model: t.arg.string() },
    resolve: async (_r, args, ctx) => {
      const { models } = ctx.services.retrieval;
      const model = args.model ?? models.configured;
      if (!(await ctx.services.inference.registry.has(model).catch(() => false))) {
        throw new AppError('BAD_USER_INPUT', `Model "${model}" is not in the models manifest (npm run models).`);
      }
      const spec = await ctx.services.inference.registry.spec(model);
      if (spec.task !== 'embedding') throw new AppError('BAD_USER_INPUT', `Model "${model}" is a ${spec.task} model, not an embedding model.`);
      return models.requestReembed(model);
    },
  }),
);
