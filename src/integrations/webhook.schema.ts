import { builder } from '../schema/builder.js';
import type { GraphQLContext } from '../schema/context.js';
import { webhookEvents, type DeliveryRow, type WebhookEventName, type WebhookRow } from './webhooks.js';

const managers = ['ADMIN', 'SERVICE'] as const;

const WebhookEventEnum = builder.enumType('WebhookEvent', {
  description: 'What a webhook can subscribe to; the payload `type` is the dotted name (conversation.escalated, csat.received, …).',
  values: Object.fromEntries(Object.entries(webhookEvents).map(([k, v]) => [k, { value: k, description: v }])) as Record<WebhookEventName, { value: WebhookEventName; description: string }>,
});
const WebhookStatusEnum = builder.enumType('WebhookStatus', { values: ['ACTIVE', 'DISABLED'] as const });
const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: ['PENDING', 'RETRYING', 'DELIVERED', 'FAILED'] as const,
  description: 'PENDING: queued · RETRYING: an attempt failed, more follow with backoff · DELIVERED: a 2xx answer · FAILED: every attempt failed (replay it).',
});

const DeliveryRef = builder.objectRef<DeliveryRow>('WebhookDelivery').implement({
  description: 'One event for one webhook: the delivery log entry.',
  fields: (t) => ({
    id: t.exposeID('id'),
    eventId: t.exposeID('eventId', { description: 'Sent as answergraph-event-id and the payload id; the same on retries and replays.' }),
    eventType: t.exposeString('eventType'),
    status: t.field({ type: DeliveryStatusEnum, resolve: (d) => d.status }),
    attempts: t.int({ resolve: (d) => Number(d.attempts ?? 0) }),
    lastStatusCode: t.int({ nullable: true, resolve: (d) => (d.lastStatusCode === null || d.lastStatusCode === undefined ? null : Number(d.lastStatusCode)) }),
    lastError: t.string({ nullable: true, description: 'timeout, unreachable, http-status, private-address, …: why the last attempt failed.', resolve: (d) => d.lastError ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    lastAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.lastAttemptAt ?? null }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.deliveredAt ?? null }),
  }),
});

const WebhookRef = builder.objectRef<WebhookRow>('Webhook').implement({
  description:
    'An outbound event subscription. Deliveries are POSTed as JSON with headers answergraph-event-id, answergraph-timestamp and answergraph-signature (`v1=` hex HMAC-SHA256 of `timestamp + "." + body` with the secret).',
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    events: t.field({ type: [WebhookEventEnum], resolve: (w) => w.events }),
    description: t.string({ nullable: true, resolve: (w) => w.description ?? null }),
    status: t.field({ type: WebhookStatusEnum, description: 'DISABLED after WEBHOOK_DISABLE_AFTER failed deliveries in a row (or by hand).', resolve: (w) => w.status }),
    consecutiveFailures: t.int({ resolve: (w) => Number(w.consecutiveFailures ?? 0) }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.createdAt }),
    deliveries: t.loadableList({
      type: DeliveryRef,
      description: 'The delivery log, newest first (the latest 50).',
      load: (ids: string[], ctx: GraphQLContext) => ctx.services.integrations.webhooks.deliveries(ids, 50),
      resolve: (w) => w.id,
    }),
  }),
});

const WebhookSecretRef = builder.objectRef<{ webhook: WebhookRow; secret: string }>('WebhookSecret').implement({
  fields: (t) => ({
    id: t.id({ resolve: (s) => s.webhook.id }),
    webhook: t.field({ type: WebhookRef, resolve: (s) => s.webhook }),
    secret: t.exposeString('secret', { description: 'The signing secret: shown once; verify answergraph-signature with it.' }),
  }),
});

const WebhookInput = builder.inputType('WebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'https in production; private, loopback and link-local addresses are refused.' }),
    events: t.field({ type: [WebhookEventEnum], required: true }),
    description: t.string(),
  }),
});

builder.queryFields((t) => ({
  webhooks: t.field({
    type: [WebhookRef],
    authScopes: { role: managers },
    description: 'Outbound event subscriptions, newest first.',
    resolve: (_r, _a, ctx) => ctx.services.integrations.webhooks.list(),
  }),
}));

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: WebhookSecretRef,
    authScopes: { role: managers },
    args: { input: t.arg({ type: WebhookInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.integrations.webhooks.create({ url: input.url, events: input.events, description: input.description }, ctx.viewer),
  }),
  setWebhookEnabled: t.field({
    type: WebhookRef,
    authScopes: { role: managers },
    description: 'Enables (clearing its run of failures) or disables a webhook.',
    args: { id: t.arg.id({ required: true }), enabled: t.arg.boolean({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.integrations.webhooks.setEnabled(String(args.id), args.enabled),
  }),
  deleteWebhook: t.boolean({
    authScopes: { role: managers },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.integrations.webhooks.remove(String(args.id)),
  }),
  replayWebhookDelivery: t.field({
    type: DeliveryRef,
    authScopes: { role: managers },
    description: 'Sends a delivery again (same event id and payload), with a fresh round of attempts.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.integrations.webhooks.replay(String(args.id)),
  }),
}));
