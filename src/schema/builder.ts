import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { roles, visibilities, knowledgeStatuses, type Role } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { authenticated: boolean; role: readonly Role[] };
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date | string };
  };
  /** Every connection resolves through offsetConnection (pagination.ts), which counts the matches. */
  Connection: { totalCount: number };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, DataloaderPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.viewer.role !== null,
      role: (allowed) => ctx.viewer.role !== null && allowed.includes(ctx.viewer.role),
    }),
    // Anonymous callers are told to authenticate; authenticated ones that lack the role are forbidden.
    unauthorizedError: (_parent, ctx, info) =>
      ctx.viewer.role === null
        ? new AppError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <key>.')
        : new AppError('FORBIDDEN', `Role ${ctx.viewer.role} may not access ${info.parentType.name}.${info.fieldName}.`),
  },
  relay: { clientMutationId: 'omit', cursorType: 'String' },
  // The errors plugin turns a field's expected failures into a typed result union, for the few fields
  // where a client acts on the outcome: mergeEntities and undoEntityMerge (ReviewActionError, see
  // review.schema.ts). No default types: everywhere else errors are GraphQL errors with
  // extensions.code/category/requestId (src/errors.ts, src/server/format-error.ts, docs/errors.md).
  errors: { defaultTypes: [] },
});

builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('DateTime', DateTimeResolver);

export const RoleEnum = builder.enumType('Role', { values: roles });
export const VisibilityEnum = builder.enumType('Visibility', { values: visibilities });
export const KnowledgeStatusEnum = builder.enumType('KnowledgeStatus', { values: knowledgeStatuses });

/** Role sets used across the schema. */
export const anyRole = roles;
export const staff: readonly Role[] = ['AGENT', 'EDITOR', 'ADMIN', 'SERVICE'];
export const editors: readonly Role[] = ['EDITOR', 'ADMIN'];
export const ingesters: readonly Role[] = ['EDITOR', 'ADMIN', 'SERVICE'];
export const admins: readonly Role[] = ['ADMIN'];

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
