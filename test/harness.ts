import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { buildSchema } from '../src/schema/index.js';
import { createApiServer, OBSERVE_QUERIES_HEADER, type ApiServer } from '../src/server/api-server.js';

export interface TestApi {
  url: string;
  wsUrl: string;
  adminKey: string;
  app: App;
  config: Config;
  /** POSTs one operation; returns the parsed body and status. */
  /** `headers`: extra request headers, e.g. a visitor token (`answergraph-visitor-token`). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, key?: string | null, headers?: Record<string, string>): Promise<{ status: number; body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> } }>;
  /**
   * POSTs one operation and returns, with the body, the names of the Cypher statements the server ran for it,
   * in the order they finished (authentication excluded). Fails when the server does not report them.
   */
  gqlObserved<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<{ status: number; body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }; queries: string[] }>;
  /** `params`: extra connection_init fields, e.g. `{ visitorToken }`. */
  ws(key?: string, params?: Record<string, string>): Client;
  close(): Promise<void>;
}

/** The real API (real Neo4j and Redis of the test profile) in this process, on a free port. */
/**
 * `background` (default true): this API also runs the background model work of the worker role
 * (embedding sweeps, intent training; app.startBackgroundWork), as `npm start` does, so what a test
 * writes is embedded and trained without asking. A test that must control when vectors change turns it
 * off and calls the embedder itself.
 */
export async function startTestApi(env: Record<string, string> = {}, options: { waitReady?: boolean; background?: boolean } = {}): Promise<TestApi> {
  const s = inject('services');
  const adminKey = `test-admin-${randomBytes(16).toString('hex')}`;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ADMIN_API_KEY: adminKey, NEO4J_URI: s.neo4jUri, NEO4J_PASSWORD: s.neo4jPassword, REDIS_URL: s.redisUrl, ...env });
  const logger = createLogger(config.logLevel);
  // REDIS_URL / NEO4J_URI in `env` (a Redis Cluster, a neo4j:// routing URI) replace the test services' own.
  const app = await buildApp(config, { neo4j: { uri: config.neo4j.uri ?? s.neo4jUri, user: s.neo4jUser, password: s.neo4jPassword }, redisUrl: config.redis.url ?? s.redisUrl }, logger);
  const server: ApiServer = await createApiServer({ schema: buildSchema(), services: app.services, metrics: app.metrics, ready: app.ready, redis: app.redis });
  const port = await server.listen(0, '127.0.0.1');
  if (options.background !== false) await app.startBackgroundWork();
  // Models load in the background after start. Tests that need the API ready (as a load balancer would) ask
  // for it; the others start at once and load the models they use on first use.
  if (options.waitReady === true) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await app.ready();
      if (r.ready) break;
      if (Date.now() > deadline) throw new Error(`test API not ready after 120 s: ${JSON.stringify(r.checks)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const url = `http://127.0.0.1:${port}`;
  const clients: Client[] = [];
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    adminKey,
    app,
    config,
    gql: async (query, variables, key = adminKey, headers = {}) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    gqlObserved: async (query, variables, key = adminKey) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [OBSERVE_QUERIES_HEADER]: '1', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { extensions?: { queries?: unknown } };
      const queries = body.extensions?.queries;
      if (!Array.isArray(queries)) throw new Error(`the server did not report the operation's statements (status ${res.status}): ${JSON.stringify(body).slice(0, 500)}`);
      return { status: res.status, body: body as never, queries: queries as string[] };
    },
    ws: (key = adminKey, params = {}) => {
      const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}`, ...params }, retryAttempts: 0, lazy: true });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const c of clients) await c.dispose();
      await server.close();
      await app.close();
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs` (no sleeps in tests). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
