import { createHash, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Viewer } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { checkCustomerId } from './visitor.js';

export interface ErasureResult {
  /** The audit record of this erasure. */
  eventId: string;
  conversations: number;
  messages: number;
  feedback: number;
  /** Redis keys removed (turn state, event streams, cached connector context). */
  redisKeys: number;
}

export interface ErasureOptions {
  /** Prefix of conversation keys in Redis. Default `answergraph:conversation:`. */
  conversationPrefix?: string;
  /** Extra per-customer Redis keys to remove (e.g. the context connector's cache). */
  customerKeys?: (customerId: string) => string[];
  /** Conversations erased per retention batch. Default 500. */
  batch?: number;
}

/**
 * Erasure of a customer's data (right to be forgotten) and retention. In Neo4j, conversations are
 * anonymised in place rather than deleted: their texts, comments, context and every link to the
 * customer go, while what analytics counts stays, so aggregates keep their totals. In Redis, turn
 * state and event streams are deleted. Each erasure leaves an audit record with a hash of the
 * customer id (never the id).
 */
export class ErasureService {
  private readonly prefix: string;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly redis: Redis | Cluster,
    private readonly logger: Logger,
    private readonly options: ErasureOptions = {},
  ) {
    this.prefix = options.conversationPrefix ?? 'answergraph:conversation:';
  }

  async eraseCustomer(customerId: string, viewer: Pick<Viewer, 'keyId' | 'name'>): Promise<ErasureResult> {
    const id = checkCustomerId(customerId.trim());
    const extra = this.options.customerKeys?.(id) ?? [];
    return this.erase({ customerId: id, ids: [] }, 'request', viewer, extra);
  }

  /** Erases conversations idle since before `before`, in batches; returns how many. */
  async sweep(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.executor.read('privacy/expired-conversations', { before: before.toISOString(), limit: this.options.batch ?? 500 });
      const ids = rows.map((r) => String(r.id));
      if (ids.length === 0) return total;
      const r = await this.erase({ customerId: null, ids }, 'retention', { keyId: null, name: 'retention' }, []);
      total += r.conversations;
      if (r.conversations === 0) return total; // nothing changed: do not spin
    }
  }

  private async erase(target: { customerId: string | null; ids: string[] }, reason: 'request' | 'retention', viewer: Pick<Viewer, 'keyId' | 'name'>, extraKeys: string[]): Promise<ErasureResult> {
    const eventId = randomUUID();
    // One transaction: the anonymisation and its audit record commit together, or neither.
    const r = await this.executor.writeTx('privacy/erase', async (tx) => {
      const [row] = await tx.run('privacy/erase-conversations', target);
      const ids = (row?.ids ?? []) as string[];
      const messages = Number(row?.messages ?? 0);
      const feedback = Number(row?.feedback ?? 0);
      await tx.run('privacy/record-erasure', {
        id: eventId,
        customerHash: target.customerId ? createHash('sha256').update(target.customerId).digest('hex') : null,
        reason,
        actor: viewer.keyId,
        actorName: viewer.name,
        conversationIds: ids,
        messages,
        feedback,
      });
      return { ids, messages, feedback };
    });
    const redisKeys = await this.deleteRedis(r.ids, extraKeys);
    this.logger.info({ eventId, reason, conversations: r.ids.length, messages: r.messages, redisKeys }, 'personal data erased');
    return { eventId, conversations: r.ids.length, messages: r.messages, feedback: r.feedback, redisKeys };
  }

  /** Each key on its own (keys of different conversations live in different cluster slots). */
  private async deleteRedis(ids: readonly string[], extra: readonly string[]): Promise<number> {
    const keys = [...ids.flatMap((id) => conversationKeys(this.prefix, id)), ...extra];
    let removed = 0;
    try {
      for (const key of keys) removed += await this.redis.del(key);
    } catch (err) {
      // The graph is already anonymised; Redis keys also expire (30 days). Say so loudly and let the caller retry.
      throw new AppError('SERVICE_UNAVAILABLE', 'The graph was erased but Redis could not be cleaned; run the erasure again.', undefined, { cause: err });
    }
    return removed;
  }
}

/** Every Redis key a conversation may have, in the plain and the cluster (hash-tagged) layouts. */
export function conversationKeys(prefix: string, id: string): string[] {
  return ['state', 'events', 'lock'].flatMap((part) => [`${prefix}${id}:${part}`, `${prefix}{${id}}:${part}`]);
}
