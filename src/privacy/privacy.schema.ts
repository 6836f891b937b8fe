import { builder } from '../schema/builder.js';
import type { ErasureResult } from './erasure.js';

const eraser = ['ADMIN', 'SERVICE'] as const;

const ErasureResultRef = builder.objectRef<ErasureResult>('ErasureResult').implement({
  description: 'What eraseCustomerData removed. Conversations stay as anonymous counts for analytics.',
  fields: (t) => ({
    eventId: t.exposeID('eventId', { description: 'The audit record of this erasure.' }),
    conversations: t.exposeInt('conversations'),
    messages: t.exposeInt('messages', { description: 'Messages whose text was erased.' }),
    feedback: t.exposeInt('feedback', { description: 'Feedback whose comment was erased (scores stay).' }),
    redisKeys: t.exposeInt('redisKeys', { description: 'Turn states, event streams and cached context deleted from Redis.' }),
  }),
});

builder.mutationFields((t) => ({
  eraseCustomerData: t.field({
    type: ErasureResultRef,
    authScopes: { role: eraser },
    description:
      'Right to erasure: anonymises every conversation of the customer (messages, feedback comments, context, visitor) in Neo4j and deletes their turn state, event streams and cached context in Redis. Analytics aggregates are unchanged; an audit record keeps a hash of the customer id. Idempotent.',
    args: { customerId: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.integrations.erasure.eraseCustomer(args.customerId, ctx.viewer),
  }),
}));
