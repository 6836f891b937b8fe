import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { tryWithLock, withLock } from './lock.js';

let redis: Redis;
const key = () => `answergraph:test:lock:${randomUUID()}`;

beforeAll(() => {
  redis = new Redis(inject('services').redisUrl);
});
afterAll(() => {
  redis.disconnect();
});

describe('the Redis lock', () => {
  it('runs holders of one key one after another, and different keys side by side', async () => {
    const k = key();
    const log: string[] = [];
    const holder = (name: string) =>
      withLock(redis, k, { ttlMs: 5000, waitMs: 5000, onTimeout: () => new Error('timeout') }, async () => {
        log.push(`${name} in`);
        await delay(50);
        log.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([holder('a'), holder('b'), tryWithLock(redis, key(), { ttlMs: 5000 }, async () => 'other')])).toEqual(['a', 'b', { value: 'other' }]);
    expect(log).toEqual([`${log[0]!.split(' ')[0]} in`, `${log[0]!.split(' ')[0]} out`, `${log[2]!.split(' ')[0]} in`, `${log[2]!.split(' ')[0]} out`]);
    expect(await redis.exists(k)).toBe(0);
  });

  it('gives up after waitMs with the caller’s error, without running the work', async () => {
    const k = key();
    await redis.set(k, 'someone-else', 'PX', 5000);
    let ran = false;
    await expect(withLock(redis, k, { ttlMs: 1000, waitMs: 100, onTimeout: () => new Error('busy') }, async () => (ran = true))).rejects.toThrow('busy');
    expect(ran).toBe(false);
    expect(await tryWithLock(redis, k, { ttlMs: 1000 }, async () => 1)).toBeNull();
    // Not ours: left alone.
    expect(await redis.get(k)).toBe('someone-else');
  });

  it('stays held past its TTL while the work runs, and frees itself when a holder disappears', async () => {
    const k = key();
    const long = tryWithLock(redis, k, { ttlMs: 150 }, async () => {
      await delay(600);
      return 'done';
    });
    await delay(400);
    expect(await tryWithLock(redis, k, { ttlMs: 150 }, async () => 'second')).toBeNull();
    expect(await long).toEqual({ value: 'done' });
    // A holder that crashed (no renewal, no release) blocks for one TTL at most.
    await redis.set(k, 'crashed', 'PX', 150);
    await delay(250);
    expect(await tryWithLock(redis, k, { ttlMs: 150 }, async () => 'after')).toEqual({ value: 'after' });
  });

  it('releases only its own token, also when the work throws', async () => {
    const k = key();
    await expect(
      tryWithLock(redis, k, { ttlMs: 5000 }, async () => {
        // The key expired and another process took it meanwhile.
        await redis.set(k, 'next-holder', 'PX', 5000);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await redis.get(k)).toBe('next-holder');
    const thrown = key();
    await expect(tryWithLock(redis, thrown, { ttlMs: 5000 }, async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await redis.exists(thrown)).toBe(0);
  });
});
