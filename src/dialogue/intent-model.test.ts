import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CypherExecutor } from '../graph/executor.js';
import type { IntentRepository } from '../knowledge/intent.repository.js';
import type { RedisClient } from '../infra/redis.js';
import { IntentModel } from './intent-model.js';

/** Just the Redis calls IntentModel makes, on a Map. */
function fakeRedis(): RedisClient {
  const store = new Map<string, string | Buffer>();
  const multi = () => {
    const ops: Array<() => [null, unknown]> = [];
    const tx = {
      set: (k: string, v: string | Buffer) => (ops.push(() => [null, store.set(k, v) && 'OK']), tx),
      del: (k: string) => (ops.push(() => [null, store.delete(k) ? 1 : 0]), tx),
      get: (k: string) => (ops.push(() => [null, store.has(k) ? String(store.get(k)) : null]), tx),
      getBuffer: (k: string) => (ops.push(() => [null, store.get(k) ?? null]), tx),
      exec: async () => ops.map((op) => op()),
    };
    return tx;
  };
  return { multi, get: async (k: string) => (store.has(k) ? String(store.get(k)) : null) } as unknown as RedisClient;
}

/** A deterministic embedding: letter counts, normalised. */
const embedder = {
  embed: async (texts: readonly string[]) =>
    texts.map((t) => {
      const v = new Float32Array(26);
      for (const c of t.toLowerCase()) if (c >= 'a' && c <= 'z') v[c.charCodeAt(0) - 97]! += 1;
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n);
    }),
};

describe('IntentModel.train', () => {
  it('trains again for a call made while a run is in flight: that run may have read the examples before the change', async () => {
    let examples = [
      { name: 'refund', examples: ['refund please', 'money back', 'refund my order'] },
      { name: 'hours', examples: ['opening hours', 'when are you open', 'hours today'] },
    ];
    let release: () => void = () => undefined;
    let reads = 0;
    const intents = {
      allExamples: async () => {
        reads++;
        const snapshot = examples;
        // The first run reads its examples, then waits (an import commits meanwhile).
        if (reads === 1) await new Promise<void>((r) => (release = r));
        return snapshot;
      },
    } as unknown as IntentRepository;
    const executor = { read: async () => [] } as unknown as CypherExecutor;
    const model = new IntentModel(executor, intents, embedder, fakeRedis(), pino({ level: 'silent' }), () => 'fake');

    const stale = model.train();
    await new Promise((r) => setTimeout(r, 10));
    examples = [...examples, { name: 'track', examples: ['where is my parcel', 'track my order', 'parcel status'] }];
    const fresh = model.train();
    const third = model.train();
    release();
    // The run in flight sees the change before storing and trains again; the queued run finds it stored.
    expect((await stale).meta?.intents).toBe(3);
    expect((await fresh).meta?.intents).toBe(3);
    expect(third).toBe(fresh); // calls arriving meanwhile share the queued run
    expect(model.info?.intents).toBe(3);
  });

  it('never stores a classifier over a newer one: a replica whose run read the examples before an import trains again', async () => {
    let examples = [
      { name: 'refund', examples: ['refund please', 'money back', 'refund my order'] },
      { name: 'hours', examples: ['opening hours', 'when are you open', 'hours today'] },
    ];
    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => (release = r));
    let slowReads = 0;
    const redis = fakeRedis();
    const executor = { read: async () => [] } as unknown as CypherExecutor;
    // Replica A's first read is held (it reads, then embeds for a long time); replica B reads after the import.
    const slow = {
      allExamples: async () => {
        const snapshot = examples;
        if (++slowReads === 1) await hold;
        return snapshot;
      },
    } as unknown as IntentRepository;
    const fast = { allExamples: async () => examples } as unknown as IntentRepository;
    const a = new IntentModel(executor, slow, embedder, redis, pino({ level: 'silent' }), () => 'fake');
    const b = new IntentModel(executor, fast, embedder, redis, pino({ level: 'silent' }), () => 'fake');

    const stale = a.train();
    await new Promise((r) => setTimeout(r, 10));
    examples = [...examples, { name: 'track', examples: ['where is my parcel', 'track my order', 'parcel status'] }];
    expect((await b.train()).meta?.intents).toBe(3);
    release();
    expect((await stale).meta?.intents).toBe(3);
    expect(JSON.parse((await redis.get('{answergraph:intents}:meta'))!).intents).toBe(3);
    expect(slowReads).toBeGreaterThan(2); // read, re-read (changed), read again
  });
});
