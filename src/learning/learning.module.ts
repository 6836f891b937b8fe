import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { CypherExecutor } from '../graph/executor.js';
import type { RedisClient } from '../infra/redis.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { GapService } from './gaps.js';
import { defaultQualityOptions } from './quality.js';
import { QualityService } from './quality.service.js';
import { SimilarQuestionService, type QuestionEmbedder } from './similar-questions.js';
import { SuggestionService } from './suggestions.js';

export interface LearningModule {
  /** Quality scores, review dates and demotion. */
  quality: QualityService;
  /** Similar questions of facts (retrieval matches them). */
  questions: SimilarQuestionService;
  /** Knowledge gaps clustered by meaning, and the editor's actions on them. */
  gaps: GapService;
  /** Contradictions, near-duplicates and stale items, filed as review work. */
  suggestions: SuggestionService;
  /** Worker role: starts the periodic quality sweep (question embeddings run as a background job, app.ts). */
  start(): void;
  close(): Promise<void>;
}

export interface LearningModuleOptions {
  executor: CypherExecutor;
  knowledge: KnowledgeService;
  redis: RedisClient;
  config: Config['learning'];
  /** An answer below this confidence counts as failed (a knowledge gap). */
  minConfidence: number;
  embed: QuestionEmbedder;
  /** The served embedding model (question vectors are tagged with it). */
  model: () => string;
  logger: Logger;
  /** Demotions are audited with it. */
  audit?: Pick<AuditService, 'append'>;
}

/** The knowledge base learning from its conversations (docs: src/learning/README.md). */
export function createLearning(o: LearningModuleOptions): LearningModule {
  const quality = new QualityService(o.executor, o.knowledge, {
    ...defaultQualityOptions,
    threshold: o.config.threshold,
    priorMean: o.config.priorMean,
    priorStrength: o.config.priorStrength,
    halfLifeDays: o.config.halfLifeDays,
    reviewDays: { ...defaultQualityOptions.reviewDays, ...o.config.reviewDays },
    intervalMs: o.config.sweepIntervalMs,
    redis: o.redis,
    logger: o.logger,
    audit: o.audit,
  });
  const questions = new SimilarQuestionService(o.executor, o.knowledge, o.embed, { model: o.model, logger: o.logger });
  const gaps = new GapService(o.executor, o.knowledge, questions, o.embed, { threshold: o.config.gapSimilarity, minConfidence: o.minConfidence, model: o.model, redis: o.redis, logger: o.logger });
  return {
    quality,
    questions,
    gaps,
    suggestions: new SuggestionService(o.executor),
    start: () => {
      quality.start();
    },
    close: async () => {
      await quality.stop();
      await questions.stop();
    },
  };
}
