import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Viewer } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { createBullConnection, type RedisClient } from '../infra/redis.js';
import type { DataProtector } from '../privacy/data-protector.js';
import type { FieldCipher } from '../privacy/field-cipher.js';
import { isEncrypted } from '../privacy/field-cipher.js';
import { outbound, OutboundError } from './http-client.js';
import { checkUrl, type EgressPolicy } from './ssrf-guard.js';

/** Events a subscription can ask for; the payload's `type` is the dotted name. */
export const webhookEvents = {
  CONVERSATION_ESCALATED: 'conversation.escalated',
  CONVERSATION_RESOLVED: 'conversation.resolved',
  CSAT_RECEIVED: 'csat.received',
  NEGATIVE_EMOTION: 'emotion.negative',
  PROCESS_COMPLETED: 'process.completed',
  KNOWLEDGE_PUBLISHED: 'knowledge.published',
  KNOWLEDGE_DEMOTED: 'knowledge.demoted',
  COMPLAINT_SIGNAL: 'complaint.signal',
} as const;
export type WebhookEventName = keyof typeof webhookEvents;
export type WebhookEventType = (typeof webhookEvents)[WebhookEventName];

export interface WebhookRow {
  id: string;
  url: string;
  events: WebhookEventName[];
  description: string | null;
  status: 'ACTIVE' | 'DISABLED';
  consecutiveFailures: number;
  createdAt: string;
}

export interface DeliveryRow {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'PENDING' | 'RETRYING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  replays?: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

/** What a receiver gets (JSON body). `id` is the event id: the same on every attempt and replay, for de-duplication. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: Record<string, unknown>;
}

export const WEBHOOK_QUEUE = 'webhook-deliver';
export const SIGNATURE_HEADERS = { id: 'answergraph-event-id', timestamp: 'answergraph-timestamp', signature: 'answergraph-signature' } as const;

/** `v1=` hex HMAC-SHA256 of `timestamp + "." + body` with the subscription's secret (Stripe's scheme). */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookOptions {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  disableAfter: number;
  egress: EgressPolicy;
  bullPrefix: string;
  redisUrl: string;
}

interface JobData {
  deliveryId: string;
}

const deliveryId = (webhookId: string, eventId: string) => createHash('sha256').update(`${webhookId}\n${eventId}`).digest('hex').slice(0, 32);

/**
 * Outbound events. `emit` writes one delivery record per matching subscription (idempotent by event id)
 * and queues a BullMQ job per delivery; workers POST the signed payload with retries and exponential
 * backoff (at least once; the event id lets receivers drop repeats), log every attempt on the delivery,
 * and disable a subscription after `disableAfter` deliveries in a row failed. Payloads stay in the
 * graph, sealed (encrypted, or masked without a key); Redis jobs carry only the delivery id.
 */
export class WebhookService {
  private queue: Queue | null = null;
  private worker: Worker | null = null;
  private readonly connections: RedisClient[] = [];

  constructor(
    private readonly executor: CypherExecutor,
    private readonly protector: DataProtector,
    private readonly cipher: FieldCipher,
    private readonly logger: Logger,
    private readonly options: WebhookOptions,
  ) {}

  private connection(): RedisClient {
    return createBullConnection(this.options.redisUrl, this.connections);
  }

  private producer(): Queue {
    if (!this.queue) {
      this.queue = new Queue(WEBHOOK_QUEUE, { connection: this.connection(), prefix: this.options.bullPrefix });
      this.queue.on('error', (err) => this.logger.warn({ err: err.message }, 'webhook queue error'));
    }
    return this.queue;
  }

  async create(input: { url: string; events: readonly WebhookEventName[]; description?: string | null }, viewer: Viewer): Promise<{ webhook: WebhookRow; secret: string }> {
    const url = checkUrl(input.url.trim(), this.options.egress).toString();
    const events = [...new Set(input.events)];
    if (events.length === 0) throw new AppError('BAD_USER_INPUT', 'A webhook needs at least one event type.');
    const description = input.description ? input.description.slice(0, 500) : null;
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const stored = this.cipher.enabled ? this.cipher.encrypt(secret, id) : secret;
    const [row] = await this.executor.write('integrations/create-webhook', { id, url, events, description, secret: stored, createdBy: viewer.keyId });
    return { webhook: row!.webhook as WebhookRow, secret };
  }

  async list(): Promise<WebhookRow[]> {
    return (await this.executor.read('integrations/list-webhooks')).map((r) => r.webhook as WebhookRow);
  }

  async deliveries(webhookIds: readonly string[], limit: number): Promise<DeliveryRow[][]> {
    const rows = await this.executor.read('integrations/deliveries', { ids: webhookIds, limit });
    const map = new Map(rows.map((r) => [String(r.id), r.deliveries as DeliveryRow[]]));
    return webhookIds.map((id) => map.get(id) ?? []);
  }

  async setEnabled(id: string, enabled: boolean): Promise<WebhookRow> {
    const [row] = await this.executor.write('integrations/set-webhook-status', { id, status: enabled ? 'ACTIVE' : 'DISABLED' });
    if (!row) throw new AppError('NOT_FOUND', `Webhook ${id} does not exist.`);
    return row.webhook as WebhookRow;
  }

  async remove(id: string): Promise<boolean> {
    const [row] = await this.executor.write('integrations/delete-webhook', { id });
    return Number(row?.deleted ?? 0) > 0;
  }

  /**
   * Queues an event for every active subscription to it. `eventId` makes it idempotent (the same id
   * is delivered once per subscription); without one a new id is made. Never throws to the caller's
   * turn: a failure to queue is logged (the conversation goes on).
   */
  async emit(name: WebhookEventName, data: Record<string, unknown>, eventId: string = randomUUID()): Promise<number> {
    try {
      const type = webhookEvents[name];
      const subscribers = (await this.executor.read('integrations/active-for-event', { type: name })).map((r) => String(r.id));
      if (subscribers.length === 0) return 0;
      const payload: WebhookPayload = { id: eventId, type, createdAt: new Date().toISOString(), data };
      const rows = subscribers.map((webhookId) => {
        const id = deliveryId(webhookId, eventId);
        return { id, webhookId, eventId, eventType: type, payload: this.protector.sealJson(payload, id) };
      });
      const created = (await this.executor.write('integrations/create-deliveries', { rows })).map((r) => String(r.id));
      await this.enqueue(created);
      return created.length;
    } catch (err) {
      this.logger.warn({ err, event: name }, 'webhook event not queued');
      return 0;
    }
  }

  /** Another round of attempts for a delivery (same event id, same payload), e.g. after the receiver is fixed. */
  async replay(id: string): Promise<DeliveryRow> {
    const [row] = await this.executor.write('integrations/requeue-delivery', { id });
    if (!row) throw new AppError('NOT_FOUND', `Webhook delivery ${id} does not exist.`);
    if (row.webhookStatus !== 'ACTIVE') throw new AppError('CONFLICT', 'The webhook is disabled; enable it first (setWebhookEnabled).');
    const delivery = row.delivery as DeliveryRow;
    await this.enqueue([id], `.replay${delivery.replays ?? 1}`);
    return delivery;
  }

  private async enqueue(ids: readonly string[], suffix = ''): Promise<void> {
    if (ids.length === 0) return;
    await this.producer().addBulk(
      ids.map((id) => ({
        name: 'deliver',
        data: { deliveryId: id } satisfies JobData,
        opts: {
          jobId: `${id}${suffix}`,
          attempts: this.options.attempts,
          backoff: { type: 'exponential', delay: this.options.backoffMs },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 5000 },
        },
      })),
    );
  }

  /** Worker role: delivers queued events. */
  startWorker(concurrency = 4): void {
    if (this.worker) return;
    this.worker = new Worker<JobData>(WEBHOOK_QUEUE, (job) => this.deliver(job), { connection: this.connection(), prefix: this.options.bullPrefix, concurrency });
    this.worker.on('error', (err) => this.logger.warn({ err: err.message }, 'webhook worker error'));
  }

  private async deliver(job: Job<JobData>): Promise<void> {
    const { deliveryId: id } = job.data;
    const [row] = await this.executor.read('integrations/get-delivery', { id });
    if (!row) throw new UnrecoverableError(`delivery ${id} is gone`);
    const delivery = row.delivery as DeliveryRow & { payload: string };
    const webhook = row.webhook as WebhookRow & { secret: string };
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const record = (outcome: DeliveryRow['status'], statusCode: number | null, error: string | null) =>
      this.executor.write('integrations/record-attempt', { id, outcome, statusCode, error, disableAfter: this.options.disableAfter });
    if (webhook.status !== 'ACTIVE') {
      await record('FAILED', null, 'webhook disabled');
      throw new UnrecoverableError('webhook disabled');
    }
    const payload = this.protector.openJson<WebhookPayload>(delivery.payload, id);
    const body = JSON.stringify(payload);
    const secret = isEncrypted(webhook.secret) ? this.cipher.decrypt(webhook.secret, webhook.id) : webhook.secret;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await outbound(
        webhook.url,
        {
          method: 'POST',
          body,
          timeoutMs: this.options.timeoutMs,
          maxBytes: 64 * 1024,
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADERS.id]: payload.id,
            [SIGNATURE_HEADERS.timestamp]: String(timestamp),
            [SIGNATURE_HEADERS.signature]: signPayload(secret, timestamp, body),
          },
        },
        this.options.egress,
      );
      if (res.status >= 200 && res.status < 300) {
        await record('DELIVERED', res.status, null);
        return;
      }
      throw new OutboundError('http-status', `The receiver answered ${res.status}.`, res.status);
    } catch (err) {
      const e = err instanceof OutboundError ? err : new OutboundError('unreachable', (err as Error).message);
      // Addresses the guard refuses will not become allowed by waiting.
      const permanent = e.reason === 'private-address' || e.reason === 'https-required' || e.reason === 'invalid-url';
      const outcome = last || permanent ? 'FAILED' : 'RETRYING';
      const [r] = await record(outcome, e.status, `${e.reason}: ${e.message}`);
      if (r?.webhookStatus === 'DISABLED' && outcome === 'FAILED') this.logger.warn({ webhookId: webhook.id }, 'webhook disabled after repeated failed deliveries');
      if (permanent) throw new UnrecoverableError(e.message);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }
}
