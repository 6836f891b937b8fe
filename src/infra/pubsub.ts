import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { createRedis, isCluster, redisKeys, throttledErrorLog } from './redis.js';

/**
 * Subscription events fan out through Redis pub/sub, so a client connected to any API replica
 * receives what any other replica published. Two dedicated connections: a subscribed Redis
 * connection cannot run other commands.
 *
 * On a Redis Cluster, classic PUBLISH is broadcast over the cluster bus to every node; sharded pub/sub
 * (SPUBLISH/SSUBSCRIBE, Redis 7) sends a message only to the shard that owns the channel's slot, so
 * pub/sub traffic scales with the cluster instead of multiplying by its size. ioredis keeps one
 * sharded subscriber connection per master and re-subscribes after a fail-over.
 */
export interface PubSub {
  publish<T>(topic: string, payload: T): Promise<void>;
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
  close(): Promise<void>;
}

export function createRedisPubSub(redisUrl: string, logger?: Pick<Logger, 'warn'>, prefix: string = redisKeys.eventsPrefix): PubSub {
  const options = { maxRetriesPerRequest: null, lazyConnect: false } as const;
  const publisher = createRedis(redisUrl, options);
  const subscriber = createRedis(redisUrl, { ...options, subscriber: true });
  // Both reconnect (and resubscribe) on their own after Redis restarts; without a listener ioredis
  // prints every lost connection to stderr as an "Unhandled error event".
  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', throttledErrorLog((fields, msg) => logger?.warn({ ...fields, role }, msg), 'subscription pub/sub connection error'));
  }
  const inner = isCluster(publisher) && isCluster(subscriber)
    ? new RedisPubSub({ publisher: shardedPublisher(publisher), subscriber: shardedSubscriber(subscriber), messageEventName: 'smessage' })
    : new RedisPubSub({ publisher: publisher as never, subscriber: subscriber as never });
  return {
    publish: (topic, payload) => inner.publish(prefix + topic, payload),
    subscribe: <T>(topic: string) => inner.asyncIterator<T>(prefix + topic),
    close: async () => {
      await inner.close();
    },
  };
}

/**
 * graphql-redis-subscriptions speaks PUBLISH/SUBSCRIBE to an ioredis-shaped client; these adapters give
 * it the sharded commands under those names (it never subscribes to patterns here: topics are exact).
 */
function shardedPublisher(cluster: Cluster): never {
  return {
    publish: (channel: string, message: string) => cluster.spublish(channel, message),
    quit: () => cluster.quit(),
    on: (event: string, fn: (...args: unknown[]) => void) => cluster.on(event, fn),
  } as never;
}

function shardedSubscriber(cluster: Cluster): never {
  return {
    on: (event: string, fn: (...args: unknown[]) => void) => cluster.on(event, fn),
    subscribe: (channel: string, done: (err?: Error | null) => void) => {
      cluster.ssubscribe(channel).then(() => done(null), (err: Error) => done(err));
    },
    unsubscribe: (channel: string) => void cluster.sunsubscribe(channel).catch(() => undefined),
    punsubscribe: () => undefined,
    psubscribe: (_: string, done: (err?: Error | null) => void) => done(new Error('pattern subscriptions are not available with sharded pub/sub')),
    quit: () => cluster.quit(),
  } as never;
}

