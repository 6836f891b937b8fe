import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Driver } from 'neo4j-driver';
import { createRedis, redactRedisUrl, redisKeys, type RedisClient } from './infra/redis.js';
import { withLock } from './infra/lock.js';
import type { Logger } from 'pino';
import { ApiKeyService } from './auth/api-keys.js';
import type { Config } from './config/config.js';
import { CypherLoader } from './graph/cypher-loader.js';
import { connectNeo4j, processBookmarks } from './graph/driver.js';
import { CypherExecutor } from './graph/executor.js';
import { migrate } from './graph/migrations.js';
import { InferenceService } from './inference/index.js';
import { ModelReadiness } from './inference/model-readiness.js';
import { maskPii } from './ingestion/pii.js';
import { BULL_PREFIX, createIngestion } from './ingestion/ingestion.module.js';
import { ingestionQueueMetrics } from './ingestion/ingestion.metrics.js';
import { createIntegrations } from './integrations/integrations.module.js';
import { ReviewService } from './review/review.service.js';
import { ReleaseService } from './review/release.service.js';
import { EntityMergeService } from './review/entity-merge.js';
import { AuditService } from './audit/audit.service.js';
import { createAnalytics } from './analytics/analytics.module.js';
import { createDialogue, startDialogue } from './dialogue/dialogue.module.js';
import { dialogueMetrics } from './dialogue/dialogue.metrics.js';
import { chooseModel } from './retrieval/embedding-models.js';
import { createRetrieval, followEmbeddingModel } from './retrieval/retrieval.module.js';
import { KNOWLEDGE_TOPIC, KnowledgeService, type KnowledgeEvent } from './knowledge/knowledge.service.js';
import { BackgroundJobs } from './infra/background-jobs.js';
import { createLearning } from './learning/learning.module.js';
import { AppError } from './errors.js';
import { Metrics } from './observability/metrics.js';
import type { AppServices, HealthChecks, HealthProbe } from './schema/context.js';
import { createRedisPubSub } from './infra/pubsub.js';

/** Repository root: `cypher/`, `seeds/` and the models manifest are found from here. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Connections {
  neo4j: { uri: string; user: string; password: string };
  redisUrl: string;
}

export interface App {
  services: AppServices;
  metrics: Metrics;
  driver: Driver;
  redis: RedisClient;
  ready(): Promise<{ ready: boolean; checks: HealthChecks }>;
  /**
   * Starts the workers: ingestion queues, re-embedding, webhooks, and the background model work
   * (embedding sweeps, intent training, question embeddings, quality sweeps) — roles `worker` and `all`.
   * `stopWorkers` lets jobs in hand finish.
   */
  startWorkers(): Promise<void>;
  /** Only the background model work of {@link startWorkers} (tests that need answers current but no ingestion workers). */
  startBackgroundWork(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds every long-lived service from config and resolved connections. Fails fast, with a message
 * that names the fix, when Neo4j or Redis cannot be reached. Migrations run here, before serving.
 */
/** The process role (`node dist/main.js <role>`): it decides which models readiness waits for. */
export type AppRole = 'api' | 'worker' | 'all';

export async function buildApp(config: Config, connections: Connections, logger: Logger, options: { role?: AppRole } = {}): Promise<App> {
  const role = options.role ?? 'all';
  const metrics = new Metrics();
  const driver = await connectNeo4j({ ...connections.neo4j, database: config.neo4j.database, connectTimeoutMs: config.neo4j.connectTimeoutMs });
  const redis = await connectRedis(connections.redisUrl, config.redis.connectTimeoutMs).catch(async (err) => {
    await driver.close();
    throw err;
  });

  const executor = new CypherExecutor(driver, new CypherLoader(path.join(projectRoot, 'cypher')), {
    database: config.neo4j.database,
    logger,
    timeoutMs: config.graphql.resolverTimeoutMs,
    observers: [metrics.observeQuery],
    bookmarkManager: processBookmarks(),
  });
  // Timeouts per purpose: requests run under RESOLVER_TIMEOUT_MS; work no request waits for (a document's
  // ingestion in one transaction, re-embedding, sweeps, migrations) under NEO4J_WORKER_TX_TIMEOUT_MS.
  const workerExecutor = executor.with({ timeoutMs: config.neo4j.workerTxTimeoutMs });
  // Replicas start together (an API and a worker on a fresh graph): one migrates, the others wait for it
  // and then find nothing to do — two creating the same index at once would fail one of them.
  await withLock(
    redis,
    redisKeys.migrationLock,
    { ttlMs: 30_000, waitMs: 600_000, maxRetryMs: 500, onTimeout: () => new AppError('SERVICE_UNAVAILABLE', 'Another process has been migrating the graph for 10 minutes; see its log.') },
    () => migrate(workerExecutor, path.join(projectRoot, 'cypher', 'migrations'), logger),
  ).catch(async (err: unknown) => {
    redis.disconnect();
    await driver.close();
    throw err;
  });

  const pubsub = createRedisPubSub(connections.redisUrl, logger);
  const knowledge = new KnowledgeService(executor, pubsub);
  const inference = new InferenceService({ modelsDir: config.inference.modelsDir, device: config.inference.device, intraOpThreads: config.inference.threads, logger, onRun: metrics.observeModelRun });
  const models = new ModelReadiness(inference, () => requiredModels(role, inference, config));
  models.start();
  const health: HealthProbe = {
    check: async () => {
      const [neo4j, redisOk, m] = await Promise.all([
        driver.getServerInfo({ database: config.neo4j.database }).then(() => true, () => false),
        redis.ping().then((r) => r === 'PONG', () => false),
        models.check(),
      ]);
      const modelIssues = m.models.filter((s) => s.state !== 'ready').map((s) => `${s.name}: ${s.reason ?? s.state}`);
      return { neo4j, redis: redisOk, models: m.ready, modelIssues };
    },
  };
  const retrieval = createRetrieval({
    executor,
    workerExecutor,
    embed: inference,
    configured: await chooseModel(inference.registry, config.inference.embeddingModel, ['minilm-embed'], logger),
    built: async () => (await inference.registry.manifest().catch(() => ({ models: [] }))).models.map((m) => m.name),
    onServedModel: (model) => inference.useEmbeddingModel(model),
    redisUrl: connections.redisUrl,
    pubsub,
    qdrant: config.qdrant,
    redis,
    logger,
    retriever: { fusion: { fusion: config.dialogue.fusion } },
  });
  await retrieval.init();
  const analytics = createAnalytics({ executor, redis, logger });
  const integrations = createIntegrations({ config, executor, redis, redisUrl: connections.redisUrl, mask: (text) => maskPii(text).text, logger, pubsub });
  const dialogue = createDialogue({
    executor,
    redis,
    redisUrl: connections.redisUrl,
    inference,
    intentRepository: knowledge.intents,
    retrieval,
    maskPii: (text) => maskPii(text).text,
    logger,
    metrics: dialogueMetrics(metrics.registry),
    pubsub,
    policy: config.dialogue,
    integrations: integrations.dialogue,
    changes: analytics.aggregator,
  });
  const audit = new AuditService(executor);
  const learning = createLearning({ audit, executor, knowledge, redis, config: config.learning, minConfidence: config.dialogue.answerAbove, embed: inference, model: () => inference.models.embedding, logger });
  retrieval.retriever.useQuestions(learning.questions);
  // Model work runs in the worker role as deduplicated jobs; every role may ask for a run.
  const background = new BackgroundJobs({ redisUrl: connections.redisUrl, logger });
  background.register({ name: 'embed-knowledge', delayMs: 100, run: async () => ({ embedded: await retrieval.embedder.embedPending() }) });
  background.register({ name: 'embed-questions', run: async () => ({ embedded: await learning.questions.sweep() }) });
  background.register({ name: 'train-intents', delayMs: 300, run: async (progress) => ({ trained: (await dialogue.intents.train(progress)).trained }) });
  const ingestion = createIngestion({ config, redis, redisUrl: connections.redisUrl, pubsub, executor: workerExecutor, knowledge, inference, logger, metrics: metrics.ingestion });
  const queueMetrics = ingestionQueueMetrics(metrics.registry, redis, BULL_PREFIX);
  const services: AppServices = {
    config,
    logger,
    executor,
    apiKeys: new ApiKeyService(executor, { adminApiKey: config.adminApiKey, audit }),
    pubsub,
    health,
    knowledge,
    inference,
    retrieval,
    dialogue,
    ingestion: ingestion.service,
    review: new ReviewService(executor, knowledge, audit, new ReleaseService(executor, knowledge, audit), new EntityMergeService(executor, audit), pubsub),
    audit,
    learning,
    integrations,
    analytics,
    background,
  };
  metrics.watch({ health: () => health.check(), models: () => inference.registry.loadedModels(), analyticsPending: () => analytics.aggregator.pending() });
  // Every role serves the served embedding model's vectors and the intent classifier the workers trained.
  followEmbeddingModel(retrieval, pubsub);
  startDialogue(dialogue, pubsub);
  integrations.start();

  let knowledgeEvents: AsyncIterableIterator<KnowledgeEvent> | undefined;
  const startBackgroundWork = async () => {
    if (background.running) return;
    background.startWorker();
    // After a knowledge change: embed what is new or changed, train the intents again if their
    // examples changed, embed imported similar questions. After the served embedding model changed:
    // all three (vectors, classifier and questions of the old model are stale).
    const events = pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC);
    knowledgeEvents = events;
    const ask = (names: string[]) => Promise.all(names.map((n) => background.request(n))).catch((err: unknown) => logger.warn({ err }, 'could not queue background work'));
    void (async () => {
      try {
        for await (const e of events) await ask(['embed-knowledge', 'train-intents', ...(e.change === 'import' ? ['embed-questions'] : [])]);
      } catch (err) {
        logger.warn({ err }, 'knowledge events for background work stopped');
      }
    })();
    retrieval.models.onChange(() => void background.requestAll().catch(() => undefined));
    // Catch up on whatever changed while no worker ran.
    await background.requestAll();
    learning.start();
  };

  return {
    services,
    metrics,
    driver,
    redis,
    ready: async () => {
      const checks = await health.check();
      return { ready: checks.neo4j && checks.redis && checks.models, checks };
    },
    startBackgroundWork,
    startWorkers: async () => {
      await startBackgroundWork();
      await ingestion.startWorkers();
      await retrieval.startWorker();
      await integrations.startWorkers();
      analytics.aggregator.start();
    },
    stopWorkers: async () => {
      await analytics.aggregator.stop();
      await ingestion.stopWorkers();
    },
    close: async () => {
      await knowledgeEvents?.return?.();
      await background.close().catch((err) => logger.warn({ err }, 'closing background work'));
      await ingestion.close().catch((err) => logger.warn({ err }, 'closing ingestion'));
      await queueMetrics.close();
      await integrations.close().catch((err) => logger.warn({ err }, 'closing integrations'));
      await analytics.aggregator.stop();
      await dialogue.close().catch((err) => logger.warn({ err }, 'closing dialogue'));
      await learning.close().catch((err) => logger.warn({ err }, 'closing learning'));
      await retrieval.close().catch((err) => logger.warn({ err }, 'closing retrieval'));
      await inference.close().catch((err) => logger.warn({ err }, 'closing inference'));
      await pubsub.close().catch((err) => logger.warn({ err }, 'closing pub/sub'));
      redis.disconnect();
      await driver.close();
    },
  };
}

/**
 * The models a role cannot serve without: answers and `understand` need the retrieval embedding, the NER
 * taggers (English and Chinese), both sentiment models (English's int8 build when it is built) and both emotion models; ingestion workers also embed
 * chunks with their own model when it is built (they fall back to the retrieval model otherwise).
 */
async function requiredModels(role: AppRole, inference: InferenceService, config: Config): Promise<string[]> {
  const names = new Set([
    inference.models.embedding,
    inference.nerModel('en'),
    inference.nerModel('zh'),
    await inference.sentimentModel('en'),
    await inference.sentimentModel('zh'),
    inference.emotionModel('en'),
    inference.emotionModel('zh'),
  ]);
  if (role !== 'api') {
    const chunk = config.ingestion.chunkEmbeddingModel;
    if (chunk && (await inference.registry.has(chunk))) names.add(chunk);
  }
  return [...names];
}

async function connectRedis(url: string, timeoutMs: number): Promise<RedisClient> {
  const redis = createRedis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', () => undefined); // connection errors surface through the calls below and the health probe
  try {
    await redis.connect();
    await redis.ping();
    // Managed Redis may disable CONFIG; then we cannot check and trust the operator.
    const policy = ((await redis.config('GET', 'maxmemory-policy').catch(() => [])) as string[]);
    if (policy[1] && policy[1] !== 'noeviction') {
      throw new AppError('SERVICE_UNAVAILABLE', `Redis at ${redactRedisUrl(url)} has maxmemory-policy=${policy[1]}; BullMQ needs noeviction. Set it in redis.conf.`);
    }
    return redis;
  } catch (err) {
    redis.disconnect();
    if (err instanceof AppError) throw err;
    throw new AppError('SERVICE_UNAVAILABLE', `Cannot reach Redis at ${redactRedisUrl(url)} (${(err as Error).message}). Check REDIS_URL (or REDIS_CLUSTER_NODES), or unset it to use the local services (npm run services:up).`);
  }
}

