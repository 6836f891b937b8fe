import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import { builder, staff } from '../schema/builder.js';
import { AnalyticsRepository, type AnalyticsReport, type Count } from './analytics.repository.js';

const CountRef = builder.objectRef<Count>('Count').implement({
  fields: (t) => ({ key: t.exposeString('key'), count: t.exposeInt('count') }),
});

const KnowledgeUsageRef = builder.objectRef<AnalyticsReport['knowledgeUsage'][number]>('KnowledgeUsage').implement({
  fields: (t) => ({
    knowledge: t.field({ type: KnowledgeItemRef, nullable: true, resolve: (u, _a, ctx) => ctx.services.knowledge.get(u.id, knowledgeAccess(ctx.viewer)) }),
    uses: t.exposeInt('uses'),
    helpful: t.exposeInt('helpful'),
    notHelpful: t.exposeInt('notHelpful'),
  }),
});

const GapRef = builder.objectRef<AnalyticsReport['gaps'][number]>('KnowledgeGap').implement({
  description: 'A customer question the bot could not answer well: material for new knowledge.',
  fields: (t) => ({
    question: t.exposeString('question', { description: 'As stored: PII masked.' }),
    count: t.exposeInt('count'),
    lastAt: t.field({ type: 'DateTime', resolve: (g) => g.lastAt }),
    language: t.exposeString('language', { nullable: true }),
  }),
});

const AnalyticsRef = builder.objectRef<AnalyticsReport>('Analytics').implement({
  description: 'What happened in conversations between `from` and `to`.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', resolve: (a) => a.from }),
    to: t.field({ type: 'DateTime', resolve: (a) => a.to }),
    conversations: t.exposeInt('conversations'),
    escalated: t.exposeInt('escalated'),
    resolved: t.exposeInt('resolved'),
    containmentRate: t.exposeFloat('containmentRate', { nullable: true, description: 'Share handled without a human.' }),
    escalationRate: t.exposeFloat('escalationRate', { nullable: true }),
    avgMessagesPerConversation: t.exposeFloat('avgMessagesPerConversation', { nullable: true }),
    customerMessages: t.exposeInt('customerMessages'),
    botMessages: t.exposeInt('botMessages'),
    agentMessages: t.exposeInt('agentMessages'),
    unanswered: t.exposeInt('unanswered'),
    outOfScope: t.exposeInt('outOfScope'),
    avgConfidence: t.exposeFloat('avgConfidence', { nullable: true }),
    latencyP50Ms: t.exposeFloat('latencyP50Ms', { nullable: true }),
    latencyP95Ms: t.exposeFloat('latencyP95Ms', { nullable: true }),
    helpful: t.exposeInt('helpful'),
    notHelpful: t.exposeInt('notHelpful'),
    csat: t.exposeFloat('csat', { nullable: true, description: 'Mean CSAT (1–5).' }),
    csatResponses: t.exposeInt('csatResponses'),
    intents: t.field({ type: [CountRef], resolve: (a) => a.intents }),
    sentiment: t.field({ type: [CountRef], resolve: (a) => a.sentiment }),
    languages: t.field({ type: [CountRef], resolve: (a) => a.languages }),
    channels: t.field({ type: [CountRef], resolve: (a) => a.channels }),
    escalationReasons: t.field({ type: [CountRef], resolve: (a) => a.escalationReasons }),
    knowledgeUsage: t.field({ type: [KnowledgeUsageRef], resolve: (a) => a.knowledgeUsage }),
    gaps: t.field({ type: [GapRef], resolve: (a) => a.gaps }),
  }),
});

const MAX_WINDOW_DAYS = 366;

builder.queryField('analytics', (t) =>
  t.field({
    type: AnalyticsRef,
    authScopes: { role: staff },
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      top: t.arg.int({ defaultValue: 10, required: true, description: 'Rows in each top-N list (at most 100).' }),
    },
    resolve: (_r, args, ctx) => {
      if (!(args.from < args.to)) throw new AppError('BAD_USER_INPUT', '`from` must be before `to`.');
      if (args.to.getTime() - args.from.getTime() > MAX_WINDOW_DAYS * 86_400_000) throw new AppError('BAD_USER_INPUT', `The window may span at most ${MAX_WINDOW_DAYS} days.`);
      if (args.top < 1 || args.top > 100) throw new AppError('BAD_USER_INPUT', `top must be between 1 and 100; got ${args.top}.`);
      return new AnalyticsRepository(ctx.executor).report({ from: args.from, to: args.to, top: args.top, minConfidence: 0.35, access: knowledgeAccess(ctx.viewer) });
    },
  }),
);
