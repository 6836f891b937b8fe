import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Subscription events fan out through Redis pub/sub, so a client connected to any API replica
 * receives what any other replica published. Two dedicated connections: a subscribed Redis
 * connection cannot run other commands.
 */
export interface PubSub {
  publish<T>(topic: string, payload: T): Promise<void>;
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
  close(): Promise<void>;
}

export function createRedisPubSub(redisUrl: string, logger?: Pick<Logger, 'warn'>, prefix = 'answergraph:events:'): PubSub {
  const options = { maxRetriesPerRequest: null, lazyConnect: false } as const;
  const publisher = new Redis(redisUrl, options);
  const subscriber = new Redis(redisUrl, options);
  // Both reconnect (and resubscribe) on their own after Redis restarts; without a listener ioredis
  // prints every lost connection to stderr as an "Unhandled error event".
  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', (err: Error) => logger?.warn({ err: err.message, role }, 'subscription pub/sub connection error'));
  }
  const inner = new RedisPubSub({ publisher, subscriber });
  return {
    publish: (topic, payload) => inner.publish(prefix + topic, payload),
    subscribe: <T>(topic: string) => inner.asyncIterator<T>(prefix + topic) as unknown as AsyncIterableIterator<T>,
    close: async () => {
      await inner.close();
    },
  };
}
