import { knowledgeAccess } from '../auth/roles.js';
import { builder, anyRole, staff } from '../schema/builder.js';
import { offsetConnection } from '../schema/pagination.js';
import { AppError } from '../errors.js';
import { entityTypes, type GraphNeighbourhood } from './entity.repository.js';
import type { EntityRow } from './knowledge.repository.js';

export const EntityTypeEnum = builder.enumType('EntityType', { values: entityTypes });

const GraphNodeRef = builder.objectRef<GraphNeighbourhood['nodes'][number]>('GraphNode').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    label: t.exposeString('label', { description: 'Entity or Knowledge.' }),
    name: t.string({ resolve: (n) => n.name ?? '' }),
    type: t.string({ resolve: (n) => n.type ?? '' }),
  }),
});
const GraphEdgeRef = builder.objectRef<GraphNeighbourhood['edges'][number]>('GraphEdge').implement({
  fields: (t) => ({
    from: t.exposeID('from'),
    to: t.exposeID('to'),
    type: t.exposeString('type'),
    confidence: t.float({ nullable: true, resolve: (e) => e.confidence ?? null }),
  }),
});
const NeighbourhoodRef = builder.objectRef<GraphNeighbourhood>('GraphNeighbourhood').implement({
  fields: (t) => ({
    nodes: t.field({ type: [GraphNodeRef], resolve: (g) => g.nodes }),
    edges: t.field({ type: [GraphEdgeRef], resolve: (g) => g.edges }),
  }),
});

export const EntityRef = builder.objectRef<EntityRow>('Entity');
EntityRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    externalId: t.exposeString('externalId', { nullable: true }),
    name: t.exposeString('name'),
    type: t.exposeString('type', { description: 'From the controlled vocabulary (EntityType).' }),
    aliases: t.stringList({ resolve: (e) => e.aliases ?? [] }),
    neighbourhood: t.field({
      type: NeighbourhoodRef,
      description: 'Entities within `depth` hops (at most 2) and the visible knowledge about them, for graph exploration.',
      authScopes: { role: staff },
      args: { depth: t.arg.int({ defaultValue: 1, required: true }), limit: t.arg.int({ defaultValue: 50, required: true }) },
      resolve: async (e, args, ctx) => {
        if (args.depth < 1 || args.depth > 2) throw new AppError('BAD_USER_INPUT', `depth must be 1 or 2; got ${args.depth}.`);
        if (args.limit < 1 || args.limit > 200) throw new AppError('BAD_USER_INPUT', `limit must be between 1 and 200; got ${args.limit}.`);
        return (await ctx.services.knowledge.entities.neighbourhood(e.id, args.depth as 1 | 2, args.limit, knowledgeAccess(ctx.viewer))) ?? { nodes: [], edges: [] };
      },
    }),
  }),
});

builder.queryFields((t) => ({
  entity: t.field({
    type: EntityRef,
    nullable: true,
    authScopes: { role: anyRole },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => (await ctx.services.knowledge.entities.getByIds([String(args.id)]))[0] ?? null,
  }),
  entities: t.connection(
    {
      type: EntityRef,
      authScopes: { role: anyRole },
      args: { search: t.arg.string(), type: t.arg({ type: EntityTypeEnum }) },
      resolve: (_r, args, ctx) => offsetConnection(ctx, args, (page) => ctx.services.knowledge.entities.search({ text: args.search, type: args.type }, page)),
    },
    { fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
  ),
}));
