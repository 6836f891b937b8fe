import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Access } from '../knowledge/knowledge.repository.js';
import type { CypherExecutor } from '../graph/executor.js';
import { IntentClassifier, type Embedder, type IntentPrediction } from '../inference/index.js';
import { KNOWLEDGE_TOPIC, type KnowledgeEvent } from '../knowledge/knowledge.service.js';
import type { IntentRepository } from '../knowledge/intent.repository.js';
import type { PubSub } from '../infra/pubsub.js';
import { redisKeys, type RedisClient } from '../infra/redis.js';

/** Runs of one {@link IntentModel.train} call when the examples keep changing under it (the last one stores). */
const MAX_TRAIN_ATTEMPTS = 3;
/** How long {@link IntentModel.stop} waits for a load in flight. */
const STOP_WAIT_MS = 2_000;

/**
 * Examples of an intent with one of these names are not a class: they are what the tenant does
 * *not* handle, used only to tune the out-of-scope threshold (CLINC150's `oos`).
 */
export const OUT_OF_SCOPE_INTENTS: ReadonlySet<string> = new Set(['out_of_scope', 'oos']);
/** Intents the bot answers itself, without retrieval. */
export const SMALL_TALK_INTENTS: ReadonlySet<string> = new Set(['greeting', 'thanks', 'goodbye']);
export const HUMAN_AGENT_INTENT = 'human_agent';

/** An intent's handler as the dialogue uses it: a row of `dialogue/intent-handlers`. */
export interface IntentHandler {
  intent: string;
  knowledgeId: string;
  kind: 'fact' | 'rule' | 'process';
  language: string;
  name: string;
  /** A fact's answer or statement (small talk replies come from here). */
  text: string | null;
  status: string;
  visibility: string;
}

export const INTENT_MODEL_TOPIC = 'intent-model';

/** What the trained classifier in Redis was built from, and how (the `intentModel` query shows it). */
export interface IntentModelMeta {
  /** sha256 of the embedding model and every intent's examples. */
  fingerprint: string;
  /** The embedding model its examples were embedded with. */
  model: string;
  intents: number;
  examples: number;
  bytes: number;
  trainedAt: string;
  trainingMs: number;
}

export interface TrainResult {
  trained: boolean;
  meta: IntentModelMeta | null;
}

/**
 * The tenant's intent classifier, built from the intents in the graph (`IntentRepository.allExamples`)
 * with the inference module's {@link IntentClassifier}. Also knows which knowledge handles each intent.
 *
 * Training is model work: {@link train} runs in the worker role (a background job after knowledge
 * changes), skips when the examples and embedding model are those of the stored classifier, and
 * stores the trained classifier in Redis (one snapshot, its metadata beside it) and tells every
 * replica. API replicas never train: {@link load} swaps in the stored classifier when its fingerprint
 * differs from the one they hold (on the pub/sub message, and on a poll as a safety net), so a tenant
 * importing thousands of examples does not stall answering; replicas answer with the previous
 * classifier until the new one is ready.
 */
export class IntentModel {
  private classifier: IntentClassifier | null = null;
  private handlers = new Map<string, IntentHandler[]>();
  /** Handler reads started, and the one whose rows are held (see {@link loadHandlers}). */
  private handlerReads = 0;
  private handlersFrom = 0;
  private meta: IntentModelMeta | null = null;
  private loading: Promise<void> | undefined;
  private loadAgain = false;
  private training: Promise<TrainResult> | undefined;
  /** The run queued behind the one in flight (see {@link train}). */
  private trainingNext: Promise<TrainResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly subscriptions: Array<AsyncIterableIterator<unknown>> = [];
  private stopped = false;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly intents: IntentRepository,
    private readonly embedder: Embedder,
    private readonly redis: RedisClient,
    private readonly logger: Logger,
    /** The embedding model `embedder` uses now (it follows retrieval's served model); part of the fingerprint. */
    private readonly modelName: () => string = () => '',
    private readonly pubsub?: PubSub,
  ) {}

  get current(): IntentClassifier | null {
    return this.classifier;
  }

  /** The stored classifier this replica serves (null before the first training). */
  get info(): IntentModelMeta | null {
    return this.meta;
  }

  /**
   * Prediction for an already embedded message; null when the tenant has no intents, or when `model`
   * (the model of `vector`) is not the one the classifier was built with — for the moments after the
   * served embedding model changed and before the classifier is trained again with it.
   */
  predict(text: string, vector: Float32Array, model?: string): IntentPrediction | null {
    if (model !== undefined && this.meta !== null && model !== this.meta.model) return null;
    return this.classifier?.predictEmbedded(text, vector) ?? null;
  }

  /** The handler of an intent in a language the caller may see, preferring the given kind order. */
  handlerFor(intent: string, language: string, access: Access, kinds: ReadonlyArray<IntentHandler['kind']> = ['process', 'rule', 'fact']): IntentHandler | null {
    const visible = (this.handlers.get(intent) ?? []).filter(
      (h) => access.statuses.includes(h.status as never) && access.visibilities.includes(h.visibility as never) && (h.language === language || h.language === 'mul'),
    );
    for (const kind of kinds) {
      const h = visible.find((x) => x.kind === kind);
      if (h) return h;
    }
    return null;
  }

  /**
   * Trains the classifier from the intents in the graph and stores it, unless the stored one was built
   * from the same examples with the same embedding model; then loads it here. Worker role (the
   * `train-intents` job), scripts and tests. A call while a run is in flight does not join it — that
   * run may have read the examples before the caller's change (an import that just committed) — but the
   * one run queued after it, which every call arriving meanwhile shares.
   */
  train(progress: (p: Record<string, number | string>) => Promise<void> = async () => undefined): Promise<TrainResult> {
    if (this.training) {
      this.trainingNext ??= this.training
        .catch(() => undefined)
        .then(() => {
          this.trainingNext = undefined;
          return this.train(progress);
        });
      return this.trainingNext;
    }
    this.training = this.trainOnce(progress).finally(() => {
      this.training = undefined;
    });
    return this.training;
  }

  private fingerprintOf(examples: ReadonlyArray<{ name: string; examples: string[] }>, model: string): string {
    return createHash('sha256').update(JSON.stringify([model, examples.map((e) => [e.name, e.examples])])).digest('hex');
  }

  private async trainOnce(progress: (p: Record<string, number | string>) => Promise<void>, attempt = 1): Promise<TrainResult> {
    const examples = await this.intents.allExamples();
    const model = this.modelName();
    const fingerprint = this.fingerprintOf(examples, model);
    const stored = await this.storedMeta();
    if (stored?.fingerprint === fingerprint) {
      await this.load();
      return { trained: false, meta: stored };
    }
    const inScope = examples.filter((e) => !OUT_OF_SCOPE_INTENTS.has(e.name) && e.examples.length > 0);
    const outOfScope = examples.filter((e) => OUT_OF_SCOPE_INTENTS.has(e.name)).flatMap((e) => e.examples);
    const started = performance.now();
    const total = inScope.reduce((n, e) => n + e.examples.length, 0) + outOfScope.length;
    let snapshot: Buffer | null = null;
    let threshold: number | null = null;
    if (inScope.length > 0) {
      let embedded = 0;
      // Examples go to the model in slices: a tenant's tens of thousands of examples must not flood the
      // embedding queue that live messages share; progress is reported per slice.
      const sliced: Embedder = {
        embed: async (texts) => {
          const out: Float32Array[] = [];
          for (let i = 0; i < texts.length; i += 256) {
            out.push(...(await this.embedder.embed(texts.slice(i, i + 256), 'query')));
            embedded = Math.min(total, embedded + Math.min(256, texts.length - i));
            await progress({ stage: 'embedding', done: embedded, total });
          }
          return out;
        },
      };
      const classifier = await IntentClassifier.build(sliced, inScope.map((e) => ({ intent: e.name, examples: e.examples })), { outOfScopeExamples: outOfScope });
      snapshot = classifier.serialize();
      threshold = classifier.threshold;
    }
    // The examples may have changed while this run embedded them (an import committed; another replica,
    // which read them later, may already have stored its classifier): a stale classifier is never stored
    // over a newer one — the run starts again from the examples as they are now.
    if (attempt < MAX_TRAIN_ATTEMPTS && this.fingerprintOf(await this.intents.allExamples(), this.modelName()) !== fingerprint) {
      this.logger.info({ attempt }, 'intent examples changed while training: training again');
      return this.trainOnce(progress, attempt + 1);
    }
    await progress({ stage: 'storing', done: total, total });
    const meta: IntentModelMeta = {
      fingerprint,
      model,
      intents: inScope.length,
      examples: total,
      bytes: snapshot?.length ?? 0,
      trainedAt: new Date().toISOString(),
      trainingMs: Math.round(performance.now() - started),
    };
    // One MULTI (the keys share a hash tag): a replica never reads a snapshot with another's metadata.
    const tx = this.redis.multi();
    if (snapshot) tx.set(redisKeys.intentModel, snapshot);
    else tx.del(redisKeys.intentModel);
    tx.set(redisKeys.intentModelMeta, JSON.stringify(meta));
    await tx.exec();
    this.logger.info({ intents: meta.intents, examples: meta.examples, threshold, bytes: meta.bytes, ms: meta.trainingMs }, 'intent classifier trained');
    await this.pubsub?.publish(INTENT_MODEL_TOPIC, { fingerprint }).catch(() => undefined);
    await this.load();
    return { trained: true, meta };
  }

  private async storedMeta(): Promise<IntentModelMeta | null> {
    const raw = await this.redis.get(redisKeys.intentModelMeta);
    return raw ? (JSON.parse(raw) as IntentModelMeta) : null;
  }

  /**
   * Loads the handlers from the graph and, when the stored classifier is not the one held here, the
   * classifier from Redis. Concurrent calls share one load. (Following replicas load each part only when
   * it can have changed: {@link follow}.)
   */
  load(): Promise<void> {
    if (this.loading) {
      this.loadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.loadAgain = false;
        await this.loadOnce();
      } while (this.loadAgain && !this.stopped);
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    await this.loadHandlers();
    await this.loadClassifier();
  }

  /** Which knowledge handles each intent: changes with knowledge, not with training. */
  private async loadHandlers(): Promise<void> {
    // Reads in flight at once (a load and a knowledge event's) may finish out of order: an older read
    // never replaces what a newer one set.
    const started = ++this.handlerReads;
    const handlerRows = await this.executor.read('dialogue/intent-handlers');
    if (started < this.handlersFrom) return;
    const handlers = new Map<string, IntentHandler[]>();
    for (const h of handlerRows) handlers.set(h.intent, [...(handlers.get(h.intent) ?? []), h]);
    this.handlers = handlers;
    this.handlersFrom = started;
  }

  /** The stored classifier, when it is not the one held here (one GET when nothing changed). */
  private async loadClassifier(): Promise<void> {
    const meta = await this.storedMeta();
    if (!meta || meta.fingerprint === this.meta?.fingerprint) return;
    if (meta.intents === 0) {
      this.classifier = null;
      this.meta = meta;
      return;
    }
    // The snapshot is read with the metadata that names it: a training finishing in between would
    // otherwise pair a new snapshot with old metadata.
    const [[, snapshot], [, again]] = (await this.redis.multi().getBuffer(redisKeys.intentModel).get(redisKeys.intentModelMeta).exec()) as [[unknown, Buffer | null], [unknown, string | null]];
    const current = again ? (JSON.parse(again) as IntentModelMeta) : null;
    if (!snapshot || !current || current.intents === 0) return;
    this.classifier = IntentClassifier.deserialize(snapshot, this.embedder);
    this.meta = current;
    this.logger.info({ intents: current.intents, examples: current.examples, trainedAt: current.trainedAt }, 'intent classifier loaded');
  }

  /**
   * Follows the stored classifier (every role): loads everything now, the classifier when a worker says
   * it trained one and every `pollMs` in case a message was missed, the handlers after knowledge changes.
   */
  follow(pubsub: PubSub, pollMs = 15_000): void {
    const models = pubsub.subscribe<{ fingerprint: string }>(INTENT_MODEL_TOPIC);
    const knowledge = pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC);
    this.subscriptions.push(models, knowledge);
    const warn = (err: unknown) => this.logger.warn({ err }, 'intent model load failed');
    const handlersLater = () => {
      if (this.stopped) return;
      if (this.timer) clearTimeout(this.timer);
      // An import publishes many events: one read after them.
      this.timer = setTimeout(() => void this.loadHandlers().catch(warn), 200);
      this.timer.unref();
    };
    const classifierNow = () => void this.loadClassifier().catch(warn);
    for (const [stream, on] of [[models, classifierNow], [knowledge, handlersLater]] as const) {
      void (async () => {
        try {
          for await (const _e of stream) {
            if (this.stopped) break;
            on();
          }
        } catch (err) {
          if (!this.stopped) this.logger.warn({ err }, 'intent model event stream ended');
        }
      })();
    }
    this.poll = setInterval(classifierNow, pollMs);
    this.poll.unref();
    void this.load().catch(warn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    for (const s of this.subscriptions.splice(0)) await s.return?.();
    // A load in flight is let finish, briefly: one blocked on the graph (the database gone, the driver
    // closed under it) must not hold the shutdown, and whatever it reads after stop is never used.
    if (this.loading) await Promise.race([this.loading.catch(() => undefined), sleep(STOP_WAIT_MS, undefined, { ref: false })]);
  }
}
