import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** The two commands a lock needs (a Redis, a Cluster, or a narrower client type). */
export type LockRedis = Pick<Redis, 'set' | 'eval'>;

/**
 * The one lock primitive: a Redis key set with NX and a random token, released only by its holder
 * (compare-and-delete in one script), and kept alive while the work runs (compare-and-extend every
 * third of the TTL), so a sweep that outlives its TTL does not let a second holder in, and a crashed
 * holder frees the key within one TTL. One key, so it works on a Redis Cluster as on one Redis.
 */

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface LockOptions {
  /** How long the key lives without renewal: how soon a crashed holder's lock frees itself. */
  ttlMs: number;
  /** How long to wait for a held lock (0: try once). Default 0. */
  waitMs?: number;
  /** Longest pause between tries while waiting (they start at 5 ms and double). Default 100. */
  maxRetryMs?: number;
}

/** Runs `work` holding `key`; null when the lock stayed held by another for `waitMs` (the work did not run). */
export async function tryWithLock<T>(redis: LockRedis, key: string, options: LockOptions, work: () => Promise<T>): Promise<{ value: T } | null> {
  const token = randomUUID();
  const deadline = Date.now() + (options.waitMs ?? 0);
  let wait = 5;
  while ((await redis.set(key, token, 'PX', options.ttlMs, 'NX')) !== 'OK') {
    if (Date.now() >= deadline) return null;
    await delay(Math.min(wait, Math.max(1, deadline - Date.now())));
    wait = Math.min(wait * 2, options.maxRetryMs ?? 100);
  }
  const renew = setInterval(() => void redis.eval(EXTEND, 1, key, token, String(options.ttlMs)).catch(() => undefined), Math.max(10, Math.floor(options.ttlMs / 3)));
  renew.unref();
  try {
    return { value: await work() };
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}

/** Runs `work` holding `key`, waiting up to `waitMs` for it; past that throws `onTimeout()`. */
export async function withLock<T>(redis: LockRedis, key: string, options: LockOptions & { onTimeout: () => Error }, work: () => Promise<T>): Promise<T> {
  const done = await tryWithLock(redis, key, options, work);
  if (!done) throw options.onTimeout();
  return done.value;
}
