import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Who is on the other end of a CUSTOMER key. A chat widget shares one key among all its visitors, so
 * the key alone must not open a conversation: each one is bound to a visitor, and reading or writing
 * it needs the same visitor again.
 *  - anonymous: a random token issued by `startConversation` (only its hash is kept: `anon:<sha256>`);
 *  - verified: a customer id signed by the tenant's backend, hex HMAC-SHA256(IDENTITY_VERIFICATION_SECRET,
 *    customerId), as Intercom's identity verification does (`customer:<id>`).
 */
export interface Visitor {
  id: string;
  /** Set when the visitor proved a customer id. */
  customerId: string | null;
}

/** What a request presents: HTTP headers or graphql-ws connection params. */
export interface VisitorClaims {
  token?: unknown;
  customerId?: unknown;
  signature?: unknown;
}

/** HTTP headers (lower case) and graphql-ws `connection_init` payload fields carrying the claims. */
export const VISITOR_HEADERS = { token: 'answergraph-visitor-token', customerId: 'answergraph-customer-id', signature: 'answergraph-customer-signature' } as const;
export const VISITOR_PARAMS = { token: 'visitorToken', customerId: 'customerId', signature: 'customerSignature' } as const;

const TOKEN = /^vt_[A-Za-z0-9_-]{43}$/;
const CUSTOMER_ID = /^[\w.:@+-]{1,200}$/;

export function checkCustomerId(id: string): string {
  if (!CUSTOMER_ID.test(id)) throw new AppError('BAD_USER_INPUT', 'customerId must be 1 to 200 letters, digits or . _ : @ + -.');
  return id;
}

export class VisitorIdentity {
  constructor(private readonly secret: string | undefined) {}

  get verifies(): boolean {
    return this.secret !== undefined;
  }

  /** A new anonymous visitor and the token that proves it (shown once). */
  issue(): { token: string; visitor: Visitor } {
    const token = `vt_${randomBytes(32).toString('base64url')}`;
    return { token, visitor: { id: anonymousId(token), customerId: null } };
  }

  /** The signature your backend computes for a customer id (tests and examples use it). */
  sign(customerId: string): string {
    if (!this.secret) throw new AppError('BAD_USER_INPUT', 'Identity verification is not configured (IDENTITY_VERIFICATION_SECRET).');
    return createHmac('sha256', this.secret).update(customerId).digest('hex');
  }

  /** Whether `signature` proves `customerId`. */
  verify(customerId: string, signature: unknown): boolean {
    if (!this.secret || typeof signature !== 'string' || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    return timingSafeEqual(Buffer.from(this.sign(customerId), 'hex'), Buffer.from(signature, 'hex'));
  }

  /**
   * The visitor a request proves, or null when it presents nothing. A malformed token or a signature
   * that does not verify is UNAUTHENTICATED (never silently anonymous).
   */
  fromClaims(claims: VisitorClaims): Visitor | null {
    const { token, customerId, signature } = claims;
    if (customerId !== undefined && customerId !== null && customerId !== '') {
      if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId)) throw new AppError('UNAUTHENTICATED', 'The customer id is malformed.');
      if (!this.secret) throw new AppError('UNAUTHENTICATED', 'Identity verification is not configured on this server; send a visitor token instead.');
      if (!this.verify(customerId, signature)) throw new AppError('UNAUTHENTICATED', 'The customer signature does not verify (expected hex HMAC-SHA256 of the customer id with your identity secret).');
      return { id: customerVisitorId(customerId), customerId };
    }
    if (token !== undefined && token !== null && token !== '') {
      if (typeof token !== 'string' || !TOKEN.test(token)) throw new AppError('UNAUTHENTICATED', 'The visitor token is malformed.');
      return { id: anonymousId(token), customerId: null };
    }
    return null;
  }
}

export const anonymousId = (token: string) => `anon:${createHash('sha256').update(token).digest('hex')}`;
export const customerVisitorId = (customerId: string) => `customer:${customerId}`;
