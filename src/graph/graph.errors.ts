import { AppError, type ErrorCode } from '../errors.js';

const timeouts = new Set(['Neo.ClientError.Transaction.TransactionTimedOut', 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration']);

/**
 * Neo4j status codes → API error codes (src/errors.ts, whose table gives the category). First match wins;
 * any other code is INTERNAL. Messages are written for the caller; the query name, the Neo4j code and the
 * driver's message go to `internal`, which is logged and never sent in production.
 */
export const neo4jErrorTable: ReadonlyArray<{ match: (neo4jCode: string) => boolean; code: ErrorCode; message: (driverMessage: string) => string }> = [
  { match: (c) => c === 'Neo.ClientError.Schema.ConstraintValidationFailed', code: 'CONFLICT', message: () => 'That record already exists (a uniqueness constraint was hit).' },
  {
    match: (c) => c === 'Neo.ClientError.Security.Unauthorized' || c === 'Neo.ClientError.Security.AuthenticationRateLimit',
    code: 'SERVICE_UNAVAILABLE',
    message: (m) => `Neo4j refused our credentials: ${m}`,
  },
  {
    match: (c) => c === 'ServiceUnavailable' || c === 'SessionExpired' || c.startsWith('Neo.TransientError.') || c === 'Neo.ClientError.Database.DatabaseNotFound',
    code: 'SERVICE_UNAVAILABLE',
    message: (m) => `The graph database is unavailable: ${m}`,
  },
  { match: (c) => timeouts.has(c), code: 'TIMEOUT', message: () => 'The graph query took too long and was stopped.' },
];

/** Maps a Neo4j error to our typed errors (the cause travels with it). */
export function fromNeo4jError(err: unknown, queryName: string): AppError {
  const neo4jCode = typeof err === 'object' && err !== null && 'code' in err ? String((err).code) : '';
  const driverMessage = err instanceof Error ? err.message : String(err);
  const internal = { query: queryName, ...(neo4jCode ? { neo4jCode } : {}) };
  const hit = neo4jErrorTable.find((row) => row.match(neo4jCode));
  if (hit) return new AppError(hit.code, hit.message(driverMessage), undefined, { cause: err, internal });
  return new AppError('INTERNAL', `Graph query ${queryName} failed: ${driverMessage}`, undefined, { cause: err, internal });
}
