import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { hasRole, knowledgeAccess, type Viewer } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { ConnectorError, mergeContext, type ContextConnector } from '../integrations/context-connector.js';
import type { ProcessActions } from '../integrations/process-actions.js';
import type { DataProtector } from '../privacy/data-protector.js';
import { checkCustomerId, type VisitorIdentity } from '../privacy/visitor.js';
import type { ComposedAnswer } from '../retrieval/answer-composer.js';
import type { Answerer } from './answerer.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { ConversationStore } from './conversation.store.js';
import type { ActiveProcess } from './process-runner.js';
import type { ConversationEvent, ConversationRow, ConversationState, ConversationStatus, MessageRow, NewEvent } from './conversation.types.js';
import { checkCursor, type ConversationEventStream } from './event-stream.js';
import { HUMAN_AGENT_INTENT, SMALL_TALK_INTENTS } from './intent-model.js';
import type { DialoguePolicy } from './policy.js';
import { replies, replyChunks } from './replies.js';
import type { Understander } from './understanding.js';

export const MAX_MESSAGE_LENGTH = 4000;
const MAX_CONTEXT_BYTES = 16_384;

/** Roles that see every conversation (the agent inbox). Customers and integrations see their own. */
const SEES_ALL: Parameters<typeof hasRole>[1] = ['AGENT', 'ADMIN'];

/** Where a bot turn's time went, in ms: the stages of {@link DialogueService.send}, in order. */
export interface TurnStages {
  /** Masking, language, the embedding, intent and entity linking. */
  understand: number;
  /** The customer's message and "typing…" on the stream, then the policy: processes, rules or retrieval and the composed answer (sentiment finishes meanwhile). */
  respond: number;
  /** The turn's write transaction in Neo4j. */
  store: number;
  /** The reply's events on the conversation stream and the turn state in Redis. */
  publish: number;
}

export interface DialogueMetrics {
  turn(kind: string, escalated: boolean, ms: number, stages: TurnStages): void;
}

/** Privacy and integrations of the dialogue (issue 16); each optional so the engine runs without them. */
export interface DialogueIntegrations {
  /** Masks and encrypts personal data on every path to storage (context, turn state, event stream, feedback). */
  protector?: DataProtector;
  /** Binds CUSTOMER-key conversations to a visitor (anonymous token or signed customer id). */
  visitors?: VisitorIdentity;
  /** Actions process steps call (order lookups, …) with the slots collected so far. */
  actions?: ProcessActions;
  /** Fetches the customer's context (CRM, orders) by customer id at start and on demand. */
  connector?: ContextConnector;
  /** Outbound events (webhooks). Fire and forget: a turn never waits on or fails by them. */
  events?: OutboundEvents;
}

/** Where conversation events go out to other systems (webhooks). `eventId` makes an event idempotent. */
export interface OutboundEvents {
  emit(name: 'CONVERSATION_ESCALATED' | 'CONVERSATION_RESOLVED' | 'CSAT_RECEIVED' | 'NEGATIVE_EMOTION' | 'COMPLAINT_SIGNAL' | 'PROCESS_COMPLETED', data: Record<string, unknown>, eventId?: string): Promise<unknown>;
}

export interface StartInput {
  channel?: string | null;
  customerContext?: unknown;
  language?: string | null;
  customerId?: string | null;
  customerSignature?: string | null;
}

/**
 * Conversations: starting them, answering each message (understand → policy → persist → publish),
 * the human hand-off (escalate, claim, reply, hand back, resolve) and feedback.
 */
export class DialogueService {
  constructor(
    readonly repo: ConversationRepository,
    private readonly store: ConversationStore,
    private readonly events: ConversationEventStream,
    private readonly understander: Understander,
    private readonly policy: DialoguePolicy,
    private readonly answerer: Answerer,
    private readonly logger: Logger,
    private readonly metrics?: DialogueMetrics,
    private readonly integrations: DialogueIntegrations = {},
  ) {}

  private emit(name: Parameters<OutboundEvents['emit']>[0], data: Record<string, unknown>, eventId: string): void {
    void this.integrations.events?.emit(name, data, eventId).catch((err: unknown) => this.logger.warn({ err, event: name }, 'outbound event not sent'));
  }

  /**
   * Negative customer messages go out as events (the tenant's complaint and retention workflows): a
   * strongly negative one as NEGATIVE_EMOTION; a negative one about named products or services (linked
   * entities) as COMPLAINT_SIGNAL, the per-message signal that analytics' complaintSignals aggregates.
   */
  private emitIfNegative(s: ConversationState, customer: MessageRow): void {
    if (customer.sentiment !== 'negative') return;
    const base = { conversationId: s.id, customerId: s.customerId ?? null, messageId: customer.id, score: customer.sentimentScore, emotion: customer.emotion, text: customer.text };
    if (customer.sentimentScore !== null && this.answerer.isStronglyNegative({ sentiment: { label: 'negative', score: customer.sentimentScore }, language: customer.language })) this.emit('NEGATIVE_EMOTION', base, `${s.id}:negative:${customer.seq}`);
    const about = customer.mentions.filter((m) => m.entityId).map((m) => ({ entityId: m.entityId, text: m.text, type: m.type }));
    if (about.length > 0) this.emit('COMPLAINT_SIGNAL', { ...base, entities: about }, `${s.id}:complaint:${customer.seq}`);
  }

  // ---------- personal data at rest ----------

  private mask(text: string): string {
    return this.integrations.protector ? this.integrations.protector.mask(text) : this.understander.mask(text);
  }

  private protectContext(context: Record<string, unknown>, id: string): Record<string, unknown> {
    const p = this.integrations.protector;
    return p ? p.protectContext(context, id) : context;
  }

  private revealRow(row: ConversationRow): ConversationRow {
    const p = this.integrations.protector;
    return p ? { ...row, customerContext: p.revealContext(row.customerContext, row.id) } : row;
  }

  /** Turn state in Redis: the context as in Neo4j, a process's answers encrypted when they hold personal data. */
  private async putState(state: ConversationState): Promise<void> {
    const p = this.integrations.protector;
    if (!p) return this.store.put(state);
    const slots = (a: ActiveProcess | null): ActiveProcess | null =>
      a && { ...a, state: { ...a.state, slots: Object.fromEntries(Object.entries(a.state.slots).map(([k, v]) => [k, p.protectValue(v, state.id)])) } };
    await this.store.put({ ...state, context: p.protectContext(state.context, state.id), process: slots(state.process), suspended: state.suspended.map((a) => slots(a) as ActiveProcess) });
  }

  private async getState(id: string): Promise<ConversationState | null> {
    const s = await this.store.get(id);
    const p = this.integrations.protector;
    if (!s || !p) return s;
    const slots = (a: ActiveProcess | null): ActiveProcess | null =>
      a && { ...a, state: { ...a.state, slots: Object.fromEntries(Object.entries(a.state.slots).map(([k, v]) => [k, p.revealValue<string | number>(v, id)])) } };
    return { ...s, context: p.revealContext(s.context, id), process: slots(s.process), suspended: s.suspended.map((a) => slots(a) as ActiveProcess) };
  }

  /** Events go to the Redis stream (kept for replay) with personal data masked, like the graph's copy. */
  private async publish(conversationId: string, events: readonly NewEvent[]): Promise<void> {
    await this.events.append(
      conversationId,
      events.map((e) => ({
        ...e,
        text: e.text === null || e.type === 'AGENT_JOINED' || e.type === 'AGENT_LEFT' ? e.text : this.mask(e.text),
        message: e.message && { ...e.message, text: this.mask(e.message.text), resolvedQuestion: e.message.resolvedQuestion && this.mask(e.message.resolvedQuestion) },
      })),
    );
  }

  /**
   * The visitor a new conversation is bound to. CUSTOMER keys are shared by every visitor of a widget, so
   * their conversations always get one: the signed customer id, the visitor the request proves, or a
   * new anonymous visitor (its token is returned once). Other roles are trusted backends: the key suffices.
   */
  private bindVisitor(viewer: Viewer, customerId: string | null, signature: string | null | undefined): { visitorId: string | null; token: string | null } {
    const visitors = this.integrations.visitors;
    if (viewer.role !== 'CUSTOMER') return { visitorId: viewer.visitor?.id ?? null, token: null };
    if (customerId) {
      const proven = viewer.visitor?.customerId === customerId || (visitors?.verify(customerId, signature) ?? false);
      if (!proven) {
        throw new AppError(
          'UNAUTHENTICATED',
          visitors?.verifies
            ? 'A CUSTOMER key may name a customerId only with its customerSignature (hex HMAC-SHA256 of the id with your identity secret).'
            : 'Identity verification is not configured (IDENTITY_VERIFICATION_SECRET): a CUSTOMER key may not name a customerId.',
        );
      }
      return { visitorId: `customer:${customerId}`, token: null };
    }
    if (viewer.visitor) return { visitorId: viewer.visitor.id, token: null };
    if (!visitors) return { visitorId: null, token: null };
    const issued = visitors.issue();
    return { visitorId: issued.visitor.id, token: issued.token };
  }

  async start(input: StartInput, viewer: Viewer): Promise<ConversationRow> {
    const given = checkContext(input.customerContext);
    const language = input.language ? checkLanguage(input.language) : null;
    const channel = input.channel ? this.mask(input.channel.slice(0, 100)) : null;
    const customerId = input.customerId ? checkCustomerId(input.customerId) : null;
    const { visitorId, token } = this.bindVisitor(viewer, customerId, input.customerSignature);
    const id = randomUUID();
    const { context, error } = await this.connectorContext(customerId, given, false);
    const stored = await this.repo.create({ id, channel, language, customerContext: this.protectContext(context, id), ownerKeyId: viewer.keyId, visitorId, customerId, contextError: error });
    const row = this.revealRow(stored);
    await this.putState(initialState(row));
    return { ...row, visitorToken: token };
  }

  /**
   * The caller's context merged with the connector's (the connector, the system of record, wins on
   * conflicts). A connector that fails, times out or answers garbage leaves the caller's context and a
   * typed error for agents: the conversation goes on.
   */
  private async connectorContext(customerId: string | null, given: Record<string, unknown>, fresh: boolean): Promise<{ context: Record<string, unknown>; error: ConversationRow['contextError'] }> {
    const connector = this.integrations.connector;
    if (!customerId || !connector) return { context: given, error: null };
    try {
      return { context: mergeContext(given, await connector.fetch(customerId, { fresh })), error: null };
    } catch (err) {
      const error = err instanceof ConnectorError ? { reason: err.reason, message: err.message } : { reason: 'unreachable', message: (err as Error).message };
      this.logger.warn({ reason: error.reason }, 'context connector gave no context; the conversation goes on without it');
      return { context: given, error };
    }
  }

  /** Fetches the customer's context again (skipping the cache) into a running conversation. */
  async refreshContext(id: string, viewer: Viewer): Promise<ConversationRow> {
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      if (!s.customerId) throw new AppError('BAD_USER_INPUT', `Conversation ${id} has no customerId to fetch context for.`);
      if (!this.integrations.connector) throw new AppError('BAD_USER_INPUT', 'No context connector is configured (CONTEXT_CONNECTOR_URL).');
      const { context, error } = await this.connectorContext(s.customerId, s.context, true);
      const row = await this.repo.setContext(id, this.protectContext(context, id), error);
      if (!row) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
      const revealed = this.revealRow(row);
      await this.putState({ ...s, context: revealed.customerContext });
      return revealed;
    });
  }

  /** A conversation the viewer may see, or NOT_FOUND (never FORBIDDEN: no existence leak). */
  async get(id: string, viewer: Viewer): Promise<ConversationRow> {
    const [row] = await this.repo.getByIds([id]);
    if (!row || !mayAccess(viewer, row)) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
    return this.revealRow(row);
  }

  private async state(id: string, viewer: Viewer): Promise<ConversationState> {
    let s = await this.getState(id);
    if (!s) {
      // Turn state expired (or Redis lost it): rebuild what the graph knows.
      const [row] = await this.repo.getByIds([id]);
      if (!row) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
      s = { ...initialState(this.revealRow(row)), seq: row.messageCount };
    }
    if (!mayAccess(viewer, s)) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
    return s;
  }

  /** The customer's message; returns the bot's reply, or the customer's own message while a human has the conversation. */
  async send(conversationId: string, text: string, viewer: Viewer): Promise<MessageRow> {
    const raw = text.trim();
    if (raw.length === 0) throw new AppError('BAD_USER_INPUT', 'A message needs some text.');
    if (raw.length > MAX_MESSAGE_LENGTH) throw new AppError('BAD_USER_INPUT', `A message may have at most ${MAX_MESSAGE_LENGTH} characters.`);
    return this.store.withLock(conversationId, async () => {
      const started = performance.now();
      let s = await this.state(conversationId, viewer);
      if (s.status === 'RESOLVED') s = { ...s, status: 'BOT', failedTurns: 0 }; // writing again reopens it
      const botAnswers = s.status === 'BOT';
      const customerId = randomUUID();
      const at = new Date().toISOString();
      const u = await this.understander.begin(raw, s.language);
      const understood = performance.now();
      const customerOf = (rest: Awaited<typeof u.rest>): MessageRow => ({
        ...blankMessage(customerId, conversationId, s.seq + 1, 'customer', u.text, at),
        language: u.language,
        intent: u.intent?.name ?? null,
        intentConfidence: u.intent?.confidence ?? null,
        outOfScope: u.intent?.outOfScope ?? null,
        sentiment: rest.sentiment.label,
        sentimentScore: rest.sentiment.score,
        emotion: rest.emotion?.label ?? null,
        emotionScore: rest.emotion?.score ?? null,
        confidence: u.intent?.confidence ?? null,
        mentions: rest.mentions,
      });

      if (!botAnswers) {
        const rest = await u.rest;
        const customer = customerOf(rest);
        await this.repo.appendMessages(conversationId, s.status, null, [{ ...customer, entityIds: rest.entities.map((e) => e.id) }]);
        await this.publish(conversationId, [messageEvent('CUSTOMER_MESSAGE', customer)]);
        await this.putState({ ...s, seq: customer.seq, language: s.language ?? u.language });
        this.emitIfNegative(s, customer);
        return customer;
      }

      // The customer's message (sentiment and mentions follow with the reply) and "typing…" go out at once.
      await this.publish(conversationId, [
        messageEvent('CUSTOMER_MESSAGE', { ...customerOf({ sentiment: { label: 'neutral', score: 0 }, emotion: null, mentions: [], entities: [] }), sentiment: null, sentimentScore: null }),
        { type: 'BOT_TYPING', text: null, chunkIndex: null, messageId: null, message: null },
      ]);
      const turn = await this.policy.respond({ ...s, language: s.language ?? u.language }, raw, u, this.integrations.actions);
      const rest = await u.rest;
      const responded = performance.now();
      const customer = customerOf(rest);
      const latencyMs = Math.round(responded - started);
      const bot: MessageRow = {
        ...blankMessage(randomUUID(), conversationId, customer.seq + 1, 'bot', turn.text, new Date().toISOString()),
        language: u.language,
        confidence: turn.confidence,
        latencyMs,
        escalate: turn.escalate !== null,
        kind: turn.kind,
        citations: turn.citations,
        knowledgeIds: [...new Set(turn.knowledgeIds)],
        replyTo: customer.id,
        resolvedQuestion: turn.resolvedQuestion,
        actionError: turn.actionError ?? null,
      };
      const status: ConversationStatus = turn.escalate ? 'ESCALATED' : 'BOT';
      // Stored text has personal data masked; the customer sees the reply as written for them.
      const stored = { ...bot, text: this.mask(bot.text) };
      await this.repo.appendMessages(conversationId, status, turn.escalate, [
        { ...customer, entityIds: rest.entities.map((e) => e.id) },
        { ...stored, entityIds: [] },
      ]);
      const storedAt = performance.now();
      // Chunks of the masked text: masking each chunk alone could miss an address split between two.
      const out: NewEvent[] = replyChunks(stored.text).map((chunk, i) => ({ type: 'BOT_CHUNK', text: chunk, chunkIndex: i, messageId: bot.id, message: null }));
      out.push(messageEvent('BOT_MESSAGE', bot));
      if (turn.escalate) out.push({ type: 'ESCALATED', text: turn.escalate, chunkIndex: null, messageId: bot.id, message: null });
      await this.publish(conversationId, out);
      await this.putState({ ...turn.state, status, seq: bot.seq, escalationReason: turn.escalate ?? turn.state.escalationReason });
      const published = performance.now();
      this.emitIfNegative(s, customer);
      if (turn.escalate) this.emit('CONVERSATION_ESCALATED', { conversationId, customerId: s.customerId ?? null, reason: turn.escalate, messageId: bot.id }, `${conversationId}:escalated:${bot.seq}`);
      if (turn.completed) {
        this.emit(
          'PROCESS_COMPLETED',
          { conversationId, customerId: s.customerId ?? null, process: { knowledgeId: turn.completed.knowledgeId, name: turn.completed.name }, values: turn.completed.slots },
          `${conversationId}:process:${bot.seq}`,
        );
      }
      this.metrics?.turn(turn.kind, turn.escalate !== null, published - started, {
        understand: understood - started,
        respond: responded - understood,
        store: storedAt - responded,
        publish: published - storedAt,
      });
      return bot;
    });
  }

  /** Events of a conversation: with `since`, every stored one after it first; then live ones. */
  async follow(conversationId: string, since: string | null | undefined, viewer: Viewer): Promise<AsyncIterableIterator<ConversationEvent>> {
    const cursor = checkCursor(since);
    await this.state(conversationId, viewer);
    return this.events.follow(conversationId, cursor);
  }

  // ---------- hand-off ----------

  async list(statuses: readonly ConversationStatus[], mine: boolean, viewer: Viewer, page: { skip: number; limit: number }): Promise<{ total: number; items: ConversationRow[] }> {
    const r = await this.repo.list(statuses, mine ? viewer.keyId : null, page);
    return { total: r.total, items: r.items.map((row) => this.revealRow(row)) };
  }

  async claim(id: string, viewer: Viewer): Promise<ConversationRow> {
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      if (s.status === 'AGENT') throw new AppError('CONFLICT', `Conversation ${id} is already with ${s.agent?.name ?? 'an agent'}.`);
      if (s.status === 'RESOLVED') throw new AppError('CONFLICT', `Conversation ${id} is resolved.`);
      const agent = { keyId: viewer.keyId, name: viewer.name };
      const row = await this.repo.setStatus(id, 'AGENT', { agent });
      await this.publish(id, [{ type: 'AGENT_JOINED', text: agent.name, chunkIndex: null, messageId: null, message: null }]);
      await this.putState({ ...s, status: 'AGENT', agent, process: null, failedTurns: 0 });
      return row as ConversationRow;
    });
  }

  async agentReply(id: string, text: string, viewer: Viewer): Promise<MessageRow> {
    const body = text.trim();
    if (body.length === 0 || body.length > MAX_MESSAGE_LENGTH) throw new AppError('BAD_USER_INPUT', `A reply needs 1 to ${MAX_MESSAGE_LENGTH} characters.`);
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      this.checkHolder(s, viewer);
      const message: MessageRow = { ...blankMessage(randomUUID(), id, s.seq + 1, 'agent', body, new Date().toISOString()), author: viewer.name, language: s.language };
      await this.repo.appendMessages(id, 'AGENT', null, [{ ...message, text: this.mask(body), entityIds: [] }]);
      await this.publish(id, [messageEvent('AGENT_MESSAGE', message)]);
      await this.putState({ ...s, seq: message.seq });
      return message;
    });
  }

  /** The agent leaves; the bot answers again (and says so). */
  async handBack(id: string, viewer: Viewer): Promise<ConversationRow> {
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      this.checkHolder(s, viewer);
      const row = await this.repo.setStatus(id, 'BOT', { agent: null });
      const bot: MessageRow = { ...blankMessage(randomUUID(), id, s.seq + 1, 'bot', replies.handedBack(s.language), new Date().toISOString()), kind: 'handback', language: s.language };
      await this.repo.appendMessages(id, 'BOT', null, [{ ...bot, entityIds: [] }]);
      await this.publish(id, [
        { type: 'AGENT_LEFT', text: s.agent?.name ?? viewer.name, chunkIndex: null, messageId: null, message: null },
        messageEvent('BOT_MESSAGE', bot),
      ]);
      await this.putState({ ...s, status: 'BOT', agent: null, seq: bot.seq, failedTurns: 0 });
      return row as ConversationRow;
    });
  }

  async resolve(id: string, viewer: Viewer): Promise<ConversationRow> {
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      if (s.status === 'AGENT') this.checkHolder(s, viewer);
      const row = await this.repo.setStatus(id, 'RESOLVED', { keepAgent: true });
      await this.publish(id, [{ type: 'RESOLVED', text: replies.resolved(s.language), chunkIndex: null, messageId: null, message: null }]);
      await this.putState({ ...s, status: 'RESOLVED', process: null, suspended: [] });
      this.emit('CONVERSATION_RESOLVED', { conversationId: id, customerId: s.customerId ?? null, by: viewer.name }, `${id}:resolved:${s.seq}`);
      return row as ConversationRow;
    });
  }

  private maskComment(comment: string | null): string | null {
    const c = checkComment(comment);
    return c === null ? null : this.mask(c);
  }

  private checkHolder(s: ConversationState, viewer: Viewer): void {
    if (s.status !== 'AGENT') throw new AppError('CONFLICT', `Conversation ${s.id} is not with an agent; claim it first.`);
    if (s.agent?.keyId !== viewer.keyId && viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN', `Conversation ${s.id} is with ${s.agent?.name ?? 'another agent'}.`);
  }

  /** Answers an agent might send: the same retrieval as the bot, with the agent's access (internal knowledge too). */
  async suggestions(row: ConversationRow, viewer: Viewer, n = 3): Promise<ComposedAnswer[]> {
    const [transcript] = await this.repo.transcripts([row.id], 20);
    // The customer's last real question: not "get me a human", not "thanks".
    const customer = [...(transcript ?? [])].reverse().filter((m) => m.role === 'customer');
    const last = customer.find((m) => !m.intent || !(SMALL_TALK_INTENTS.has(m.intent) || m.intent === HUMAN_AGENT_INTENT)) ?? customer[0];
    if (!last) return [];
    const understood = await this.understander.begin(last.text, row.language, { tagger: false, emotion: false, sentimentGate: true });
    const u = understood.intent && (SMALL_TALK_INTENTS.has(understood.intent.name) || understood.intent.name === HUMAN_AGENT_INTENT) ? { ...understood, intent: null } : understood;
    return this.answerer.suggestions({ understood: u, context: row.customerContext, access: knowledgeAccess(viewer) }, n);
  }

  // ---------- feedback ----------

  async rateMessage(messageId: string, helpful: boolean, comment: string | null, viewer: Viewer): Promise<{ knowledge: string[] }> {
    const [message] = await this.repo.messagesByIds([messageId]);
    if (!message) throw new AppError('NOT_FOUND', `Message ${messageId} does not exist.`);
    await this.get(message.conversationId, viewer);
    const r = await this.repo.rateMessage({ messageId, feedbackId: randomUUID(), helpful, comment: this.maskComment(comment), by: viewer.keyId });
    if (!r) throw new AppError('NOT_FOUND', `Message ${messageId} does not exist.`);
    return r;
  }

  async rateConversation(conversationId: string, score: number, comment: string | null, viewer: Viewer, nps: number | null = null): Promise<{ knowledge: string[] }> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new AppError('BAD_USER_INPUT', `score must be a whole number from 1 to 5; got ${score}.`);
    if (nps !== null && (!Number.isInteger(nps) || nps < 0 || nps > 10)) throw new AppError('BAD_USER_INPUT', `nps must be a whole number from 0 to 10; got ${nps}.`);
    await this.get(conversationId, viewer);
    const r = await this.repo.rateConversation({ conversationId, feedbackId: randomUUID(), score, comment: this.maskComment(comment), by: viewer.keyId, nps });
    if (!r) throw new AppError('NOT_FOUND', `Conversation ${conversationId} does not exist.`);
    this.emit('CSAT_RECEIVED', { conversationId, score, nps, comment: comment === null ? null : this.mask(comment) }, `${conversationId}:csat:${randomUUID()}`);
    return r;
  }
}

/**
 * Agents and admins see every conversation; anyone else only those their key started and, when the
 * conversation is bound to a visitor, only as that visitor.
 */
export function mayAccess(viewer: Viewer, c: { ownerKeyId: string | null; visitorId?: string | null }): boolean {
  if (hasRole(viewer, SEES_ALL)) return true;
  if (viewer.role === null || c.ownerKeyId === null || viewer.keyId !== c.ownerKeyId) return false;
  return !c.visitorId || viewer.visitor?.id === c.visitorId;
}

function initialState(row: ConversationRow): ConversationState {
  return {
    id: row.id,
    status: row.status,
    ownerKeyId: row.ownerKeyId,
    visitorId: row.visitorId,
    customerId: row.customerId,
    channel: row.channel,
    language: row.language,
    context: row.customerContext,
    seq: 0,
    process: null,
    suspended: [],
    topic: null,
    failedTurns: 0,
    agent: row.agentName ? { keyId: row.agentKeyId, name: row.agentName } : null,
    escalationReason: row.escalationReason,
    createdAt: row.createdAt,
  };
}

function blankMessage(id: string, conversationId: string, seq: number, role: MessageRow['role'], text: string, at: string): MessageRow {
  return {
    id,
    conversationId,
    seq,
    role,
    text,
    at,
    language: null,
    intent: null,
    intentConfidence: null,
    outOfScope: null,
    sentiment: null,
    sentimentScore: null,
    emotion: null,
    emotionScore: null,
    confidence: null,
    latencyMs: null,
    escalate: false,
    kind: null,
    citations: [],
    knowledgeIds: [],
    mentions: [],
    author: null,
    replyTo: null,
    resolvedQuestion: null,
  };
}

function messageEvent(type: NewEvent['type'], message: MessageRow): NewEvent {
  return { type, text: null, chunkIndex: null, messageId: message.id, message };
}

function checkContext(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AppError('BAD_USER_INPUT', 'customerContext must be a JSON object, e.g. {"order": {"ageDays": 12}}.');
  if (JSON.stringify(value).length > MAX_CONTEXT_BYTES) throw new AppError('BAD_USER_INPUT', `customerContext may be at most ${MAX_CONTEXT_BYTES} bytes of JSON.`);
  return value as Record<string, unknown>;
}

function checkLanguage(tag: string): string {
  if (!/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/.test(tag)) throw new AppError('BAD_USER_INPUT', `language must be a BCP-47 tag such as "en" or "zh-CN"; got "${tag.slice(0, 20)}".`);
  return (tag.split(/[-_]/)[0] as string).toLowerCase();
}

function checkComment(comment: string | null): string | null {
  if (comment === null || comment === undefined) return null;
  if (comment.length > 2000) throw new AppError('BAD_USER_INPUT', 'A comment may have at most 2000 characters.');
  return comment;
}

