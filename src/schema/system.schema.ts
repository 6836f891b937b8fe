import { setTimeout as sleep } from 'node:timers/promises';
import { builder } from './builder.js';
import type { HealthChecks } from './context.js';

const Health = builder.objectRef<HealthChecks & { status: string }>('Health').implement({
  fields: (t) => ({
    status: t.exposeString('status', { description: '"ok" when Neo4j and Redis answer, else "degraded" (models: see `models`).' }),
    neo4j: t.exposeBoolean('neo4j'),
    redis: t.exposeBoolean('redis'),
    models: t.exposeBoolean('models', {
      description: "True once every model this process's role needs is loaded and its files matched the manifest's sha256.",
    }),
    modelIssues: t.exposeStringList('modelIssues', { description: 'Why `models` is false: "model: reason" per model not ready (empty when ready).' }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    type: Health,
    description: 'Liveness of the API and its dependencies. Needs no API key.',
    resolve: async (_root, _args, ctx) => {
      const s = await ctx.services.health.check();
      // Models are reported on their own (`models`, `modelIssues`); /readyz waits for them too.
      return { ...s, status: s.neo4j && s.redis ? 'ok' : 'degraded' };
    },
  }),
);

const Heartbeat = builder.objectRef<{ seq: number; at: Date }>('Heartbeat').implement({
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.subscriptionField('heartbeat', (t) =>
  t.field({
    type: Heartbeat,
    description: 'Emits `count` beats `intervalMs` apart: lets a client check its subscription transport end to end.',
    authScopes: { authenticated: true },
    args: {
      count: t.arg.int({ defaultValue: 3, required: true }),
      intervalMs: t.arg.int({ defaultValue: 1000, required: true }),
    },
    subscribe: async function* (_root, args) {
      const count = Math.min(Math.max(args.count, 1), 100);
      const interval = Math.min(Math.max(args.intervalMs, 10), 60_000);
      for (let seq = 1; seq <= count; seq++) {
        if (seq > 1) await sleep(interval);
        yield { seq, at: new Date() };
      }
    },
    resolve: (beat) => beat,
  }),
);
