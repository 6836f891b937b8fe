import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import { builder, staff } from '../schema/builder.js';
import type { GraphQLContext } from '../schema/context.js';
import { keyed, type Figures, type KeyCount } from './bucket.js';
import type { AnalyticsWindow, ComplaintSignal, IntentQuality, KnowledgeUse, SeriesPoint, Totals } from './analytics.service.js';

/** What an `analytics` field resolves from: the window, and its totals read once when a field needs them. */
interface AnalyticsSource {
  window: AnalyticsWindow;
  /** Rows in each top-N list unless the list says otherwise. */
  top: number;
  totals(): Promise<Totals>;
}

const CountRef = builder.objectRef<KeyCount>('Count').implement({
  fields: (t) => ({ key: t.exposeString('key'), count: t.exposeInt('count') }),
});

const GranularityEnum = builder.enumType('Granularity', {
  values: { HOUR: { value: 'hour' }, DAY: { value: 'day' }, WEEK: { value: 'week' } } as const,
  description: 'Time-series step, in UTC; weeks start on Monday.',
});

/** The figures shared by a whole window and each time-series point (formulas: README, "Analytics"). */
type FigureField = { [K in keyof Figures]: Figures[K] extends number ? K : never }[keyof Figures];
type RateField = Exclude<keyof Figures, FigureField>;
const intFigures: Array<[FigureField, string]> = [
  ['conversations', 'Conversations started in the period.'],
  ['messages', 'Messages stored in the period (customer, bot, agent).'],
  ['customerMessages', 'Customer messages.'],
  ['botMessages', 'Bot messages.'],
  ['agentMessages', 'Messages written by human agents.'],
  ['contained', 'Conversations in which no human agent wrote (bot resolution).'],
  ['handedOff', 'Conversations handed to a human (the bot escalated, or an agent wrote).'],
  ['resolved', 'Conversations marked resolved.'],
  ['csatResponses', 'Conversations rated 1–5.'],
  ['npsResponses', 'Conversations with a 0–10 likelihood-to-recommend score.'],
  ['helpful', 'Bot answers rated helpful.'],
  ['notHelpful', 'Bot answers rated not helpful.'],
  ['botAnswers', 'Bot replies to customer messages.'],
  ['unanswered', 'Bot replies that found nothing to answer with.'],
  ['outOfScope', 'Customer messages outside every known intent.'],
];
const rateFigures: Array<[RateField, string]> = [
  ['containmentRate', 'Bot resolution rate: contained ÷ conversations.'],
  ['handoffRate', 'handedOff ÷ conversations.'],
  ['firstResponseP50S', 'Median seconds from the customer\'s first message to the first reply, bot or human (a pending hand-off waits for a human). Upper edge of its histogram bin.'],
  ['firstResponseP90S', '90th percentile of the first response time, seconds (bin upper edge).'],
  ['handoffWaitP50S', 'Median seconds from a hand-off to the first human reply: the bot-to-human wait (bin upper edge).'],
  ['handoffWaitP90S', '90th percentile of the bot-to-human wait, seconds (bin upper edge).'],
  ['resolutionP50S', 'Median seconds from the start of a conversation to its resolution (bin upper edge).'],
  ['resolutionP90S', '90th percentile of the resolution time, seconds (bin upper edge).'],
  ['csatScore', 'CSAT score: share of 1–5 ratings that were 4 or 5.'],
  ['csatAverage', 'Mean of the 1–5 ratings.'],
  ['csatResponseRate', 'csatResponses ÷ conversations.'],
  ['nps', 'Net promoter score: % of 9–10 scores − % of 0–6 scores (−100…100).'],
  ['helpfulRate', 'helpful ÷ (helpful + notHelpful).'],
  ['unansweredRate', 'unanswered ÷ botAnswers.'],
  ['avgConfidence', 'Mean confidence of bot answers.'],
  ['botLatencyP50Ms', 'Median milliseconds a bot reply took (bin upper edge).'],
  ['botLatencyP95Ms', '95th percentile of the bot reply time, ms (bin upper edge).'],
];

const SeriesPointRef = builder.objectRef<SeriesPoint>('AnalyticsBucket').implement({
  description: 'One step of a time series: the figures of the period [start, end).',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (p) => new Date(p.start) }),
    end: t.field({ type: 'DateTime', resolve: (p) => new Date(p.end) }),
    ...Object.fromEntries(intFigures.map(([name, description]) => [name, t.int({ description, resolve: (p) => p.figures[name] })])),
    ...Object.fromEntries(rateFigures.map(([name, description]) => [name, t.float({ description, nullable: true, resolve: (p) => p.figures[name] })])),
    emotions: t.field({ type: [CountRef], description: 'Customer messages by emotion (sentiment where no emotion was recognised).', resolve: (p) => keyed(p.bucket, 'emotion') }),
  }),
});

const IntentQualityRef = builder.objectRef<IntentQuality>('IntentQuality').implement({
  description: 'How often customers asked for an intent and how well the bot did with it.',
  fields: (t) => ({
    intent: t.exposeString('intent'),
    count: t.exposeInt('count', { description: 'Customer messages with this intent.' }),
    answered: t.exposeInt('answered', { description: 'Of their bot replies, those that answered (not `none`).' }),
    answeredRate: t.exposeFloat('answeredRate', { nullable: true }),
    helpful: t.exposeInt('helpful'),
    notHelpful: t.exposeInt('notHelpful'),
    helpfulRate: t.exposeFloat('helpfulRate', { nullable: true }),
  }),
});

const KnowledgeUsageRef = builder.objectRef<KnowledgeUse>('KnowledgeUsage').implement({
  fields: (t) => ({
    knowledge: t.field({ type: KnowledgeItemRef, nullable: true, resolve: (u, _a, ctx) => ctx.services.knowledge.get(u.id, knowledgeAccess(ctx.viewer)) }),
    uses: t.exposeInt('uses'),
    helpful: t.exposeInt('helpful'),
    notHelpful: t.exposeInt('notHelpful'),
    helpfulRate: t.exposeFloat('helpfulRate', { nullable: true }),
  }),
});

const ComplaintExampleRef = builder.objectRef<ComplaintSignal['examples'][number]>('ComplaintExample').implement({
  fields: (t) => ({
    messageId: t.exposeID('id'),
    conversationId: t.exposeID('conversationId'),
    text: t.exposeString('text', { description: 'As stored: PII masked.' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    language: t.exposeString('language', { nullable: true }),
    emotion: t.exposeString('emotion', { nullable: true }),
  }),
});

const TrendPointRef = builder.objectRef<ComplaintSignal['trend'][number]>('TrendPoint').implement({
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (p) => new Date(p.start) }),
    end: t.field({ type: 'DateTime', resolve: (p) => new Date(p.end) }),
    count: t.exposeInt('count'),
  }),
});

const ComplaintSignalRef = builder.objectRef<ComplaintSignal>('ComplaintSignal').implement({
  description: 'An entity (product, service, feature) customers mention in messages with a negative emotion (angry, sad, fear; else negative sentiment): material for finding defects.',
  fields: (t) => ({
    entityId: t.id({ resolve: (s) => s.entity.id }),
    entityName: t.string({ nullable: true, resolve: (s) => s.entity.name }),
    entityType: t.string({ nullable: true, resolve: (s) => s.entity.type }),
    count: t.exposeInt('count', { description: 'Customer messages with a negative emotion (angry, sad, fear; else negative sentiment) in the window that mention it.' }),
    previousCount: t.exposeInt('previousCount', { description: 'The same in the previous period of equal length.' }),
    change: t.exposeInt('change', { description: 'count − previousCount.' }),
    changeRate: t.exposeFloat('changeRate', { nullable: true, description: 'change ÷ previousCount (null when previousCount is 0).' }),
    share: t.exposeFloat('share', { nullable: true, description: 'count ÷ customer messages with a negative emotion (angry, sad, fear; else negative sentiment) in the window.' }),
    trend: t.field({ type: [TrendPointRef], description: 'Counts per hour (windows up to 2 days), day (up to 92 days) or week.', resolve: (s) => s.trend }),
    examples: t.field({ type: [ComplaintExampleRef], description: 'The most recent such messages.', resolve: (s) => s.examples }),
  }),
});

const GapRef = builder.objectRef<Record<string, unknown>>('UnansweredQuestion').implement({
  description: 'A customer question the bot could not answer well: material for new knowledge.',
  fields: (t) => ({
    question: t.string({ description: 'As stored: PII masked.', resolve: (g) => String(g.question) }),
    count: t.int({ resolve: (g) => Number(g.count) }),
    lastAt: t.field({ type: 'DateTime', resolve: (g) => String(g.lastAt) }),
    language: t.string({ nullable: true, resolve: (g) => (g.language as string | null) ?? null }),
  }),
});

const totalsOf = (a: AnalyticsSource) => a.totals();
const service = (ctx: GraphQLContext) => ctx.services.analytics;
const topOf = (a: AnalyticsSource, n: number | null | undefined): number => {
  const top = n ?? a.top;
  if (top < 1 || top > 100) throw new AppError('BAD_USER_INPUT', `top must be between 1 and 100; got ${top}.`);
  return top;
};
const topListArg = { description: "Rows in the list (1–100); default: the analytics query's `top`." };

const AnalyticsRef = builder.objectRef<AnalyticsSource>('Analytics').implement({
  description:
    'What happened in conversations between `from` and `to` (UTC; widened to whole hours). Conversation figures (containment, hand-offs, response and resolution times, CSAT, NPS) count conversations that started in the window; message figures count messages sent in it. Answered from time buckets maintained as conversations happen.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start of the window, rounded down to the hour.', resolve: (a) => new Date(a.window.from) }),
    to: t.field({ type: 'DateTime', description: 'End of the window (exclusive), rounded up to the hour.', resolve: (a) => new Date(a.window.to) }),
    channel: t.string({ nullable: true, resolve: (a) => a.window.filters.channel }),
    language: t.string({ nullable: true, resolve: (a) => a.window.filters.language }),
    ...Object.fromEntries(intFigures.map(([name, description]) => [name, t.int({ description, resolve: async (a) => (await totalsOf(a)).figures[name] })])),
    ...Object.fromEntries(rateFigures.map(([name, description]) => [name, t.float({ description, nullable: true, resolve: async (a) => (await totalsOf(a)).figures[name] })])),
    escalated: t.int({ description: 'Same as handedOff (kept for existing clients).', resolve: async (a) => (await totalsOf(a)).figures.handedOff }),
    escalationRate: t.float({ nullable: true, description: 'Same as handoffRate (kept for existing clients).', resolve: async (a) => (await totalsOf(a)).figures.handoffRate }),
    avgMessagesPerConversation: t.float({ nullable: true, description: 'messages ÷ conversations.', resolve: async (a) => ((await totalsOf(a)).figures.conversations > 0 ? (await totalsOf(a)).figures.messages / (await totalsOf(a)).figures.conversations : null) }),
    latencyP50Ms: t.float({ nullable: true, description: 'Same as botLatencyP50Ms (kept for existing clients).', resolve: async (a) => (await totalsOf(a)).figures.botLatencyP50Ms }),
    latencyP95Ms: t.float({ nullable: true, description: 'Same as botLatencyP95Ms (kept for existing clients).', resolve: async (a) => (await totalsOf(a)).figures.botLatencyP95Ms }),
    csat: t.float({ nullable: true, description: 'Mean CSAT (1–5); same as csatAverage (kept for existing clients). The CSAT score is csatScore.', resolve: async (a) => (await totalsOf(a)).figures.csatAverage }),
    intents: t.field({ type: [CountRef], args: { top: t.arg.int(topListArg) }, resolve: async (a, args) => keyed((await totalsOf(a)).bucket, 'intent').slice(0, topOf(a, args.top)) }),
    topIntents: t.field({
      type: [IntentQualityRef],
      description: 'The most asked intents with how well they were answered and rated.',
      args: { top: t.arg.int(topListArg) },
      resolve: async (a, args, ctx) => service(ctx).intents(await totalsOf(a), topOf(a, args.top)),
    }),
    emotions: t.field({ type: [CountRef], description: 'Customer messages by emotion (sentiment where no emotion was recognised). Over time: timeseries.emotions.', resolve: async (a) => keyed((await totalsOf(a)).bucket, 'emotion') }),
    sentiment: t.field({ type: [CountRef], description: 'Same as emotions (kept for existing clients).', resolve: async (a) => keyed((await totalsOf(a)).bucket, 'emotion') }),
    languages: t.field({ type: [CountRef], description: 'Conversations by language.', resolve: async (a) => (await totalsOf(a)).languages }),
    channels: t.field({ type: [CountRef], description: 'Conversations by channel.', resolve: async (a) => (await totalsOf(a)).channels }),
    escalationReasons: t.field({ type: [CountRef], description: 'Hand-offs by reason.', resolve: async (a) => keyed((await totalsOf(a)).bucket, 'reason') }),
    knowledgeUsage: t.field({
      type: [KnowledgeUsageRef],
      description: 'The most used knowledge items the caller may see, with their ratings (the item carries its qualityScore).',
      args: { top: t.arg.int(topListArg) },
      resolve: (a, args, ctx) => service(ctx).knowledgeUsage(a.window, topOf(a, args.top), knowledgeAccess(ctx.viewer)),
    }),
    timeseries: t.field({
      type: [SeriesPointRef],
      description: `The window's figures per hour, day or week (at most 2,400 points), empty periods included.`,
      args: { granularity: t.arg({ type: GranularityEnum, required: true }) },
      resolve: (a, args, ctx) => service(ctx).series(a.window, args.granularity),
    }),
    complaintSignals: t.field({
      type: [ComplaintSignalRef],
      args: { top: t.arg.int(topListArg), examples: t.arg.int({ defaultValue: 3, required: true, description: 'Example messages per entity (0–10).' }) },
      resolve: async (a, args, ctx) => {
        if (args.examples < 0 || args.examples > 10) throw new AppError('BAD_USER_INPUT', `examples must be between 0 and 10; got ${args.examples}.`);
        return service(ctx).complaintSignals(a.window, await totalsOf(a), { top: topOf(a, args.top), examples: args.examples });
      },
    }),
    gaps: t.field({
      type: [GapRef],
      description: 'Customer questions the bot could not answer well. Scans the raw messages of the window (not the buckets): slow over long windows.',
      args: { top: t.arg.int(topListArg) },
      resolve: (a, args, ctx) => service(ctx).gaps(a.window, topOf(a, args.top), 0.35),
    }),
  }),
});

builder.queryField('analytics', (t) =>
  t.field({
    type: AnalyticsRef,
    authScopes: { role: staff },
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      channel: t.arg.string({ description: 'Only conversations of this channel.' }),
      language: t.arg.string({ description: 'Only this language (conversation language for conversation figures, message language for message figures).' }),
      top: t.arg.int({ defaultValue: 10, required: true, description: 'Rows in each top-N list (1–100) unless the list asks for its own number.' }),
    },
    resolve: (_r, args, ctx) => {
      if (args.top < 1 || args.top > 100) throw new AppError('BAD_USER_INPUT', `top must be between 1 and 100; got ${args.top}.`);
      const window = service(ctx).window(args.from, args.to, { channel: args.channel ?? null, language: args.language ?? null });
      let totals: Promise<Totals> | null = null;
      return {
        window,
        top: args.top,
        totals: () => {
          totals ??= service(ctx).totals(window);
          return totals;
        },
      };
    },
  }),
);
