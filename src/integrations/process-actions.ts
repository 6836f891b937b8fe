import { outbound, OutboundError, type OutboundFailure } from './http-client.js';
import type { EgressPolicy } from './ssrf-guard.js';

/** Why an action gave no value: the customer gets a graceful message, agents this in full. */
export type ActionFailure = OutboundFailure | 'unknown-action';

export class ActionError extends Error {
  override name = 'ActionError';
  constructor(
    readonly reason: ActionFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the actions process steps name (`"action": "order-status"`) with the slots collected so far. */
export interface ProcessActions {
  run(name: string, input: { conversationId: string; customerId: string | null; slots: Record<string, string | number> }): Promise<string | number>;
}

/**
 * HTTP process actions (PROCESS_ACTIONS): POST `{action, conversationId, customerId, slots}` as JSON to
 * the action's URL through the egress guard, with a timeout; the answer must be `{"value": string | number}`.
 */
export class HttpProcessActions implements ProcessActions {
  constructor(
    private readonly actions: Record<string, { url: string; headers: Record<string, string> }>,
    private readonly timeoutMs: number,
    private readonly egress: EgressPolicy,
  ) {}

  async run(name: string, input: { conversationId: string; customerId: string | null; slots: Record<string, string | number> }): Promise<string | number> {
    const action = this.actions[name];
    if (!action) throw new ActionError('unknown-action', `No process action "${name}" is configured (PROCESS_ACTIONS).`);
    let res;
    try {
      res = await outbound(
        action.url,
        { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...action.headers }, body: JSON.stringify({ action: name, ...input }), timeoutMs: this.timeoutMs, maxBytes: 64 * 1024 },
        this.egress,
      );
    } catch (err) {
      const e = err as OutboundError;
      throw new ActionError(e.reason ?? 'unreachable', `${name}: ${e.message}`);
    }
    if (res.status < 200 || res.status >= 300) throw new ActionError('http-status', `${name}: the action answered ${res.status}.`);
    let value: unknown;
    try {
      value = (JSON.parse(res.body) as { value?: unknown }).value;
    } catch {
      throw new ActionError('bad-response', `${name}: the action did not answer JSON.`);
    }
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value).length > 500) throw new ActionError('bad-response', `${name}: the action must answer {"value": a string or number}.`);
    return value;
  }
}
