import http from 'node:http';
import https from 'node:https';
import { checkUrl, EgressError, guardedLookup, type EgressPolicy } from './ssrf-guard.js';

/** Why an outbound call failed: what the delivery log and the agent see. */
export type OutboundFailure = 'invalid-url' | 'https-required' | 'private-address' | 'unresolvable' | 'unreachable' | 'timeout' | 'http-status' | 'bad-response';

export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    readonly reason: OutboundFailure,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface OutboundResponse {
  status: number;
  body: string;
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Larger responses are cut off and fail as bad-response. Default 1 MiB. */
  maxBytes?: number;
}

/**
 * One HTTP call to a URL an API caller configured, through the egress guard (checked form, checked
 * addresses at connect time), with a whole-call timeout and a response size limit. Never follows
 * redirects (a redirect could point inside). Resolves with any status; network faults reject with
 * a typed {@link OutboundError}.
 */
export function outbound(rawUrl: string, req: OutboundRequest, policy: EgressPolicy): Promise<OutboundResponse> {
  let url: URL;
  try {
    url = checkUrl(rawUrl, policy);
  } catch (err) {
    const e = err as EgressError;
    return Promise.reject(new OutboundError(e.reason, e.message));
  }
  const maxBytes = req.maxBytes ?? 1024 * 1024;
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: OutboundError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      r.destroy();
      reject(e);
    };
    const r = lib.request(
      url,
      { method: req.method, headers: { 'user-agent': 'answergraph/1', ...req.headers, ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}) }, lookup: guardedLookup(policy) as never, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) fail(new OutboundError('bad-response', `The response is larger than ${maxBytes} bytes.`, res.statusCode ?? null));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => fail(new OutboundError('unreachable', err.message)));
      },
    );
    const timer = setTimeout(() => fail(new OutboundError('timeout', `No answer within ${req.timeoutMs} ms.`)), req.timeoutMs);
    r.on('error', (err) => {
      if (err instanceof EgressError) fail(new OutboundError(err.reason, err.message));
      else fail(new OutboundError('unreachable', `${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}
