import { createClient, type Client } from 'graphql-ws';

/** A GraphQL error as the API reports it: the message and `extensions.code` (FORBIDDEN, CONFLICT, …). */
export class ApiError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/**
 * Who the customer is, for CUSTOMER keys (one widget key serves every visitor): the anonymous visitor token
 * startConversation issued, or a customer id signed by the site's backend. Sent as headers on HTTP and in
 * graphql-ws' connection_init.
 */
export interface VisitorClaims {
  token?: string;
  customerId?: string;
  customerSignature?: string;
}

export interface Api {
  readonly origin: string;
  /** Sets the visitor claims of later requests (and reconnects the socket with them). */
  setVisitor(claims: VisitorClaims): void;
  /** One query or mutation over HTTP; throws ApiError with the first error. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A subscription over graphql-ws; the socket reconnects by itself (resubscribing). Returns the unsubscribe. */
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError?: (error: ApiError) => void): () => void;
  /** Connection changes of the subscription socket. Returns the unsubscribe. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/** The API of the answergraph instance at `origin`, authenticated with `key` on HTTP and on the socket. */
export function createApi(key: string, origin: string, initialVisitor: VisitorClaims = {}): Api {
  let ws: Client | null = null;
  let visitor: VisitorClaims = initialVisitor;
  const visitorHeaders = (): Record<string, string> => ({
    ...(visitor.token ? { 'answergraph-visitor-token': visitor.token } : {}),
    ...(visitor.customerId ? { 'answergraph-customer-id': visitor.customerId } : {}),
    ...(visitor.customerSignature ? { 'answergraph-customer-signature': visitor.customerSignature } : {}),
  });
  const listeners = new Set<(state: ConnectionState) => void>();
  let everConnected = false;
  const emit = (state: ConnectionState) => listeners.forEach((l) => l(state));
  const socket = () => {
    ws ??= createClient({
      url: `${origin.replace(/^http/, 'ws')}/graphql`,
      connectionParams: () => ({
        authorization: `Bearer ${key}`,
        ...(visitor.token ? { visitorToken: visitor.token } : {}),
        ...(visitor.customerId ? { customerId: visitor.customerId, customerSignature: visitor.customerSignature } : {}),
      }),
      lazy: true,
      // Keep trying: a customer on a train loses the socket often; events missed meanwhile are replayed.
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(500 * 2 ** retries, 8000))),
      keepAlive: 15_000,
      on: {
        connecting: () => emit(everConnected ? 'reconnecting' : 'connecting'),
        connected: () => {
          everConnected = true;
          emit('connected');
        },
        closed: () => {
          if (everConnected) emit('reconnecting');
        },
      },
    });
    return ws;
  };
  return {
    origin,
    setVisitor(claims) {
      visitor = claims;
      // A socket opened before the claims were known would not carry them: the next subscription opens a new one.
      void ws?.dispose();
      ws = null;
    },
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...visitorHeaders() },
          body: JSON.stringify({ query, variables }),
        });
      } catch {
        throw new ApiError('The server cannot be reached.', 'NETWORK');
      }
      const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      const first = body.errors?.[0];
      if (first) throw new ApiError(first.message, first.extensions?.code);
      if (!body.data) throw new ApiError(`HTTP ${res.status}`, 'HTTP');
      return body.data;
    },
    subscribe(query, variables, onData, onError) {
      return socket().subscribe<never>(
        { query, variables },
        {
          next: (r) => {
            const first = r.errors?.[0];
            if (first) onError?.(new ApiError(first.message, (first.extensions as { code?: string } | undefined)?.code));
            else if (r.data) onData(r.data);
          },
          error: (e) => onError?.(new ApiError(e instanceof Error ? e.message : 'The live connection failed.', 'SOCKET')),
          complete: () => undefined,
        },
      );
    },
    onConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      void ws?.dispose();
      ws = null;
    },
  };
}
