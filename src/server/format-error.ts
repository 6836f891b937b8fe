import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AppError, errorCodes } from '../errors.js';

/** graphql-armor rejects in validation; its messages say which limit was hit. */
const armorLimit = /(depth limit|Aliases limit|Query Cost limit|Token limit|Directives limit)/i;

/**
 * The one table from errors to GraphQL responses: every error leaves with `extensions.code`.
 * AppErrors keep their message (they are written for the caller); faults are logged with their
 * cause and leave as INTERNAL with a generic message.
 */
export function createFormatError(logger: Logger, opts: { exposeFaults: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      if (original.category === 'fault' || original.category === 'unavailable') {
        logger.error({ err: original.cause ?? original, code: original.code, path: formatted.path }, original.message);
      }
      const message = original.category === 'fault' && !opts.exposeFaults ? 'Internal error; it has been logged.' : original.message;
      return {
        ...formatted,
        message,
        extensions: { code: original.code, category: original.category, ...(original.details ? { details: original.details } : {}) },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      // Apollo's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, ...), or armor's limits.
      const limited = armorLimit.test(formatted.message);
      // armor's token counter parses the document itself, so real syntax errors surface from its validation step.
      const syntax = !limited && formatted.message.startsWith('Syntax Error');
      const mapped = limited ? 'QUERY_TOO_COMPLEX' : syntax ? 'GRAPHQL_PARSE_FAILED' : code;
      return { ...formatted, extensions: { ...formatted.extensions, code: mapped, category: limited ? 'limit' : 'client' } };
    }
    if (original instanceof GraphQLError && !original.originalError && armorLimit.test(original.message)) {
      return { ...formatted, extensions: { code: 'QUERY_TOO_COMPLEX', category: 'limit' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return {
      message: opts.exposeFaults ? formatted.message : 'Internal error; it has been logged.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL', category: errorCodes.INTERNAL },
    };
  };
}

/** A JSON body in GraphQL's response shape, for errors raised before GraphQL runs (HTTP layer). */
export function httpGraphQLError(code: keyof typeof errorCodes, message: string) {
  return { errors: [{ message, extensions: { code, category: errorCodes[code] } }] };
}
