import { knowledgeAccess } from '../auth/roles.js';
import { anyRole, builder } from '../schema/builder.js';
import { offsetConnection } from '../schema/pagination.js';
import { KnowledgeItemRef } from './knowledge.schema.js';
import type { IntentRow } from './intent.repository.js';

const IntentHandlerRef = builder.objectRef<IntentRow['handlers'][number]>('IntentHandler').implement({
  fields: (t) => ({
    language: t.exposeString('language', { description: 'Language this handler serves (mul = any).' }),
    kind: t.exposeString('kind'),
    knowledge: t.field({
      type: KnowledgeItemRef,
      nullable: true,
      resolve: (h, _a, ctx) => ctx.services.knowledge.get(h.knowledgeId, knowledgeAccess(ctx.viewer)),
    }),
  }),
});

const IntentRef = builder.objectRef<IntentRow>('Intent').implement({
  description: 'A customer intent with example utterances, linked to the knowledge that handles it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    externalId: t.exposeString('externalId', { nullable: true }),
    language: t.exposeString('language'),
    examples: t.exposeStringList('examples'),
    handlers: t.field({ type: [IntentHandlerRef], resolve: (i) => i.handlers.filter(Boolean) }),
  }),
});

builder.queryField('intents', (t) =>
  t.connection(
    {
      type: IntentRef,
      authScopes: { role: anyRole },
      resolve: (_r, args, ctx) => offsetConnection(ctx, args, (page) => ctx.services.knowledge.intents.list(page, knowledgeAccess(ctx.viewer))),
    },
    { fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
  ),
);
