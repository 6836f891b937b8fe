import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { AppError } from '../errors.js';

/**
 * Bounds every query and mutation root field: past `ms` the caller gets a TIMEOUT error instead of
 * waiting. (The work underneath is bounded too: Neo4j transactions carry their own timeout.)
 * Subscription fields are long-lived by design and are left alone.
 */
export function withResolverTimeout(schema: GraphQLSchema, ms: number): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.QUERY_ROOT_FIELD]: (field, fieldName) => wrap(field, fieldName, ms),
    [MapperKind.MUTATION_ROOT_FIELD]: (field, fieldName) => wrap(field, fieldName, ms),
  });
}

function wrap<F extends { resolve?: (...args: never[]) => unknown }>(field: F, fieldName: string, ms: number): F {
  const resolve = (field.resolve ?? defaultFieldResolver) as (...args: unknown[]) => unknown;
  return {
    ...field,
    resolve: (...args: unknown[]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new AppError('TIMEOUT', `${fieldName} took longer than ${ms} ms and was stopped.`)), ms);
        timer.unref();
      });
      return Promise.race([Promise.resolve(resolve(...args)), timeout]).finally(() => clearTimeout(timer));
    },
  };
}
