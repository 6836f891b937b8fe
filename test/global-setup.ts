import type { TestProject } from 'vitest/node';
import neo4j from 'neo4j-driver';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';
import { testServices } from './service-slot.js';

/**
 * Starts (or reuses) the `test` profile of the local services — a real Neo4j 5.26 and a real Redis —
 * once per run, empties the graph and Redis so every run starts alike, and hands the connection to
 * the test files. Files isolate themselves with unique ids; the services stay up for the next run.
 */
export default async function setup(project: TestProject) {
  await ensureInstalled({});
  const c = await ensureLocalServices(testServices());
  const driver = neo4j.driver(c.neo4jUri, neo4j.auth.basic(c.neo4jUser, c.neo4jPassword));
  try {
    // Batched delete: one transaction per 10,000 nodes keeps memory bounded after big benchmarks.
    // KEEP_GRAPH=1 skips the wipe, to inspect what an earlier run left behind.
    // CALL { … } IN TRANSACTIONS needs an auto-commit transaction (session.run): executeQuery's managed
    // transaction refuses it, and the one-transaction fallback runs out of memory on a benchmark graph.
    if (!process.env.KEEP_GRAPH) {
      const session = driver.session({ database: 'neo4j' });
      try {
        await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
      } finally {
        await session.close();
      }
    }
    const schema = await driver.executeQuery('SHOW INDEXES YIELD name, type WHERE type <> "LOOKUP" RETURN name', {}, { database: 'neo4j' });
    for (const r of schema.records) await driver.executeQuery(`DROP INDEX \`${r.get('name')}\` IF EXISTS`, {}, { database: 'neo4j' }).catch(() => undefined);
    const constraints = await driver.executeQuery('SHOW CONSTRAINTS YIELD name RETURN name', {}, { database: 'neo4j' });
    for (const r of constraints.records) await driver.executeQuery(`DROP CONSTRAINT \`${r.get('name')}\` IF EXISTS`, {}, { database: 'neo4j' });
  } finally {
    await driver.close();
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(c.redisUrl);
  await redis.flushall();
  redis.disconnect();
  project.provide('services', c);
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: { neo4jUri: string; neo4jUser: string; neo4jPassword: string; redisUrl: string };
  }
}
