import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import neo4j from 'neo4j-driver';
import { startTestApi } from './harness.js';

/**
 * Replicas start together (`api` and `worker` on a fresh graph, or a rollout): before the migration lock,
 * two processes created the same index at once and one died with "An equivalent index already exists".
 */
describe('start-up of several processes on a fresh graph', () => {
  it('migrates once: processes starting together all come up, with every migration recorded once', async () => {
    const s = inject('services');
    const driver = neo4j.driver(s.neo4jUri, neo4j.auth.basic(s.neo4jUser, s.neo4jPassword));
    try {
      // A fresh graph: no migration records, no indexes or constraints.
      await driver.executeQuery('MATCH (m:Migration) DETACH DELETE m', {}, { database: 'neo4j' });
      for (const r of (await driver.executeQuery('SHOW CONSTRAINTS YIELD name RETURN name', {}, { database: 'neo4j' })).records) {
        await driver.executeQuery(`DROP CONSTRAINT \`${r.get('name') as string}\` IF EXISTS`, {}, { database: 'neo4j' });
      }
      for (const r of (await driver.executeQuery('SHOW INDEXES YIELD name, type WHERE type <> "LOOKUP" RETURN name', {}, { database: 'neo4j' })).records) {
        await driver.executeQuery(`DROP INDEX \`${r.get('name') as string}\` IF EXISTS`, {}, { database: 'neo4j' });
      }
      const apis = await Promise.all([startTestApi({}, { background: false }), startTestApi({}, { background: false }), startTestApi({}, { background: false })]);
      try {
        const r = await driver.executeQuery('MATCH (m:Migration) RETURN m.id AS id, count(*) AS n ORDER BY id', {}, { database: 'neo4j' });
        expect(r.records.length).toBeGreaterThan(5);
        expect(r.records.filter((x) => Number(x.get('n')) !== 1)).toEqual([]);
        for (const api of apis) expect((await api.gql<{ health: { neo4j: boolean } }>('{ health { neo4j } }')).body.data?.health.neo4j).toBe(true);
      } finally {
        await Promise.all(apis.map((a) => a.close()));
      }
    } finally {
      await driver.close();
    }
  }, 240_000);
});
