import type { CypherExecutor } from '../src/graph/executor.js';

/**
 * Five conversations with known timestamps, stored the way the dialogue stores them, on a channel of
 * their own (so other test files' conversations never mix in). The expectations in
 * analytics.figures.int.test.ts are computed by hand from this table; the comments give the sums.
 *
 * Window under test: [2025-03-03T00:00Z, 2025-03-10T00:00Z) (a Monday to the next).
 * C0 starts in the previous week (it only feeds the complaint signals' "previous period").
 */
export interface FixtureMessage {
  role: 'customer' | 'bot' | 'agent';
  at: string;
  intent?: string;
  sentiment?: 'positive' | 'negative' | 'neutral';
  outOfScope?: boolean;
  /** Bot: answers the customer message at this index of the conversation. */
  replyTo?: number;
  kind?: string;
  confidence?: number;
  latencyMs?: number;
  helpful?: boolean;
  used?: string[];
  mentions?: string[];
  text?: string;
}

export interface FixtureConversation {
  key: string;
  language: 'en' | 'zh';
  createdAt: string;
  escalatedAt?: string;
  escalationReason?: string;
  resolvedAt?: string;
  csat?: number;
  nps?: number;
  messages: FixtureMessage[];
}

export const fixture: FixtureConversation[] = [
  {
    key: 'C0',
    language: 'en',
    createdAt: '2025-02-25T12:00:00Z',
    messages: [{ role: 'customer', at: '2025-02-25T12:00:00Z', intent: 'delivery', sentiment: 'negative', mentions: ['E2'], text: 'the courier lost it again' }],
  },
  {
    key: 'C1',
    language: 'en',
    createdAt: '2025-03-03T10:00:00Z',
    escalatedAt: '2025-03-03T10:05:01Z',
    escalationReason: 'low-confidence',
    resolvedAt: '2025-03-03T10:30:00Z', // resolution 1800 s
    csat: 5,
    nps: 10,
    messages: [
      { role: 'customer', at: '2025-03-03T10:00:00Z', intent: 'refund', sentiment: 'negative', mentions: ['E1'], text: 'my widget broke, refund please' },
      { role: 'bot', at: '2025-03-03T10:00:00.400Z', replyTo: 0, kind: 'fact', confidence: 0.9, latencyMs: 400, helpful: true, used: ['K1'] }, // first response 0.4 s
      { role: 'customer', at: '2025-03-03T10:05:00Z', intent: 'refund', sentiment: 'negative', mentions: ['E1'], text: 'the widget is still broken' },
      { role: 'bot', at: '2025-03-03T10:05:01Z', replyTo: 2, kind: 'none', confidence: 0.2, latencyMs: 80 },
      { role: 'agent', at: '2025-03-03T10:07:01Z' }, // hand-off wait 120 s
    ],
  },
  {
    key: 'C2',
    language: 'en',
    createdAt: '2025-03-03T10:20:00Z',
    csat: 4,
    nps: 9,
    messages: [
      { role: 'customer', at: '2025-03-03T10:20:00Z', intent: 'greeting', sentiment: 'positive', outOfScope: true },
      { role: 'bot', at: '2025-03-03T10:20:00.200Z', replyTo: 0, kind: 'smalltalk', confidence: 1.0, latencyMs: 200, used: ['K3'] }, // first response 0.2 s
    ],
  },
  {
    key: 'C3',
    language: 'zh',
    createdAt: '2025-03-04T09:00:00Z',
    resolvedAt: '2025-03-04T09:10:00Z', // resolution 600 s
    csat: 2,
    nps: 3,
    messages: [
      { role: 'customer', at: '2025-03-04T09:00:00Z', intent: 'delivery', sentiment: 'negative', mentions: ['E1', 'E2'], text: '小部件的快递太慢了' },
      { role: 'bot', at: '2025-03-04T09:00:00.050Z', replyTo: 0, kind: 'fact', confidence: 0.7, latencyMs: 50, helpful: false, used: ['K1', 'K2'] }, // first response 0.05 s
    ],
  },
  {
    key: 'C4',
    language: 'zh',
    createdAt: '2025-03-05T23:30:00Z',
    escalatedAt: '2025-03-05T23:30:01Z',
    escalationReason: 'requested',
    messages: [
      { role: 'customer', at: '2025-03-05T23:30:00Z', intent: 'human', sentiment: 'neutral' },
      { role: 'agent', at: '2025-03-06T00:10:00Z' }, // first response 2400 s (a human), hand-off wait 2399 s
    ],
  },
];

export const fixtureKnowledge = [
  { key: 'K1', visibility: 'PUBLIC' },
  { key: 'K2', visibility: 'PUBLIC' },
  { key: 'K3', visibility: 'RESTRICTED' },
];
export const fixtureEntities = [
  { key: 'E1', name: 'Widget' },
  { key: 'E2', name: 'Courier' },
];

/** Writes the fixture under fresh ids; returns the channel and the ids of every key (C1, C1.0 for messages, K1, E1). */
export async function seedAnalyticsFixture(executor: CypherExecutor, suffix: string): Promise<{ channel: string; ids: Record<string, string> }> {
  const channel = `analytics-fixture-${suffix}`;
  const ids: Record<string, string> = {};
  const id = (k: string) => (ids[k] ??= `${k}-${suffix}`);
  await executor.writeText(
    'test/seed-analytics-items',
    `UNWIND $knowledge AS k CREATE (:Knowledge {id: k.id, kind: 'fact', status: 'PUBLISHED', visibility: k.visibility, question: k.id, answer: 'a'})
     WITH count(*) AS _ UNWIND $entities AS e CREATE (:Entity {id: e.id, key: e.id, name: e.name, type: 'product'})`,
    { knowledge: fixtureKnowledge.map((k) => ({ id: id(k.key), visibility: k.visibility })), entities: fixtureEntities.map((e) => ({ id: id(e.key), name: e.name })) },
  );
  const conversations = fixture.map((c) => ({
    id: id(c.key),
    channel,
    language: c.language,
    createdAt: c.createdAt,
    escalatedAt: c.escalatedAt ?? null,
    escalationReason: c.escalationReason ?? null,
    resolvedAt: c.resolvedAt ?? null,
    status: c.resolvedAt ? 'RESOLVED' : c.escalatedAt ? 'AGENT' : 'BOT',
    csat: c.csat ?? null,
    nps: c.nps ?? null,
    messages: c.messages.map((m, i) => ({
      id: id(`${c.key}.${i}`),
      seq: i + 1,
      role: m.role,
      at: m.at,
      text: m.text ?? `${m.role} ${i}`,
      language: c.language,
      intent: m.intent ?? null,
      sentiment: m.sentiment ?? null,
      outOfScope: m.outOfScope ?? (m.role === 'customer' ? false : null),
      replyTo: m.replyTo === undefined ? null : id(`${c.key}.${m.replyTo}`),
      kind: m.kind ?? null,
      confidence: m.confidence ?? null,
      latencyMs: m.latencyMs ?? null,
      helpful: m.helpful ?? null,
      used: (m.used ?? []).map(id),
      mentions: (m.mentions ?? []).map(id),
    })),
  }));
  await executor.writeText(
    'test/seed-analytics-conversations',
    `UNWIND $conversations AS c
     CREATE (conv:Conversation {id: c.id, channel: c.channel, language: c.language, status: c.status, createdAt: datetime(c.createdAt),
       escalatedAt: CASE WHEN c.escalatedAt IS NULL THEN null ELSE datetime(c.escalatedAt) END, escalationReason: c.escalationReason,
       resolvedAt: CASE WHEN c.resolvedAt IS NULL THEN null ELSE datetime(c.resolvedAt) END, csat: c.csat, nps: c.nps, messageCount: size(c.messages)})
     WITH conv, c UNWIND c.messages AS row
     CREATE (conv)-[:HAS_MESSAGE]->(m:Message {id: row.id, conversationId: c.id, seq: row.seq, role: row.role, text: row.text, at: datetime(row.at),
       language: row.language, intent: row.intent, sentiment: row.sentiment, outOfScope: row.outOfScope, replyTo: row.replyTo, kind: row.kind,
       confidence: row.confidence, latencyMs: row.latencyMs, helpful: row.helpful, escalate: false, knowledgeIds: row.used})
     WITH m, row
     CALL (m, row) { UNWIND range(0, size(row.used) - 1) AS i MATCH (k:Knowledge {id: row.used[i]}) CREATE (m)-[:USED {rank: i + 1}]->(k) RETURN count(*) AS u }
     CALL (m, row) { UNWIND row.mentions AS eid MATCH (e:Entity {id: eid}) MERGE (m)-[:MENTIONS]->(e) RETURN count(*) AS n }
     RETURN count(*) AS written`,
    { conversations },
  );
  return { channel, ids };
}
