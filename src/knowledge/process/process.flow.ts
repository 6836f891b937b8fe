import { evaluateRule } from '../rules/condition.evaluate.js';
import type { ProcessStep } from './process.schema.js';

/**
 * How control moves between steps. Shared by the validator (which must see every edge) and the
 * runner (which takes one), so the two cannot disagree.
 *
 * After a step, the first branch whose condition holds wins; otherwise `next`; otherwise the step
 * after it in the array; the last step, and any step with `end: true`, ends the process.
 */

/** Where control goes when no branch holds: a step id, or `null` for the end of the process. */
export function fallthrough(steps: readonly ProcessStep[], index: number): string | null {
  const step = steps[index];
  if (step === undefined || step.end === true) return null;
  if (step.next !== undefined) return step.next;
  return steps[index + 1]?.id ?? null;
}

/** Every step id control may reach next, and whether the process may end here. */
export function successors(steps: readonly ProcessStep[], index: number): { targets: string[]; mayEnd: boolean } {
  const step = steps[index];
  if (step === undefined || step.end === true) return { targets: [], mayEnd: true };
  const after = fallthrough(steps, index);
  const targets = (step.branches ?? []).map((b) => b.next);
  if (after !== null) targets.push(after);
  return { targets: [...new Set(targets)], mayEnd: after === null };
}

/** The facts branch conditions see: the customer context with `slots` on top. */
export function branchFacts(context: unknown, slots: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const base = typeof context === 'object' && context !== null && !Array.isArray(context) ? context : {};
  return { ...base, slots };
}

/** The step control moves to after `index`, given what is known now; `null` ends the process. */
export function chooseNext(steps: readonly ProcessStep[], index: number, facts: unknown): string | null {
  const step = steps[index];
  if (step === undefined || step.end === true) return null;
  for (const branch of step.branches ?? []) {
    if (evaluateRule(branch.when, facts).fired) return branch.next;
  }
  return fallthrough(steps, index);
}
