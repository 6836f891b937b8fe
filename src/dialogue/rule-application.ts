import { storedJson } from '../knowledge/kinds/index.js';
import { evaluateRule, formatTrace, parseCondition, referencedFacts, resolveFactPath } from '../knowledge/rules/index.js';
import type { RetrievedItem } from '../retrieval/retrieval.types.js';

export interface AppliedRule {
  rule: RetrievedItem;
  fired: boolean;
  /** `then` when fired, else `otherwise`. */
  outcome: string;
  /** Which conditions held, with the customer's actual values. */
  explanation: string;
}

/**
 * Evaluates one rule against the customer context. Returns a usable outcome when the rule decides
 * for this customer: it fired, or it did not fire with every fact it reads known and an `otherwise`
 * to say. A rule the context cannot decide (facts missing) returns null, and the answer falls to facts.
 * A stored condition that is not JSON throws StoredContentError (the caller reports it and moves on).
 */
export function applyRule(rule: RetrievedItem, context: unknown): AppliedRule | null {
  if (typeof context !== 'object' || context === null) return null;
  const parsed = parseCondition(storedJson(rule, 'when', 'null'));
  if (!parsed.ok) return null;
  const facts = referencedFacts(parsed.value);
  const missing = facts.filter((f) => !resolveFactPath(context, f).present);
  if (missing.length === facts.length) return null; // nothing this rule reads is known
  const evaluation = evaluateRule(parsed.value, context);
  if (evaluation.fired) return { rule, fired: true, outcome: rule.then ?? '', explanation: formatTrace(evaluation.trace) };
  if (missing.length === 0 && rule.otherwise) return { rule, fired: false, outcome: rule.otherwise, explanation: formatTrace(evaluation.trace) };
  return null;
}
