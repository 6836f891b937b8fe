import { AppError } from '../errors.js';
import { anyRole, builder } from '../schema/builder.js';
import type { Understood } from './understanding.js';
import { EmotionPredictionRef, EntityMentionRef, IntentPredictionRef, SentimentPredictionRef } from './understanding.schema.js';

const MAX_TEXT = 5_000;

const UnderstandingRef = builder.objectRef<Understood>('Understanding').implement({
  description: 'What the models read in one message: language, intent, sentiment, emotion and entity mentions.',
  fields: (t) => ({
    language: t.exposeString('language', { description: 'BCP-47 primary tag, e.g. "en", "zh".' }),
    intent: t.field({ type: IntentPredictionRef, nullable: true, resolve: (u) => u.intent ?? null }),
    sentiment: t.field({ type: SentimentPredictionRef, resolve: (u) => u.sentiment }),
    emotion: t.field({ type: EmotionPredictionRef, nullable: true, description: 'Null when no emotion model is installed for the language.', resolve: (u) => u.emotion }),
    entities: t.field({ type: [EntityMentionRef], description: 'Offsets index the PII-masked text.', resolve: (u) => u.mentions }),
    maskedText: t.exposeString('text', { description: 'The text as the platform stores it: personal data masked.' }),
  }),
});

builder.queryField('understand', (t) =>
  t.field({
    type: UnderstandingRef,
    authScopes: { role: anyRole },
    description: 'Language, intent (with out-of-scope), sentiment, emotion and entity mentions of a text, in one batched pass.',
    args: { text: t.arg.string({ required: true }), language: t.arg.string() },
    resolve: (_r, args, ctx) => {
      if (args.text.length > MAX_TEXT) throw new AppError('BAD_USER_INPUT', `text is longer than ${MAX_TEXT} characters.`);
      return ctx.services.dialogue.understander.understand(args.text, args.language);
    },
  }),
);
