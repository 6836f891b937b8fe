import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddingPipeline, type EmbeddingPipelineOptions, type EmbedRole } from './embedding.pipeline.js';
import type { EntitySpan } from './entity-aggregation.js';
import { IntentClassifier, type IntentClassifierOptions, type IntentExamples, type IntentPrediction } from './intent-classifier.js';
import { ModelRegistry, type ModelRegistryOptions } from './model-registry.js';
import { TextClassificationPipeline, type Classification, type TextVector } from './text-classification.pipeline.js';
import { TokenClassificationPipeline } from './token-classification.pipeline.js';
import { toEmotion, toSentiment, understand, type EmotionPrediction, type SentimentMappingOptions, type SentimentPrediction, type Understanding } from './understand.js';

/** Names of the models the service uses (docs/design.md § Models). */
export interface InferenceModelNames {
  /** Default `minilm-embed`. */
  embedding: string;
  /** Default `ner`: English (CoNLL-2003 types). */
  ner: string;
  /**
   * Default `ner-zh-int8`: Chinese (CLUENER2020's ten types), the int8 build of `ner-zh` — dev span F1 0.735
   * vs 0.742, 2.2x the sentences per second (`npm run bench:inference`).
   */
  nerZh: string;
  /** Default `sentiment-en` (its int8 build, `sentiment-en-int8`, runs instead when the manifest has it). */
  sentimentEn: string;
  /** Default `sentiment-zh`. */
  sentimentZh: string;
  /** Default `emotion-en`: neutral, happy, angry, sad, fear, surprise. */
  emotionEn: string;
  /** Default `emotion-zh`: the same six emotions. */
  emotionZh: string;
}

export interface InferenceServiceOptions extends ModelRegistryOptions, EmbeddingPipelineOptions {
  models?: Partial<InferenceModelNames>;
  sentiment?: SentimentMappingOptions;
}

const DEFAULT_MODELS: InferenceModelNames = {
  embedding: 'minilm-embed',
  ner: 'ner',
  nerZh: 'ner-zh-int8',
  sentimentEn: 'sentiment-en',
  sentimentZh: 'sentiment-zh',
  emotionEn: 'emotion-en',
  emotionZh: 'emotion-zh',
};

/**
 * The inference entry point for the rest of the platform: one registry (sessions), one batched
 * pipeline per model, the tenant's intent classifier, and `understand`. Nothing is loaded until first
 * use or `ready()`.
 */
export class InferenceService {
  readonly registry: ModelRegistry;
  readonly models: InferenceModelNames;
  private readonly pipelineOptions: EmbeddingPipelineOptions;
  private readonly sentimentOptions: SentimentMappingOptions;
  private readonly negativeBars: Partial<Record<string, number>>;
  private readonly embedders = new Map<string, EmbeddingPipeline>();
  private readonly classifiers = new Map<string, TextClassificationPipeline>();
  private readonly taggers = new Map<string, TokenClassificationPipeline>();
  private intents: IntentClassifier | null = null;

  constructor(options: InferenceServiceOptions) {
    this.registry = new ModelRegistry(options);
    this.models = { ...DEFAULT_MODELS, ...options.models };
    this.pipelineOptions = { maxBatch: options.maxBatch, maxWaitMs: options.maxWaitMs, maxQueue: options.maxQueue, cacheSize: options.cacheSize };
    this.sentimentOptions = options.sentiment ?? {};
    this.negativeBars = fittedNegativeBars(loadSentimentThresholds(), this.models);
  }

  /**
   * Makes `model` the default embedding model (what `embed` and `understand` use without a name):
   * retrieval calls it when the served embedding model changes (src/retrieval/embedding-models.ts).
   */
  useEmbeddingModel(model: string): void {
    this.models.embedding = model;
  }

  embedding(model = this.models.embedding): EmbeddingPipeline {
    let p = this.embedders.get(model);
    if (!p) {
      p = new EmbeddingPipeline(this.registry, model, this.pipelineOptions);
      this.embedders.set(model, p);
    }
    return p;
  }

  textClassification(model: string): TextClassificationPipeline {
    let p = this.classifiers.get(model);
    if (!p) {
      p = new TextClassificationPipeline(this.registry, model, this.pipelineOptions, (texts, role, m) => this.embed(texts, role, m));
      this.classifiers.set(model, p);
    }
    return p;
  }

  tokenClassification(model = this.models.ner): TokenClassificationPipeline {
    let p = this.taggers.get(model);
    if (!p) {
      p = new TokenClassificationPipeline(this.registry, model, this.pipelineOptions);
      this.taggers.set(model, p);
    }
    return p;
  }

  /** L2-normalised sentence embeddings, one per text, embedded as `role` (a question, or a stored passage). */
  embed(texts: readonly string[], role: EmbedRole, model?: string): Promise<Float32Array[]> {
    return this.embedding(model).embed(texts, role);
  }

  /** Languages the embedding model was trained on (its manifest entry); empty: any. */
  async embeddingLanguages(model = this.models.embedding): Promise<readonly string[]> {
    return (await this.registry.spec(model)).languages;
  }

  /** The NER model of a language: Chinese has its own, every other language gets the English one. */
  nerModel(language: string): string {
    return language === 'zh' ? this.models.nerZh : this.models.ner;
  }

  /** Entity spans with character offsets into `text`. */
  tokenClassify(text: string, model?: string): Promise<EntitySpan[]> {
    return this.tokenClassification(model).tokenClassify(text);
  }

  /**
   * `{ label, score, scores }` of a text-classification model (temperature-calibrated). `vector`: the text's
   * query embedding, reused by a model that reads one from the same embedding model (else it embeds the text).
   */
  classify(text: string, model: string, vector?: TextVector): Promise<Classification> {
    return this.textClassification(model).classify(text, vector);
  }

  /** Builds the intent classifier from the tenant's intents and makes `understand` use it. */
  async setIntents(definitions: readonly IntentExamples[], options?: IntentClassifierOptions): Promise<IntentClassifier> {
    const classifier = await IntentClassifier.build(this.embedding(), definitions, options);
    this.intents = classifier;
    return classifier;
  }

  clearIntents(): void {
    this.intents = null;
  }

  get intentClassifier(): IntentClassifier | null {
    return this.intents;
  }

  private readonly preferred = new Map<string, Promise<string>>();

  /**
   * The sentiment model of a language: its int8 build (`<name>-int8`, same dev macro-F1 within 0.02 by
   * construction, about twice as fast on CPU) when the manifest has it, else the model itself.
   */
  sentimentModel(language: string): Promise<string> {
    const base = language === 'zh' ? this.models.sentimentZh : this.models.sentimentEn;
    let model = this.preferred.get(base);
    if (!model) {
      const int8 = `${base}-int8`;
      model = this.registry.has(int8).then(
        (built) => (built ? int8 : base),
        () => base,
      );
      this.preferred.set(base, model);
    }
    return model;
  }

  /** An emotion model's output as one of the six emotions. */
  emotionOf(c: Classification): EmotionPrediction | null {
    return toEmotion(c);
  }

  /** The emotion model of a language (English for any language but Chinese, like sentiment). */
  emotionModel(language: string): string {
    return language === 'zh' ? this.models.emotionZh : this.models.emotionEn;
  }

  /** A sentiment model's output as positive | negative | neutral, with the configured mapping options. */
  sentimentOf(c: Classification): SentimentPrediction {
    return toSentiment(c, this.sentimentOptions);
  }

  /**
   * The negative score from which a message in `language` is strongly negative (escalation, the
   * NEGATIVE_EMOTION event): `configured`, or the bar fitted for the language's sentiment model when higher
   * (`npm run fit:sentiment`: a review-trained model is sure plain questions are negative).
   */
  strongNegativeAbove(language: string | null | undefined, configured: number): number {
    return Math.max(configured, (language ? this.negativeBars[language] : undefined) ?? 0);
  }

  /** Language, intent, sentiment and entity mentions of one message (API `understand`). */
  async understand(text: string, language?: string | null, options: { intents?: IntentClassifier | null } = {}): Promise<Understanding> {
    const intents = options.intents === undefined ? this.intents : options.intents;
    return understand(
      {
        intent: (t): Promise<IntentPrediction | null> => (intents ? intents.predict(t) : Promise.resolve(null)),
        sentiment: async (t, lang) => this.classify(t, await this.sentimentModel(lang)),
        emotion: async (t, lang) => {
          const model = this.emotionModel(lang);
          return (await this.registry.has(model).catch(() => false)) ? this.classify(t, model) : null;
        },
        // A NER model only runs on languages it was trained for (an English CoNLL tagger labels Chinese
        // text at random); a language without a built model gets no tagger spans.
        entities: async (t, lang) => {
          const model = this.nerModel(lang);
          if (!(await this.registry.has(model).catch(() => false))) return [];
          const { languages } = await this.registry.spec(model);
          return languages.length === 0 || languages.includes(lang) ? this.tokenClassify(t, model) : [];
        },
      },
      text,
      language,
      this.sentimentOptions,
    );
  }

  /** Loads (and verifies) the named models, default: every model `understand` and `embed` use. */
  async ready(names: readonly string[] = Object.values(this.models)): Promise<void> {
    await Promise.all(names.map((n) => this.registry.load(n)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.embedders.values(), ...this.classifiers.values(), ...this.taggers.values()].map((p) => p.close()));
    await this.registry.close();
  }
}

/** `npm run fit:sentiment` writes it: per language, the bar a negative reading of its sentiment model must pass to escalate. */
export const SENTIMENT_THRESHOLDS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'inference', 'sentiment-thresholds.json');

export interface SentimentThresholdsFile {
  languages: Partial<Record<string, { model: string; strongNegativeAbove: number; fitted?: Record<string, unknown> }>>;
}

export function loadSentimentThresholds(file = SENTIMENT_THRESHOLDS_FILE): SentimentThresholdsFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SentimentThresholdsFile;
  } catch {
    return { languages: {} };
  }
}

/** The fitted bars whose model is the one the language is served by (a bar belongs to a model). */
function fittedNegativeBars(file: SentimentThresholdsFile, models: InferenceModelNames): Partial<Record<string, number>> {
  const served: Record<string, string> = { en: models.sentimentEn, zh: models.sentimentZh };
  const out: Partial<Record<string, number>> = {};
  for (const [language, t] of Object.entries(file.languages)) if (t && served[language] === t.model) out[language] = t.strongNegativeAbove;
  return out;
}
