import type { EntityMention } from '../inference/index.js';
import type { Citation } from '../retrieval/retrieval.types.js';
import type { Topic } from './followup.js';
import type { ActiveProcess } from './process-runner.js';

export const conversationStatuses = ['BOT', 'ESCALATED', 'AGENT', 'RESOLVED'] as const;
/** BOT: the bot answers · ESCALATED: waiting for an agent · AGENT: an agent has it · RESOLVED: closed. */
export type ConversationStatus = (typeof conversationStatuses)[number];

export type MessageRole = 'customer' | 'bot' | 'agent' | 'system';

/** What the dialogue keeps between turns (in Redis; the conversation's identity also lives in Neo4j). */
export interface ConversationState {
  id: string;
  status: ConversationStatus;
  /** The API key that started it: customers and integrations see only their own conversations. */
  ownerKeyId: string | null;
  /** The visitor it is bound to (CUSTOMER keys): `anon:<token hash>` or `customer:<id>`; null: the key alone. Absent in state written before visitors. */
  visitorId?: string | null;
  /** The customer it is about (the context connector's key, and what erasure finds it by). */
  customerId?: string | null;
  channel: string | null;
  language: string | null;
  context: Record<string, unknown>;
  /** Sequence number of the last message. */
  seq: number;
  process: ActiveProcess | null;
  /** Processes interrupted by another one, resumed when it ends (most recent last). */
  suspended: ActiveProcess[];
  topic: Topic | null;
  /** Bot turns in a row that did not help (low confidence, rejected answers). */
  failedTurns: number;
  agent: { keyId: string | null; name: string } | null;
  escalationReason: string | null;
  createdAt: string;
}

/** A stored message; `text` has personal data masked. */
export interface MessageRow {
  id: string;
  conversationId: string;
  seq: number;
  role: MessageRole;
  text: string;
  at: string;
  language: string | null;
  intent: string | null;
  intentConfidence: number | null;
  outOfScope: boolean | null;
  sentiment: string | null;
  sentimentScore: number | null;
  /** Customer messages: neutral, happy, angry, sad, fear or surprise (null without an emotion model). */
  emotion: string | null;
  emotionScore: number | null;
  /** Customer messages: the intent's confidence; bot messages: the answer's. */
  confidence: number | null;
  latencyMs: number | null;
  escalate: boolean;
  /** How the bot answered: smalltalk, process, rule, fact, passage, handoff, none. */
  kind: string | null;
  citations: Citation[];
  knowledgeIds: string[];
  mentions: EntityMention[];
  /** Agent messages: who wrote it. */
  author: string | null;
  /** Bot messages: the customer message it answers. */
  replyTo: string | null;
  /** Bot messages: the question as searched, when a follow-up was resolved against earlier turns. */
  resolvedQuestion: string | null;
  /** Bot messages: a process action that failed this turn, in full (agents see it; the customer got a graceful line). */
  actionError?: { action: string; reason: string; message: string } | null;
}

export interface ConversationRow {
  id: string;
  status: ConversationStatus;
  channel: string | null;
  language: string | null;
  customerContext: Record<string, unknown>;
  ownerKeyId: string | null;
  visitorId: string | null;
  customerId: string | null;
  /** Why the context connector gave nothing the last time it was asked (agents see it; the conversation went on). */
  contextError: { reason: string; message: string } | null;
  /** Only in `startConversation`'s answer, when it issued a new anonymous visitor token. */
  visitorToken?: string | null;
  createdAt: string;
  updatedAt: string | null;
  lastMessageAt: string | null;
  messageCount: number;
  agentName: string | null;
  agentKeyId: string | null;
  escalationReason: string | null;
  escalatedAt: string | null;
  csat: number | null;
}

export const conversationEventTypes = [
  'CUSTOMER_MESSAGE',
  'BOT_TYPING',
  'BOT_CHUNK',
  'BOT_MESSAGE',
  'ESCALATED',
  'AGENT_JOINED',
  'AGENT_MESSAGE',
  'AGENT_LEFT',
  'RESOLVED',
] as const;
export type ConversationEventType = (typeof conversationEventTypes)[number];

/** One event of a conversation, as stored in its Redis Stream and delivered to subscribers. */
export interface ConversationEvent {
  /** The Redis Stream id: pass it as `since` to resume after this event. */
  cursor: string;
  type: ConversationEventType;
  conversationId: string;
  at: string;
  /** BOT_CHUNK: the piece of text; AGENT_*: the agent's name; ESCALATED: the reason. */
  text: string | null;
  chunkIndex: number | null;
  /** The message of CUSTOMER_MESSAGE, BOT_MESSAGE, AGENT_MESSAGE; the message a BOT_CHUNK belongs to. */
  messageId: string | null;
  message: MessageRow | null;
}

export type NewEvent = Omit<ConversationEvent, 'cursor' | 'at' | 'conversationId'> & { at?: string };
