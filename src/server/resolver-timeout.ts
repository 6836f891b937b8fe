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

type Resolver = (...args: unknown[]) => unknown;

function wrap<F extends { resolve?: (...args: never[]) => unknown }>(field: F, fieldName: string, ms: number): F {
  const resolve = (field.resolve ?? defaultFieldResolver) as Resolver;
  return { ...field, resolve: (...args: unknown[]) => withTimeout(resolve, args, fieldName, ms) };
}

/**
 * Runs `resolve` under a deadline. Synchronous results and throws are passed through untouched (no
 * timer is armed for them), and exactly one promise exists per call, so an early throw can never leave
 * a timer behind that rejects later with nobody listening.
 */
export function withTimeout(resolve: Resolver, args: unknown[], fieldName: string, ms: number): unknown {
  const result = resolve(...args);
  if (!isPromiseLike(result)) return result;
  return new Promise((fulfil, reject) => {
    const timer = setTimeout(
      () => reject(new AppError('TIMEOUT', `${fieldName} took longer than ${ms} ms and was stopped.`)),
      ms,
    );
    timer.unref();
    result.then(
      (value) => {
        clearTimeout(timer);
        fulfil(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
