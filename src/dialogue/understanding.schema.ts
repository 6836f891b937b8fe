import type { EmotionPrediction, EntityMention, IntentPrediction, SentimentPrediction } from '../inference/index.js';
import { builder } from '../schema/builder.js';

/** Types of the contract's `Understanding`, shared by answers and messages. */
export const IntentPredictionRef = builder.objectRef<IntentPrediction>('IntentPrediction').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    confidence: t.exposeFloat('confidence'),
    outOfScope: t.exposeBoolean('outOfScope', { description: 'True when the confidence is below the tuned threshold; name is then the best in-scope guess.' }),
  }),
});

export const SentimentPredictionRef = builder.objectRef<SentimentPrediction>('SentimentPrediction').implement({
  fields: (t) => ({
    label: t.exposeString('label', { description: 'positive, negative or neutral.' }),
    score: t.exposeFloat('score'),
  }),
});

export const EmotionPredictionRef = builder.objectRef<EmotionPrediction>('EmotionPrediction').implement({
  description: 'One of six emotions, the same set in every language: neutral, happy, angry, sad, fear, surprise.',
  fields: (t) => ({
    label: t.exposeString('label'),
    score: t.exposeFloat('score', { description: "The emotion model's probability of the label." }),
  }),
});

export const EntityMentionRef = builder.objectRef<EntityMention>('EntityMention').implement({
  fields: (t) => ({
    text: t.exposeString('text'),
    type: t.exposeString('type'),
    start: t.exposeInt('start'),
    end: t.exposeInt('end'),
    entityId: t.id({ nullable: true, resolve: (m) => m.entityId }),
  }),
});
