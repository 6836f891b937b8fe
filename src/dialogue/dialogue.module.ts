import type { RedisClient } from '../infra/redis.js';
import type { Logger } from 'pino';
import { knowledgeAccess } from '../auth/roles.js';
import type { CypherExecutor } from '../graph/executor.js';
import type { InferenceService } from '../inference/index.js';
import type { IntentRepository } from '../knowledge/intent.repository.js';
import type { RetrievalModule } from '../retrieval/retrieval.module.js';
import type { PubSub } from '../infra/pubsub.js';
import { Answerer, type AnswerPolicyOptions } from './answerer.js';
import { ConversationRepository, type ConversationChanges } from './conversation.repository.js';
import { ConversationStore } from './conversation.store.js';
import { DialogueService, type DialogueIntegrations, type DialogueMetrics } from './dialogue.service.js';
import { ConversationEventStream } from './event-stream.js';
import { IntentModel } from './intent-model.js';
import { DialoguePolicy } from './policy.js';
import { Understander, type PiiMasker } from './understanding.js';

export interface DialogueModule {
  service: DialogueService;
  answerer: Answerer;
  understander: Understander;
  intents: IntentModel;
  events: ConversationEventStream;
  close(): Promise<void>;
}

export interface DialogueModuleOptions {
  executor: CypherExecutor;
  redis: RedisClient;
  redisUrl: string;
  inference: InferenceService;
  intentRepository: IntentRepository;
  retrieval: RetrievalModule;
  maskPii: PiiMasker;
  logger: Logger;
  /** Tells replicas a new intent classifier is stored. */
  pubsub?: PubSub;
  metrics?: DialogueMetrics;
  policy?: AnswerPolicyOptions & { maxFailedTurns?: number };
  /** Told after every conversation write (analytics keeps its time buckets current from it). */
  changes?: ConversationChanges;
  /** Personal data protection, visitor binding, connectors and outbound events (issue 16). */
  integrations?: DialogueIntegrations;
}

/** Builds the dialogue engine. Nothing connects until used, except the event subscriber connection. */
export function createDialogue(o: DialogueModuleOptions): DialogueModule {
  // Intent examples are embedded with the default embedding model, which follows retrieval's served model.
  const intents = new IntentModel(o.executor, o.intentRepository, { embed: (texts, role) => o.inference.embed(texts, role) }, o.redis, o.logger, () => o.inference.models.embedding, o.pubsub);
  const understander = new Understander(o.inference, intents, o.retrieval.linker, o.maskPii, o.logger);
  const answerer = new Answerer(o.retrieval.retriever, intents, o.inference, o.policy, (err) =>
    o.logger.error({ err, ...err.details }, 'stored knowledge does not parse; the item is skipped in this answer'),
  );
  // The bot speaks to customers: it cites only what a customer may see, whatever key started the chat.
  const botAccess = knowledgeAccess({ role: 'CUSTOMER', keyId: null, name: 'bot', grants: new Set() });
  const policy = new DialoguePolicy(answerer, botAccess, { maxFailedTurns: o.policy?.maxFailedTurns });
  const events = new ConversationEventStream(o.redis, o.redisUrl, o.logger);
  const service = new DialogueService(new ConversationRepository(o.executor, o.changes), new ConversationStore(o.redis), events, understander, policy, answerer, o.logger, o.metrics, o.integrations);
  return {
    service,
    answerer,
    understander,
    intents,
    events,
    close: async () => {
      await intents.stop();
      await events.close();
    },
  };
}

/** Every role: serves the intent classifier the workers train (loaded now and after each training). */
export function startDialogue(module: DialogueModule, pubsub: PubSub): void {
  module.intents.follow(pubsub);
}
