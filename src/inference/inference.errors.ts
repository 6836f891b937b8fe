import { AppError, type ErrorCode } from '../errors.js';

/**
 * Typed inference errors. They are AppErrors (src/errors.ts): each failure has a `reason` (its own
 * stable name, also sent in `extensions.details.reason` where details are sent) and is reported under the
 * API code {@link inferenceErrorCodes} gives it, whose category says who acts: SERVICE_UNAVAILABLE
 * (`unavailable`) means the deployment is missing something an operator must fix (models not built, no
 * GPU) or is overloaded or shutting down (retry later); INTERNAL (`fault`) is a bug or a corrupted
 * artefact; BAD_USER_INPUT (`client`) is the caller's to fix.
 */
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
  | 'INFERENCE_INVALID_INPUT'
  | 'INFERENCE_RUN_FAILED'
  | 'INTENT_SNAPSHOT_INVALID';

/** The API code (and so the category, src/errors.ts) each inference failure is reported as. */
export const inferenceErrorCodes = {
  MODELS_MANIFEST_MISSING: 'SERVICE_UNAVAILABLE',
  MODELS_MANIFEST_INVALID: 'INTERNAL',
  MODEL_NOT_FOUND: 'SERVICE_UNAVAILABLE',
  MODEL_FILE_MISSING: 'SERVICE_UNAVAILABLE',
  MODEL_CHECKSUM_MISMATCH: 'INTERNAL',
  MODEL_TASK_MISMATCH: 'INTERNAL',
  DEVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // Overloaded: this replica refuses more work for now; a retry (or another replica) succeeds.
  INFERENCE_QUEUE_FULL: 'SERVICE_UNAVAILABLE',
  // Sessions close when the process shuts down; a request caught in it is retried elsewhere.
  INFERENCE_CLOSED: 'SERVICE_UNAVAILABLE',
  INFERENCE_INVALID_INPUT: 'BAD_USER_INPUT',
  INFERENCE_RUN_FAILED: 'INTERNAL',
  INTENT_SNAPSHOT_INVALID: 'INTERNAL',
} as const satisfies Record<InferenceErrorCode, ErrorCode>;

/** The one command that (re)builds every model; quoted in every "models are missing" message. */
export const BUILD_MODELS_HINT = 'run `npm run models`';

export class InferenceError extends AppError {
  constructor(
    readonly reason: InferenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(inferenceErrorCodes[reason], message, { reason }, options);
    this.name = new.target.name;
  }
}

export class ModelsManifestMissingError extends InferenceError {
  constructor(readonly manifestPath: string) {
    super(
      'MODELS_MANIFEST_MISSING',
      `No model manifest at ${manifestPath}: the models have not been built — ${BUILD_MODELS_HINT} (models dir is ANSWERGRAPH_MODELS_DIR).`,
    );
  }
}

export class ModelsManifestInvalidError extends InferenceError {
  constructor(readonly manifestPath: string, detail: string) {
    super(
      'MODELS_MANIFEST_INVALID',
      `Model manifest ${manifestPath} is invalid (${detail}) — ${BUILD_MODELS_HINT} to rebuild it.`,
    );
  }
}

export class ModelNotFoundError extends InferenceError {
  constructor(readonly modelName: string, readonly modelsDir: string, available: readonly string[]) {
    super(
      'MODEL_NOT_FOUND',
      `Model "${modelName}" is not in ${modelsDir}/manifest.json (available: ${available.length > 0 ? available.join(', ') : 'none'}) — ${BUILD_MODELS_HINT}.`,
    );
  }
}

export class ModelFileMissingError extends InferenceError {
  constructor(readonly modelName: string, readonly filePath: string) {
    super(
      'MODEL_FILE_MISSING',
      `Model "${modelName}" is listed in the manifest but ${filePath} is missing — ${BUILD_MODELS_HINT}.`,
    );
  }
}

export class ModelChecksumMismatchError extends InferenceError {
  constructor(readonly modelName: string, readonly filePath: string, readonly expected: string, readonly actual: string) {
    super(
      'MODEL_CHECKSUM_MISMATCH',
      `Model "${modelName}": sha256 of ${filePath} is ${actual}, the manifest expects ${expected} (corrupted or partially written) — ${BUILD_MODELS_HINT} to rebuild it.`,
    );
  }
}

export class ModelTaskMismatchError extends InferenceError {
  constructor(readonly modelName: string, expected: string, actual: string) {
    super('MODEL_TASK_MISMATCH', `Model "${modelName}" has task "${actual}", this pipeline needs "${expected}".`);
  }
}

export class DeviceUnavailableError extends InferenceError {
  constructor(readonly device: string, detail: string, options?: { cause?: unknown }) {
    super(
      'DEVICE_UNAVAILABLE',
      `Inference device "${device}" was demanded but is not available: ${detail}. Use device "cpu" (or "auto" to fall back to CPU).`,
      options,
    );
  }
}

export class InferenceQueueFullError extends InferenceError {
  constructor(readonly queueName: string, readonly maxQueue: number) {
    super(
      'INFERENCE_QUEUE_FULL',
      `Inference queue "${queueName}" is full (${maxQueue} pending items); retry later.`,
    );
  }
}

export class InferenceClosedError extends InferenceError {
  constructor(what: string) {
    super('INFERENCE_CLOSED', `${what} has been closed.`);
  }
}

export class InferenceInputError extends InferenceError {
  constructor(message: string) {
    super('INFERENCE_INVALID_INPUT', message);
  }
}

/** A model run failed (the ONNX runtime raised, or its worker thread died). */
export class InferenceRunError extends InferenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INFERENCE_RUN_FAILED', message, options);
  }
}
