import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { KnowledgeItemRef } from '../knowledge/knowledge.schema.js';
import type { ComposedAnswer } from '../retrieval/answer-composer.js';
import { CitationRef } from '../retrieval/retrieval.schema.js';
import { anyRole, builder } from '../schema/builder.js';
import type { GraphQLContext } from '../schema/context.js';
import { offsetConnection } from '../schema/pagination.js';
import { conversationEventTypes, conversationStatuses, type ConversationEvent, type ConversationRow, type MessageRow } from './conversation.types.js';
import { EntityMentionRef } from './understanding.schema.js';

const agents = ['AGENT', 'ADMIN'] as const;

const ConversationStatusEnum = builder.enumType('ConversationStatus', {
  values: conversationStatuses,
  description: 'BOT: the bot answers · ESCALATED: waiting for an agent · AGENT: an agent has it · RESOLVED: closed.',
});
const ConversationEventTypeEnum = builder.enumType('ConversationEventType', { values: conversationEventTypes });

const ActionErrorRef = builder.objectRef<{ action: string; reason: string; message: string }>('ActionError').implement({
  fields: (t) => ({
    action: t.exposeString('action'),
    reason: t.exposeString('reason', { description: 'unknown-action, timeout, unreachable, http-status, bad-response, private-address, …' }),
    message: t.exposeString('message'),
  }),
});

export const MessageRef = builder.objectRef<MessageRow>('Message').implement({
  description: 'One message of a conversation. Text is stored with personal data masked.',
  fields: (t) => ({
    id: t.exposeID('id'),
    conversationId: t.exposeID('conversationId'),
    seq: t.exposeInt('seq'),
    role: t.exposeString('role', { description: 'customer, bot or agent.' }),
    text: t.exposeString('text'),
    at: t.field({ type: 'DateTime', resolve: (m) => m.at }),
    language: t.string({ nullable: true, resolve: (m) => m.language }),
    intent: t.string({ nullable: true, description: 'Customer messages: the predicted intent.', resolve: (m) => m.intent }),
    outOfScope: t.boolean({ nullable: true, resolve: (m) => m.outOfScope }),
    sentiment: t.string({ nullable: true, description: 'Customer messages: positive, negative or neutral.', resolve: (m) => m.sentiment }),
    sentimentScore: t.float({ nullable: true, resolve: (m) => m.sentimentScore }),
    emotion: t.string({ nullable: true, description: 'Customer messages: neutral, happy, angry, sad, fear or surprise.', resolve: (m) => m.emotion }),
    emotionScore: t.float({ nullable: true, resolve: (m) => m.emotionScore }),
    confidence: t.float({ nullable: true, description: 'Customer messages: the intent’s confidence; bot messages: the answer’s.', resolve: (m) => m.confidence }),
    latencyMs: t.int({ nullable: true, description: 'Bot messages: time to answer.', resolve: (m) => m.latencyMs }),
    escalate: t.exposeBoolean('escalate', { description: 'Bot messages: this turn handed the conversation to a human.' }),
    kind: t.string({ nullable: true, description: 'Bot messages: smalltalk, process, rule, fact, passage, handoff or none.', resolve: (m) => m.kind }),
    author: t.string({ nullable: true, description: 'Agent messages: who wrote it.', resolve: (m) => m.author }),
    replyTo: t.id({ nullable: true, resolve: (m) => m.replyTo }),
    resolvedQuestion: t.string({ nullable: true, description: 'Bot messages: the question as searched, when a follow-up was resolved with earlier turns.', resolve: (m) => m.resolvedQuestion ?? null }),
    citations: t.field({ type: [CitationRef], resolve: (m) => m.citations }),
    actionError: t.field({
      type: ActionErrorRef,
      nullable: true,
      description: 'Bot messages, agents and integrations: a process action that failed this turn, in full (the customer was told gracefully; null for customers).',
      resolve: (m, _a, ctx) => (ctx.viewer.role === 'CUSTOMER' ? null : m.actionError ?? null),
    }),
    entities: t.field({ type: [EntityMentionRef], resolve: (m) => m.mentions }),
    knowledge: t.loadableList({
      type: KnowledgeItemRef,
      description: 'Knowledge the message used, best first (what you may see of it).',
      load: (ids: string[], ctx: GraphQLContext) => ctx.services.dialogue.service.repo.knowledgeOf(ids, knowledgeAccess(ctx.viewer)),
      resolve: (m) => m.id,
    }),
  }),
});

const SuggestionRef = builder.objectRef<ComposedAnswer>('Suggestion').implement({
  description: 'An answer an agent might send, from the same retrieval as the bot (with the agent’s access).',
  fields: (t) => ({
    text: t.exposeString('text'),
    confidence: t.exposeFloat('confidence'),
    citations: t.field({ type: [CitationRef], resolve: (s) => s.citations }),
    knowledge: t.field({ type: [KnowledgeItemRef], resolve: (s) => s.used }),
  }),
});

const ContextErrorRef = builder.objectRef<{ reason: string; message: string }>('ContextError').implement({
  description: 'Why the context connector gave no context (the conversation went on without it).',
  fields: (t) => ({
    reason: t.exposeString('reason', { description: 'timeout, unreachable, http-status, bad-response, circuit-open, private-address, https-required or invalid-url.' }),
    message: t.exposeString('message'),
  }),
});

export const ConversationRef = builder.objectRef<ConversationRow>('Conversation').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: ConversationStatusEnum, resolve: (c) => c.status }),
    channel: t.string({ nullable: true, resolve: (c) => c.channel }),
    language: t.string({ nullable: true, resolve: (c) => c.language }),
    customerContext: t.field({ type: 'JSON', description: 'Given at start (and fetched by the context connector), sensitive fields decrypted; other personal data is stored masked.', resolve: (c) => c.customerContext }),
    customerId: t.string({ nullable: true, resolve: (c) => c.customerId }),
    contextError: t.field({
      type: ContextErrorRef,
      nullable: true,
      description: 'Agents and integrations: why the context connector gave nothing the last time (null for customers).',
      resolve: (c, _a, ctx) => (ctx.viewer.role === 'CUSTOMER' ? null : c.contextError ?? null),
    }),
    visitorToken: t.string({
      nullable: true,
      description:
        'Only from startConversation with a CUSTOMER key and no visitor yet: the new anonymous visitor’s token. Send it as the `answergraph-visitor-token` header (graphql-ws: `visitorToken` in connection_init) to read or write this conversation; it is shown once.',
      resolve: (c) => c.visitorToken ?? null,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    lastMessageAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.lastMessageAt }),
    messageCount: t.exposeInt('messageCount'),
    agentName: t.string({ nullable: true, resolve: (c) => c.agentName }),
    escalationReason: t.string({ nullable: true, description: 'requested, low-confidence, negative-sentiment or failed-turns.', resolve: (c) => c.escalationReason }),
    escalatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.escalatedAt }),
    csat: t.int({ nullable: true, resolve: (c) => c.csat }),
    messages: t.loadableList({
      type: MessageRef,
      description: 'The transcript: the latest 200 messages, oldest first.',
      load: (ids: string[], ctx: GraphQLContext) => ctx.services.dialogue.service.repo.transcripts(ids, 200),
      resolve: (c) => c.id,
    }),
    suggestions: t.field({
      type: [SuggestionRef],
      authScopes: { role: agents },
      description: 'Answers to the customer’s last message an agent might send (internal knowledge included).',
      resolve: (c, _a, ctx) => ctx.services.dialogue.service.suggestions(c, ctx.viewer),
    }),
  }),
});

const EventRef = builder.objectRef<ConversationEvent>('ConversationEvent').implement({
  description: 'Something that happened in a conversation. Pass `cursor` as `since` when you reconnect to get every event after it.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    type: t.field({ type: ConversationEventTypeEnum, resolve: (e) => e.type }),
    conversationId: t.exposeID('conversationId'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    text: t.string({ nullable: true, description: 'BOT_CHUNK: the next piece of the reply; AGENT_JOINED/LEFT: the agent; ESCALATED: the reason.', resolve: (e) => e.text }),
    chunkIndex: t.int({ nullable: true, resolve: (e) => e.chunkIndex }),
    messageId: t.id({ nullable: true, resolve: (e) => e.messageId }),
    message: t.field({ type: MessageRef, nullable: true, description: 'The whole message (CUSTOMER_MESSAGE, BOT_MESSAGE, AGENT_MESSAGE).', resolve: (e) => e.message }),
  }),
});

const StartConversationInput = builder.inputType('StartConversationInput', {
  fields: (t) => ({
    channel: t.string({ description: 'web, app, whatsapp, …' }),
    customerContext: t.field({ type: 'JSON', description: 'What rules read, e.g. {"customer": {"tier": "gold"}, "order": {"ageDays": 3}} (seeds/README.md).' }),
    language: t.string({ description: 'en or zh; detected per message when omitted.' }),
    customerId: t.string({ description: 'The customer this conversation is about: the context connector’s key and what eraseCustomerData finds. With a CUSTOMER key it needs customerSignature.' }),
    customerSignature: t.string({ description: 'Hex HMAC-SHA256 of customerId with IDENTITY_VERIFICATION_SECRET, computed by your backend (identity verification).' }),
  }),
});

const FeedbackResultRef = builder.objectRef<{ knowledge: string[] }>('FeedbackResult').implement({
  fields: (t) => ({ knowledgeIds: t.idList({ description: 'The knowledge items the feedback was linked to.', resolve: (r) => r.knowledge }) }),
});

builder.queryFields((t) => ({
  conversation: t.field({
    type: ConversationRef,
    authScopes: { role: anyRole },
    description: 'A conversation: yours, or any for agents.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.get(String(args.id), ctx.viewer),
  }),
  conversations: t.connection(
    {
      type: ConversationRef,
      authScopes: { role: agents },
      description: 'The agent inbox: conversations in the given statuses (default ESCALATED and AGENT), longest waiting first.',
      args: {
        statuses: t.arg({ type: [ConversationStatusEnum] }),
        mine: t.arg.boolean({ defaultValue: false, description: 'Only conversations you hold.' }),
      },
      resolve: (_r, args, ctx) =>
        offsetConnection(ctx, args, (page) =>
          ctx.services.dialogue.service.list((args.statuses ?? ['ESCALATED', 'AGENT']), args.mine ?? false, ctx.viewer, page),
        ),
    },
    { fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
  ),
}));

builder.mutationFields((t) => ({
  startConversation: t.field({
    type: ConversationRef,
    authScopes: { role: anyRole },
    args: { input: t.arg({ type: StartConversationInput }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.start(args.input ?? {}, ctx.viewer),
  }),
  sendMessage: t.field({
    type: MessageRef,
    authScopes: { role: anyRole },
    description: 'Sends the customer’s message. Returns the bot’s reply (also streamed on conversationEvents), or your own message while a human agent has the conversation (their reply arrives on conversationEvents).',
    args: { conversationId: t.arg.id({ required: true }), text: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.send(String(args.conversationId), args.text, ctx.viewer),
  }),
  refreshCustomerContext: t.field({
    type: ConversationRef,
    authScopes: { role: ['AGENT', 'ADMIN', 'SERVICE'] },
    description: 'Fetches the customer’s context from the context connector again (skipping its cache) into the conversation; rules use it from the next message.',
    args: { conversationId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.refreshContext(String(args.conversationId), ctx.viewer),
  }),
  claimConversation: t.field({
    type: ConversationRef,
    authScopes: { role: agents },
    description: 'Takes a conversation (escalated, or from the bot): the customer is told an agent joined, and the bot stops answering.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.claim(String(args.id), ctx.viewer),
  }),
  agentReply: t.field({
    type: MessageRef,
    authScopes: { role: agents },
    description: 'Replies as the agent holding the conversation; the reply arrives on the customer’s subscription.',
    args: { conversationId: t.arg.id({ required: true }), text: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.agentReply(String(args.conversationId), args.text, ctx.viewer),
  }),
  handBackConversation: t.field({
    type: ConversationRef,
    authScopes: { role: agents },
    description: 'Hands the conversation back to the bot.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.handBack(String(args.id), ctx.viewer),
  }),
  resolveConversation: t.field({
    type: ConversationRef,
    authScopes: { role: agents },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.resolve(String(args.id), ctx.viewer),
  }),
  rateMessage: t.field({
    type: FeedbackResultRef,
    authScopes: { role: anyRole },
    description: 'Was this answer helpful? Linked to the knowledge it used.',
    args: { messageId: t.arg.id({ required: true }), helpful: t.arg.boolean({ required: true }), comment: t.arg.string() },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.rateMessage(String(args.messageId), args.helpful, args.comment ?? null, ctx.viewer),
  }),
  rateConversation: t.field({
    type: FeedbackResultRef,
    authScopes: { role: anyRole },
    description: 'Customer satisfaction, 1 (poor) to 5 (excellent), and optionally the net-promoter question (0–10). Linked to every item the conversation used.',
    args: {
      conversationId: t.arg.id({ required: true }),
      score: t.arg.int({ required: true }),
      comment: t.arg.string(),
      nps: t.arg.int({ description: 'How likely the customer is to recommend us, 0 (not at all) to 10 (extremely).' }),
    },
    resolve: (_r, args, ctx) => ctx.services.dialogue.service.rateConversation(String(args.conversationId), args.score, args.comment ?? null, ctx.viewer, args.nps ?? null),
  }),
}));

builder.subscriptionField('conversationEvents', (t) =>
  t.field({
    type: EventRef,
    authScopes: { role: anyRole },
    description: 'Replies (chunks, then the whole message), typing, escalation, agents joining, replying and leaving. With `since` (a cursor, or "0" for everything), every stored event after it comes first.',
    args: { conversationId: t.arg.id({ required: true }), since: t.arg.string() },
    subscribe: async (_r, args, ctx) => {
      if (!args.conversationId) throw new AppError('BAD_USER_INPUT', 'conversationId is required.');
      return ctx.services.dialogue.service.follow(String(args.conversationId), args.since, ctx.viewer);
    },
    resolve: (e) => e,
  }),
);
