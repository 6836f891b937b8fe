import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { DialogueIntegrations } from '../dialogue/dialogue.service.js';
import type { CypherExecutor } from '../graph/executor.js';
import { redisKeys } from '../infra/redis.js';
import { KNOWLEDGE_TOPIC, type KnowledgeEvent } from '../knowledge/knowledge.service.js';
import type { PubSub } from '../infra/pubsub.js';
import { DataProtector, type TextMasker } from '../privacy/data-protector.js';
import { ErasureService } from '../privacy/erasure.js';
import { FieldCipher } from '../privacy/field-cipher.js';
import { RetentionScheduler } from '../privacy/retention.js';
import { VisitorIdentity } from '../privacy/visitor.js';
import { HttpContextConnector, type ContextConnector } from './context-connector.js';
import { HttpProcessActions } from './process-actions.js';
import { WebhookService } from './webhooks.js';

/** Personal-data protection, visitor identity, erasure and retention, and what the dialogue engine takes of them. */
export interface IntegrationsModule {
  protector: DataProtector;
  visitors: VisitorIdentity;
  erasure: ErasureService;
  retention: RetentionScheduler;
  webhooks: WebhookService;
  /** The HTTP context connector, when CONTEXT_CONNECTOR_URL is set. */
  connector: ContextConnector | null;
  /** Handed to the dialogue engine. */
  dialogue: DialogueIntegrations;
  /** API role: knowledge changes become outbound events. */
  start(): void;
  /** Worker role: webhook deliveries and the retention schedule. */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface IntegrationsOptions {
  config: Config;
  executor: CypherExecutor;
  redis: Redis | Cluster;
  redisUrl: string;
  mask: TextMasker;
  logger: Logger;
  /** Knowledge changes (published, demoted) are read from here. */
  pubsub?: PubSub;
}

/** Builds the privacy and integration services. Nothing connects or starts until asked. */
export function createIntegrations(o: IntegrationsOptions): IntegrationsModule {
  const p = o.config.privacy;
  const cipher = new FieldCipher(p.keys, p.currentKeyId);
  if (!cipher.enabled && o.config.isProduction) {
    o.logger.warn('PII_ENCRYPTION_KEYS is not set: sensitive customer-context fields are stored as [REDACTED] and process answers masked');
  }
  const protector = new DataProtector({ mask: o.mask, cipher, sensitiveContextFields: p.sensitiveContextFields });
  const visitors = new VisitorIdentity(p.identitySecret);
  const c = o.config.integrations.connector;
  const connector = c ? new HttpContextConnector({ ...c, egress: { production: o.config.isProduction } }, o.redis, protector, o.logger) : null;
  // Erasure also drops the connector's cached context of the customer.
  const erasure = new ErasureService(o.executor, o.redis, o.logger, { customerKeys: (id) => [HttpContextConnector.cacheKey(id)] });
  const retention = new RetentionScheduler(erasure, o.redis, o.logger, { days: p.retentionDays, intervalS: p.retentionSweepS });
  const w = o.config.integrations.webhooks;
  const webhooks = new WebhookService(o.executor, protector, cipher, o.logger, {
    ...w,
    egress: { production: o.config.isProduction },
    bullPrefix: redisKeys.bullPrefix,
    redisUrl: o.redisUrl,
  });
  let knowledgeEvents: AsyncIterableIterator<KnowledgeEvent> | null = null;
  return {
    protector,
    visitors,
    erasure,
    retention,
    webhooks,
    connector,
    dialogue: {
      protector,
      visitors,
      events: webhooks,
      connector: connector ?? undefined,
      actions: new HttpProcessActions(o.config.integrations.actions, w.timeoutMs, { production: o.config.isProduction }),
    },
    start: () => {
      if (!o.pubsub || knowledgeEvents) return;
      const events = o.pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC);
      knowledgeEvents = events;
      void (async () => {
        // Every replica hears every change; the event id (item, version, status) makes the delivery one per subscription.
        for await (const e of events) {
          if (!e.id || e.change === 'import') continue;
          const name = e.status === 'PUBLISHED' ? 'KNOWLEDGE_PUBLISHED' : e.status === 'ARCHIVED' || e.change === 'demote' ? 'KNOWLEDGE_DEMOTED' : null;
          if (name) await webhooks.emit(name, { knowledgeId: e.id, version: e.version, change: e.change, status: e.status, by: e.by }, `knowledge:${e.id}:${e.version}:${e.status}:${e.change}`);
        }
      })().catch((err: unknown) => o.logger.warn({ err }, 'knowledge events for webhooks stopped'));
    },
    startWorkers: async () => {
      webhooks.startWorker();
      retention.start();
    },
    close: async () => {
      await knowledgeEvents?.return?.();
      await retention.stop();
      await webhooks.close();
    },
  };
}
