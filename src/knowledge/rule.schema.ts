import { knowledgeAccess } from '../auth/roles.js';
import { AppError } from '../errors.js';
import { anyRole, builder } from '../schema/builder.js';
import { KnowledgeItemRef } from './knowledge.schema.js';
import { evaluateRules, type RuleResult } from './rule.evaluation.js';

const RuleEvaluationRef = builder.objectRef<RuleResult>('RuleEvaluation').implement({
  description: 'One rule evaluated against a customer context, with the reasons.',
  fields: (t) => ({
    rule: t.field({ type: KnowledgeItemRef, resolve: (r) => r.rule }),
    fired: t.exposeBoolean('fired'),
    outcome: t.exposeString('outcome', { nullable: true, description: 'The rule’s outcome when it fired, else its “otherwise” text.' }),
    applicable: t.exposeBoolean('applicable', { description: 'The context holds at least one fact this rule reads.' }),
    referencedFacts: t.exposeStringList('referencedFacts'),
    missingFacts: t.exposeStringList('missingFacts'),
    explanation: t.exposeString('explanation', { description: 'Human-readable trace: which conditions held, with the actual values.' }),
    trace: t.field({ type: 'JSON', resolve: (r) => r.trace }),
  }),
});

builder.queryField('evaluateRules', (t) =>
  t.field({
    type: [RuleEvaluationRef],
    description: 'Evaluates the rules visible to the caller (or the given ones) against a customer context; fired rules first.',
    authScopes: { role: anyRole },
    args: {
      context: t.arg({ type: 'JSON', required: true }),
      ids: t.arg.idList(),
      language: t.arg.string(),
    },
    resolve: (_r, args, ctx) => {
      if (typeof args.context !== 'object' || args.context === null || Array.isArray(args.context)) {
        throw new AppError('BAD_USER_INPUT', 'context must be a JSON object, e.g. {"order": {"ageDays": 12}}.');
      }
      return evaluateRules(ctx.executor, { context: args.context, ids: args.ids?.map(String), language: args.language, access: knowledgeAccess(ctx.viewer) });
    },
  }),
);
