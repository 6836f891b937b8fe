import type { CypherExecutor } from '../graph/executor.js';
import type { Access } from '../knowledge/knowledge.repository.js';

export interface Count {
  key: string;
  count: number;
}

export interface AnalyticsReport {
  from: string;
  to: string;
  conversations: number;
  escalated: number;
  resolved: number;
  /** Share of conversations the bot handled without a human (1 − escalated / conversations). */
  containmentRate: number | null;
  escalationRate: number | null;
  avgMessagesPerConversation: number | null;
  customerMessages: number;
  botMessages: number;
  agentMessages: number;
  unanswered: number;
  outOfScope: number;
  avgConfidence: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  helpful: number;
  notHelpful: number;
  csat: number | null;
  csatResponses: number;
  intents: Count[];
  sentiment: Count[];
  languages: Count[];
  channels: Count[];
  escalationReasons: Count[];
  knowledgeUsage: Array<{ id: string; uses: number; helpful: number; notHelpful: number }>;
  gaps: Array<{ question: string; count: number; lastAt: string; language: string | null }>;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Analytics over conversations, messages and feedback: three read queries that run side by side,
 * each a single pass over the window. Gaps (unanswered questions) feed the editors' to-do list.
 */
export class AnalyticsRepository {
  constructor(private readonly executor: CypherExecutor) {}

  async report(input: { from: Date; to: Date; top: number; minConfidence: number; access: Access }): Promise<AnalyticsReport> {
    const window = { from: input.from.toISOString(), to: input.to.toISOString() };
    const [[s], [b], usage, gaps] = await Promise.all([
      this.executor.read('analytics/summary', window),
      this.executor.read('analytics/breakdowns', { ...window, top: input.top }),
      this.executor.read('analytics/knowledge-usage', { ...window, top: input.top, ...input.access }),
      this.executor.read('analytics/knowledge-gaps', { ...window, top: input.top, minConfidence: input.minConfidence }),
    ]);
    const n = (k: string) => Number(s?.[k] ?? 0);
    return {
      ...window,
      conversations: n('conversations'),
      escalated: n('escalated'),
      resolved: n('resolved'),
      containmentRate: n('conversations') > 0 ? 1 - n('escalated') / n('conversations') : null,
      escalationRate: ratio(n('escalated'), n('conversations')),
      avgMessagesPerConversation: num(s?.avgMessages),
      customerMessages: n('customerMessages'),
      botMessages: n('botMessages'),
      agentMessages: n('agentMessages'),
      unanswered: n('unanswered'),
      outOfScope: n('outOfScope'),
      avgConfidence: num(s?.avgConfidence),
      latencyP50Ms: num(s?.latencyP50),
      latencyP95Ms: num(s?.latencyP95),
      helpful: n('helpful'),
      notHelpful: n('notHelpful'),
      csat: num(s?.csat),
      csatResponses: n('csatResponses'),
      intents: (b?.intents ?? []) as Count[],
      sentiment: (b?.sentiment ?? []) as Count[],
      languages: (b?.languages ?? []) as Count[],
      channels: (b?.channels ?? []) as Count[],
      escalationReasons: (b?.escalationReasons ?? []) as Count[],
      knowledgeUsage: usage as unknown as AnalyticsReport['knowledgeUsage'],
      gaps: gaps as unknown as AnalyticsReport['gaps'],
    };
  }
}
