import type { ServicePorts } from '../src/services/local-services.js';

/**
 * The local services a test run uses. TEST_SERVICES_SLOT=n gives a separate Neo4j + Redis (ports +10n,
 * `.data/test-n`), so parallel checkouts on one machine do not wipe each other's graph; unset (or 0): the
 * `test` profile itself. Global setup starts these, and tests that inspect them ask for the same ones.
 */
export function testServices(slot = Number(process.env.TEST_SERVICES_SLOT ?? 0)): { profile: 'test'; dataDir?: string; ports?: ServicePorts } {
  if (!slot) return { profile: 'test' };
  return { profile: 'test', dataDir: `.data/test-${slot}`, ports: { neo4jBolt: 17687 + 10 * slot, neo4jHttp: 17474 + 10 * slot, redis: 16379 + 10 * slot } };
}
