import { beforeAll } from 'vitest';
import { inject } from 'vitest';
import neo4j from 'neo4j-driver';
import { Redis } from 'ioredis';

/**
 * Every integration file starts from the same state: an empty graph (the migrations stay: they are the
 * schema, not data) and an empty Redis. Files run one after another against one Neo4j and one Redis;
 * without this, what an earlier file left (published knowledge, review tasks, an ingestion job's
 * dedupe record in Redis whose document is gone, a queued job another file's worker would pick up)
 * changed the outcome of later files, so the result depended on file order. Within a file, tests
 * isolate themselves with unique ids.
 */
beforeAll(async () => {
  if (process.env.KEEP_GRAPH) return;
  const s = inject('services');
  const driver = neo4j.driver(s.neo4jUri, neo4j.auth.basic(s.neo4jUser, s.neo4jPassword));
  try {
    // CALL { … } IN TRANSACTIONS needs an auto-commit transaction, hence a bare session.
    const session = driver.session({ database: 'neo4j' });
    try {
      await session.run('MATCH (n) WHERE NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
  const redis = new Redis(s.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}, 120_000);
