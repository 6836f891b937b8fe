import { assertMayPublishWithoutReview, mayPublishDirectly } from '../auth/policies.js';
import { knowledgeAccess } from '../auth/roles.js';
import { builder, editors, staff } from '../schema/builder.js';
import { IMPORT_FORMATS } from './import/index.js';
import { exportKnowledge, importKnowledge, type ImportResult, type ImportRowError } from './knowledge.import.js';
import { knowledgeKinds, type KnowledgeKind } from './knowledge.repository.js';

const ImportFormatEnum = builder.enumType('ImportFormat', { values: IMPORT_FORMATS });

const ImportRowErrorRef = builder.objectRef<ImportRowError>('ImportRowError').implement({
  fields: (t) => ({ line: t.exposeInt('line'), message: t.exposeString('message') }),
});

const ImportResultRef = builder.objectRef<ImportResult>('ImportResult').implement({
  description: 'What an import changed. With any error, nothing was written.',
  fields: (t) => ({
    created: t.exposeInt('created'),
    updated: t.exposeInt('updated'),
    unchanged: t.exposeInt('unchanged'),
    errors: t.field({ type: [ImportRowErrorRef], resolve: (r) => r.errors }),
  }),
});

builder.mutationField('importKnowledge', (t) =>
  t.field({
    type: ImportResultRef,
    authScopes: { role: editors },
    description: 'Imports facts, rules, processes, entities and intents (JSONL or CSV, docs/knowledge-format.md). All or nothing; idempotent by externalId.',
    args: {
      format: t.arg({ type: ImportFormatEnum, required: true }),
      data: t.arg.string({ required: true }),
      publish: t.arg.boolean({ defaultValue: false, description: 'Publish what is imported (else it lands as DRAFT).' }),
    },
    resolve: async (_r, args, ctx) => {
      if (args.publish) assertMayPublishWithoutReview(ctx.viewer);
      const result = await importKnowledge(ctx.services.knowledge, ctx.executor, {
        format: args.format,
        data: args.data,
        publish: args.publish ?? false,
        by: ctx.viewer.keyId,
        access: knowledgeAccess(ctx.viewer),
        mayPublishRestricted: mayPublishDirectly(ctx.viewer, 'RESTRICTED'),
        // What went live without review is audited in the import's transaction (ids: the first 1,000).
        inTx: (tx, live) =>
          ctx.services.audit.append(tx, ctx.viewer, {
            action: live.published.length > 0 ? 'knowledge.publish' : 'knowledge.update',
            targetType: 'Import',
            targetId: `import:${ctx.requestId}`,
            after: { status: 'PUBLISHED', items: live.published.length + live.liveUpdated.length, format: args.format },
            details: { ids: [...live.published, ...live.liveUpdated].slice(0, 1000), publish: args.publish ?? false },
          }),
      });
      if (result.created + result.updated > 0) await ctx.services.knowledge.notifyImport(ctx.viewer.keyId);
      return result;
    },
  }),
);

builder.queryField('exportKnowledge', (t) =>
  t.string({
    authScopes: { role: staff },
    description: 'The knowledge you may see, in the import format (re-importing it changes nothing).',
    args: { format: t.arg({ type: ImportFormatEnum, required: true }), kind: t.arg.string() },
    resolve: (_r, args, ctx) =>
      exportKnowledge(ctx.services.knowledge, {
        format: args.format,
        kind: args.kind && knowledgeKinds.includes(args.kind.toLowerCase() as KnowledgeKind) ? (args.kind.toLowerCase() as KnowledgeKind) : null,
        access: knowledgeAccess(ctx.viewer),
      }),
  }),
);
