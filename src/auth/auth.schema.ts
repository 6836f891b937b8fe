import { builder, RoleEnum, admins, anyRole } from '../schema/builder.js';
import { AppError } from '../errors.js';
import type { ApiKeyRecord } from './api-keys.js';
import type { Viewer } from './roles.js';

const ApiKey = builder.objectRef<ApiKeyRecord>('ApiKey').implement({
  description: 'An API key. The secret itself is only ever returned once, by createApiKey.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role }),
    prefix: t.exposeString('prefix', { description: 'First characters of the key, to recognise it.' }),
    grants: t.exposeStringList('grants'),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.createdAt ?? null }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.revokedAt ?? null }),
  }),
});

const ApiKeySecret = builder.objectRef<ApiKeyRecord & { key: string }>('ApiKeySecret').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key', { description: 'The secret. Store it now: it cannot be shown again.' }),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role }),
    name: t.exposeString('name'),
    grants: t.exposeStringList('grants'),
  }),
});

const ViewerType = builder.objectRef<Viewer>('Viewer').implement({
  fields: (t) => ({
    role: t.field({ type: RoleEnum, nullable: true, resolve: (v) => v.role }),
    name: t.exposeString('name'),
    keyId: t.exposeID('keyId', { nullable: true }),
    grants: t.stringList({ resolve: (v) => [...v.grants] }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerType,
    description: 'Who the API key in this request belongs to.',
    authScopes: { role: anyRole },
    resolve: (_r, _a, ctx) => ctx.viewer,
  }),
  apiKeys: t.field({
    type: [ApiKey],
    authScopes: { role: admins },
    resolve: (_r, _a, ctx) => ctx.services.apiKeys.list(),
  }),
}));

const Grant = builder.enumType('Grant', { values: ['RESTRICTED'] as const });

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: ApiKeySecret,
    authScopes: { role: admins },
    args: {
      role: t.arg({ type: RoleEnum, required: true }),
      name: t.arg.string({ required: true }),
      grants: t.arg({ type: [Grant], required: false, description: 'Extra visibility, e.g. RESTRICTED knowledge.' }),
    },
    resolve: async (_r, args, ctx) => {
      const name = args.name.trim();
      if (name.length < 1 || name.length > 100) throw new AppError('BAD_USER_INPUT', 'name must be 1 to 100 characters.');
      return ctx.services.apiKeys.create({ name, role: args.role, grants: args.grants ?? [], createdBy: ctx.viewer.keyId }, ctx.viewer);
    },
  }),
  revokeApiKey: t.boolean({
    authScopes: { role: admins },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const ok = await ctx.services.apiKeys.revoke(String(args.id), ctx.viewer.keyId, ctx.viewer);
      if (!ok) throw new AppError('NOT_FOUND', `API key ${String(args.id)} does not exist.`);
      return true;
    },
  }),
}));
