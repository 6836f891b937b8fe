import type { CypherExecutor } from '../graph/executor.js';
import type { Access, KnowledgeRow } from './knowledge.repository.js';
import { storedJson } from './kinds/index.js';
import { evaluateRule, formatTrace, parseCondition, referencedFacts, resolveFactPath, type TraceNode } from './rules/index.js';

export interface RuleResult {
  rule: KnowledgeRow;
  fired: boolean;
  /** The rule's `then` when it fired, else its `otherwise` (may be null). */
  outcome: string | null;
  /** Some fact the rule reads is present in the context: the rule speaks to this customer. */
  applicable: boolean;
  referencedFacts: string[];
  missingFacts: string[];
  trace: TraceNode;
  explanation: string;
}

/** Evaluates the visible rules (or the given ones) against a customer context, fired rules first. */
export async function evaluateRules(
  executor: CypherExecutor,
  input: { context: unknown; ids?: string[] | null; language?: string | null; access: Access },
): Promise<RuleResult[]> {
  const rows = await executor.read('knowledge/rules', { ...input.access, ids: input.ids ?? null, language: input.language ?? null });
  const results: RuleResult[] = [];
  for (const { item } of rows as Array<{ item: KnowledgeRow }>) {
    // Stored text that is not JSON is a StoredContentError (a fault, reported as such).
    const parsed = parseCondition(storedJson(item, 'when', 'null'));
    if (!parsed.ok) continue; // validated on write; a stored rule the grammar no longer accepts is skipped, not fatal
    const evaluation = evaluateRule(parsed.value, input.context);
    const facts = referencedFacts(parsed.value);
    const missing = facts.filter((f) => !resolveFactPath(input.context, f).present);
    results.push({
      rule: item,
      fired: evaluation.fired,
      outcome: evaluation.fired ? (item.then ?? null) : (item.otherwise ?? null),
      applicable: missing.length < facts.length,
      referencedFacts: facts,
      missingFacts: missing,
      trace: evaluation.trace,
      explanation: formatTrace(evaluation.trace),
    });
  }
  return results.sort((a, b) => Number(b.fired) - Number(a.fired) || Number(b.applicable) - Number(a.applicable));
}
