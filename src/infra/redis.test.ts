import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.js';
import { clusterUrl, conversationKey, createRedis, isCluster, isClusterUrl, parseRedisUrl, redactRedisUrl, redisKeys } from './redis.js';

describe('Redis URLs', () => {
  it.each([
    ['redis://127.0.0.1:6379', { cluster: false, nodes: [{ host: '127.0.0.1', port: 6379 }], tls: false }],
    ['rediss://:s3cret@cache.example.com:6380/2', { cluster: false, nodes: [{ host: 'cache.example.com', port: 6380 }], password: 's3cret', tls: true, db: 2 }],
    ['redis+cluster://10.0.0.1:7000,10.0.0.2:7001', { cluster: true, nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], tls: false }],
    ['rediss+cluster://app:p%40ss@a.example:7000', { cluster: true, nodes: [{ host: 'a.example', port: 7000 }], username: 'app', password: 'p@ss', tls: true }],
    ['redis+cluster://[::1]:7000', { cluster: true, nodes: [{ host: '::1', port: 7000 }], tls: false }],
  ])('parses %s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
    expect(isClusterUrl(url)).toBe(expected.cluster);
  });

  it('rejects cluster URLs whose nodes are not host:port', () => {
    expect(() => parseRedisUrl('redis+cluster://10.0.0.1,10.0.0.2:7001')).toThrow(/"10.0.0.1" is not host:port/);
  });

  it('builds a cluster URL from REDIS_CLUSTER_NODES and hides passwords in messages', () => {
    expect(clusterUrl(' 10.0.0.1:7000 , 10.0.0.2:7001')).toBe('redis+cluster://10.0.0.1:7000,10.0.0.2:7001');
    expect(clusterUrl('h:1', { password: 'p w', tls: true })).toBe('rediss+cluster://:p%20w@h:1');
    expect(redactRedisUrl('redis+cluster://app:secret@h:1,h:2')).toBe('redis+cluster://***@h:1,h:2');
  });

  it('makes a Cluster client for a cluster URL and a plain one otherwise (without connecting)', () => {
    const cluster = createRedis('redis+cluster://127.0.0.1:1,127.0.0.1:2', { lazyConnect: true });
    const single = createRedis('redis://127.0.0.1:1', { lazyConnect: true });
    expect(isCluster(cluster)).toBe(true);
    expect(isCluster(single)).toBe(false);
    cluster.disconnect();
    single.disconnect();
  });
});

describe('cluster configuration', () => {
  it('accepts REDIS_CLUSTER_NODES and redis+cluster:// URLs', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000,r2:7000' }).redis.url).toBe('redis+cluster://r1:7000,r2:7000');
    expect(loadConfig({ REDIS_URL: 'redis+cluster://r1:7000' }).redis.url).toBe('redis+cluster://r1:7000');
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: 'r1' }, 'REDIS_CLUSTER_NODES', /host:port/],
    [{ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_URL: 'redis://r:6379' }, 'REDIS_CLUSTER_NODES', /set one of them/],
    [{ QDRANT_REPLICATION_FACTOR: '2', QDRANT_WRITE_CONSISTENCY: '3' }, 'QDRANT_WRITE_CONSISTENCY', /more than QDRANT_REPLICATION_FACTOR/],
  ])('rejects %j', (env, variable, message) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as ConfigError).message).toMatch(message);
  });

  it('takes the Qdrant collection layout from configuration', () => {
    expect(loadConfig({ QDRANT_SHARDS: '6', QDRANT_REPLICATION_FACTOR: '2', QDRANT_WRITE_CONSISTENCY: '2' }).qdrant).toMatchObject({ shards: 6, replicationFactor: 2, writeConsistency: 2 });
  });
});

/** What Redis Cluster hashes: the first non-empty `{…}` of the key, or the whole key. */
function hashed(key: string): string {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}
const calculateSlot = hashed;

describe('key slots', () => {
  it('keeps each key family that is used together in one slot', () => {
    const bull = ['wait', 'active', 'id', 'events', 'meta', 'stalled'].flatMap((s) => ['ingest-prepare', 'ingest-model', 'ingest-write'].map((q) => `${redisKeys.bullPrefix}:${q}:${s}`));
    expect(new Set(bull.map((k) => calculateSlot(k))).size).toBe(1);
    const jobs = ['job:abc', 'jobs', 'jobs:RUNNING', 'jobs:COMPLETED'].map((k) => `${redisKeys.ingestionPrefix}${k}`);
    expect(new Set(jobs.map((k) => calculateSlot(k))).size).toBe(1);
    const conversation = (['state', 'lock', 'events', 'live'] as const).map((p) => conversationKey(redisKeys.conversationPrefix, 'c-1', p));
    expect(new Set(conversation.map((k) => calculateSlot(k))).size).toBe(1);
    // …while different conversations spread over the cluster.
    const spread = new Set(Array.from({ length: 50 }, (_, i) => calculateSlot(conversationKey(redisKeys.conversationPrefix, `c-${i}`, 'events'))));
    expect(spread.size).toBe(50);
  });
});
