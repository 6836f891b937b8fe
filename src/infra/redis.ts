import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * The one place Redis clients are made. A deployment points at either one Redis (`redis://`,
 * `rediss://`) or a Redis Cluster (`redis+cluster://` / `rediss+cluster://` with one or more seed
 * nodes, or REDIS_CLUSTER_NODES, which config turns into such a URL). Everything else passes that
 * URL around as a string and asks {@link createRedis} for a client, so the code that runs against a
 * single Redis is the code that runs against a cluster.
 *
 * Keys are laid out for a cluster ({@link redisKeys}): whatever one command, MULTI or Lua script
 * touches together shares a hash tag, so it lives in one slot.
 */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  cluster: boolean;
  /** Seed nodes (a cluster) or the one server. */
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
  /** Database number (single Redis only; a cluster has only database 0). */
  db?: number;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;
const NODE = /^(\[[0-9a-fA-F:]+\]|[^:,\s]+):(\d{1,5})$/;

export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

/** Parses `host:port,host:port` (REDIS_CLUSTER_NODES). Throws with the bad entry named. */
export function parseClusterNodes(list: string): Array<{ host: string; port: number }> {
  const nodes = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = NODE.exec(entry);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
      return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
    });
  if (nodes.length === 0) throw new Error('no host:port given');
  return nodes;
}

/** What a Redis URL points at. Throws on a URL that is neither form. */
export function parseRedisUrl(url: string): RedisTarget {
  const m = CLUSTER_URL.exec(url);
  if (m) {
    return {
      cluster: true,
      nodes: parseClusterNodes(m[4]!),
      username: m[2] ? decodeURIComponent(m[2]) : undefined,
      password: m[3] !== undefined ? decodeURIComponent(m[3]) : undefined,
      tls: m[1] === 'rediss',
    };
  }
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`expected redis://, rediss:// or redis+cluster:// (got ${u.protocol}//)`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    cluster: false,
    nodes: [{ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 6379 }],
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
    db: Number.isInteger(db) ? db : undefined,
  };
}

/** A cluster URL from seed nodes and optional credentials (how config spells REDIS_CLUSTER_NODES). */
export function clusterUrl(nodes: string, auth: { username?: string; password?: string; tls?: boolean } = {}): string {
  const cred = auth.password !== undefined || auth.username ? `${encodeURIComponent(auth.username ?? '')}${auth.password !== undefined ? `:${encodeURIComponent(auth.password)}` : ''}@` : '';
  return `${auth.tls ? 'rediss' : 'redis'}+cluster://${cred}${parseClusterNodes(nodes).map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',')}`;
}

/** The URL with its password hidden, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export interface CreateRedisOptions extends Pick<RedisOptions, 'maxRetriesPerRequest' | 'enableOfflineQueue' | 'lazyConnect' | 'connectTimeout' | 'retryStrategy'> {
  /**
   * A connection that will SUBSCRIBE. On a cluster it subscribes with sharded pub/sub (SSUBSCRIBE):
   * one subscriber connection per master, each receiving only its own slots' channels.
   */
  subscriber?: boolean;
}

/**
 * How long a cluster client keeps retrying a command while a failed master's replica takes over:
 * with `cluster-node-timeout` 5 s (Redis' guidance for quick fail-over) the slots move within about
 * 6–8 s; commands wait and are re-sent to the new master rather than failing.
 */
const FAILOVER_RETRY_MS = 250;
const MAX_REDIRECTIONS = 80;

/**
 * A client for the URL: `Redis` for one server, `Cluster` for a cluster. Options mean the same for both
 * (on a cluster they apply to every node connection). Nothing here connects unless the caller lets it
 * (ioredis connects at once unless `lazyConnect`).
 */
export function createRedis(url: string, options: CreateRedisOptions = {}): RedisClient {
  const { subscriber, lazyConnect, enableOfflineQueue, ...nodeOptions } = options;
  const target = parseRedisUrl(url);
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  if (!target.cluster) return new Redis(url, defined({ ...nodeOptions, lazyConnect, enableOfflineQueue }));
  const clusterOptions: ClusterOptions = {
    ...defined({ lazyConnect, enableOfflineQueue }),
    shardedSubscribers: subscriber === true,
    retryDelayOnFailover: FAILOVER_RETRY_MS,
    retryDelayOnClusterDown: FAILOVER_RETRY_MS,
    retryDelayOnTryAgain: FAILOVER_RETRY_MS,
    maxRedirections: MAX_REDIRECTIONS,
    // A node that went away may come back (restart) or be replaced: keep the slot map fresh.
    slotsRefreshInterval: 2000,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    redisOptions: defined({
      ...nodeOptions,
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
    }),
  };
  return new Cluster(target.nodes, clusterOptions);
}

/**
 * A connection for a BullMQ queue or worker: no cap on per-request retries (BullMQ's blocking commands
 * wait through reconnects) and its `error` events left to BullMQ, which reports them on the queue or
 * worker. Pushed onto `owned`, which the caller closes on shutdown.
 */
export function createBullConnection(url: string, owned: RedisClient[]): RedisClient {
  const c = createRedis(url, { maxRetriesPerRequest: null });
  c.on('error', () => undefined);
  owned.push(c);
  return c;
}

/**
 * An `error` listener for a Redis client that logs the first error of a burst and then at most one line
 * per `everyMs` with how many were dropped: while a cluster node is down, each reconnect attempt errors
 * (several a second per connection), and the log should say so once, not hundreds of times.
 */
export function throttledErrorLog(log: (fields: { err: string; repeated?: number }, msg: string) => void, msg: string, everyMs = 10_000): (err: Error) => void {
  let last = 0;
  let dropped = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) {
      dropped++;
      return;
    }
    log(dropped ? { err: err.message, repeated: dropped } : { err: err.message }, msg);
    last = now;
    dropped = 0;
  };
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * Every key family, with the hash tag that keeps what is used together in one slot:
 *  - BullMQ: one tag for all ingestion queues (its scripts touch many keys of a queue at once, and a
 *    hand-off adds to the next queue).
 *  - ingestion job records: one tag (a record and the status indexes move in one script).
 *  - a conversation: its state, lock, event stream and live channel share the conversation id's tag.
 *  - rate limits, the embedding lock, subscription topics: one key each, any slot.
 * No ioredis `keyPrefix` anywhere (BullMQ does not support it); prefixes are part of the key.
 */
export const redisKeys = {
  /** BullMQ `prefix` option: keys `{answergraph}:bull:<queue>:…`. */
  bullPrefix: '{answergraph}:bull',
  /** Ingestion job records and their indexes. */
  ingestionPrefix: '{answergraph:ingestion}:',
  /** Conversation keys start with this, then `{<id>}` (see {@link conversationKey}). */
  conversationPrefix: 'answergraph:conversation:',
  ratePrefix: 'answergraph:rate',
  eventsPrefix: 'answergraph:events:',
  embedLock: 'answergraph:retrieval:embed-lock',
  /** Held while one process migrates the graph at start. */
  migrationLock: 'answergraph:graph:migration-lock',
  /** The trained intent classifier (a snapshot) and its metadata: one tag, written in one MULTI. */
  intentModel: '{answergraph:intents}:model',
  intentModelMeta: '{answergraph:intents}:meta',
} as const;

/** `<prefix>{<id>}:<part>`: every key and channel of one conversation in the same slot. */
export function conversationKey(prefix: string, id: string, part: 'state' | 'lock' | 'events' | 'live'): string {
  return `${prefix}{${id}}:${part}`;
}
