import type { EntitySpan } from './entity-aggregation.js';
import type { IntentPrediction } from './intent-classifier.js';
import { detectLanguage, primaryLanguage } from './language.js';
import type { Classification } from './text-classification.pipeline.js';

/** `Understanding` of API-CONTRACT.md. */
export interface Understanding {
  /** BCP-47 primary tag, e.g. `en`, `zh`; `und` when the text has no letters. */
  language: string;
  /** Null when the tenant has no intents loaded. */
  intent: IntentPrediction | null;
  sentiment: SentimentPrediction;
  /** Null when no emotion model is installed for the language. */
  emotion: EmotionPrediction | null;
  entities: EntityMention[];
}

/** The six emotions both languages' emotion models share (training/train_emotion.py). */
export const EMOTIONS = ['neutral', 'happy', 'angry', 'sad', 'fear', 'surprise'] as const;
export type EmotionLabel = (typeof EMOTIONS)[number];

export interface EmotionPrediction {
  label: EmotionLabel;
  score: number;
}

/** An emotion model's output as one of {@link EMOTIONS} (its most probable class); null for a label outside the set. */
export function toEmotion(c: Classification): EmotionPrediction | null {
  return (EMOTIONS as readonly string[]).includes(c.label) ? { label: c.label as EmotionLabel, score: c.score } : null;
}

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

export interface SentimentPrediction {
  label: SentimentLabel;
  score: number;
}

export interface EntityMention {
  text: string;
  type: string;
  start: number;
  end: number;
  /** Graph entity this mention links to; linking is the caller's (null here). */
  entityId: string | null;
}

/** What `understand` needs from the models; {@link InferenceService} provides it, tests can stub it. */
export interface UnderstandingModels {
  sentiment(text: string, language: string): Promise<Classification>;
  /** The emotion model's output, or null when the language has none. */
  emotion?(text: string, language: string): Promise<Classification | null>;
  entities(text: string, language: string): Promise<EntitySpan[]>;
  intent(text: string): Promise<IntentPrediction | null>;
}

export interface SentimentMappingOptions {
  /**
   * For a two-class (positive/negative) model: below this top probability the message is `neutral`.
   * Default 0.7.
   */
  binaryNeutralBelow?: number;
}

const POSITIVE = /^(pos|positive|label_?pos)$/iu;
const NEGATIVE = /^(neg|negative|label_?neg)$/iu;

function polarityOf(label: string): SentimentLabel {
  if (POSITIVE.test(label)) return 'positive';
  if (NEGATIVE.test(label)) return 'negative';
  return 'neutral';
}

/**
 * Maps a sentiment model's output to positive | negative | neutral. Three-class models map directly
 * (any label that is not positive/negative — `neutral`, `ambiguous` — is neutral, probabilities summed).
 * A two-class model has no neutral class, so a message it is unsure about is neutral: top probability
 * below `binaryNeutralBelow`; its score is then `1 − |p(pos) − p(neg)|`.
 */
export function toSentiment(c: Classification, options: SentimentMappingOptions = {}): SentimentPrediction {
  const sums: Record<SentimentLabel, number> = { positive: 0, negative: 0, neutral: 0 };
  let hasNeutralClass = false;
  for (const [label, p] of Object.entries(c.scores)) {
    const polarity = polarityOf(label);
    if (polarity === 'neutral') hasNeutralClass = true;
    sums[polarity] += p;
  }
  if (!hasNeutralClass) {
    const top: SentimentLabel = sums.positive >= sums.negative ? 'positive' : 'negative';
    const p = sums[top];
    if (p < (options.binaryNeutralBelow ?? 0.7)) return { label: 'neutral', score: 1 - Math.abs(sums.positive - sums.negative) };
    return { label: top, score: p };
  }
  const label = (Object.keys(sums) as SentimentLabel[]).reduce((a, b) => (sums[b] > sums[a] ? b : a));
  return { label, score: sums[label] };
}

/**
 * Language → intent, sentiment, emotion and entity mentions of one message. The model calls run
 * concurrently; each goes through its model's micro-batcher, so concurrent `understand` calls share
 * batches.
 */
export async function understand(
  models: UnderstandingModels,
  text: string,
  language?: string | null,
  options: SentimentMappingOptions = {},
): Promise<Understanding> {
  const lang = language ? primaryLanguage(language) : detectLanguage(text);
  const [intent, sentiment, emotion, spans] = await Promise.all([
    models.intent(text),
    models.sentiment(text, lang),
    models.emotion ? models.emotion(text, lang) : Promise.resolve(null),
    models.entities(text, lang),
  ]);
  return {
    language: lang,
    intent,
    sentiment: toSentiment(sentiment, options),
    emotion: emotion ? toEmotion(emotion) : null,
    entities: spans.map((s) => ({ text: s.text, type: s.type, start: s.start, end: s.end, entityId: null })),
  };
}
