import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataProtector } from '../privacy/data-protector.js';
import { outbound, OutboundError, type OutboundFailure } from './http-client.js';
import type { EgressPolicy } from './ssrf-guard.js';

/** Why a connector gave no context: shown to agents in full, never to the customer. */
export type ConnectorFailure = OutboundFailure | 'circuit-open';

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    readonly reason: ConnectorFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Fetches what the business's systems (CRM, orders) know about a customer. */
export interface ContextConnector {
  /** The customer's context; `fresh` skips the cache. Rejects with a {@link ConnectorError}. */
  fetch(customerId: string, options?: { fresh?: boolean }): Promise<Record<string, unknown>>;
}

export interface HttpConnectorOptions {
  /** e.g. `https://crm.example.com/customers/{customerId}/context`; the id is URL-encoded. */
  urlTemplate: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Seconds a fetched context is reused; 0: never cached. */
  cacheS: number;
  /** Failures in a row that open the breaker. */
  breakerFailures: number;
  /** How long the breaker stays open before one trial call. */
  breakerResetMs: number;
  egress: EgressPolicy;
}

const MAX_BYTES = 256 * 1024;

/**
 * The HTTP connector: GET the URL template for a customer id, expect a JSON object. Answers are cached
 * in Redis sealed like any personal data at rest (encrypted, or masked without a key). A circuit
 * breaker stops calling a failing backend for a while (calls fail fast with `circuit-open`), then lets
 * one trial call through (half-open) and closes again when it succeeds.
 */
export class HttpContextConnector implements ContextConnector {
  private failures = 0;
  private openUntil = 0;
  private trial: Promise<unknown> | null = null;

  constructor(
    private readonly options: HttpConnectorOptions,
    private readonly redis: Redis | Cluster,
    private readonly protector: DataProtector,
    private readonly logger: Logger,
  ) {}

  static cacheKey(customerId: string): string {
    return `answergraph:connector:context:${customerId}`;
  }

  async fetch(customerId: string, options: { fresh?: boolean } = {}): Promise<Record<string, unknown>> {
    const key = HttpContextConnector.cacheKey(customerId);
    if (this.options.cacheS > 0 && !options.fresh) {
      const cached = await this.redis.get(key).catch(() => null);
      if (cached) return this.protector.openJson<Record<string, unknown>>(cached, key);
    }
    const now = Date.now();
    if (this.failures >= this.options.breakerFailures) {
      if (now < this.openUntil || this.trial) throw new ConnectorError('circuit-open', `The context connector failed ${this.failures} times in a row; calls resume after ${new Date(this.openUntil).toISOString()}.`);
    }
    const call = this.call(customerId);
    if (this.failures >= this.options.breakerFailures) this.trial = call.catch(() => undefined);
    try {
      const context = await call;
      this.failures = 0;
      if (this.options.cacheS > 0) await this.redis.set(key, this.protector.sealJson(context, key), 'EX', this.options.cacheS).catch(() => undefined);
      return context;
    } catch (err) {
      this.failures++;
      if (this.failures >= this.options.breakerFailures) {
        this.openUntil = Date.now() + this.options.breakerResetMs;
        if (this.failures === this.options.breakerFailures) this.logger.warn({ failures: this.failures }, 'context connector circuit opened');
      }
      throw err;
    } finally {
      this.trial = null;
    }
  }

  private async call(customerId: string): Promise<Record<string, unknown>> {
    const url = this.options.urlTemplate.replace('{customerId}', encodeURIComponent(customerId));
    let res;
    try {
      res = await outbound(url, { method: 'GET', headers: { accept: 'application/json', ...this.options.headers }, timeoutMs: this.options.timeoutMs, maxBytes: MAX_BYTES }, this.options.egress);
    } catch (err) {
      const e = err as OutboundError;
      throw new ConnectorError(e.reason ?? 'unreachable', e.message);
    }
    if (res.status === 404) return {}; // an unknown customer has no context: not a fault
    if (res.status < 200 || res.status >= 300) throw new ConnectorError('http-status', `The context connector answered ${res.status}.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw new ConnectorError('bad-response', 'The context connector did not answer JSON.');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConnectorError('bad-response', 'The context connector must answer a JSON object.');
    if (res.body.length > 16_384) throw new ConnectorError('bad-response', 'The context is larger than 16 KB of JSON.');
    return parsed as Record<string, unknown>;
  }
}

/** `base` with `over` merged in, objects recursively; `over` wins on conflicts. */
export function mergeContext(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? mergeContext(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
