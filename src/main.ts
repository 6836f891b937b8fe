#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildApp, projectRoot, type App, type Connections } from './app.js';
import { seedIfEmpty } from './knowledge/seed.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { AppError } from './errors.js';
import { createLogger, type Logger } from './observability/logger.js';
import { buildSchema } from './schema/index.js';
import { createApiServer, type ApiServer } from './server/api-server.js';
import { createProbeServer, type ProbeServer } from './server/probe-server.js';

/**
 * Composition root. `node dist/main.js <role>`:
 *  - `api`: GraphQL over HTTP and WebSocket (stateless; run many behind a load balancer)
 *  - `worker`: background jobs (ingestion); scale by adding workers
 *  - `all`: both in one process, for local use (`npm start`)
 */
type Role = 'api' | 'worker' | 'all';

async function resolveConnections(config: Config, logger: Logger): Promise<Connections> {
  if (config.neo4j.uri && config.neo4j.password && config.redis.url) {
    return { neo4j: { uri: config.neo4j.uri, user: config.neo4j.user, password: config.neo4j.password }, redisUrl: config.redis.url };
  }
  // No external services configured: run the project's own local Neo4j and Redis.
  const { ensureInstalled, ensureLocalServices } = await import('./services/local-services.js');
  logger.info({ profile: config.localServicesProfile }, 'NEO4J_URI/REDIS_URL not set: starting local services');
  await ensureInstalled({ logger });
  const local = await ensureLocalServices({ profile: config.localServicesProfile, logger });
  return {
    neo4j: config.neo4j.uri && config.neo4j.password
      ? { uri: config.neo4j.uri, user: config.neo4j.user, password: config.neo4j.password }
      : { uri: local.neo4jUri, user: local.neo4jUser, password: local.neo4jPassword },
    redisUrl: config.redis.url ?? local.redisUrl,
  };
}

/**
 * With local services in development, `npm start` must be usable at once: when no ADMIN_API_KEY is set,
 * a random admin key is generated on first start and kept beside the local data (git-ignored, mode 600).
 */
function localAdminKey(profile: string, logger: Logger): string {
  const file = path.join(projectRoot, '.data', profile, 'admin-api-key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `ag_dev_${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  }
  logger.info({ file: path.relative(projectRoot, file) }, 'ADMIN_API_KEY not set: using the local development admin key');
  return readFileSync(file, 'utf8').trim();
}

async function main(argv: string[]): Promise<void> {
  const role = (argv[0] ?? 'all') as Role;
  if (!['api', 'worker', 'all'].includes(role)) {
    console.error(`usage: answergraph <api|worker|all>  (got "${role}")`);
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { role });

  let app: App | undefined;
  let server: ApiServer | undefined;
  let probes: ProbeServer | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.http.shutdownGraceMs + 5000);
    hardStop.unref();
    await server?.close().catch((err) => logger.error({ err }, 'closing HTTP'));
    await probes?.close().catch((err) => logger.error({ err }, 'closing the probe server'));
    await app?.close().catch((err) => logger.error({ err }, 'closing services'));
    logger.info('stopped');
    process.exit(0);
  };
  // `on`, not `once`: a second signal during shutdown must not fall back to the default (instant death).
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    const connections = await resolveConnections(config, logger);
    if (!config.adminApiKey && !config.isProduction && !config.neo4j.uri) {
      config = { ...config, adminApiKey: localAdminKey(config.localServicesProfile, logger) };
    }
    app = await buildApp(config, connections, logger, { role });
    if (config.seedOnEmpty && role !== 'worker') {
      const seeded = await seedIfEmpty(app.services.knowledge, app.services.executor, path.join(projectRoot, 'seeds'), logger);
      // One process (`all`): answers need the seed's embeddings and intents before the first question.
      // An API replica leaves that to the workers (the seed's knowledge events queue their jobs).
      if (seeded && role === 'all') await Promise.all([app.services.retrieval.embedder.embedPending(), app.services.dialogue.intents.train()]);
    }
    if (role === 'worker' || role === 'all') await app.startWorkers();
    if (role === 'worker') {
      // Workers answer probes and scrapes on PORT too (/healthz, /readyz, /metrics), nothing else.
      const ready = app.ready;
      probes = createProbeServer({ ready, registry: app.metrics.registry });
      const port = await probes.listen(config.http.port, config.http.host);
      logger.info({ url: `http://${config.http.host}:${port}/readyz` }, 'worker probes ready');
    }
    if (role === 'api' || role === 'all') {
      server = await createApiServer({ schema: buildSchema(), services: app.services, metrics: app.metrics, ready: app.ready, redis: app.redis });
      const port = await server.listen(config.http.port, config.http.host);
      logger.info({ url: `http://${config.http.host}:${port}/graphql`, graphiql: config.isProduction ? undefined : `http://${config.http.host}:${port}/graphiql` }, 'API ready');
    }
  } catch (err) {
    const message = err instanceof AppError || err instanceof ConfigError ? err.message : String((err as Error)?.stack ?? err);
    logger.fatal({ code: err instanceof AppError ? err.code : undefined }, message);
    console.error(`answergraph: ${message}`);
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}

void main(process.argv.slice(2));
