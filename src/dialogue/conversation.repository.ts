import type { CypherExecutor } from '../graph/executor.js';
import type { Access, KnowledgeRow } from '../knowledge/knowledge.repository.js';
import type { ConversationRow, ConversationStatus, MessageRow } from './conversation.types.js';

/** Told after every write that changes what analytics counts (the analytics aggregator implements it). */
export interface ConversationChanges {
  touched(change: { conversationId?: string; messageId?: string }): Promise<void>;
}

interface StoredMessage extends Omit<MessageRow, 'citations' | 'mentions' | 'actionError'> {
  citations: string | null;
  mentions: string | null;
  actionError?: string | null;
}

interface StoredConversation extends Omit<ConversationRow, 'customerContext' | 'contextError'> {
  customerContext: string | null;
  contextError?: string | null;
}

const parse = <T>(json: string | null | undefined, fallback: T): T => {
  if (!json) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
};

export function toMessage(m: StoredMessage): MessageRow {
  return { ...m, knowledgeIds: m.knowledgeIds ?? [], citations: parse(m.citations, []), mentions: parse(m.mentions, []), actionError: parse(m.actionError, null) };
}

export function toConversation(c: StoredConversation): ConversationRow {
  return { ...c, messageCount: Number(c.messageCount ?? 0), customerContext: parse(c.customerContext, {}), contextError: parse(c.contextError, null), visitorId: c.visitorId ?? null, customerId: c.customerId ?? null };
}

/** Conversations, messages and feedback in Neo4j. */
export class ConversationRepository {
  constructor(
    private readonly executor: CypherExecutor,
    private readonly changes?: ConversationChanges,
  ) {}

  /** `customerContext` as it may be stored: personal data already masked or encrypted. */
  async create(c: { id: string; channel: string | null; language: string | null; customerContext: Record<string, unknown>; ownerKeyId: string | null; visitorId: string | null; customerId: string | null; contextError?: ConversationRow['contextError'] }): Promise<ConversationRow> {
    const [row] = await this.executor.write('dialogue/create-conversation', { ...c, customerContext: JSON.stringify(c.customerContext), contextError: c.contextError ? JSON.stringify(c.contextError) : null });
    await this.changes?.touched({ conversationId: c.id });
    return toConversation(row?.conversation as StoredConversation);
  }

  /** Replaces the stored context (already protected) and the context connector's last error. */
  async setContext(id: string, customerContext: Record<string, unknown>, contextError: ConversationRow['contextError']): Promise<ConversationRow | null> {
    const [row] = await this.executor.write('dialogue/set-context', { id, customerContext: JSON.stringify(customerContext), contextError: contextError ? JSON.stringify(contextError) : null });
    return row ? toConversation(row.conversation as StoredConversation) : null;
  }

  async appendMessages(conversationId: string, status: ConversationStatus, escalationReason: string | null, messages: ReadonlyArray<MessageRow & { entityIds: string[] }>): Promise<void> {
    await this.executor.write('dialogue/append-messages', {
      conversationId,
      status,
      escalationReason,
      messages: messages.map((m) => ({ ...m, citations: JSON.stringify(m.citations), mentions: JSON.stringify(m.mentions), actionError: m.actionError ? JSON.stringify(m.actionError) : null })),
    });
    await this.changes?.touched({ conversationId });
  }

  async setStatus(id: string, status: ConversationStatus, opts: { agent?: { keyId: string | null; name: string } | null; keepAgent?: boolean; escalationReason?: string | null } = {}): Promise<ConversationRow | null> {
    const [row] = await this.executor.write('dialogue/set-status', {
      id,
      status,
      agentKeyId: opts.agent?.keyId ?? null,
      agentName: opts.agent?.name ?? null,
      keepAgent: opts.keepAgent ?? false,
      escalationReason: opts.escalationReason ?? null,
    });
    await this.changes?.touched({ conversationId: id });
    return row ? toConversation(row.conversation as StoredConversation) : null;
  }

  async getByIds(ids: readonly string[]): Promise<Array<ConversationRow | null>> {
    const rows = await this.executor.read('dialogue/get-conversations', { ids });
    const map = new Map(rows.map((r) => [(r.conversation as StoredConversation).id, toConversation(r.conversation as StoredConversation)]));
    return ids.map((id) => map.get(id) ?? null);
  }

  async list(statuses: readonly ConversationStatus[], agentKeyId: string | null, page: { skip: number; limit: number }): Promise<{ total: number; items: ConversationRow[] }> {
    const [row] = await this.executor.read('dialogue/list-conversations', { statuses, agentKeyId, ...page });
    return { total: Number(row?.total ?? 0), items: ((row?.items ?? []) as StoredConversation[]).map(toConversation) };
  }

  async transcripts(ids: readonly string[], limit: number): Promise<MessageRow[][]> {
    const rows = await this.executor.read('dialogue/messages', { ids, limit });
    const map = new Map(rows.map((r) => [String(r.id), (r.messages as StoredMessage[]).map(toMessage)]));
    return ids.map((id) => map.get(id) ?? []);
  }

  async messagesByIds(ids: readonly string[]): Promise<Array<MessageRow | null>> {
    const rows = await this.executor.read('dialogue/get-messages', { ids });
    const map = new Map(rows.map((r) => [(r.message as StoredMessage).id, toMessage(r.message as StoredMessage)]));
    return ids.map((id) => map.get(id) ?? null);
  }

  async knowledgeOf(messageIds: readonly string[], access: Access): Promise<KnowledgeRow[][]> {
    const rows = await this.executor.read('dialogue/message-knowledge', { ids: messageIds, ...access });
    const map = new Map(rows.map((r) => [String(r.id), r.items as KnowledgeRow[]]));
    return messageIds.map((id) => map.get(id) ?? []);
  }

  async rateMessage(input: { messageId: string; feedbackId: string; helpful: boolean; comment: string | null; by: string | null }): Promise<{ knowledge: string[] } | null> {
    const [row] = await this.executor.write('dialogue/rate-message', input);
    await this.changes?.touched({ messageId: input.messageId });
    return row ? { knowledge: row.knowledge as string[] } : null;
  }

  /** `nps`: the 0–10 likelihood-to-recommend score, when the client asked for it. */
  async rateConversation(input: { conversationId: string; feedbackId: string; score: number; nps?: number | null; comment: string | null; by: string | null }): Promise<{ knowledge: string[] } | null> {
    const [row] = await this.executor.write('dialogue/rate-conversation', { ...input, nps: input.nps ?? null });
    await this.changes?.touched({ conversationId: input.conversationId });
    return row ? { knowledge: row.knowledge as string[] } : null;
  }
}
