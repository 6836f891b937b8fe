/**
 * The one error model of the API. Every error the API returns carries a stable `code` (GraphQL
 * `extensions.code`) from {@link errorCodes}, and the code decides its category; the category decides
 * how the error leaves ({@link errorCategories}): HTTP status, log level, and whether production hides
 * its message and details. `src/server/format-error.ts` applies both tables; `docs/errors.md` explains them.
 *  - client, auth, limit: expected and user-actionable; the message is written for the caller and is sent as is.
 *  - unavailable: something the request needs is down or overloaded (retry later; operators are alerted).
 *  - fault: our bug or corrupted data. In production both unavailable and fault leave with a generic
 *    message, their code and category and the request id; everything else is logged with that id.
 */
export type ErrorCategory = 'client' | 'auth' | 'limit' | 'unavailable' | 'fault';

export interface CategoryPolicy {
  /** The response status when the error decides it (HTTP layer, authentication, rate limits); codes may refine it. */
  readonly httpStatus: number;
  /** Level of the server-side log line the formatter writes. */
  readonly logLevel: 'debug' | 'error';
  /** Production sends `publicMessage` instead of the message, and no details. */
  readonly hiddenInProduction: boolean;
  readonly publicMessage?: string;
}

export const errorCategories = {
  client: { httpStatus: 400, logLevel: 'debug', hiddenInProduction: false },
  auth: { httpStatus: 403, logLevel: 'debug', hiddenInProduction: false },
  limit: { httpStatus: 429, logLevel: 'debug', hiddenInProduction: false },
  unavailable: {
    httpStatus: 503,
    logLevel: 'error',
    hiddenInProduction: true,
    publicMessage: 'The service is unavailable right now; retry shortly (quote the request id if it persists).',
  },
  fault: { httpStatus: 500, logLevel: 'error', hiddenInProduction: true, publicMessage: 'Internal error; it has been logged (quote the request id).' },
} as const satisfies Record<ErrorCategory, CategoryPolicy>;

/**
 * Every code the API returns, with its category (and an HTTP status where it is more precise than the
 * category's). Domain errors pick one of these codes; a finer reason goes in `details.reason`
 * (e.g. `InvalidDocumentError`, `InferenceError`).
 */
export const errorCodes = {
  BAD_USER_INPUT: { category: 'client' },
  VALIDATION_FAILED: { category: 'client', httpStatus: 422 },
  NOT_FOUND: { category: 'client', httpStatus: 404 },
  CONFLICT: { category: 'client', httpStatus: 409 },
  /** Apollo's own: the document does not parse or does not validate against the schema. */
  GRAPHQL_PARSE_FAILED: { category: 'client' },
  GRAPHQL_VALIDATION_FAILED: { category: 'client' },
  UNAUTHENTICATED: { category: 'auth', httpStatus: 401 },
  FORBIDDEN: { category: 'auth' },
  QUERY_TOO_COMPLEX: { category: 'limit', httpStatus: 400 },
  PAYLOAD_TOO_LARGE: { category: 'limit', httpStatus: 413 },
  RATE_LIMITED: { category: 'limit' },
  TIMEOUT: { category: 'limit', httpStatus: 504 },
  SERVICE_UNAVAILABLE: { category: 'unavailable' },
  INTERNAL: { category: 'fault' },
} as const satisfies Record<string, { category: ErrorCategory; httpStatus?: number }>;

export type ErrorCode = keyof typeof errorCodes;

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(errorCodes, code);
export const categoryOf = (code: ErrorCode): ErrorCategory => errorCodes[code].category;
export const httpStatusOf = (code: ErrorCode): number => {
  const entry: { category: ErrorCategory; httpStatus?: number } = errorCodes[code];
  return entry.httpStatus ?? errorCategories[entry.category].httpStatus;
};

export class AppError extends Error {
  override name = 'AppError';
  readonly category: ErrorCategory;
  /** For the server log only (query names, driver codes, paths): never sent to a client in production. */
  readonly internal?: Record<string, unknown>;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Sent to the caller in `extensions.details` (except for unavailable and fault errors in production). */
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown; internal?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.category = categoryOf(code);
    if (options?.internal) this.internal = options.internal;
  }
}

export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist`, { id });
export const badInput = (message: string, details?: Record<string, unknown>) => new AppError('BAD_USER_INPUT', message, details);
