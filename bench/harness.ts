import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildApp, projectRoot, type App } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { buildSchema } from '../src/schema/index.js';
import { createApiServer, type ApiServer } from '../src/server/api-server.js';
import { ensureInstalled, ensureLocalServices } from '../src/services/local-services.js';

/**
 * Benchmarks run the real stack: the `test` profile's Neo4j and Redis (or NEO4J_URI/REDIS_URL when
 * set) and the API in this process on a free port, driven over HTTP like a client would.
 */
export interface BenchStack {
  url: string;
  adminKey: string;
  app: App;
  /** A GraphQL operation over HTTP, as the admin or with another API key. */
  gql<T>(query: string, variables?: Record<string, unknown>, key?: string, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

export async function startBenchStack(env: Record<string, string> = {}): Promise<BenchStack> {
  await ensureInstalled({});
  const local = process.env.NEO4J_URI ? null : await ensureLocalServices({ profile: 'test' });
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ADMIN_API_KEY: adminKey, ...(local ? { NEO4J_URI: local.neo4jUri, NEO4J_PASSWORD: local.neo4jPassword, REDIS_URL: local.redisUrl } : {}), ...env });
  const app = await buildApp(
    config,
    { neo4j: { uri: config.neo4j.uri!, user: config.neo4j.user, password: config.neo4j.password! }, redisUrl: config.redis.url! },
    createLogger(config.logLevel),
  );
  const server: ApiServer = await createApiServer({ schema: buildSchema(), services: app.services, metrics: app.metrics, ready: app.ready, redis: app.redis });
  const port = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    adminKey,
    app,
    /** `headers`: extra request headers, e.g. a conversation's visitor token. */
    gql: async <T>(query: string, variables?: Record<string, unknown>, key = adminKey, headers: Record<string, string> = {}) => {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data as T;
    },
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}

/** Prints a table and writes `bench-results/<name>.json`. */
export function report(name: string, rows: Array<Record<string, string | number>>, extra: Record<string, unknown> = {}): void {
  console.table(rows);
  const dir = path.join(projectRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, rows, ...extra }, null, 2)}\n`);
  console.log(`wrote ${path.relative(projectRoot, file)}`);
}
