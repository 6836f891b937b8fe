import type { BackgroundJobs } from '../infra/background-jobs.js';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit.service.js';
import type { ApiKeyService } from '../auth/api-keys.js';
import type { Viewer } from '../auth/roles.js';
import type { Config } from '../config/config.js';
import type { CypherExecutor } from '../graph/executor.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import type { DialogueModule } from '../dialogue/dialogue.module.js';
import type { InferenceService } from '../inference/index.js';
import type { RetrievalModule } from '../retrieval/retrieval.module.js';
import type { IngestionService } from '../ingestion/ingestion.service.js';
import type { ReviewService } from '../review/review.service.js';
import type { LearningModule } from '../learning/learning.module.js';
import type { AnalyticsService } from '../analytics/analytics.service.js';
import type { PubSub } from '../infra/pubsub.js';
import type { IntegrationsModule } from '../integrations/integrations.module.js';

/** What a resolver may ask for readiness. */
export interface HealthProbe {
  check(): Promise<HealthChecks>;
}

/** What the health query and /readyz report. */
export interface HealthChecks {
  neo4j: boolean;
  redis: boolean;
  /** Every model this process's role needs is loaded and its files matched the manifest's sha256. */
  models: boolean;
  /** Why `models` is false: one "name: reason" (or "name: loading") per model that is not ready. */
  modelIssues: string[];
}

/** Long-lived services, built once in the composition root (`src/app.ts`), the only place that wires them. */
export interface AppServices {
  config: Config;
  logger: Logger;
  executor: CypherExecutor;
  apiKeys: ApiKeyService;
  pubsub: PubSub;
  health: HealthProbe;
  knowledge: KnowledgeService;
  inference: InferenceService;
  /** Vector store, GraphRAG retriever, entity linking, knowledge embeddings. */
  retrieval: RetrievalModule;
  /** Conversations, answers, intents, hand-off. */
  dialogue: DialogueModule;
  /** Document ingestion: submit, job records, progress. */
  ingestion: IngestionService;
  /** Review tasks of machine-extracted knowledge, releases, entity merges. */
  review: ReviewService;
  /** The append-only, hash-chained audit trail. */
  audit: AuditService;
  /** Similar questions, knowledge gaps, quality scores and suggestions: the knowledge base learning from conversations. */
  learning: LearningModule;
  /** Personal data (masking, encryption, visitors, erasure, retention), webhooks, context connector. */
  integrations: IntegrationsModule;
  /** Analytics from time buckets kept current as conversations happen. */
  analytics: AnalyticsService;
  /** Model work the worker role runs as jobs (embedding sweeps, intent training); any role may ask for a run. */
  background: BackgroundJobs;
}

export interface GraphQLContext {
  requestId: string;
  viewer: Viewer;
  /** The executor (`services.executor`); the request's id and key reach its transaction metadata through the request scope (src/graph/query-scope.ts). */
  executor: CypherExecutor;
  services: AppServices;
  logger: Logger;
}
