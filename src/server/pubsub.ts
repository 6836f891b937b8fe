import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';

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

export function createRedisPubSub(redisUrl: string, prefix = 'answergraph:events:'): PubSub {
  const options = { maxRetriesPerRequest: null, lazyConnect: false } as const;
  const publisher = new Redis(redisUrl, options);
  const subscriber = new Redis(redisUrl, options);
  const inner = new RedisPubSub({ publisher, subscriber });
  return {
    publish: (topic, payload) => inner.publish(prefix + topic, payload),
    subscribe: <T>(topic: string) => inner.asyncIterator<T>(prefix + topic) as unknown as AsyncIterableIterator<T>,
    close: async () => {
      await inner.close();
    },
  };
}
