import { AppError } from '../errors.js';

/** Why a document cannot be ingested. Permanent: retrying the same input fails the same way. */
export type InvalidDocumentReason =
  | 'unsupported-media-type'
  | 'invalid-base64'
  | 'too-large'
  | 'empty'
  | 'binary'
  | 'corrupt'
  | 'invalid-faq';

/**
 * The document itself is the problem (format, size, content). The queue processor turns it into a
 * BullMQ `UnrecoverableError`, so the job fails at once with this message instead of retrying.
 */
export class InvalidDocumentError extends AppError {
  override name = 'InvalidDocumentError';
  constructor(
    readonly reason: InvalidDocumentReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('VALIDATION_FAILED', message, { reason }, options);
  }
}

export const invalidDocument = (reason: InvalidDocumentReason, message: string, cause?: unknown) =>
  new InvalidDocumentError(reason, message, cause === undefined ? undefined : { cause });
