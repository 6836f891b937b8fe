import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { hasRole, knowledgeAccess, type Viewer } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { ComposedAnswer } from '../retrieval/answer-composer.js';
import type { Answerer } from './answerer.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { ConversationStore } from './conversation.store.js';
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
  ) {}

  async start(input: { channel?: string | null; customerContext?: unknown; language?: string | null }, viewer: Viewer): Promise<ConversationRow> {
    const context = checkContext(input.customerContext);
    const language = input.language ? checkLanguage(input.language) : null;
    const channel = input.channel ? input.channel.slice(0, 100) : null;
    const id = randomUUID();
    const row = await this.repo.create({ id, channel, language, customerContext: context, ownerKeyId: viewer.keyId });
    await this.store.put(initialState(row));
    return row;
  }

  /** A conversation the viewer may see, or NOT_FOUND (never FORBIDDEN: no existence leak). */
  async get(id: string, viewer: Viewer): Promise<ConversationRow> {
    const [row] = await this.repo.getByIds([id]);
    if (!row || !mayAccess(viewer, row.ownerKeyId)) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
    return row;
  }

  private async state(id: string, viewer: Viewer): Promise<ConversationState> {
    let s = await this.store.get(id);
    if (!s) {
      // Turn state expired (or Redis lost it): rebuild what the graph knows.
      const [row] = await this.repo.getByIds([id]);
      if (!row) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
      s = { ...initialState(row), seq: row.messageCount };
    }
    if (!mayAccess(viewer, s.ownerKeyId)) throw new AppError('NOT_FOUND', `Conversation ${id} does not exist.`);
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
        confidence: u.intent?.confidence ?? null,
        mentions: rest.mentions,
      });

      if (!botAnswers) {
        const rest = await u.rest;
        const customer = customerOf(rest);
        await this.repo.appendMessages(conversationId, s.status, null, [{ ...customer, entityIds: rest.entities.map((e) => e.id) }]);
        await this.events.append(conversationId, [messageEvent('CUSTOMER_MESSAGE', customer)]);
        await this.store.put({ ...s, seq: customer.seq, language: s.language ?? u.language });
        return customer;
      }

      // The customer's message (sentiment and mentions follow with the reply) and "typing…" go out at once.
      await this.events.append(conversationId, [
        messageEvent('CUSTOMER_MESSAGE', { ...customerOf({ sentiment: { label: 'neutral', score: 0 }, mentions: [], entities: [] }), sentiment: null, sentimentScore: null }),
        { type: 'BOT_TYPING', text: null, chunkIndex: null, messageId: null, message: null },
      ]);
      const turn = await this.policy.respond({ ...s, language: s.language ?? u.language }, raw, u);
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
      };
      const status: ConversationStatus = turn.escalate ? 'ESCALATED' : 'BOT';
      // Stored text has personal data masked; the customer sees the reply as written for them.
      const stored = { ...bot, text: this.understander.mask(bot.text) };
      await this.repo.appendMessages(conversationId, status, turn.escalate, [
        { ...customer, entityIds: rest.entities.map((e) => e.id) },
        { ...stored, entityIds: [] },
      ]);
      const storedAt = performance.now();
      const out: NewEvent[] = replyChunks(bot.text).map((chunk, i) => ({ type: 'BOT_CHUNK', text: chunk, chunkIndex: i, messageId: bot.id, message: null }));
      out.push(messageEvent('BOT_MESSAGE', bot));
      if (turn.escalate) out.push({ type: 'ESCALATED', text: turn.escalate, chunkIndex: null, messageId: bot.id, message: null });
      await this.events.append(conversationId, out);
      await this.store.put({ ...turn.state, status, seq: bot.seq, escalationReason: turn.escalate ?? turn.state.escalationReason });
      const published = performance.now();
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
    return this.repo.list(statuses, mine ? viewer.keyId : null, page);
  }

  async claim(id: string, viewer: Viewer): Promise<ConversationRow> {
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      if (s.status === 'AGENT') throw new AppError('CONFLICT', `Conversation ${id} is already with ${s.agent?.name ?? 'an agent'}.`);
      if (s.status === 'RESOLVED') throw new AppError('CONFLICT', `Conversation ${id} is resolved.`);
      const agent = { keyId: viewer.keyId, name: viewer.name };
      const row = await this.repo.setStatus(id, 'AGENT', { agent });
      await this.events.append(id, [{ type: 'AGENT_JOINED', text: agent.name, chunkIndex: null, messageId: null, message: null }]);
      await this.store.put({ ...s, status: 'AGENT', agent, process: null, failedTurns: 0 });
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
      await this.repo.appendMessages(id, 'AGENT', null, [{ ...message, text: this.understander.mask(body), entityIds: [] }]);
      await this.events.append(id, [messageEvent('AGENT_MESSAGE', message)]);
      await this.store.put({ ...s, seq: message.seq });
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
      await this.events.append(id, [
        { type: 'AGENT_LEFT', text: s.agent?.name ?? viewer.name, chunkIndex: null, messageId: null, message: null },
        messageEvent('BOT_MESSAGE', bot),
      ]);
      await this.store.put({ ...s, status: 'BOT', agent: null, seq: bot.seq, failedTurns: 0 });
      return row as ConversationRow;
    });
  }

  async resolve(id: string, viewer: Viewer): Promise<ConversationRow> {
    return this.store.withLock(id, async () => {
      const s = await this.state(id, viewer);
      if (s.status === 'AGENT') this.checkHolder(s, viewer);
      const row = await this.repo.setStatus(id, 'RESOLVED', { keepAgent: true });
      await this.events.append(id, [{ type: 'RESOLVED', text: replies.resolved(s.language), chunkIndex: null, messageId: null, message: null }]);
      await this.store.put({ ...s, status: 'RESOLVED', process: null, suspended: [] });
      return row as ConversationRow;
    });
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
    const understood = await this.understander.begin(last.text, row.language, { tagger: false });
    const u = understood.intent && (SMALL_TALK_INTENTS.has(understood.intent.name) || understood.intent.name === HUMAN_AGENT_INTENT) ? { ...understood, intent: null } : understood;
    return this.answerer.suggestions({ understood: u, context: row.customerContext, access: knowledgeAccess(viewer) }, n);
  }

  // ---------- feedback ----------

  async rateMessage(messageId: string, helpful: boolean, comment: string | null, viewer: Viewer): Promise<{ knowledge: string[] }> {
    const [message] = await this.repo.messagesByIds([messageId]);
    if (!message) throw new AppError('NOT_FOUND', `Message ${messageId} does not exist.`);
    await this.get(message.conversationId, viewer);
    const r = await this.repo.rateMessage({ messageId, feedbackId: randomUUID(), helpful, comment: checkComment(comment), by: viewer.keyId });
    if (!r) throw new AppError('NOT_FOUND', `Message ${messageId} does not exist.`);
    return r;
  }

  async rateConversation(conversationId: string, score: number, comment: string | null, viewer: Viewer, nps: number | null = null): Promise<{ knowledge: string[] }> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new AppError('BAD_USER_INPUT', `score must be a whole number from 1 to 5; got ${score}.`);
    if (nps !== null && (!Number.isInteger(nps) || nps < 0 || nps > 10)) throw new AppError('BAD_USER_INPUT', `nps must be a whole number from 0 to 10; got ${nps}.`);
    await this.get(conversationId, viewer);
    const r = await this.repo.rateConversation({ conversationId, feedbackId: randomUUID(), score, comment: checkComment(comment), by: viewer.keyId, nps });
    if (!r) throw new AppError('NOT_FOUND', `Conversation ${conversationId} does not exist.`);
    return r;
  }
}

export function mayAccess(viewer: Viewer, ownerKeyId: string | null): boolean {
  if (hasRole(viewer, SEES_ALL)) return true;
  return viewer.role !== null && ownerKeyId !== null && viewer.keyId === ownerKeyId;
}

function initialState(row: ConversationRow): ConversationState {
  return {
    id: row.id,
    status: row.status,
    ownerKeyId: row.ownerKeyId,
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

