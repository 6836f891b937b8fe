import { withLock } from '../infra/lock.js';
import { conversationKey, redisKeys, type RedisClient } from '../infra/redis.js';
import { AppError } from '../errors.js';
import type { ConversationState } from './conversation.types.js';

export interface ConversationStoreOptions {
  /** State expires this long after the last turn (the conversation itself stays in Neo4j). Default 30 days. */
  ttlSeconds?: number;
  /** How long a turn may wait for the previous turn of the same conversation. Default 15 s. */
  lockWaitMs?: number;
  prefix?: string;
}

/**
 * Turn-to-turn state of conversations in Redis, shared by every API replica, with a per-conversation
 * lock so two messages of one conversation (sent to two replicas, say) are answered one after the other.
 */
export class ConversationStore {
  private readonly ttl: number;
  private readonly lockWaitMs: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: ConversationStoreOptions = {},
  ) {
    this.ttl = options.ttlSeconds ?? 30 * 24 * 3600;
    this.lockWaitMs = options.lockWaitMs ?? 15_000;
    this.prefix = options.prefix ?? redisKeys.conversationPrefix;
  }

  async get(id: string): Promise<ConversationState | null> {
    const raw = await this.redis.get(conversationKey(this.prefix, id, 'state'));
    return raw ? (JSON.parse(raw) as ConversationState) : null;
  }

  async put(state: ConversationState): Promise<void> {
    await this.redis.set(conversationKey(this.prefix, state.id, 'state'), JSON.stringify(state), 'EX', this.ttl);
  }

  /** Runs `work` holding the conversation's lock (released after, even when `work` throws). */
  withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    return withLock(
      this.redis,
      conversationKey(this.prefix, id, 'lock'),
      { ttlMs: 30_000, waitMs: this.lockWaitMs, onTimeout: () => new AppError('TIMEOUT', 'The previous message of this conversation is still being answered; try again.') },
      work,
    );
  }
}
