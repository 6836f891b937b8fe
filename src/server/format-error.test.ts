import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError, errorCategories, errorCodes, httpStatusOf } from '../errors.js';
import { fromNeo4jError } from '../graph/graph.errors.js';
import { InferenceInputError, InferenceRunError, ModelsManifestMissingError } from '../inference/inference.errors.js';
import { invalidDocument } from '../ingestion/ingestion.errors.js';
import { createFormatError, httpGraphQLError, requestError, runWithRequestId } from './format-error.js';

/** A formatter for one mode, with the log lines it writes. */
function formatter(mode: 'production' | 'development') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const format = createFormatError(logger, { exposeFaults: mode !== 'production', requestId: () => 'req-42' });
  return { format, lines };
}

/** How Apollo hands a resolver's error to formatError: wrapped in a GraphQLError with its path. */
function fromResolver(err: Error) {
  const wrapped = new GraphQLError(err.message, { path: ['knowledgeItems'], originalError: err });
  return [wrapped.toJSON(), wrapped] as const;
}

/** A Neo4j error as the driver raises it. */
function neo4jError(code: string, message: string) {
  return Object.assign(new Error(message), { code, name: 'Neo4jError' });
}

describe('createFormatError in production', () => {
  it('a graph fault leaves as a generic message, code, category and request id; the details are logged', () => {
    const { format, lines } = formatter('production');
    const fault = fromNeo4jError(neo4jError('Neo.DatabaseError.General.UnknownError', 'disk on fire at /var/lib/neo4j'), 'knowledge/list');
    const out = format(...fromResolver(fault));
    expect(out).toEqual({
      message: errorCategories.fault.publicMessage,
      path: ['knowledgeItems'],
      extensions: { code: 'INTERNAL', category: 'fault', requestId: 'req-42' },
    });
    const sent = JSON.stringify(out);
    for (const secret of ['knowledge/list', 'Neo.DatabaseError', 'disk on fire', '/var/lib', 'stack']) expect(sent).not.toContain(secret);
    // The server log has all of it, under the request id the caller quotes.
    const logged = lines.find((l) => l.requestId === 'req-42' && l.level === 50);
    expect(logged).toMatchObject({ code: 'INTERNAL', category: 'fault', internal: { query: 'knowledge/list', neo4jCode: 'Neo.DatabaseError.General.UnknownError' } });
    expect(JSON.stringify(logged)).toContain('disk on fire');
  });

  it('an unexpected error (not an AppError) is a fault, hidden the same way', () => {
    const { format } = formatter('production');
    const out = format(...fromResolver(new TypeError("Cannot read properties of undefined (reading 'id')")));
    expect(out.message).toBe(errorCategories.fault.publicMessage);
    expect(out.extensions).toEqual({ code: 'INTERNAL', category: 'fault', requestId: 'req-42' });
  });

  it('an unavailable error (models not built) is SERVICE_UNAVAILABLE without paths or details', () => {
    const { format, lines } = formatter('production');
    const out = format(...fromResolver(new ModelsManifestMissingError('/srv/models/manifest.json')));
    expect(out).toMatchObject({ message: errorCategories.unavailable.publicMessage, extensions: { code: 'SERVICE_UNAVAILABLE', category: 'unavailable', requestId: 'req-42' } });
    expect(out.extensions).not.toHaveProperty('details');
    expect(JSON.stringify(out)).not.toContain('/srv/models');
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes('/srv/models'))).toBe(true);
  });

  it('a graph error the caller can act on keeps its message, but not the query name or Neo4j code', () => {
    const { format } = formatter('production');
    const conflict = fromNeo4jError(neo4jError('Neo.ClientError.Schema.ConstraintValidationFailed', 'Node(12) already exists with label `Knowledge`'), 'knowledge/create');
    const out = format(...fromResolver(conflict));
    expect(out).toMatchObject({ message: 'That record already exists (a uniqueness constraint was hit).', extensions: { code: 'CONFLICT', category: 'client', requestId: 'req-42' } });
    expect(JSON.stringify(out)).not.toMatch(/knowledge\/create|ConstraintValidationFailed|Node\(12\)/);
  });

  it('client errors keep their message and details (a reason the client switches on)', () => {
    const { format } = formatter('production');
    expect(format(...fromResolver(invalidDocument('empty', 'The document has no text.')))).toMatchObject({
      message: 'The document has no text.',
      extensions: { code: 'VALIDATION_FAILED', category: 'client', details: { reason: 'empty' }, requestId: 'req-42' },
    });
    expect(format(...fromResolver(new InferenceInputError('text is longer than 5000 characters.')))).toMatchObject({
      message: 'text is longer than 5000 characters.',
      extensions: { code: 'BAD_USER_INPUT', category: 'client', details: { reason: 'INFERENCE_INVALID_INPUT' } },
    });
  });

  it('errors raised before execution keep their table category (UNAUTHENTICATED is auth, not client)', () => {
    const { format } = formatter('production');
    const unauthenticated = requestError('UNAUTHENTICATED', 'The API key is not valid (unknown or revoked).');
    expect(unauthenticated.extensions).toMatchObject({ code: 'UNAUTHENTICATED', category: 'auth', http: { status: 401 } });
    const { http: _http, ...extensions } = unauthenticated.extensions;
    expect(format({ message: unauthenticated.message, extensions }, unauthenticated)).toEqual({
      message: 'The API key is not valid (unknown or revoked).',
      extensions: { code: 'UNAUTHENTICATED', category: 'auth', requestId: 'req-42' },
    });
  });

  it("maps Apollo's and armor's validation errors to client and limit codes", () => {
    const { format } = formatter('production');
    const invalid = new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format(invalid.toJSON(), invalid).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', category: 'client' });
    const deep = new GraphQLError('Syntax Error: Query depth limit of 8 exceeded, found 21.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format(deep.toJSON(), deep).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', category: 'limit' });
  });

  it('takes the request id from the request scope by default', () => {
    const logger = pino({ level: 'silent' });
    const format = createFormatError(logger, { exposeFaults: false });
    const out = runWithRequestId('from-scope', () => format(...fromResolver(new Error('boom'))));
    expect(out.extensions?.requestId).toBe('from-scope');
    expect(format(...fromResolver(new Error('boom'))).extensions).not.toHaveProperty('requestId');
  });

  it('HTTP-layer errors take their status from the table and are hidden the same way', () => {
    const { format } = formatter('production');
    expect(httpGraphQLError(format, new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than 1mb.'), 'r1')).toEqual({
      status: 413,
      body: { errors: [{ message: 'The request body is larger than 1mb.', extensions: { code: 'PAYLOAD_TOO_LARGE', category: 'limit', requestId: 'r1' } }] },
    });
    const fault = httpGraphQLError(format, new AppError('INTERNAL', 'Unhandled HTTP error: socket hang up'), 'r2');
    expect(fault).toEqual({ status: 500, body: { errors: [{ message: errorCategories.fault.publicMessage, extensions: { code: 'INTERNAL', category: 'fault', requestId: 'r2' } }] } });
  });
});

describe('createFormatError in development and test', () => {
  it('faults keep their message, details and internals for the developer', () => {
    const { format } = formatter('development');
    const fault = fromNeo4jError(neo4jError('Neo.DatabaseError.General.UnknownError', 'disk on fire'), 'knowledge/list');
    expect(format(...fromResolver(fault))).toMatchObject({
      message: 'Graph query knowledge/list failed: disk on fire',
      extensions: { code: 'INTERNAL', category: 'fault', requestId: 'req-42', internal: { query: 'knowledge/list', neo4jCode: 'Neo.DatabaseError.General.UnknownError' } },
    });
    const run = format(...fromResolver(new InferenceRunError('ORT: bad input shape')));
    expect(run).toMatchObject({ message: 'ORT: bad input shape', extensions: { code: 'INTERNAL', category: 'fault', details: { reason: 'INFERENCE_RUN_FAILED' } } });
  });
});

describe('the error table', () => {
  it('gives every code a category with a policy, and an HTTP status', () => {
    for (const [code, entry] of Object.entries(errorCodes)) {
      expect(errorCategories, code).toHaveProperty(entry.category);
      expect(httpStatusOf(code as keyof typeof errorCodes), code).toBeGreaterThanOrEqual(400);
    }
    expect([httpStatusOf('UNAUTHENTICATED'), httpStatusOf('FORBIDDEN'), httpStatusOf('RATE_LIMITED'), httpStatusOf('SERVICE_UNAVAILABLE'), httpStatusOf('INTERNAL')]).toEqual([401, 403, 429, 503, 500]);
  });

  it('maps Neo4j codes through it: transient → unavailable, timeouts → limit, unknown → fault', () => {
    expect(fromNeo4jError(neo4jError('Neo.TransientError.Transaction.DeadlockDetected', 'deadlock'), 'q')).toMatchObject({ code: 'SERVICE_UNAVAILABLE', category: 'unavailable' });
    expect(fromNeo4jError(neo4jError('Neo.ClientError.Transaction.TransactionTimedOut', 'slow'), 'q')).toMatchObject({ code: 'TIMEOUT', category: 'limit' });
    expect(fromNeo4jError(neo4jError('N/A', 'Pool is closed'), 'q')).toMatchObject({ code: 'INTERNAL', category: 'fault', internal: { query: 'q', neo4jCode: 'N/A' } });
  });
});
