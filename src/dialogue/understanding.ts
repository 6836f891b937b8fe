import type { Logger } from 'pino';
import {
  detectLanguage,
  primaryLanguage,
  understand,
  type Classification,
  type EntityMention,
  type EntitySpan,
  type InferenceService,
  type IntentPrediction,
  type SentimentPrediction,
} from '../inference/index.js';
import type { EntityLinker, LinkedEntity } from '../retrieval/entity-linker.js';
import type { IntentModel } from './intent-model.js';

/** Masks personal data in text (emails, phone numbers, card numbers, …) before it is stored or modelled. */
export type PiiMasker = (text: string) => string;

/** One message, understood: hot-path step 1 of ARCHITECTURE.md. */
export interface Understood {
  /** The message with personal data masked: what models see and what is stored. */
  text: string;
  language: string;
  /** Embedding of {@link Understood.text}: reused by the intent classifier and retrieval. */
  vector: Float32Array;
  intent: IntentPrediction | null;
  sentiment: SentimentPrediction;
  /** Graph entities the message names. */
  entities: LinkedEntity[];
  /** Mentions in the contract's shape: tagger spans and linked names, with `entityId` when linked. */
  mentions: EntityMention[];
}

/** Words that make a message strongly negative when no sentiment model is installed (degraded mode only). */
const NEGATIVE_FALLBACK = /\b(terrible|awful|horrible|useless|worst|furious|angry|ridiculous|unacceptable|disgusting|hate|scam|rubbish|pathetic)\b|垃圾|太差|气死|愤怒|骗子|恶心|糟糕透/iu;

/**
 * Language, intent (with out-of-scope), sentiment and entity mentions of a message, with one
 * embedding shared by the intent classifier and retrieval, and the three model calls running
 * concurrently (`understand` of the inference module, fed with our models). Missing optional models
 * (NER, a language's sentiment model) degrade instead of failing: logged once, at warn.
 */
export class Understander {
  private readonly available = new Map<string, Promise<boolean>>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly inference: InferenceService,
    private readonly intents: IntentModel,
    private readonly linker: EntityLinker,
    private readonly maskPii: PiiMasker,
    private readonly logger: Logger,
  ) {}

  private has(model: string): Promise<boolean> {
    let p = this.available.get(model);
    if (!p) {
      p = this.inference.registry.has(model).catch(() => false);
      this.available.set(model, p);
    }
    return p;
  }

  private degrade(model: string, what: string): void {
    if (this.warned.has(model)) return;
    this.warned.add(model);
    this.logger.warn({ model }, `model ${model} is not installed: ${what} (run \`npm run models\`)`);
  }

  /** The text with personal data masked (what is stored). */
  mask(text: string): string {
    return this.maskPii(text);
  }

  /**
   * `tagger: false` skips the NER model (mentions then come from entity names and aliases only): the
   * stateless `answer` query uses it, since linking does not need the tagger and each model pass costs
   * as much as the embedding. Conversation messages get all three models.
   */
  async understand(raw: string, language?: string | null, options: { tagger?: boolean } = {}): Promise<Understood> {
    const text = this.maskPii(raw);
    const lang = language ? primaryLanguage(language) : detectLanguage(text);
    const vectorP = this.inference.embed([text]).then((v) => v[0] as Float32Array);
    // Linking by names and aliases runs while the models do; tagger spans, if any, add a second lookup.
    const linkedP = this.linker.link(text);
    linkedP.catch(() => undefined);
    let spans: EntitySpan[] = [];
    const result = await understand(
      {
        intent: async (t) => this.intents.predict(t, await vectorP),
        sentiment: (t, l) => this.sentiment(t, l),
        entities: async (t, l) => {
          spans = options.tagger === false ? [] : await this.tag(t, l);
          return spans;
        },
      },
      text,
      lang,
    );
    const [vector, entities] = await Promise.all([vectorP, spans.length > 0 ? this.linker.link(text, spans.map((s) => s.text)) : linkedP]);
    return { text, language: result.language, vector, intent: result.intent, sentiment: result.sentiment, entities, mentions: mentionsOf(spans, entities) };
  }

  private async sentiment(text: string, language: string): Promise<Classification> {
    const model = language === 'zh' ? this.inference.models.sentimentZh : this.inference.models.sentimentEn;
    if (await this.has(model)) return this.inference.classify(text, model);
    this.degrade(model, 'sentiment falls back to a short list of strongly negative words');
    const negative = NEGATIVE_FALLBACK.test(text);
    return { label: negative ? 'negative' : 'neutral', score: negative ? 0.95 : 1, scores: negative ? { negative: 0.95, neutral: 0.05 } : { neutral: 1 } };
  }

  private async tag(text: string, language: string): Promise<EntitySpan[]> {
    const model = this.inference.models.ner;
    if (!(await this.has(model))) {
      this.degrade(model, 'entity mentions come from entity names and aliases only');
      return [];
    }
    const spec = await this.inference.registry.spec(model);
    if (spec.languages.length > 0 && !spec.languages.includes(language)) return [];
    return this.inference.tokenClassify(text, model);
  }
}

/** Tagger spans (typed by the tagger) plus linked names, each with the entity it links to. Pure. */
export function mentionsOf(spans: readonly EntitySpan[], entities: readonly LinkedEntity[]): EntityMention[] {
  const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
  const out: EntityMention[] = spans.map((s) => ({
    text: s.text,
    type: s.type,
    start: s.start,
    end: s.end,
    entityId: entities.find((e) => overlaps(e.mention, s))?.id ?? null,
  }));
  for (const e of entities) {
    if (!spans.some((s) => overlaps(e.mention, s))) out.push({ text: e.mention.text, type: e.type, start: e.mention.start, end: e.mention.end, entityId: e.id });
  }
  return out.sort((a, b) => a.start - b.start);
}
