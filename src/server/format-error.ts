import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AppError, categoryOf, errorCategories, httpStatusOf, isErrorCode, type ErrorCategory, type ErrorCode } from '../errors.js';
import { currentRequest, runInRequest } from '../graph/query-scope.js';

/** graphql-armor rejects in validation; its messages say which limit was hit. */
const armorLimit = /(depth limit|Aliases limit|Query Cost limit|Token limit|Directives limit)/i;

/**
 * The request id (pino-http's `x-request-id`) of the HTTP request being served, for the formatter: the
 * request scope of src/graph/query-scope.ts, which also puts it in the metadata of the request's transactions.
 */
export const runWithRequestId = <T>(requestId: string, fn: () => T): T => runInRequest({ requestId }, fn);
export const currentRequestId = (): string | undefined => currentRequest()?.requestId;

export interface FormatErrorOptions {
  /**
   * Development and test: unavailable and fault errors keep their message, details and internals.
   * Production: they leave with their category's generic message, code, category and request id only.
   */
  exposeFaults: boolean;
  /** The current request id; by default the one {@link runWithRequestId} set. */
  requestId?: () => string | undefined;
}

/** What the formatter knows of an error before it decides what the caller sees. */
interface Described {
  code: string;
  category: ErrorCategory;
  message: string;
  details?: Record<string, unknown>;
  internal?: Record<string, unknown>;
  /** Extensions of a GraphQLError we did not raise (Apollo's, armor's) that may go to the caller. */
  extensions?: Record<string, unknown>;
  cause: unknown;
}

function describe(formatted: GraphQLFormattedError, error: unknown): Described {
  const unwrapped = unwrapResolverError(error);
  // Context-creation errors keep their AppError as originalError but have no path, so Apollo does not unwrap them.
  const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof AppError ? unwrapped.originalError : unwrapped;
  if (original instanceof AppError) {
    return { code: original.code, category: original.category, message: original.message, details: original.details, internal: original.internal, cause: original.cause ?? original };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // Apollo's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, ...), armor's limits, ours from the HTTP layer.
    const limited = armorLimit.test(formatted.message);
    // armor's token counter parses the document itself, so real syntax errors surface from its validation step.
    const syntax = !limited && formatted.message.startsWith('Syntax Error');
    const mapped = limited ? 'QUERY_TOO_COMPLEX' : syntax ? 'GRAPHQL_PARSE_FAILED' : code;
    return { code: mapped, category: isErrorCode(mapped) ? categoryOf(mapped) : 'client', message: formatted.message, extensions: formatted.extensions, cause: original };
  }
  if (original instanceof GraphQLError && !original.originalError && armorLimit.test(original.message)) {
    return { code: 'QUERY_TOO_COMPLEX', category: 'limit', message: formatted.message, cause: original };
  }
  return { code: 'INTERNAL', category: 'fault', message: formatted.message, cause: original };
}

/**
 * The one way errors leave the API (GraphQL over HTTP, subscriptions, the HTTP layer): every error gets
 * `extensions.code`, `extensions.category` (src/errors.ts) and, within a request, `extensions.requestId`.
 * Client, auth and limit errors keep their message and details (they are written for the caller).
 * Unavailable and fault errors are logged at error with their cause and internals under the request id;
 * in production the caller gets only the category's generic message, the code, category and request id.
 */
export function createFormatError(logger: Logger, opts: FormatErrorOptions) {
  const requestIdNow = opts.requestId ?? currentRequestId;
  return (formatted: GraphQLFormattedError, error: unknown, requestId: string | undefined = requestIdNow()): GraphQLFormattedError => {
    const e = describe(formatted, error);
    const policy: { logLevel: 'debug' | 'error'; hiddenInProduction: boolean; publicMessage?: string } = errorCategories[e.category];
    const log = { err: e.cause, code: e.code, category: e.category, requestId, path: formatted.path, ...(e.internal ? { internal: e.internal } : {}) };
    if (policy.logLevel === 'error') logger.error(log, e.message);
    else logger.debug({ code: e.code, category: e.category, requestId, path: formatted.path }, e.message);
    const hide = policy.hiddenInProduction && !opts.exposeFaults;
    const extensions = {
      ...(!hide && e.extensions ? e.extensions : {}),
      code: e.code,
      category: e.category,
      ...(requestId ? { requestId } : {}),
      ...(!hide && e.details ? { details: e.details } : {}),
      ...(opts.exposeFaults && e.internal ? { internal: e.internal } : {}),
    };
    return {
      message: hide ? (policy.publicMessage ?? 'Internal error; it has been logged.') : e.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  };
}

export type FormatError = ReturnType<typeof createFormatError>;

/** A GraphQLError for the errors raised before execution (authentication, rate limits): extensions and HTTP status from the table. */
export function requestError(code: ErrorCode, message: string, headers?: ReadonlyMap<string, string>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, category: categoryOf(code), http: { status: httpStatusOf(code), ...(headers ? { headers: new Map(headers) } : {}) } },
  });
}

/**
 * A JSON body in GraphQL's response shape and its HTTP status, for errors raised before GraphQL runs
 * (HTTP layer). Goes through the same formatter, so production hides faults here too.
 */
export function httpGraphQLError(format: FormatError, error: AppError, requestId?: string): { status: number; body: { errors: GraphQLFormattedError[] } } {
  return { status: httpStatusOf(error.code), body: { errors: [format({ message: error.message }, error, requestId)] } };
}
