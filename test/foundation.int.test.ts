import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { migrate } from '../src/graph/migrations.js';
import { createLogger } from '../src/observability/logger.js';
import { projectRoot } from '../src/app.js';
import { eventually, startTestApi, type TestApi } from './harness.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('graph migrations', () => {
  it('creates constraints, fulltext (cjk) and 384-d vector indexes, all ONLINE', async () => {
    const rows = await api.app.services.executor.readText('test/indexes', 'SHOW INDEXES YIELD name, type, state, options RETURN name, type, state, options');
    const byName = new Map(rows.map((r) => [r.name as string, r]));
    for (const name of ['knowledge_text', 'entity_names', 'chunk_text']) {
      expect(byName.get(name)).toMatchObject({ type: 'FULLTEXT', state: 'ONLINE' });
      expect((byName.get(name)!.options as { indexConfig: Record<string, unknown> }).indexConfig['fulltext.analyzer']).toBe('cjk');
    }
    for (const name of ['knowledge_embedding', 'chunk_embedding', 'entity_embedding']) {
      expect(byName.get(name)).toMatchObject({ type: 'VECTOR', state: 'ONLINE' });
      expect((byName.get(name)!.options as { indexConfig: Record<string, unknown> }).indexConfig['vector.dimensions']).toBe(384);
    }
    expect(rows.filter((r) => r.state !== 'ONLINE')).toEqual([]);
    const constraints = await api.app.services.executor.readText('test/constraints', 'SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names');
    expect(constraints[0]!.names).toEqual(expect.arrayContaining(['knowledge_id', 'knowledge_external_id', 'entity_id', 'api_key_hash']));
  });

  it('is idempotent: a second run applies nothing and records each migration once', async () => {
    const again = await migrate(api.app.services.executor, path.join(projectRoot, 'cypher', 'migrations'), createLogger('silent'));
    expect(again.applied).toEqual([]);
    const rows = await api.app.services.executor.readText('test/migrations', 'MATCH (m:Migration) RETURN m.id AS id ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['0001-constraints', '0002-search-indexes', '0003-lookup-indexes', ...rows.slice(3).map((r) => r.id)]);
  });

  it('fulltext search finds Chinese and English text through the cjk analyzer', async () => {
    const ex = api.app.services.executor;
    await ex.writeText('test/ft', "CREATE (:Knowledge:FtProbe {id: randomUUID(), question: '退货需要多长时间？', answer: 'Refunds arrive within five working days.'})");
    const zh = await ex.readText('test/ft-q', "CALL db.index.fulltext.queryNodes('knowledge_text', '退货') YIELD node WHERE node:FtProbe RETURN count(*) AS n");
    const en = await ex.readText('test/ft-q', "CALL db.index.fulltext.queryNodes('knowledge_text', 'refunds') YIELD node WHERE node:FtProbe RETURN count(*) AS n");
    expect(zh[0]!.n).toBe(1);
    expect(en[0]!.n).toBe(1);
    await ex.writeText('test/ft-clean', 'MATCH (n:FtProbe) DETACH DELETE n');
  });
});

describe('HTTP surface', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await eventually(async () => {
      const r = await fetch(`${api.url}/readyz`);
      return r.status === 200 ? r : undefined;
    }, 120_000, 200);
    expect(await ready.json()).toMatchObject({ status: 'ready', neo4j: true, redis: true });
    await api.gql('query HealthCheck { health { status } }');
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/answergraph_graphql_requests_total\{operation="HealthCheck",type="query",outcome="ok"\} \d+/);
    expect(metrics).toContain('answergraph_graphql_request_duration_seconds_bucket');
    expect(metrics).toContain('answergraph_process_cpu_user_seconds_total');
    expect(metrics).toContain('answergraph_cypher_query_duration_seconds');
  });

  it('serves the health query without an API key', async () => {
    await eventually(async () => (await fetch(`${api.url}/readyz`)).status === 200, 120_000, 200);
    const r = await api.gql('{ health { status neo4j redis models modelIssues } }', {}, null);
    expect(r.body).toEqual({ data: { health: { status: 'ok', neo4j: true, redis: true, models: true, modelIssues: [] } } });
  });

  it('echoes a given request id and generates one otherwise', async () => {
    const given = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const generated = await fetch(`${api.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves a GraphiQL page from local assets, no CDN', async () => {
    const page = await (await fetch(`${api.url}/graphiql`)).text();
    expect(page).toContain('/graphiql/assets/graphiql.js');
    expect(page).not.toMatch(/https?:\/\/(unpkg|cdn|esm\.sh)/);
    const js = await fetch(`${api.url}/graphiql/assets/graphiql.js`);
    expect(js.status).toBe(200);
  });
});

describe('typed errors', () => {
  it.each([
    ['malformed GraphQL', '{ health { status ', 'GRAPHQL_PARSE_FAILED'],
    ['unknown field', '{ nope }', 'GRAPHQL_VALIDATION_FAILED'],
  ])('%s → %s', async (_case, query, code) => {
    const r = await api.gql(query);
    expect(r.body.errors?.[0]?.extensions?.code).toBe(code);
  });

  it('anonymous callers are asked to authenticate', async () => {
    const r = await api.gql('{ viewer { role } }', {}, null);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('an unknown API key is refused with 401', async () => {
    const r = await api.gql('{ health { status } }', {}, 'ag_not-a-real-key');
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('in production a fault returns no internals: a generic message, its code and category, and the request id to quote', async () => {
    const prod = await startTestApi({ NODE_ENV: 'production' }, { background: false });
    try {
      // Every graph statement of this API now fails inside the driver: a fault, raised on a real resolver path.
      await prod.app.driver.close();
      const res = await fetch(`${prod.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${prod.adminKey}`, 'x-request-id': 'fault-probe-1' },
        body: JSON.stringify({ query: '{ knowledgeItems(first: 1) { totalCount } }' }),
      });
      const body = (await res.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL', category: 'fault', requestId: 'fault-probe-1' });
      expect(body.errors?.[0]?.message).toBe('Internal error; it has been logged (quote the request id).');
      // No query name, Neo4j code, driver message or stack trace anywhere in the response.
      expect(JSON.stringify(body)).not.toMatch(/knowledge\/|Pool is closed|N\/A|neo4j|stack|"internal":|"details":/i);
    } finally {
      await prod.close().catch(() => undefined);
    }
  });

  it('a body that is not JSON is a typed BAD_USER_INPUT', async () => {
    const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('subscriptions over graphql-ws', () => {
  it('streams heartbeats over a real socket on the same port', async () => {
    const client = api.ws();
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ heartbeat: { seq: number } }>(
        { query: 'subscription { heartbeat(count: 3, intervalMs: 20) { seq at } }' },
        { next: (m) => seen.push(m.data!.heartbeat.seq), error: reject, complete: resolve },
      );
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses a socket whose key is not valid', async () => {
    const client = api.ws('ag_wrong');
    const outcome = await new Promise<string>((resolve) => {
      client.subscribe({ query: 'subscription { heartbeat(count: 1) { seq } }' }, { next: () => resolve('next'), error: (e) => resolve(String((e as { code?: number }).code ?? e)), complete: () => resolve('complete') });
    });
    expect(outcome).toBe('4403');
  });
});

describe('transaction metadata', () => {
  it("every transaction of a GraphQL operation carries the request's id and key id, over HTTP and graphql-ws", async () => {
    const seen: Array<Record<string, string>> = [];
    const driver = api.app.driver;
    const open = driver.session.bind(driver);
    const spy = vi.spyOn(driver, 'session').mockImplementation((config) => {
      const s = open(config);
      // Auto-commit reads pass their transaction config third, units of work second.
      const wrap = <F extends (...args: never[]) => unknown>(f: F, at: number): F =>
        ((...args: Parameters<F>) => {
          const metadata = (args[at] as { metadata?: Record<string, string> } | undefined)?.metadata;
          if (metadata) seen.push(metadata);
          return f.apply(s, args);
        }) as F;
      s.run = wrap(s.run, 2);
      s.executeRead = wrap(s.executeRead, 1);
      s.executeWrite = wrap(s.executeWrite, 1);
      return s;
    });
    let id: string;
    try {
      const created = await api.gql<{ createApiKey: { id: string; key: string } }>('mutation { createApiKey(role: ADMIN, name: "metadata-check") { id key } }', {}, api.adminKey, { 'x-request-id': 'meta-create' });
      const secret = created.body.data!.createApiKey;
      id = secret.id;
      expect((await api.gql('{ apiKeys { id } }', {}, secret.key, { 'x-request-id': 'meta-list' })).body.errors).toBeUndefined();
      const client = api.ws(secret.key);
      await new Promise<void>((resolve, reject) => client.subscribe({ query: '{ apiKeys { id } }' }, { next: () => undefined, error: reject, complete: resolve }));
    } finally {
      spy.mockRestore();
    }
    const of = (requestId: string) => seen.filter((m) => m.requestId === requestId).map(({ unit, keyId }) => ({ unit, keyId }));
    // The bootstrap admin key is known without a lookup; the audit event is written in the same transaction.
    expect(of('meta-create')).toEqual([{ unit: 'auth/create-api-key', keyId: 'bootstrap-admin' }]);
    // The key's own lookup runs before the request knows whose it is; everything after carries it.
    expect(of('meta-list')).toEqual([
      { unit: 'auth/find-api-key', keyId: undefined },
      { unit: 'auth/list-api-keys', keyId: id },
    ]);
    // A graphql-ws operation has a request id of its own (the socket's key lookup is cached by now).
    expect(seen).toContainEqual(expect.objectContaining({ unit: 'auth/list-api-keys', keyId: id, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }));
  });
});

describe('Redis pub/sub', () => {
  it('delivers a published event to a subscriber', async () => {
    const topic = `probe-${Date.now()}`;
    const iterator = api.app.services.pubsub.subscribe<{ n: number }>(topic);
    const first = iterator.next();
    await eventually(async () => {
      await api.app.services.pubsub.publish(topic, { n: 42 });
      return Promise.race([first.then((r) => r.value), new Promise((r) => setTimeout(() => r(undefined), 100))]);
    });
    expect((await first).value).toEqual({ n: 42 });
    await iterator.return?.();
  });
});

describe('process start-up', () => {
  const s = () => inject('services');
  const runMain = (env: Record<string, string>, signalAfterReady = false) =>
    new Promise<{ code: number | null; ms: number; output: string }>((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'api'], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
      });
      let output = '';
      const onData = (d: Buffer) => {
        output += d.toString();
        if (signalAfterReady && !child.killed && output.includes('API ready')) child.kill('SIGTERM');
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      // 'close', not 'exit': output still in the pipes arrives before 'close'.
      child.on('close', (code) => resolve({ code, ms: Date.now() - started, output }));
    });

  it('bad config fails fast with one line naming the variable', async () => {
    const r = await runMain({ PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.output.trim().split('\n')).toHaveLength(1);
    expect(r.output).toMatch(/^config: PORT is invalid: .*got "eighty"/);
  });

  // The bound guards against a hang (retrying forever), not for speed: `ms` includes starting Node and
  // loading the app with tsx, which takes 3–12 s on a loaded 2-core machine; the connect timeout is 3 s.
  it('an unreachable Neo4j exits non-zero without hanging, with an actionable message', async () => {
    const r = await runMain({ NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'x', REDIS_URL: s().redisUrl, NEO4J_CONNECT_TIMEOUT_MS: '3000' });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(30_000);
    expect(r.output).toMatch(/Cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1.*Check NEO4J_URI/);
  });

  it('a wrong Neo4j password exits non-zero without hanging, naming NEO4J_PASSWORD', async () => {
    const r = await runMain({ NEO4J_URI: s().neo4jUri, NEO4J_PASSWORD: 'definitely-wrong', REDIS_URL: s().redisUrl });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(30_000);
    expect(r.output).toMatch(/refused user "neo4j".*Check NEO4J_USER and NEO4J_PASSWORD/);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const r = await runMain({ NEO4J_URI: s().neo4jUri, NEO4J_PASSWORD: s().neo4jPassword, REDIS_URL: s().redisUrl, PORT: '0' }, true);
    expect(r.output).toContain('API ready');
    expect(r.output).toContain('"msg":"stopped"');
    expect(r.code).toBe(0);
  });
});

describe('rate limits', () => {
  it('counts operations per API key in Redis and answers 429 RATE_LIMITED past the limit', async () => {
    const limited = await startTestApi({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const codes: Array<string | undefined> = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.gql('{ viewer { role } }')).body.errors?.[0]?.extensions?.code);
      expect(codes).toEqual([undefined, undefined, undefined, 'RATE_LIMITED']);
      const res = await fetch(`${limited.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${limited.adminKey}` }, body: '{"query":"{ viewer { role } }"}' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
