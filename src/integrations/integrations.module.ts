import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { DialogueIntegrations } from '../dialogue/dialogue.service.js';
import type { CypherExecutor } from '../graph/executor.js';
import { DataProtector, type TextMasker } from '../privacy/data-protector.js';
import { ErasureService } from '../privacy/erasure.js';
import { FieldCipher } from '../privacy/field-cipher.js';
import { RetentionScheduler } from '../privacy/retention.js';
import { VisitorIdentity } from '../privacy/visitor.js';

/** Personal-data protection, visitor identity, erasure and retention, and what the dialogue engine takes of them. */
export interface IntegrationsModule {
  protector: DataProtector;
  visitors: VisitorIdentity;
  erasure: ErasureService;
  retention: RetentionScheduler;
  /** Handed to the dialogue engine. */
  dialogue: DialogueIntegrations;
  /** Worker role: the retention schedule. */
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
  const erasure = new ErasureService(o.executor, o.redis, o.logger);
  const retention = new RetentionScheduler(erasure, o.redis, o.logger, { days: p.retentionDays, intervalS: p.retentionSweepS });
  return {
    protector,
    visitors,
    erasure,
    retention,
    dialogue: { protector, visitors },
    startWorkers: async () => {
      retention.start();
    },
    close: async () => {
      await retention.stop();
    },
  };
}
