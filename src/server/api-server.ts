import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type NextFunction, type Request, type Response } from 'express';
import { execute, GraphQLError, type ExecutionArgs, type GraphQLSchema, parse, specifiedRules, subscribe, validate, NoSchemaIntrospectionCustomRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { pinoHttp } from 'pino-http';
import { redisKeys, type RedisClient } from '../infra/redis.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { WebSocketServer } from 'ws';
import type { Viewer } from '../auth/roles.js';
import { VISITOR_HEADERS, VISITOR_PARAMS, type VisitorClaims } from '../privacy/visitor.js';
import { AppError } from '../errors.js';
import { currentQuerySink, describeRequest, iterateInRequest, recordQueriesInto, runInRequest, type RequestMetadata } from '../graph/query-scope.js';
import type { Metrics } from '../observability/metrics.js';
import type { AppServices, GraphQLContext, HealthChecks } from '../schema/context.js';
import { createFormatError, httpGraphQLError, requestError, runWithRequestId } from './format-error.js';
import { consoleRouter } from './console.js';
import { graphiqlRouter } from './graphiql.js';
import { withResolverTimeout } from './resolver-timeout.js';

/**
 * Test-only request header: the response lists, in `extensions.queries`, the names of the Cypher statements
 * the operation ran (N+1 guards). Honoured only when NODE_ENV is `test`; elsewhere nothing reads it.
 */
export const OBSERVE_QUERIES_HEADER = 'answergraph-observe-queries';

export interface ApiServer {
  readonly httpServer: Server;
  /** Listens; resolves with the bound port (0 in tests picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Stops taking requests, drains HTTP and sockets within the grace period. */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  schema: GraphQLSchema;
  services: AppServices;
  metrics: Metrics;
  /** Readiness: 200 on /readyz once this says true. */
  ready: () => Promise<{ ready: boolean; checks: HealthChecks }>;
  /** Shared rate-limit counters across replicas; without it each process counts alone. */
  redis?: RedisClient;
}

export async function createApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const { services, metrics } = opts;
  const { config, logger } = services;
  const schema = withResolverTimeout(opts.schema, config.graphql.resolverTimeoutMs);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);

  const armor = new ApolloArmor({
    maxDepth: { n: config.graphql.maxDepth },
    maxAliases: { n: config.graphql.maxAliases },
    costLimit: { maxCost: config.graphql.maxCost },
    maxTokens: { n: config.graphql.maxTokens },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: config.isProduction },
  }).protect();
  const validationRules = [...armor.validationRules, ...(config.isProduction ? [NoSchemaIntrospectionCustomRule] : [])];
  const formatError = createFormatError(logger, { exposeFaults: !config.isProduction });
  // Errors of the HTTP layer (before GraphQL runs) in GraphQL's shape, through the same formatter; status from the error table.
  const sendError = (req: Request, res: Response, error: AppError) => {
    const { status, body } = httpGraphQLError(formatError, error, req.id === undefined ? undefined : String(req.id));
    res.status(status).json(body);
  };

  const authenticate = async (authorization: string | undefined | null): Promise<Viewer> => {
    const viewer = await services.apiKeys.authenticate(authorization);
    if (!viewer) {
      throw requestError('UNAUTHENTICATED', 'The API key is not valid (unknown or revoked).');
    }
    return viewer;
  };
  // Per API key (or per IP for anonymous callers), a fixed window of one minute.
  const limiterOptions = { points: config.graphql.ratePerMinute, duration: 60, keyPrefix: redisKeys.ratePrefix };
  const limiter = opts.redis ? new RateLimiterRedis({ ...limiterOptions, storeClient: opts.redis }) : new RateLimiterMemory(limiterOptions);
  const rateLimit = async (key: string, ops: number) => {
    try {
      await limiter.consume(key, ops);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err; // the store failed: let the request through, Redis health shows it
      const retryAfter = String(Math.ceil(err.msBeforeNext / 1000));
      throw requestError('RATE_LIMITED', `Rate limit of ${config.graphql.ratePerMinute} operations a minute reached; retry in ${retryAfter} s.`, new Map([['retry-after', retryAfter]]));
    }
  };

  // The visitor a request proves (anonymous token or signed customer id): CUSTOMER keys need it for their conversations.
  const withVisitor = (viewer: Viewer, claims: VisitorClaims): Viewer => {
    try {
      const visitor = services.integrations.visitors.fromClaims(claims);
      return visitor ? { ...viewer, visitor } : viewer;
    } catch (err) {
      throw requestError('UNAUTHENTICATED', (err as Error).message);
    }
  };
  const header = (req: Request, name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };

  // The request id and key reach Neo4j's transaction metadata through the request scope (src/graph/query-scope.ts):
  // HTTP requests run in one from the middleware below on, graphql-ws operations from execute/subscribe.
  const contextFor = (requestId: string, viewer: Viewer): GraphQLContext => ({
    requestId,
    viewer,
    executor: services.executor,
    services,
    logger: logger.child({ requestId }),
  });
  const keyIdOf = (viewer: Viewer) => viewer.keyId ?? 'anonymous';
  const requestOf = (args: ExecutionArgs): RequestMetadata => {
    const ctx = args.contextValue as GraphQLContext;
    return { requestId: ctx.requestId, keyId: keyIdOf(ctx.viewer) };
  };

  // --- subscriptions: graphql-ws on the same port and path ---
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  // Open subscription sockets: a gauge that falls again when they close.
  wsServer.on('connection', (socket) => {
    metrics.subscriptionConnections.inc();
    socket.once('close', () => metrics.subscriptionConnections.dec());
  });
  const wsCleanup = useServer<{ authorization?: string; visitorToken?: string; customerId?: string; customerSignature?: string }, { viewer?: Viewer }>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          const params = ctx.connectionParams;
          ctx.extra.viewer = withVisitor(await authenticate(params?.authorization), {
            token: params?.[VISITOR_PARAMS.token],
            customerId: params?.[VISITOR_PARAMS.customerId],
            signature: params?.[VISITOR_PARAMS.signature],
          });
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      context: (ctx) => contextFor(randomUUID(), ctx.extra.viewer!),
      // Each operation runs in its request scope; a subscription's events too (graphql-ws iterates them outside it).
      execute: (args) => runInRequest(requestOf(args), () => execute(args)),
      subscribe: async (args) => {
        const request = requestOf(args);
        const result = await runInRequest(request, () => subscribe(args));
        return Symbol.asyncIterator in result ? iterateInRequest(request, result) : result;
      },
      onSubscribe: (_ctx, _id, payload) => {
        // The same limits as HTTP: armor's validation rules run on every subscription document.
        const document = parse(payload.query);
        const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        metrics.subscriptionsActive.inc();
        return undefined;
      },
      // Subscription errors leave through the same formatter as HTTP ones (production hides faults here too).
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return undefined;
        const requestId = (args.contextValue as GraphQLContext | undefined)?.requestId;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, requestId)) };
      },
    },
    wsServer,
  );

  const metricsPlugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const operation = rc.operationName ?? rc.operation?.name?.value ?? 'anonymous';
          const type = rc.operation?.operation ?? 'unknown';
          const outcome = rc.errors && rc.errors.length > 0 ? 'error' : 'ok';
          metrics.graphqlRequests.inc({ operation, type, outcome });
          metrics.graphqlDuration.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };

  // The statements of one operation, for tests: the request runs in a query scope and the response lists
  // those run from the start of the operation on. Authentication, before it, is left out: its
  // lookups are cached per key for seconds, so they would make counts depend on timing.
  const observable = config.env === 'test';
  const observeRequest = (req: Request, _res: Response, next: NextFunction) => {
    // A batch's operations run side by side, so their statements could not be told apart: single operations only.
    if (header(req, OBSERVE_QUERIES_HEADER) === '1' && !Array.isArray(req.body)) recordQueriesInto([], () => next());
    else next();
  };
  const observePlugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      const sink = currentQuerySink();
      if (!sink) return;
      const from = sink.length;
      return {
        async willSendResponse(rc) {
          if (rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          result.extensions = { ...result.extensions, queries: sink.slice(from).map((q) => q.name) };
        },
      };
    },
  };

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules,
    // Batching is allowed, bounded by GRAPHQL_MAX_BATCH (checked before Apollo sees the body).
    allowBatchedHttpRequests: true,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [
      // armor's typings point at Apollo's CJS build; the plugins are plain objects either way.
      ...(armor.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      metricsPlugin,
      ...(observable ? [observePlugin] : []),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // --- HTTP routes ---
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const r = await opts.ready().catch(() => ({ ready: false, checks: {} }));
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not ready', ...r.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (!config.isProduction) app.use(graphiqlRouter());
  app.use(consoleRouter());

  app.use(
    '/graphql',
    express.json({ limit: config.http.bodyLimit }),
    (req: Request, res: Response, next: NextFunction) => {
      if (Array.isArray(req.body) && req.body.length > config.graphql.maxBatch) {
        sendError(req, res, new AppError('QUERY_TOO_COMPLEX', `A batch may hold at most ${config.graphql.maxBatch} operations; this one has ${req.body.length}.`));
        return;
      }
      next();
    },
    ...(observable ? [observeRequest] : []),
    // The request scope: the formatter quotes this id in every error (and logs faults under it), and every
    // transaction the request runs carries it (and, once authenticated, the key id) as metadata.
    (req: Request, _res: Response, next: NextFunction) => runWithRequestId(String(req.id), () => next()),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const viewer = withVisitor(await authenticate(req.headers.authorization), {
          token: header(req, VISITOR_HEADERS.token),
          customerId: header(req, VISITOR_HEADERS.customerId),
          signature: header(req, VISITOR_HEADERS.signature),
        });
        // Counted per presented key (its hash), so every key has its own budget; anonymous callers per IP.
        const who = req.headers.authorization ? `key:${createHash('sha256').update(req.headers.authorization).digest('hex').slice(0, 32)}` : `ip:${req.ip}`;
        await rateLimit(who, Array.isArray(req.body) ? req.body.length : 1);
        describeRequest({ keyId: keyIdOf(viewer) });
        return contextFor(String(req.id), viewer);
      },
    }),
  );

  // Errors from body parsing (too large, malformed JSON) leave in GraphQL's error shape.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      sendError(req, res, new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${config.http.bodyLimit}.`));
    } else if (e.type === 'entity.parse.failed') {
      sendError(req, res, new AppError('BAD_USER_INPUT', 'The request body is not valid JSON.'));
    } else if (err instanceof AppError) {
      sendError(req, res, err);
    } else {
      sendError(req, res, new AppError('INTERNAL', `Unhandled HTTP error: ${e.message ?? String(err)}`, undefined, { cause: err }));
    }
  });

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    close: async () => {
      const timer = setTimeout(() => httpServer.closeAllConnections(), config.http.shutdownGraceMs);
      try {
        await apollo.stop();
        // Close any WebSocket clients that outlived the drain, then the socket server itself.
        for (const client of wsServer.clients) client.close(1001, 'server shutting down');
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
