/**
 * Typed inference errors. Each carries a stable `code` (mapped to GraphQL `extensions.code` by the
 * server's error table) and a `category`: `unavailable` means the deployment is missing something an
 * operator must fix (models not built, no GPU); `overloaded` means retry later; `fault` is a bug or a
 * corrupted artefact; `invalid-input` is the caller's to fix.
 */
export type InferenceErrorCategory = 'unavailable' | 'overloaded' | 'fault' | 'invalid-input';

export type InferenceErrorCode =
  | 'MODELS_MANIFEST_MISSING'
  | 'MODELS_MANIFEST_INVALID'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_FILE_MISSING'
  | 'MODEL_CHECKSUM_MISMATCH'
  | 'MODEL_TASK_MISMATCH'
  | 'DEVICE_UNAVAILABLE'
  | 'INFERENCE_QUEUE_FULL'
  | 'INFERENCE_CLOSED'
  | 'INFERENCE_INVALID_INPUT';

/** The one command that (re)builds every model; quoted in every "models are missing" message. */
export const BUILD_MODELS_HINT = 'run `npm run models`';

export class InferenceError extends Error {
  readonly code: InferenceErrorCode;
  readonly category: InferenceErrorCategory;

  constructor(code: InferenceErrorCode, category: InferenceErrorCategory, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.category = category;
  }
}

export class ModelsManifestMissingError extends InferenceError {
  constructor(readonly manifestPath: string) {
    super(
      'MODELS_MANIFEST_MISSING',
      'unavailable',
      `No model manifest at ${manifestPath}: the models have not been built — ${BUILD_MODELS_HINT} (models dir is ANSWERGRAPH_MODELS_DIR).`,
    );
  }
}

export class ModelsManifestInvalidError extends InferenceError {
  constructor(readonly manifestPath: string, detail: string) {
    super(
      'MODELS_MANIFEST_INVALID',
      'fault',
      `Model manifest ${manifestPath} is invalid (${detail}) — ${BUILD_MODELS_HINT} to rebuild it.`,
    );
  }
}

export class ModelNotFoundError extends InferenceError {
  constructor(readonly modelName: string, readonly modelsDir: string, available: readonly string[]) {
    super(
      'MODEL_NOT_FOUND',
      'unavailable',
      `Model "${modelName}" is not in ${modelsDir}/manifest.json (available: ${available.length > 0 ? available.join(', ') : 'none'}) — ${BUILD_MODELS_HINT}.`,
    );
  }
}

export class ModelFileMissingError extends InferenceError {
  constructor(readonly modelName: string, readonly filePath: string) {
    super(
      'MODEL_FILE_MISSING',
      'unavailable',
      `Model "${modelName}" is listed in the manifest but ${filePath} is missing — ${BUILD_MODELS_HINT}.`,
    );
  }
}

export class ModelChecksumMismatchError extends InferenceError {
  constructor(readonly modelName: string, readonly filePath: string, readonly expected: string, readonly actual: string) {
    super(
      'MODEL_CHECKSUM_MISMATCH',
      'fault',
      `Model "${modelName}": sha256 of ${filePath} is ${actual}, the manifest expects ${expected} (corrupted or partially written) — ${BUILD_MODELS_HINT} to rebuild it.`,
    );
  }
}

export class ModelTaskMismatchError extends InferenceError {
  constructor(readonly modelName: string, expected: string, actual: string) {
    super('MODEL_TASK_MISMATCH', 'fault', `Model "${modelName}" has task "${actual}", this pipeline needs "${expected}".`);
  }
}

export class DeviceUnavailableError extends InferenceError {
  constructor(readonly device: string, detail: string, options?: { cause?: unknown }) {
    super(
      'DEVICE_UNAVAILABLE',
      'unavailable',
      `Inference device "${device}" was demanded but is not available: ${detail}. Use device "cpu" (or "auto" to fall back to CPU).`,
      options,
    );
  }
}

export class InferenceQueueFullError extends InferenceError {
  constructor(readonly queueName: string, readonly maxQueue: number) {
    super(
      'INFERENCE_QUEUE_FULL',
      'overloaded',
      `Inference queue "${queueName}" is full (${maxQueue} pending items); retry later.`,
    );
  }
}

export class InferenceClosedError extends InferenceError {
  constructor(what: string) {
    super('INFERENCE_CLOSED', 'fault', `${what} has been closed.`);
  }
}

export class InferenceInputError extends InferenceError {
  constructor(message: string) {
    super('INFERENCE_INVALID_INPUT', 'invalid-input', message);
  }
}
