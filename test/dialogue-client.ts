import type { TestApi } from './harness.js';

export interface Ev {
  cursor: string;
  type: string;
  text: string | null;
  chunkIndex: number | null;
  messageId: string | null;
  message: { id: string; role: string; text: string; kind: string | null; escalate: boolean; citations: Array<{ knowledgeId: string | null }> } | null;
}

const SUBSCRIBE = `subscription($id: ID!, $since: String) {
  conversationEvents(conversationId: $id, since: $since) {
    cursor type text chunkIndex messageId
    message { id role text kind escalate citations { knowledgeId } }
  }
}`;

/** A graphql-ws subscription to a conversation's events over a real socket, collecting what arrives. */
export function follow(api: TestApi, key: string, conversationId: string, since?: string, params?: Record<string, string>) {
  const client = api.ws(key, params);
  const events: Ev[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe<{ conversationEvents: Ev }>(
    { query: SUBSCRIBE, variables: { id: conversationId, since } },
    {
      next: (r) => (r.data ? events.push(r.data.conversationEvents) : errors.push(r.errors)),
      error: (e) => errors.push(e),
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    events,
    errors,
    get completed() {
      return completed;
    },
    types: () => events.map((e) => e.type),
    close: async () => {
      dispose();
      await client.dispose();
    },
  };
}
