export { MicroBatcher, planBatches, type BatcherStats, type MicroBatcherOptions } from './batcher.js';
export { EmbeddingPipeline, prefixed, type EmbeddingPipelineOptions, type EmbedRole } from './embedding.pipeline.js';
export type { PipelineOptions } from './pipeline-model.js';
export { aggregateEntities, type EntitySpan, type LabelledToken } from './entity-aggregation.js';
export * from './inference.errors.js';
export { nerTargets, type TextSpan } from './ner-gate.js';
export { entityTypeOfNerLabel } from './ner-labels.js';
export { InferenceService, type InferenceModelNames, type InferenceServiceOptions } from './inference.service.js';
export {
  IntentClassifier,
  IntentSnapshotError,
  chooseThreshold,
  type Embedder,
  type IntentClassifierOptions,
  type IntentExamples,
  type IntentPrediction,
  type ThresholdTuning,
} from './intent-classifier.js';
export { detectLanguage, primaryLanguage } from './language.js';
export { readManifest, type ModelSpec, type ModelsManifest, type ModelTask } from './manifest.js';
export { ModelRegistry, cudaProviderInstalled, type InferenceDevice, type LoadedModel, type ModelRegistryOptions } from './model-registry.js';
export type { SessionIsolation } from './model-session.js';
export { TextClassificationPipeline, type Classification, type TextVector } from './text-classification.pipeline.js';
export { TokenClassificationPipeline } from './token-classification.pipeline.js';
export { alignTokens, type AlignedToken, type TokenOffset } from './token-alignment.js';
export { EMOTIONS, toEmotion, toSentiment, understand, type EmotionLabel, type EmotionPrediction, type EntityMention, type SentimentLabel, type SentimentPrediction, type Understanding } from './understand.js';
