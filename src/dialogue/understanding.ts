import type { Logger } from 'pino';
import {
  detectLanguage,
  entityTypeOfNerLabel,
  nerTargets,
  primaryLanguage,
  type Classification,
  type EmotionPrediction,
  type EntityMention,
  type EntitySpan,
  type InferenceService,
  type IntentPrediction,
  type SentimentPrediction,
  type TextVector,
} from '../inference/index.js';
import type { EntityLinker, LinkedEntity } from '../retrieval/entity-linker.js';
import { sentences } from '../retrieval/text.js';
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
  /** The embedding model that made `vector` (retrieval compares it only with that model's vectors). */
  vectorModel?: string;
  intent: IntentPrediction | null;
  sentiment: SentimentPrediction;
  /** One of six emotions (neutral, happy, angry, sad, fear, surprise); null without an emotion model for the language. */
  emotion: EmotionPrediction | null;
  /** Graph entities the message names. */
  entities: LinkedEntity[];
  /** Mentions in the contract's shape: tagger spans and linked names, with `entityId` when linked. */
  mentions: EntityMention[];
}

/**
 * What retrieval needs of a message — embedding, intent, entities named by their names and aliases —
 * with the rest (sentiment, tagger mentions) still running: it arrives while the graph is queried.
 */
export interface FirstPass extends Omit<Understood, 'sentiment' | 'emotion' | 'mentions'> {
  rest: Promise<Pick<Understood, 'sentiment' | 'emotion' | 'mentions' | 'entities'>>;
}

/** Which optional model passes a caller needs (tagger and emotion default on, the gate off). */
export interface UnderstandOptions {
  /** The NER tagger. */
  tagger?: boolean;
  /** The emotion model (its result; the sentiment gate may still run it). */
  emotion?: boolean;
  /**
   * For callers that read the sentiment only to escalate a strongly negative message (the stateless
   * `answer`): skip a transformer sentiment model when the emotion model finds no negative emotion
   * ({@link NEGATIVE_EMOTION_GATE}); the sentiment is then neutral. Stored messages never use it.
   */
  sentimentGate?: boolean;
}

/**
 * angry + sad + fear under which the sentiment gate skips the transformer. `npm run eval:sentiment-gate`:
 * at 0.05 the transformer runs on 73 % of GoEmotions dev comments and 60 % of banking77 dev questions and
 * still sees every message it calls strongly negative on both (261 / 261 and 3 / 3).
 */
export const NEGATIVE_EMOTION_GATE = 0.05;

/** A complete understanding in first-pass form. */
export function asFirstPass(u: Understood): FirstPass {
  return { text: u.text, language: u.language, vector: u.vector, vectorModel: u.vectorModel, intent: u.intent, entities: u.entities, rest: Promise.resolve({ sentiment: u.sentiment, emotion: u.emotion, mentions: u.mentions, entities: u.entities }) };
}

/** Words that make a message strongly negative when no sentiment model is installed (degraded mode only). */
const NEGATIVE_FALLBACK = /\b(terrible|awful|horrible|useless|worst|furious|angry|ridiculous|unacceptable|disgusting|hate|scam|rubbish|pathetic)\b|垃圾|太差|气死|愤怒|骗子|恶心|糟糕透/iu;

/**
 * Language, intent (with out-of-scope), sentiment, emotion and entity mentions of a message, with one
 * embedding shared by the intent classifier and retrieval (the inference module's models, classifier
 * and sentiment mapping). Missing optional models (NER, a language's sentiment model) degrade instead
 * of failing: logged once, at warn.
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

  /** Whether a model is installed, with the embedding model it reads, if any. */
  private has(model: string): Promise<boolean> {
    let p = this.available.get(model);
    if (!p) {
      const registry = this.inference.registry;
      p = registry
        .has(model)
        .then(async (installed) => {
          const reads = installed ? (await registry.spec(model)).embeddingInput?.model : undefined;
          return installed && (reads === undefined || (await registry.has(reads)));
        })
        .catch(() => false);
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
   * The hot path: masks, embeds, predicts the intent and links entities by name (one indexed query,
   * while the model embeds); sentiment and the NER tagger start once the embedding is done and run
   * while the caller queries the graph — on two cores, three model passes in a row would otherwise
   * sit in front of retrieval. `tagger: false` skips NER (the stateless `answer` query: linking does
   * not need it); `emotion: false` skips the emotion model where nothing stores or returns it (emotion is
   * then null).
   */
  async begin(raw: string, language?: string | null, options: UnderstandOptions = {}): Promise<FirstPass> {
    const text = this.maskPii(raw);
    const lang = language ? primaryLanguage(language) : detectLanguage(text);
    const linkedP = this.linker.link(text);
    linkedP.catch(() => undefined);
    const vectorModel = this.inference.models.embedding;
    const [vector] = (await this.inference.embed([text], 'query', vectorModel)) as [Float32Array];
    const intent = this.intents.predict(text, vector, vectorModel);
    // The emotion model may read this embedding (a head on the same encoder pass).
    const embedded = { model: vectorModel, vector };
    const sentimentP = options.sentimentGate ? this.gatedSentiment(text, lang, embedded) : this.sentiment(text, lang).then((c) => this.inference.sentimentOf(c));
    const emotionP = options.emotion === false ? Promise.resolve(null) : this.emotion(text, lang, embedded);
    // The tagger runs only when the message has a capitalised word (Chinese: two ideographs) its linked names do not explain.
    const spansP = options.tagger === false ? Promise.resolve([]) : linkedP.then((linked) => (worthTagging(text, linked, lang) ? this.tag(text, lang) : []));
    const entities = await linkedP;
    const rest = Promise.all([sentimentP, emotionP, spansP]).then(async ([sentiment, emotion, spans]) => {
      // Tagger spans that names and aliases did not cover get a second linking lookup.
      const linked = spans.length > 0 ? await this.linker.link(text, spans.map((s) => s.text)) : entities;
      return { sentiment, emotion, mentions: mentionsOf(spans, linked), entities: linked };
    });
    rest.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
    return { text, language: lang, vector, vectorModel, intent, entities, rest };
  }

  /** Everything about a message, awaited (the `understand` query, agents' suggestions). */
  async understand(raw: string, language?: string | null, options: UnderstandOptions = {}): Promise<Understood> {
    const { rest, ...first } = await this.begin(raw, language, options);
    return { ...first, ...(await rest) };
  }

  private async sentiment(text: string, language: string): Promise<Classification> {
    const model = await this.inference.sentimentModel(language);
    if (await this.has(model)) return this.inference.classify(text, model);
    this.degrade(model, 'sentiment falls back to a short list of strongly negative words');
    const negative = NEGATIVE_FALLBACK.test(text);
    return { label: negative ? 'negative' : 'neutral', score: negative ? 0.95 : 1, scores: negative ? { negative: 0.95, neutral: 0.05 } : { neutral: 1 } };
  }

  /** The sentiment, or neutral without the transformer pass when the emotion model finds no negative emotion. */
  private async gatedSentiment(text: string, language: string, embedded: TextVector): Promise<SentimentPrediction> {
    const model = await this.inference.sentimentModel(language);
    const emotionModel = this.inference.emotionModel(language);
    const spec = (await this.has(model)) ? await this.inference.registry.spec(model) : null;
    const transformer = spec !== null && (spec.inputKind ?? spec.input ?? 'tokens') === 'tokens';
    if (transformer && (await this.has(emotionModel))) {
      const c = await this.inference.classify(text, emotionModel, embedded);
      const negative = (c.scores.angry ?? 0) + (c.scores.sad ?? 0) + (c.scores.fear ?? 0);
      if (negative < NEGATIVE_EMOTION_GATE) return { label: 'neutral', score: Math.round((1 - negative) * 1000) / 1000 };
    }
    return this.inference.sentimentOf(await this.sentiment(text, language));
  }

  private async emotion(text: string, language: string, embedded: TextVector): Promise<EmotionPrediction | null> {
    const model = this.inference.emotionModel(language);
    if (!(await this.has(model))) {
      this.degrade(model, 'messages carry no emotion (sentiment still works)');
      return null;
    }
    return this.inference.emotionOf(await this.inference.classify(text, model, embedded));
  }

  private async tag(text: string, language: string): Promise<EntitySpan[]> {
    const model = this.inference.nerModel(language);
    if (!(await this.has(model))) {
      this.degrade(model, 'entity mentions come from entity names and aliases only');
      return [];
    }
    const spec = await this.inference.registry.spec(model);
    if (spec.languages.length > 0 && !spec.languages.includes(language)) return [];
    return this.inference.tokenClassify(text, model);
  }
}

/**
 * Whether a NER pass could find something in `text` that linking by name did not (see {@link nerTargets}):
 * a message's first word counts as a possible name unless it is a common sentence opener.
 */
export function worthTagging(text: string, linked: ReadonlyArray<Pick<LinkedEntity, 'mention'>>, language?: string): boolean {
  return nerTargets(text, sentences(text), linked.map((e) => e.mention), { sentenceStart: 'common-words', language }).length > 0;
}

/**
 * Tagger spans plus linked names, each with the entity it links to, all typed in the platform's entity
 * types (a linked entity's own type; a tagger label mapped by {@link entityTypeOfNerLabel}, PER → Person,
 * company → Organization; labels the graph keeps no entity for, such as a job title, are no mention). Pure.
 */
export function mentionsOf(spans: readonly EntitySpan[], entities: readonly LinkedEntity[]): EntityMention[] {
  const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
  const out: EntityMention[] = [];
  for (const s of spans) {
    const linked = entities.find((e) => overlaps(e.mention, s));
    const type = linked?.type ?? entityTypeOfNerLabel(s.type);
    if (type !== null) out.push({ text: s.text, type, start: s.start, end: s.end, entityId: linked?.id ?? null });
  }
  for (const e of entities) {
    if (!spans.some((s) => overlaps(e.mention, s))) out.push({ text: e.mention.text, type: e.type, start: e.mention.start, end: e.mention.end, entityId: e.id });
  }
  return out.sort((a, b) => a.start - b.start);
}
