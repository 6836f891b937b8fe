import { AppError } from '../errors.js';

/** Maps Neo4j status codes to our typed errors. Unknown codes are faults (they carry the cause). */
export function fromNeo4jError(err: unknown, queryName: string): AppError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new AppError('CONFLICT', 'That record already exists (a uniqueness constraint was hit).', { query: queryName }, { cause: err });
  }
  if (code === 'Neo.ClientError.Security.Unauthorized' || code === 'Neo.ClientError.Security.AuthenticationRateLimit') {
    return new AppError('SERVICE_UNAVAILABLE', `Neo4j refused our credentials: ${message}`, { query: queryName }, { cause: err });
  }
  if (
    code === 'ServiceUnavailable' ||
    code === 'SessionExpired' ||
    code.startsWith('Neo.TransientError.') ||
    code === 'Neo.ClientError.Database.DatabaseNotFound'
  ) {
    return new AppError('SERVICE_UNAVAILABLE', `The graph database is unavailable: ${message}`, { query: queryName, neo4jCode: code }, { cause: err });
  }
  if (code === 'Neo.ClientError.Transaction.TransactionTimedOut' || code === 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration') {
    return new AppError('TIMEOUT', 'The graph query took too long and was stopped.', { query: queryName }, { cause: err });
  }
  return new AppError('INTERNAL', `Graph query ${queryName} failed: ${message}`, { query: queryName, neo4jCode: code || undefined }, { cause: err });
}
