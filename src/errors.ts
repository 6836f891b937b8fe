/**
 * Every error the API can return carries a stable `code` (GraphQL `extensions.code`) and a category.
 * Client errors are expected and user-actionable; they are logged at info and never sent to error tracking.
 * Faults are our problem: logged at error, returned with a generic message.
 */
export type ErrorCategory = 'client' | 'auth' | 'limit' | 'fault' | 'unavailable';

export const errorCodes = {
  BAD_USER_INPUT: 'client',
  VALIDATION_FAILED: 'client',
  NOT_FOUND: 'client',
  CONFLICT: 'client',
  UNAUTHENTICATED: 'auth',
  FORBIDDEN: 'auth',
  QUERY_TOO_COMPLEX: 'limit',
  PAYLOAD_TOO_LARGE: 'limit',
  RATE_LIMITED: 'limit',
  TIMEOUT: 'limit',
  SERVICE_UNAVAILABLE: 'unavailable',
  INTERNAL: 'fault',
} as const satisfies Record<string, ErrorCategory>;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  override name = 'AppError';
  readonly category: ErrorCategory;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.category = errorCodes[code];
  }
}

export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist`, { id });
export const badInput = (message: string, details?: Record<string, unknown>) => new AppError('BAD_USER_INPUT', message, details);
