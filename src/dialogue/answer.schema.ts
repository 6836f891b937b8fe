import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { IntentPrediction } from '../inference/index.js';
import { KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import { anyRole, builder, ingesters, staff } from '../schema/builder.js';
import { CitationRef } from '../retrieval/retrieval.schema.js';
import type { Citation, RetrievedItem } from '../retrieval/retrieval.types.js';
import type { AppliedRule } from './rule-application.js';
import { EntityMentionRef, IntentPredictionRef, SentimentPredictionRef } from './understanding.schema.js';
import type { EntityMention, SentimentPrediction } from '../inference/index.js';
import type { IntentModel } from './intent-model.js';

export interface AnswerView {
  text: string;
  confidence: number;
  escalate: boolean;
  escalationReason: string | null;
  kind: string;
  language: string;
  intent: IntentPrediction | null;
  sentiment: SentimentPrediction;
  entities: EntityMention[];
  citations: Citation[];
  knowledge: RetrievedItem[];
  rule: AppliedRule | null;
}

const AppliedRuleRef = builder.objectRef<AppliedRule>('AppliedRule').implement({
  description: 'A rule evaluated against the customer context that decided the answer.',
  fields: (t) => ({
    rule: t.field({ type: KnowledgeItemRef, resolve: (r) => r.rule }),
    fired: t.exposeBoolean('fired'),
    explanation: t.exposeString('explanation', { description: 'Which conditions held, with the customer’s actual values.' }),
  }),
});

const AnswerRef = builder.objectRef<AnswerView>('Answer').implement({
  description: 'A cited answer from the knowledge graph (rules against the context, then GraphRAG).',
  fields: (t) => ({
    text: t.exposeString('text'),
    confidence: t.exposeFloat('confidence', { description: '0..1, from the evidence (similarity, lexical coverage, agreement of retrievers, intent).' }),
    escalate: t.exposeBoolean('escalate', { description: 'True when a human should take over.' }),
    escalationReason: t.string({ nullable: true, description: 'requested, low-confidence or negative-sentiment.', resolve: (a) => a.escalationReason }),
    kind: t.exposeString('kind', { description: 'smalltalk, handoff, process, rule, fact, passage or none.' }),
    language: t.exposeString('language'),
    intent: t.field({ type: IntentPredictionRef, nullable: true, resolve: (a) => a.intent }),
    sentiment: t.field({ type: SentimentPredictionRef, resolve: (a) => a.sentiment }),
    entities: t.field({ type: [EntityMentionRef], resolve: (a) => a.entities }),
    citations: t.field({ type: [CitationRef], resolve: (a) => a.citations }),
    knowledge: t.field({ type: [KnowledgeItemRef], description: 'Items the answer used, best first.', resolve: (a) => a.knowledge }),
    rule: t.field({ type: AppliedRuleRef, nullable: true, resolve: (a) => a.rule }),
  }),
});

builder.queryField('answer', (t) =>
  t.field({
    type: AnswerRef,
    authScopes: { role: anyRole },
    description: 'Answers one question from the knowledge the caller may see, evaluating rules against `context` (the customer context).',
    args: {
      question: t.arg.string({ required: true }),
      language: t.arg.string({ description: 'BCP-47 tag; detected from the question when omitted.' }),
      context: t.arg({ type: 'JSON', description: 'Customer context, e.g. {"order": {"ageDays": 12}, "item": {"opened": false}}.' }),
    },
    resolve: async (_r, args, ctx) => {
      const question = args.question.trim();
      if (question.length === 0) throw new AppError('BAD_USER_INPUT', 'question must not be empty.');
      if (question.length > 2000) throw new AppError('BAD_USER_INPUT', 'question may have at most 2000 characters.');
      const context = args.context ?? null;
      if (context !== null && (typeof context !== 'object' || Array.isArray(context))) {
        throw new AppError('BAD_USER_INPUT', 'context must be a JSON object, e.g. {"order": {"ageDays": 12}}.');
      }
      const { understander, answerer } = ctx.services.dialogue;
      const u = await understander.begin(question, args.language, { tagger: false, emotion: false, sentimentGate: true });
      const outcome = await answerer.answer({ understood: u, context: context as Record<string, unknown> | null, access: knowledgeAccess(ctx.viewer) });
      const presented = answerer.present(outcome, u.language);
      return {
        text: presented.text,
        confidence: outcome.confidence,
        escalate: outcome.escalate,
        escalationReason: outcome.escalateReason,
        kind: outcome.kind,
        language: u.language,
        intent: u.intent,
        sentiment: outcome.understood.sentiment,
        entities: outcome.understood.mentions,
        citations: presented.citations,
        knowledge: presented.used,
        rule: outcome.rule,
      };
    },
  }),
);

const IntentModelRef = builder.objectRef<IntentModel>('IntentModel').implement({
  description: 'The intent classifier this replica serves: trained by a worker from the intents in the graph, loaded by every replica.',
  fields: (t) => ({
    intents: t.stringList({ resolve: (m) => [...(m.current?.intents ?? [])] }),
    threshold: t.float({ nullable: true, description: 'Out-of-scope threshold on the top probability.', resolve: (m) => m.current?.threshold ?? null }),
    tuning: t.field({ type: 'JSON', nullable: true, description: 'How the threshold was chosen, with held-out metrics.', resolve: (m) => m.current?.tuning ?? null }),
    examples: t.int({ description: 'Training examples (out-of-scope ones included) of the served classifier.', resolve: (m) => m.info?.examples ?? 0 }),
    embeddingModel: t.string({ nullable: true, description: 'The embedding model its examples were embedded with.', resolve: (m) => m.info?.model ?? null }),
    trainedAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.info?.trainedAt ?? null }),
    trainingMs: t.int({ nullable: true, description: 'How long the worker took to train it.', resolve: (m) => m.info?.trainingMs ?? null }),
    training: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The training job when one is queued or running: {state, progress: {stage, done, total}}; null when idle.',
      resolve: async (_m, _a, ctx) => {
        const s = (await ctx.services.background.states()).find((x) => x.name === 'train-intents');
        return s && s.state !== 'idle' ? { state: s.state, progress: s.progress } : null;
      },
    }),
  }),
});

builder.queryField('intentModel', (t) =>
  t.field({ type: IntentModelRef, authScopes: { role: staff }, resolve: (_r, _a, ctx) => ctx.services.dialogue.intents }),
);

builder.mutationField('rebuildIntentModel', (t) =>
  t.field({
    type: IntentModelRef,
    authScopes: { role: ingesters },
    description:
      'Asks a worker to train the intent classifier from the intents in the graph (it also does after every knowledge change) and returns the one served now; `intentModel.training` follows the job, and replicas swap the new classifier in when it is stored.',
    resolve: async (_r, _a, ctx) => {
      await ctx.services.background.request('train-intents');
      return ctx.services.dialogue.intents;
    },
  }),
);
