import { conversationKey, createRedis, isCluster, redisKeys, throttledErrorLog, type RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { ConversationEvent, NewEvent } from './conversation.types.js';

export interface EventStreamOptions {
  /** Events kept per conversation (approximate trimming). Default 2000. */
  maxLen?: number;
  /** A conversation's stream expires this long after its last event. Default 30 days. */
  ttlSeconds?: number;
  /** Key prefix. Default `answergraph:conversation:`. */
  prefix?: string;
}

const CURSOR = /^\d{1,15}-\d{1,10}$/;

/** Stream ids order by (milliseconds, sequence). */
export function compareCursors(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

export function checkCursor(since: string | null | undefined): string | null {
  if (since === null || since === undefined || since === '') return null;
  if (since === '0') return '0-0';
  if (!CURSOR.test(since)) throw new AppError('BAD_USER_INPUT', `since must be an event cursor such as "1718000000000-0" (or "0" for every event); got "${since.slice(0, 40)}".`);
  return since;
}

/**
 * The events of each conversation, in a Redis Stream per conversation (`XADD … MAXLEN ~`), fanned out
 * to every API replica through Redis pub/sub. A subscriber that passes `since` first gets every event
 * after that cursor from the stream (XRANGE), then follows live ones — events survive API restarts,
 * and a reconnecting client misses nothing. One subscriber connection per process serves all
 * conversations (SUBSCRIBE per conversation, reference-counted).
 */
export class ConversationEventStream {
  private readonly maxLen: number;
  private readonly ttl: number;
  private readonly prefix: string;
  private readonly subscriber: RedisClient;
  /** On a Redis Cluster: sharded pub/sub (SPUBLISH/SSUBSCRIBE), each channel served by its slot's shard. */
  private readonly sharded: boolean;
  private readonly appendScript: string;
  private readonly listeners = new Map<string, Set<(e: ConversationEvent) => void>>();
  private readonly subscribing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: RedisClient,
    redisUrl: string,
    private readonly logger: Logger,
    options: EventStreamOptions = {},
  ) {
    this.maxLen = options.maxLen ?? 2000;
    this.ttl = options.ttlSeconds ?? 30 * 24 * 3600;
    this.prefix = options.prefix ?? redisKeys.conversationPrefix;
    this.subscriber = createRedis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false, subscriber: true });
    this.sharded = isCluster(this.subscriber);
    this.appendScript = appendScript(this.sharded ? 'SPUBLISH' : 'PUBLISH');
    this.subscriber.on('error', throttledErrorLog((fields, msg) => this.logger.warn(fields, msg), 'conversation event subscriber'));
    this.subscriber.on(this.sharded ? 'smessage' : 'message', (channel: string, message: string) => {
      // `<prefix>{<id>}:live`
      const id = channel.slice(this.prefix.length + 1, channel.length - '}:live'.length);
      const set = this.listeners.get(id);
      if (!set) return;
      // "<cursor>\n<event json>": the script publishes the id Redis gave the event with it.
      const nl = message.indexOf('\n');
      let event: ConversationEvent;
      try {
        event = { ...(JSON.parse(message.slice(nl + 1)) as Omit<ConversationEvent, 'cursor'>), cursor: message.slice(0, nl) };
      } catch {
        return;
      }
      for (const listener of set) listener(event);
    });
  }

  /** The stream and the live channel share the conversation's hash tag: one slot, so one script writes both. */
  private streamKey(id: string): string {
    return conversationKey(this.prefix, id, 'events');
  }

  private channel(id: string): string {
    return conversationKey(this.prefix, id, 'live');
  }

  /**
   * Appends events in order, atomically (MULTI): each lands in the stream and is published. Returns
   * them with their cursors.
   */
  async append(conversationId: string, events: readonly NewEvent[]): Promise<ConversationEvent[]> {
    if (events.length === 0) return [];
    const key = this.streamKey(conversationId);
    const at = new Date().toISOString();
    // Ids are assigned by Redis (`*`); publish needs them, so a Lua script does XADD + PUBLISH together.
    const payloads = events.map((e) => JSON.stringify({ ...e, conversationId, at: e.at ?? at }));
    const ids = (await this.redis.eval(this.appendScript, 2, key, this.channel(conversationId), String(this.maxLen), String(this.ttl), ...payloads)) as string[];
    return payloads.map((p, i) => ({ ...(JSON.parse(p) as Omit<ConversationEvent, 'cursor'>), cursor: ids[i] as string }));
  }

  /** Every stored event after `since` (exclusive), oldest first. */
  async replay(conversationId: string, since: string, count = 10_000): Promise<ConversationEvent[]> {
    const rows = (await this.redis.xrange(this.streamKey(conversationId), `(${since}`, '+', 'COUNT', count)) as Array<[string, string[]]>;
    return rows.map(([id, fields]) => ({ ...(JSON.parse(fields[1] ?? '{}') as Omit<ConversationEvent, 'cursor'>), cursor: id }));
  }

  /** The cursor of the newest stored event, or `0-0`. */
  async latest(conversationId: string): Promise<string> {
    const rows = (await this.redis.xrevrange(this.streamKey(conversationId), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    return rows[0]?.[0] ?? '0-0';
  }

  /**
   * Live events of a conversation; with `since`, first every stored event after it. Subscribes
   * before reading the stream, so nothing falls between replay and live; duplicates are dropped by cursor.
   */
  follow(conversationId: string, since: string | null): AsyncIterableIterator<ConversationEvent> {
    const queue: ConversationEvent[] = [];
    const live: ConversationEvent[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    let replaying = true;
    let last: string | null = since;
    const deliver = (e: ConversationEvent) => {
      if (last !== null && compareCursors(e.cursor, last) <= 0) return;
      last = e.cursor;
      queue.push(e);
      wake?.();
    };
    const listener = (e: ConversationEvent) => (replaying ? live.push(e) : deliver(e));
    const start = (async () => {
      await this.addListener(conversationId, listener);
      if (since !== null) for (const e of await this.replay(conversationId, since)) deliver(e);
      replaying = false;
      for (const e of live.splice(0)) deliver(e);
    })();
    const close = async () => {
      if (done) return;
      done = true;
      wake?.();
      await this.removeListener(conversationId, listener);
    };
    start.catch(() => void close());
    const iterator: AsyncIterableIterator<ConversationEvent> = {
      next: async () => {
        await start;
        for (;;) {
          if (queue.length > 0) return { value: queue.shift() as ConversationEvent, done: false };
          if (done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            wake = () => {
              wake = null;
              resolve();
            };
          });
        }
      },
      return: async () => {
        await close();
        return { value: undefined, done: true };
      },
      throw: async (err?: unknown) => {
        await close();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Subscribers of a conversation in this process (tests wait on it before sending). */
  followers(conversationId: string): number {
    return this.listeners.get(conversationId)?.size ?? 0;
  }

  private async addListener(id: string, listener: (e: ConversationEvent) => void): Promise<void> {
    let set = this.listeners.get(id);
    if (!set) {
      set = new Set();
      this.listeners.set(id, set);
      this.subscribing.set(id, this.sharded ? this.subscriber.ssubscribe(this.channel(id)) : this.subscriber.subscribe(this.channel(id)));
    }
    set.add(listener);
    await this.subscribing.get(id);
  }

  private async removeListener(id: string, listener: (e: ConversationEvent) => void): Promise<void> {
    const set = this.listeners.get(id);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) {
      this.listeners.delete(id);
      this.subscribing.delete(id);
      await (this.sharded ? this.subscriber.sunsubscribe(this.channel(id)) : this.subscriber.unsubscribe(this.channel(id))).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber.disconnect();
  }
}

/**
 * KEYS: stream, channel. ARGV: maxLen, ttl, payload… Returns the ids, in order. On a cluster the
 * channel is a sharded one (SPUBLISH): it hashes to the stream's slot, so the script stays on one node.
 */
const appendScript = (publish: 'PUBLISH' | 'SPUBLISH') => `
local ids = {}
for i = 3, #ARGV do
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i])
  ids[#ids + 1] = id
  redis.call('${publish}', KEYS[2], id .. '\\n' .. ARGV[i])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return ids
`;
