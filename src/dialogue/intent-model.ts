import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Access } from '../knowledge/knowledge.repository.js';
import type { CypherExecutor } from '../graph/executor.js';
import { IntentClassifier, type Embedder, type IntentPrediction } from '../inference/index.js';
import { KNOWLEDGE_TOPIC, type KnowledgeEvent } from '../knowledge/knowledge.service.js';
import type { IntentRepository } from '../knowledge/intent.repository.js';
import type { PubSub } from '../server/pubsub.js';

/**
 * Examples of an intent with one of these names are not a class: they are what the tenant does
 * *not* handle, used only to tune the out-of-scope threshold (CLINC150's `oos`).
 */
export const OUT_OF_SCOPE_INTENTS: ReadonlySet<string> = new Set(['out_of_scope', 'oos']);
/** Intents the bot answers itself, without retrieval. */
export const SMALL_TALK_INTENTS: ReadonlySet<string> = new Set(['greeting', 'thanks', 'goodbye']);
export const HUMAN_AGENT_INTENT = 'human_agent';

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

/**
 * The tenant's intent classifier, built from the intents in the graph (`IntentRepository.allExamples`)
 * with the inference module's {@link IntentClassifier}, and rebuilt when knowledge changes and the
 * examples really differ. Also knows which knowledge handles each intent.
 */
export class IntentModel {
  private classifier: IntentClassifier | null = null;
  private handlers = new Map<string, IntentHandler[]>();
  private fingerprint = '';
  private building: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private events: AsyncIterableIterator<KnowledgeEvent> | undefined;
  private stopped = false;

  /** The embedding model the current classifier was built with. */
  private builtWith: string | null = null;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly intents: IntentRepository,
    private readonly embedder: Embedder,
    private readonly logger: Logger,
    /** The embedding model `embedder` uses now (it follows retrieval's served model); part of the fingerprint. */
    private readonly modelName: () => string = () => '',
  ) {}

  get current(): IntentClassifier | null {
    return this.classifier;
  }

  /**
   * Prediction for an already embedded message; null when the tenant has no intents, or when `model`
   * (the model of `vector`) is not the one the classifier was built with — for the moments after the
   * served embedding model changed and before the classifier is rebuilt with it.
   */
  predict(text: string, vector: Float32Array, model?: string): IntentPrediction | null {
    if (model !== undefined && this.builtWith !== null && model !== this.builtWith) return null;
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

  /** Rebuilds when the intents changed (and reloads handlers every time). Concurrent calls share one build. */
  refresh(): Promise<void> {
    if (this.building) {
      this.again = true;
      return this.building;
    }
    this.building = (async () => {
      do {
        this.again = false;
        await this.rebuild();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async rebuild(): Promise<void> {
    const [examples, handlerRows] = await Promise.all([this.intents.allExamples(), this.executor.read('dialogue/intent-handlers')]);
    const handlers = new Map<string, IntentHandler[]>();
    for (const h of handlerRows as unknown as IntentHandler[]) handlers.set(h.intent, [...(handlers.get(h.intent) ?? []), h]);
    this.handlers = handlers;
    const model = this.modelName();
    const fingerprint = createHash('sha256').update(JSON.stringify([model, examples.map((e) => [e.name, e.examples])])).digest('hex');
    if (fingerprint === this.fingerprint) return;
    const inScope = examples.filter((e) => !OUT_OF_SCOPE_INTENTS.has(e.name) && e.examples.length > 0);
    const outOfScope = examples.filter((e) => OUT_OF_SCOPE_INTENTS.has(e.name)).flatMap((e) => e.examples);
    if (inScope.length === 0) {
      this.classifier = null;
      this.fingerprint = fingerprint;
      return;
    }
    const started = performance.now();
    // Examples go to the model in slices: a tenant's tens of thousands of examples must not flood the
    // embedding queue that live messages share.
    const sliced: Embedder = {
      embed: async (texts) => {
        const out: Float32Array[] = [];
        for (let i = 0; i < texts.length; i += 256) out.push(...(await this.embedder.embed(texts.slice(i, i + 256), 'query')));
        return out;
      },
    };
    const classifier = await IntentClassifier.build(sliced, inScope.map((e) => ({ intent: e.name, examples: e.examples })), { outOfScopeExamples: outOfScope });
    this.classifier = classifier;
    this.builtWith = model;
    this.fingerprint = fingerprint;
    this.logger.info(
      { intents: classifier.intents.length, examples: inScope.reduce((n, e) => n + e.examples.length, 0), threshold: classifier.threshold, method: classifier.tuning.method, ms: Math.round(performance.now() - started) },
      'intent classifier built',
    );
  }

  /** Builds now and again after knowledge changes (intents come with imports). */
  start(pubsub: PubSub): void {
    const events = pubsub.subscribe<KnowledgeEvent>(KNOWLEDGE_TOPIC);
    this.events = events;
    void (async () => {
      try {
        for await (const _e of events) {
          if (this.stopped) break;
          if (this.timer) clearTimeout(this.timer);
          this.timer = setTimeout(() => void this.refresh().catch((err: unknown) => this.logger.warn({ err }, 'intent classifier rebuild failed')), 200);
          this.timer.unref();
        }
      } catch (err) {
        if (!this.stopped) this.logger.warn({ err }, 'knowledge event stream ended');
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.events?.return?.();
    await this.building?.catch(() => undefined);
  }
}
