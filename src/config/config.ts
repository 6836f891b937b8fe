import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { clusterUrl } from '../infra/redis.js';

/**
 * The one configuration module. `loadConfig(process.env)` is called once, in the composition
 * root; every other module receives the values it needs through its constructor.
 *
 * Each variable is described once, here: default, meaning, whether it is a secret. The README's
 * configuration table is generated from this list (`npm run config:table`) and a test keeps it current.
 */
export interface VariableSpec {
  name: string;
  default?: string;
  secret: boolean;
  description: string;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number({ message: 'expected a port number from 0 (any free port) to 65535' }).int().min(0).max(65535);
const positiveInt = z.coerce.number({ message: 'expected a positive integer' }).int().positive();
const unitInterval = z.coerce.number({ message: 'expected a number from 0 to 1' }).min(0).max(1);

const neo4jUri = z
  .string()
  .regex(/^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\/.+/, 'expected a neo4j:// or bolt:// URI');
const redisUrl = z.string().regex(/^rediss?(\+cluster)?:\/\/.+/, 'expected a redis://, rediss:// or redis+cluster:// URL');
const clusterNodes = z
  .string()
  .regex(/^\s*(\[[0-9a-fA-F:]+\]|[^:,\s]+):\d{1,5}(\s*,\s*(\[[0-9a-fA-F:]+\]|[^:,\s]+):\d{1,5})*\s*$/, 'expected host:port,host:port,…');

/** zod schema and documentation, side by side so they cannot drift apart. */
const variables = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']).default('development'),
    spec: { default: 'development', secret: false, description: 'development, production or test. Production turns off introspection, field suggestions and the GraphiQL page.' },
  },
  PORT: { schema: port.default(4000), spec: { default: '4000', secret: false, description: 'HTTP port of the API (GraphQL, subscriptions, health, metrics).' } },
  HOST: { schema: z.string().min(1).default('127.0.0.1'), spec: { default: '127.0.0.1', secret: false, description: 'Interface the API binds to. Use 0.0.0.0 behind a load balancer.' } },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    spec: { default: 'info', secret: false, description: 'pino log level.' },
  },
  NEO4J_URI: {
    schema: neo4jUri.optional(),
    spec: { secret: false, description: 'Bolt URI of Neo4j 5.26+. Unset: `npm start` runs the local Neo4j of `npm run services:up`.' },
  },
  NEO4J_USER: { schema: z.string().min(1).default('neo4j'), spec: { default: 'neo4j', secret: false, description: 'Neo4j user.' } },
  NEO4J_PASSWORD: {
    schema: z.string().min(1).optional(),
    spec: { secret: true, description: 'Neo4j password. Required with NEO4J_URI; local services generate their own.' },
  },
  NEO4J_DATABASE: { schema: z.string().min(1).default('neo4j'), spec: { default: 'neo4j', secret: false, description: 'Neo4j database name used for every query.' } },
  NEO4J_CONNECT_TIMEOUT_MS: {
    schema: positiveInt.default(8000),
    spec: { default: '8000', secret: false, description: 'How long start-up waits for Neo4j before failing with a clear message.' },
  },
  NEO4J_WORKER_TX_TIMEOUT_MS: {
    schema: positiveInt.default(300_000),
    spec: {
      default: '300000',
      secret: false,
      description: 'Transaction timeout of work no request waits for (ingestion writes, re-embedding, background jobs); requests use RESOLVER_TIMEOUT_MS.',
    },
  },
  REDIS_CONNECT_TIMEOUT_MS: {
    schema: positiveInt.default(5000),
    spec: { default: '5000', secret: false, description: 'How long start-up waits for Redis before failing with a clear message.' },
  },
  REDIS_URL: {
    schema: redisUrl.optional(),
    spec: {
      secret: true,
      description:
        'Redis 7 URL (BullMQ, pub/sub). A Redis Cluster: `redis+cluster://[user:password@]host:port,host:port` (`rediss+cluster://` for TLS), or REDIS_CLUSTER_NODES. Unset: the local Redis of `npm run services:up`. Secret when it carries a password.',
    },
  },
  REDIS_CLUSTER_NODES: {
    schema: clusterNodes.optional(),
    spec: { secret: false, description: 'Seed nodes of a Redis Cluster (`host:port,host:port`; any few masters or replicas), instead of REDIS_URL. With a password, use a `redis+cluster://` REDIS_URL.' },
  },
  QDRANT_URL: {
    schema: z.url().optional(),
    spec: { secret: false, description: 'Qdrant URL. Set to keep vectors in Qdrant instead of the Neo4j vector index.' },
  },
  QDRANT_API_KEY: { schema: z.string().min(1).optional(), spec: { secret: true, description: 'Qdrant API key, if the server requires one.' } },
  QDRANT_SHARDS: {
    schema: positiveInt.default(1),
    spec: { default: '1', secret: false, description: 'shard_number of the knowledge collection when answergraph creates it (distributed Qdrant: a multiple of the node count). Fixed once created.' },
  },
  QDRANT_REPLICATION_FACTOR: {
    schema: positiveInt.default(1),
    spec: { default: '1', secret: false, description: 'replication_factor of the collection when answergraph creates it: copies of each shard (2+ survives losing a node).' },
  },
  QDRANT_WRITE_CONSISTENCY: {
    schema: positiveInt.default(1),
    spec: { default: '1', secret: false, description: 'write_consistency_factor of the collection: replicas that must confirm a write (at most QDRANT_REPLICATION_FACTOR).' },
  },
  ADMIN_API_KEY: {
    schema: z.string().min(24, 'must be at least 24 characters').optional(),
    spec: { secret: true, description: 'Bootstrap admin API key. When set, this key authenticates as ADMIN.' },
  },
  SERVICES_PROFILE: {
    schema: z.enum(['dev', 'test']).default('dev'),
    spec: { default: 'dev', secret: false, description: 'Which local-services profile `npm start` uses when NEO4J_URI/REDIS_URL are unset.' },
  },
  SEED_ON_EMPTY: { schema: bool.default(true), spec: { default: 'true', secret: false, description: 'Load the demo knowledge base from seeds/ when the graph is empty.' } },
  ANSWERGRAPH_MODELS_DIR: {
    schema: z.string().min(1).default(path.join(os.homedir(), '.cache', 'answergraph', 'models')),
    spec: { default: '~/.cache/answergraph/models', secret: false, description: 'Where `npm run models` writes the ONNX models and their manifest.' },
  },
  INFERENCE_DEVICE: {
    schema: z.enum(['cpu', 'cuda', 'auto']).default('cpu'),
    spec: { default: 'cpu', secret: false, description: 'cpu, cuda or auto. `cuda` fails at start when no CUDA device is usable.' },
  },
  INFERENCE_THREADS: { schema: positiveInt.default(2), spec: { default: '2', secret: false, description: 'ONNX Runtime intra-op threads per session.' } },
  GRAPHQL_MAX_DEPTH: { schema: positiveInt.default(12), spec: { default: '12', secret: false, description: 'Maximum GraphQL query depth.' } },
  GRAPHQL_MAX_ALIASES: { schema: positiveInt.default(30), spec: { default: '30', secret: false, description: 'Maximum aliases in one operation.' } },
  GRAPHQL_MAX_COST: { schema: positiveInt.default(20000), spec: { default: '20000', secret: false, description: 'Maximum computed cost of one operation.' } },
  GRAPHQL_MAX_TOKENS: { schema: positiveInt.default(2000), spec: { default: '2000', secret: false, description: 'Maximum tokens in one GraphQL document.' } },
  GRAPHQL_MAX_PAGE_SIZE: { schema: positiveInt.default(100), spec: { default: '100', secret: false, description: 'Largest `first` a connection accepts.' } },
  GRAPHQL_MAX_BATCH: { schema: positiveInt.default(10), spec: { default: '10', secret: false, description: 'Most operations in one batched HTTP request.' } },
  REQUEST_BODY_LIMIT: { schema: z.string().regex(/^\d+(kb|mb)$/i, 'expected e.g. 8mb').default('8mb'), spec: { default: '8mb', secret: false, description: 'Largest HTTP request body; an import of 10,000 facts is about 3 MB.' } },
  RATE_LIMIT_PER_MINUTE: {
    schema: positiveInt.default(1200),
    spec: { default: '1200', secret: false, description: 'GraphQL operations one API key (or one anonymous IP) may send per minute, across replicas (counted in Redis).' },
  },
  RESOLVER_TIMEOUT_MS: { schema: positiveInt.default(15000), spec: { default: '15000', secret: false, description: 'An operation taking longer is cancelled with a TIMEOUT error.' } },
  SHUTDOWN_GRACE_MS: { schema: positiveInt.default(10000), spec: { default: '10000', secret: false, description: 'How long shutdown waits for requests and sockets to drain.' } },
  INGEST_QUEUES: {
    schema: z.string().regex(/^(all|(prepare|model|write)(,(prepare|model|write))*)$/, 'expected all, or a comma list of prepare, model, write').default('all'),
    spec: { default: 'all', secret: false, description: 'Ingestion queues a worker consumes: all, or e.g. `model` on GPU workers and `prepare,write` on CPU workers.' },
  },
  INGEST_CONCURRENCY: { schema: positiveInt.default(2), spec: { default: '2', secret: false, description: 'Documents one worker parses and writes at a time (prepare and write queues).' } },
  INGEST_MODEL_CONCURRENCY: { schema: positiveInt.default(2), spec: { default: '2', secret: false, description: 'Documents one worker runs through the models at a time (their batches are merged).' } },
  INGEST_ATTEMPTS: { schema: positiveInt.default(5), spec: { default: '5', secret: false, description: 'Attempts per ingestion step on transient faults (exponential backoff); bad documents fail at once.' } },
  INGEST_BACKOFF_MS: { schema: positiveInt.default(1000), spec: { default: '1000', secret: false, description: 'First retry delay of an ingestion step; doubles every attempt.' } },
  INGEST_LOCK_MS: { schema: positiveInt.default(30000), spec: { default: '30000', secret: false, description: 'A job whose worker stops renewing its lock this long (crash) is stalled and taken over by another worker.' } },
  INGEST_STALLED_INTERVAL_MS: { schema: positiveInt.default(15000), spec: { default: '15000', secret: false, description: 'How often workers look for stalled ingestion jobs.' } },
  INGEST_KEEP_COMPLETED: { schema: positiveInt.default(1000), spec: { default: '1000', secret: false, description: 'Finished BullMQ jobs kept per queue (removeOnComplete).' } },
  INGEST_KEEP_FAILED: { schema: positiveInt.default(5000), spec: { default: '5000', secret: false, description: 'Failed BullMQ jobs kept per queue (removeOnFail).' } },
  INGEST_JOB_RETENTION_S: { schema: positiveInt.default(604800), spec: { default: '604800', secret: false, description: 'Seconds a finished ingestion job stays visible in ingestionJob(s).' } },
  INGEST_MAX_BYTES: { schema: positiveInt.default(10485760), spec: { default: '10485760', secret: false, description: 'Largest document accepted (bytes, after base64 decoding); larger ones fail with a clear reason.' } },
  INGEST_MAX_CHARS: { schema: positiveInt.default(2000000), spec: { default: '2000000', secret: false, description: 'Largest extracted text accepted (characters).' } },
  INGEST_TRUSTED_SOURCES: {
    schema: z.string().default(''),
    spec: { default: '', secret: false, description: 'Comma-separated source prefixes (e.g. `seed:,https://help.example.com/`) whose drafts are published without review.' },
  },
  INGEST_NER_LANGUAGES: {
    schema: z.string().default('en,zh'),
    spec: {
      default: 'en,zh',
      secret: false,
      description:
        'Comma-separated languages whose documents ingestion runs a NER model on (English: `ner`; Chinese: `ner-zh-int8`); empty: none (entities then come from patterns and known names). Chinese tagging costs about a quarter of ingestion throughput on a mix with one Chinese document in five (docs/ingestion.md).',
    },
  },
  INGEST_CHUNK_EMBEDDING_MODEL: {
    schema: z.string().default(''),
    spec: {
      default: '',
      secret: false,
      description:
        'Embedding model for document chunks; empty (the default): the model retrieval serves. Questions are only compared with vectors of their own model, so chunks embedded with another model are found by their text only.',
    },
  },
  ANSWERGRAPH_API_URL: {
    schema: z.url().default('http://127.0.0.1:4000/graphql'),
    spec: { default: 'http://127.0.0.1:4000/graphql', secret: false, description: 'GraphQL endpoint the `answergraph ingest` CLI talks to.' },
  },
  ANSWERGRAPH_API_KEY: { schema: z.string().min(1).optional(), spec: { secret: true, description: 'API key the CLI sends (EDITOR, ADMIN or SERVICE); ADMIN_API_KEY is used when unset.' } },
  ANSWER_MIN_CONFIDENCE: {
    schema: unitInterval.default(0.45),
    spec: { default: '0.45', secret: false, description: 'In a conversation, an answer below this confidence is offered as a guess and counts as a failed turn.' },
  },
  ESCALATE_BELOW_CONFIDENCE: {
    schema: unitInterval.default(0.15),
    spec: { default: '0.15', secret: false, description: '`answer` sets escalate below this confidence; in a conversation, a question the bot should handle (confident in-scope intent) answered below it goes to a human at once.' },
  },
  ESCALATE_NEGATIVE_SENTIMENT: {
    schema: unitInterval.default(0.9),
    spec: { default: '0.9', secret: false, description: 'A message whose negative sentiment score is at least this goes to a human.' },
  },
  MAX_FAILED_TURNS: { schema: positiveInt.default(2), spec: { default: '2', secret: false, description: 'Failed bot turns in a row (low confidence, out of scope, rejected process answers) before a human takes over.' } },
  RETRIEVAL_FUSION: {
    schema: z.enum(['learned', 'convex', 'rrf']).default('learned'),
    spec: {
      default: 'learned',
      secret: false,
      description:
        'How hybrid retrieval fuses vector, fulltext and graph lists: learned (the ranker fitted per language; convex when none is fitted for the served embedding model), convex (normalised scores, weighted) or rrf (reciprocal rank fusion). See docs/dialogue.md.',
    },
  },
  RETRIEVAL_EMBEDDING_MODEL: {
    schema: z.string().min(1).default('me5-ft-int8'),
    spec: {
      default: 'me5-ft-int8',
      secret: false,
      description:
        'Embedding model retrieval serves (questions, knowledge, chunks, intents): me5-ft-int8, multilingual-E5-small fine-tuned for English and Chinese customer service (int8, with learned ranker weights per language); minilm-embed (English only) when the manifest lacks it. A change re-embeds everything through a job of the worker role; answers use the old vectors until the new ones are complete (query embeddingStatus).',
    },
  },
  PII_ENCRYPTION_KEYS: {
    schema: z
      .string()
      .regex(/^[\w.-]{1,32}:[A-Za-z0-9+/_-]{43}=?(,[\w.-]{1,32}:[A-Za-z0-9+/_-]{43}=?)*$/, 'expected keyId:base64 of 32 random bytes, comma-separated (e.g. k1:$(openssl rand -base64 32))')
      .optional(),
    spec: {
      secret: true,
      description:
        'AES-256-GCM keys for personal data kept encrypted (sensitive customer-context fields, process answers in turn state, webhook payloads in the queue): `keyId:base64key`, comma-separated; older keys stay listed to read old data. Unset: such values are masked instead of encrypted.',
    },
  },
  PII_ENCRYPTION_KEY_ID: { schema: z.string().min(1).optional(), spec: { secret: false, description: 'Which key of PII_ENCRYPTION_KEYS encrypts new data (rotation). Unset: the first.' } },
  SENSITIVE_CONTEXT_FIELDS: {
    schema: z.string().default('customer.email,customer.phone,customer.name,customer.address,customer.birthDate'),
    spec: {
      default: 'customer.email,customer.phone,customer.name,customer.address,customer.birthDate',
      secret: false,
      description: 'Dotted paths of customer-context fields stored encrypted (readable by the bot, agents and the visitor); every other text value of the context is stored with personal data masked.',
    },
  },
  IDENTITY_VERIFICATION_SECRET: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    spec: { secret: true, description: 'Shared with your backend: a CUSTOMER key may bind a conversation to `customerId` only with `customerSignature` = hex HMAC-SHA256(secret, customerId). Unset: visitors are anonymous (a visitor token).' },
  },
  CONVERSATION_RETENTION_DAYS: {
    schema: z.coerce.number({ message: 'expected a whole number of days (0: keep)' }).int().min(0).default(0),
    spec: { default: '0', secret: false, description: 'Conversations idle this many days are erased (messages, feedback, context, Redis state) by the worker; analytics aggregates stay. 0: kept.' },
  },
  RETENTION_SWEEP_INTERVAL_S: { schema: positiveInt.default(3600), spec: { default: '3600', secret: false, description: 'How often a worker looks for conversations past CONVERSATION_RETENTION_DAYS.' } },
  WEBHOOK_ATTEMPTS: { schema: positiveInt.default(8), spec: { default: '8', secret: false, description: 'Delivery attempts of one webhook event (exponential backoff) before it is logged as failed.' } },
  WEBHOOK_BACKOFF_MS: { schema: positiveInt.default(2000), spec: { default: '2000', secret: false, description: 'First retry delay of a webhook delivery; doubles every attempt.' } },
  WEBHOOK_TIMEOUT_MS: { schema: positiveInt.default(5000), spec: { default: '5000', secret: false, description: 'A webhook receiver must answer within this time, or the attempt fails.' } },
  WEBHOOK_DISABLE_AFTER: { schema: positiveInt.default(10), spec: { default: '10', secret: false, description: 'A webhook is disabled after this many deliveries in a row failed all their attempts.' } },
  CONTEXT_CONNECTOR_URL: {
    schema: z.string().regex(/^https?:\/\/.+\{customerId\}/, 'expected an http(s) URL template containing {customerId}').optional(),
    spec: { secret: false, description: 'HTTP context connector: GET this URL (`{customerId}` is filled in, URL-encoded) for a JSON object merged into the customer context. Unset: no connector.' },
  },
  CONTEXT_CONNECTOR_HEADERS: {
    schema: z.string().optional(),
    spec: { secret: true, description: 'JSON object of headers the context connector sends, e.g. {"authorization":"Bearer …"}.' },
  },
  CONTEXT_CONNECTOR_TIMEOUT_MS: { schema: positiveInt.default(2000), spec: { default: '2000', secret: false, description: 'The context connector must answer within this time; the conversation goes on without its context otherwise.' } },
  CONTEXT_CONNECTOR_CACHE_S: { schema: z.coerce.number().int().min(0).default(60), spec: { default: '60', secret: false, description: 'Seconds a fetched customer context is reused (in Redis, encrypted or masked like the context). 0: not cached.' } },
  CONTEXT_CONNECTOR_BREAKER_FAILURES: { schema: positiveInt.default(5), spec: { default: '5', secret: false, description: 'Failures in a row that open the connector’s circuit breaker (calls fail fast until it resets).' } },
  QUALITY_THRESHOLD: {
    schema: unitInterval.default(0.5),
    spec: { default: '0.5', secret: false, description: 'A published knowledge item whose quality score falls below this goes back to review, with its reasons (src/learning/quality.ts).' },
  },
  QUALITY_PRIOR_MEAN: { schema: unitInterval.default(0.8), spec: { default: '0.8', secret: false, description: 'Quality score of an item without feedback (the Beta prior’s mean).' } },
  QUALITY_PRIOR_STRENGTH: {
    schema: z.coerce.number({ message: 'expected a positive number' }).positive().default(4),
    spec: { default: '4', secret: false, description: 'Weight of the quality prior in ratings: with 4, four not-helpful ratings and nothing else bring 0.8 to 0.4.' },
  },
  QUALITY_HALF_LIFE_DAYS: { schema: positiveInt.default(30), spec: { default: '30', secret: false, description: 'Past an item’s review date its quality score halves every this many days.' } },
  REVIEW_BY_DAYS: {
    schema: z.string().regex(/^(fact|rule|process):\d+(,(fact|rule|process):\d+)*$/, 'expected kind:days pairs, e.g. fact:365,rule:180,process:180').default('fact:365,rule:180,process:180'),
    spec: { default: 'fact:365,rule:180,process:180', secret: false, description: 'Default review date per kind: days after creation (or the last re-verification); settable per item with setReviewBy.' },
  },
  LEARNING_SWEEP_INTERVAL_MS: {
    schema: z.coerce.number({ message: 'expected milliseconds (0: off)' }).int().min(0).default(10000),
    spec: { default: '10000', secret: false, description: 'How often quality scores are brought up to date with new feedback and review dates (0: only on request).' },
  },
  GAP_SIMILARITY: {
    schema: unitInterval.default(0.8),
    spec: { default: '0.8', secret: false, description: 'Knowledge gaps: a question joins a cluster when its similarity to the cluster’s first question is at least this (embedding cosine; character-bigram cosine × 1.6 for Chinese).' },
  },
  PROCESS_ACTIONS: {
    schema: z.string().optional(),
    spec: {
      secret: true,
      description: 'Actions process steps may call (`"action": "<name>"`): a JSON object of name → {"url": "https://…", "headers": {…}}. Each call POSTs {action, conversationId, customerId, slots} and expects {"value": …}.',
    },
  },
  CONTEXT_CONNECTOR_BREAKER_RESET_MS: { schema: positiveInt.default(30000), spec: { default: '30000', secret: false, description: 'How long the connector’s breaker stays open before one trial call.' } },
} as const;

type Variables = typeof variables;
export type RawConfig = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

export interface Config {
  env: RawConfig['NODE_ENV'];
  isProduction: boolean;
  http: { host: string; port: number; bodyLimit: string; shutdownGraceMs: number };
  logLevel: RawConfig['LOG_LEVEL'];
  /** `undefined` means: start the local services of the given profile. */
  neo4j: { uri?: string; user: string; password?: string; database: string; connectTimeoutMs: number; workerTxTimeoutMs: number };
  redis: { url?: string; connectTimeoutMs: number };
  localServicesProfile: RawConfig['SERVICES_PROFILE'];
  qdrant: { url?: string; apiKey?: string; shards: number; replicationFactor: number; writeConsistency: number };
  adminApiKey?: string;
  seedOnEmpty: boolean;
  inference: { modelsDir: string; device: RawConfig['INFERENCE_DEVICE']; threads: number; embeddingModel: string };
  ingestion: {
    queues: Array<'prepare' | 'model' | 'write'>;
    concurrency: number;
    modelConcurrency: number;
    attempts: number;
    backoffMs: number;
    lockMs: number;
    stalledIntervalMs: number;
    keepCompleted: number;
    keepFailed: number;
    jobRetentionS: number;
    maxBytes: number;
    maxChars: number;
    trustedSources: string[];
    /** Empty: the retrieval model. */
    chunkEmbeddingModel: string;
    /** Languages whose documents are tagged with NER (INGEST_NER_LANGUAGES). */
    nerLanguages: string[];
  };
  /** The `answergraph ingest` CLI's API endpoint and key. */
  cli: { apiUrl: string; apiKey?: string };
  graphql: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    maxPageSize: number;
    maxBatch: number;
    resolverTimeoutMs: number;
    ratePerMinute: number;
  };
  /** Personal data: field encryption keys, sensitive context fields, visitor identity, retention. */
  privacy: {
    keys: Array<{ id: string; key: string }>;
    currentKeyId?: string;
    sensitiveContextFields: string[];
    identitySecret?: string;
    retentionDays: number;
    retentionSweepS: number;
  };
  /** Outbound webhooks and the context connector. */
  integrations: {
    webhooks: { attempts: number; backoffMs: number; timeoutMs: number; disableAfter: number };
    /** Process actions by name (PROCESS_ACTIONS). */
    actions: Record<string, { url: string; headers: Record<string, string> }>;
    connector?: { urlTemplate: string; headers: Record<string, string>; timeoutMs: number; cacheS: number; breakerFailures: number; breakerResetMs: number };
  };
  /** Quality scores, review dates and knowledge gaps (src/learning). */
  learning: { threshold: number; priorMean: number; priorStrength: number; halfLifeDays: number; reviewDays: Record<string, number>; sweepIntervalMs: number; gapSimilarity: number };
  /** Answering and hand-off thresholds (docs/dialogue.md). */
  dialogue: { answerAbove: number; escalateBelow: number; negativeAbove: number; maxFailedTurns: number; fusion: 'learned' | 'convex' | 'rrf' };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`config: ${variable} ${problem} — ${fix}`);
  }
}

export const configVariables: VariableSpec[] = Object.entries(variables).map(([name, v]) => ({
  name,
  ...(v.spec as Omit<VariableSpec, 'name'>),
}));

function fixFor(name: string, spec: VariableSpec): string {
  const example = spec.default !== undefined ? `e.g. ${name}=${spec.default}` : `set ${name} or unset it`;
  return `${spec.description.split('. ')[0]!.replace(/\.$/, '')}; ${example}`;
}

/** Parses and validates the environment. Throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const raw: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(variables)) {
    const value = env[name];
    const parsed = v.schema.safeParse(value === '' ? undefined : value);
    if (!parsed.success) {
      const spec = configVariables.find((s) => s.name === name)!;
      const issue = parsed.error.issues[0]!;
      const shown = spec.secret ? '' : ` (got "${String(value)}")`;
      throw new ConfigError(name, `is invalid: ${issue.message}${shown}`, fixFor(name, spec));
    }
    raw[name] = parsed.data;
  }
  const c = raw as RawConfig;

  if (c.REDIS_URL && c.REDIS_CLUSTER_NODES) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'is set together with REDIS_URL', 'set one of them: a single Redis in REDIS_URL, or a cluster in REDIS_CLUSTER_NODES or a redis+cluster:// REDIS_URL');
  }
  if (c.QDRANT_WRITE_CONSISTENCY > c.QDRANT_REPLICATION_FACTOR) {
    throw new ConfigError('QDRANT_WRITE_CONSISTENCY', `is ${c.QDRANT_WRITE_CONSISTENCY}, more than QDRANT_REPLICATION_FACTOR (${c.QDRANT_REPLICATION_FACTOR})`, 'a write cannot be confirmed by more replicas than exist; lower it or raise the replication factor');
  }
  if (c.NEO4J_URI && !c.NEO4J_PASSWORD) {
    throw new ConfigError('NEO4J_PASSWORD', 'is missing', 'NEO4J_URI is set, so give its password in NEO4J_PASSWORD');
  }
  if (!c.NEO4J_URI && c.NEO4J_PASSWORD) {
    throw new ConfigError('NEO4J_URI', 'is missing', 'NEO4J_PASSWORD is set, so set NEO4J_URI too (or unset both to use local services)');
  }

  const keys = (c.PII_ENCRYPTION_KEYS ?? '').split(',').filter(Boolean).map((pair) => {
    const i = pair.indexOf(':');
    return { id: pair.slice(0, i), key: pair.slice(i + 1) };
  });
  if (c.PII_ENCRYPTION_KEY_ID && !keys.some((k) => k.id === c.PII_ENCRYPTION_KEY_ID)) {
    throw new ConfigError('PII_ENCRYPTION_KEY_ID', 'names no key of PII_ENCRYPTION_KEYS', 'list the key as keyId:base64key in PII_ENCRYPTION_KEYS, or unset PII_ENCRYPTION_KEY_ID');
  }
  let actions: Record<string, { url: string; headers: Record<string, string> }> = {};
  if (c.PROCESS_ACTIONS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(c.PROCESS_ACTIONS);
    } catch {
      parsed = null;
    }
    const ok = (v: unknown) => !!v && typeof v === 'object' && typeof (v as { url?: unknown }).url === 'string' && /^https?:\/\//.test((v as { url: string }).url);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every(ok)) {
      throw new ConfigError('PROCESS_ACTIONS', 'is not a JSON object of {"url": "https://…", "headers": {…}}', 'e.g. PROCESS_ACTIONS={"order-status":{"url":"https://erp.example.com/actions/order-status"}}');
    }
    actions = Object.fromEntries(Object.entries(parsed as Record<string, { url: string; headers?: Record<string, string> }>).map(([k, v]) => [k, { url: v.url, headers: v.headers ?? {} }]));
  }
  let connectorHeaders: Record<string, string> = {};
  if (c.CONTEXT_CONNECTOR_HEADERS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(c.CONTEXT_CONNECTOR_HEADERS);
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new ConfigError('CONTEXT_CONNECTOR_HEADERS', 'is not a JSON object of strings', 'e.g. CONTEXT_CONNECTOR_HEADERS={"authorization":"Bearer …"}');
    }
    connectorHeaders = parsed as Record<string, string>;
  }

  return {
    env: c.NODE_ENV,
    isProduction: c.NODE_ENV === 'production',
    http: { host: c.HOST, port: c.PORT, bodyLimit: c.REQUEST_BODY_LIMIT, shutdownGraceMs: c.SHUTDOWN_GRACE_MS },
    logLevel: c.LOG_LEVEL,
    neo4j: {
      uri: c.NEO4J_URI,
      user: c.NEO4J_USER,
      password: c.NEO4J_PASSWORD,
      database: c.NEO4J_DATABASE,
      connectTimeoutMs: c.NEO4J_CONNECT_TIMEOUT_MS,
      workerTxTimeoutMs: c.NEO4J_WORKER_TX_TIMEOUT_MS,
    },
    redis: { url: c.REDIS_URL ?? (c.REDIS_CLUSTER_NODES ? clusterUrl(c.REDIS_CLUSTER_NODES) : undefined), connectTimeoutMs: c.REDIS_CONNECT_TIMEOUT_MS },
    localServicesProfile: c.SERVICES_PROFILE,
    qdrant: { url: c.QDRANT_URL, apiKey: c.QDRANT_API_KEY, shards: c.QDRANT_SHARDS, replicationFactor: c.QDRANT_REPLICATION_FACTOR, writeConsistency: c.QDRANT_WRITE_CONSISTENCY },
    adminApiKey: c.ADMIN_API_KEY,
    seedOnEmpty: c.SEED_ON_EMPTY,
    inference: { modelsDir: c.ANSWERGRAPH_MODELS_DIR, device: c.INFERENCE_DEVICE, threads: c.INFERENCE_THREADS, embeddingModel: c.RETRIEVAL_EMBEDDING_MODEL },
    ingestion: {
      queues: c.INGEST_QUEUES === 'all' ? ['prepare', 'model', 'write'] : (c.INGEST_QUEUES.split(',') as Array<'prepare' | 'model' | 'write'>),
      concurrency: c.INGEST_CONCURRENCY,
      modelConcurrency: c.INGEST_MODEL_CONCURRENCY,
      attempts: c.INGEST_ATTEMPTS,
      backoffMs: c.INGEST_BACKOFF_MS,
      lockMs: c.INGEST_LOCK_MS,
      stalledIntervalMs: c.INGEST_STALLED_INTERVAL_MS,
      keepCompleted: c.INGEST_KEEP_COMPLETED,
      keepFailed: c.INGEST_KEEP_FAILED,
      jobRetentionS: c.INGEST_JOB_RETENTION_S,
      maxBytes: c.INGEST_MAX_BYTES,
      maxChars: c.INGEST_MAX_CHARS,
      trustedSources: c.INGEST_TRUSTED_SOURCES.split(',').map((s) => s.trim()).filter(Boolean),
      chunkEmbeddingModel: c.INGEST_CHUNK_EMBEDDING_MODEL,
      nerLanguages: c.INGEST_NER_LANGUAGES.split(',').map((s) => s.trim()).filter(Boolean),
    },
    cli: { apiUrl: c.ANSWERGRAPH_API_URL, apiKey: c.ANSWERGRAPH_API_KEY ?? c.ADMIN_API_KEY },
    graphql: {
      maxDepth: c.GRAPHQL_MAX_DEPTH,
      maxAliases: c.GRAPHQL_MAX_ALIASES,
      maxCost: c.GRAPHQL_MAX_COST,
      maxTokens: c.GRAPHQL_MAX_TOKENS,
      maxPageSize: c.GRAPHQL_MAX_PAGE_SIZE,
      maxBatch: c.GRAPHQL_MAX_BATCH,
      resolverTimeoutMs: c.RESOLVER_TIMEOUT_MS,
      ratePerMinute: c.RATE_LIMIT_PER_MINUTE,
    },
    privacy: {
      keys,
      currentKeyId: c.PII_ENCRYPTION_KEY_ID ?? keys[0]?.id,
      sensitiveContextFields: c.SENSITIVE_CONTEXT_FIELDS.split(',').map((f) => f.trim()).filter(Boolean),
      identitySecret: c.IDENTITY_VERIFICATION_SECRET,
      retentionDays: c.CONVERSATION_RETENTION_DAYS,
      retentionSweepS: c.RETENTION_SWEEP_INTERVAL_S,
    },
    integrations: {
      webhooks: { attempts: c.WEBHOOK_ATTEMPTS, backoffMs: c.WEBHOOK_BACKOFF_MS, timeoutMs: c.WEBHOOK_TIMEOUT_MS, disableAfter: c.WEBHOOK_DISABLE_AFTER },
      actions,
      connector: c.CONTEXT_CONNECTOR_URL
        ? {
            urlTemplate: c.CONTEXT_CONNECTOR_URL,
            headers: connectorHeaders,
            timeoutMs: c.CONTEXT_CONNECTOR_TIMEOUT_MS,
            cacheS: c.CONTEXT_CONNECTOR_CACHE_S,
            breakerFailures: c.CONTEXT_CONNECTOR_BREAKER_FAILURES,
            breakerResetMs: c.CONTEXT_CONNECTOR_BREAKER_RESET_MS,
          }
        : undefined,
    },
    learning: {
      threshold: c.QUALITY_THRESHOLD,
      priorMean: c.QUALITY_PRIOR_MEAN,
      priorStrength: c.QUALITY_PRIOR_STRENGTH,
      halfLifeDays: c.QUALITY_HALF_LIFE_DAYS,
      reviewDays: Object.fromEntries(c.REVIEW_BY_DAYS.split(',').map((pair) => [pair.split(':')[0]!, Number(pair.split(':')[1])])),
      sweepIntervalMs: c.LEARNING_SWEEP_INTERVAL_MS,
      gapSimilarity: c.GAP_SIMILARITY,
    },
    dialogue: {
      answerAbove: c.ANSWER_MIN_CONFIDENCE,
      escalateBelow: c.ESCALATE_BELOW_CONFIDENCE,
      negativeAbove: c.ESCALATE_NEGATIVE_SENTIMENT,
      maxFailedTurns: c.MAX_FAILED_TURNS,
      fusion: c.RETRIEVAL_FUSION,
    },
  };
}

/** For command-line tools (`answergraph ingest`): the process environment, read here and only here. */
export function loadProcessConfig(): Config {
  return loadConfig(process.env);
}

/** The README's configuration table, generated from the specs above. */
export function configTableMarkdown(): string {
  const rows = configVariables.map(
    (v) => `| \`${v.name}\` | ${v.default !== undefined ? `\`${v.default}\`` : '—'} | ${v.secret ? 'yes' : 'no'} | ${v.description} |`,
  );
  return ['| variable | default | secret | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
