import { referencedFacts, type ParseResult } from '../rules/condition.schema.js';
import type { z } from 'zod';
import { problemsFromZod, type PathSegment, type Problem } from '../rules/problem.js';
import { successors } from './process.flow.js';
import { placeholderNames } from './placeholders.js';
import { ProcessStepsSchema, SLOT_NAME, type ProcessStep } from './process.schema.js';
import { validatorProblems } from './slot.validate.js';

export type ProcessProblemCode =
  | 'invalid'
  | 'unknown-field'
  | 'invalid-condition'
  | 'too-deep'
  | 'too-many-leaves'
  | 'duplicate-step-id'
  | 'unknown-step'
  | 'conflicting-flow'
  | 'invalid-validator'
  | 'unreachable-step'
  | 'no-path-to-end'
  | 'cycle-without-input'
  | 'unfilled-slot'
  | 'unknown-slot'
  | 'invalid-action';

export interface ValidateProcessOptions {
  /** Path prefix for problems. Default `"steps"` → `steps[2].next`. */
  readonly at?: string;
}

export interface ProcessValidation {
  readonly ok: boolean;
  readonly problems: Problem[];
}

type Add = (segments: PathSegment[], code: ProcessProblemCode, message: string) => void;

/** Steps reachable from the first one, following every possible edge. */
function reachableFrom(start: number, edges: readonly number[][]): boolean[] {
  const seen = edges.map(() => false);
  const stack = [start];
  seen[start] = true;
  while (stack.length > 0) {
    const i = stack.pop() ?? 0;
    for (const j of edges[i] ?? []) {
      if (!seen[j]) {
        seen[j] = true;
        stack.push(j);
      }
    }
  }
  return seen;
}

/** Strongly connected components (Tarjan) of the subgraph induced by `include`. */
function cycles(edges: readonly number[][], include: readonly boolean[]): number[][] {
  const index: number[] = [];
  const low: number[] = [];
  const onStack: boolean[] = [];
  const stack: number[] = [];
  const found: number[][] = [];
  let counter = 0;
  const connect = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const w of edges[v] ?? []) {
      if (!include[w]) continue;
      if (index[w] === undefined) {
        connect(w);
        low[v] = Math.min(low[v] ?? 0, low[w] ?? 0);
      } else if (onStack[w]) {
        low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
      }
    }
    if (low[v] === index[v]) {
      const component: number[] = [];
      let w: number | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack[w] = false;
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && (edges[v] ?? []).includes(v);
      if (component.length > 1 || selfLoop) found.push(component.sort((a, b) => a - b));
    }
  };
  include.forEach((yes, v) => {
    if (yes && index[v] === undefined) connect(v);
  });
  return found.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

/**
 * Slots filled before each step's prompt is shown: on every path (`must`) and on some path
 * (`may`). A step's own slot is filled after its prompt, so it counts for its successors.
 */
function filledSlots(steps: readonly ProcessStep[], edges: readonly number[][], reachable: readonly boolean[]) {
  const n = steps.length;
  const must: (Set<string> | null)[] = steps.map((_, i) => (i === 0 ? new Set() : null)); // null: not yet constrained
  const may: Set<string>[] = steps.map(() => new Set());
  const out = (sets: (Set<string> | null)[], i: number): Set<string> | null => {
    const current = sets[i];
    if (current == null) return null;
    const slot = steps[i]?.slot;
    return slot === undefined ? current : new Set([...current, slot]);
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < n; i += 1) {
      if (!reachable[i]) continue;
      const fromHere = out(must, i);
      const mayHere = new Set(may[i]);
      if (steps[i]?.slot !== undefined) mayHere.add(steps[i]?.slot ?? '');
      for (const j of edges[i] ?? []) {
        const target = must[j] ?? null;
        if (fromHere !== null && j !== 0) {
          const next = target === null ? new Set(fromHere) : new Set([...target].filter((s) => fromHere.has(s)));
          if (target === null || next.size !== target.size) {
            must[j] = next;
            changed = true;
          }
        }
        const mayTarget = may[j];
        if (mayTarget === undefined) continue;
        for (const s of mayHere) {
          if (!mayTarget.has(s)) {
            mayTarget.add(s);
            changed = true;
          }
        }
      }
    }
  }
  return {
    mustBefore: (i: number): ReadonlySet<string> => must[i] ?? new Set(),
    mayBefore: (i: number): ReadonlySet<string> => may[i] ?? new Set(),
  };
}

function checkGraph(steps: readonly ProcessStep[], add: Add): void {
  const indexOf = new Map<string, number>();
  let duplicates = false;
  steps.forEach((step, i) => {
    const first = indexOf.get(step.id);
    if (first === undefined) indexOf.set(step.id, i);
    else {
      duplicates = true;
      add([i, 'id'], 'duplicate-step-id', `duplicate step id "${step.id}" (first used by steps[${first}])`);
    }
  });

  steps.forEach((step, i) => {
    if (step.next !== undefined && !indexOf.has(step.next)) add([i, 'next'], 'unknown-step', `unknown step "${step.next}"`);
    step.branches?.forEach((branch, j) => {
      if (!indexOf.has(branch.next)) add([i, 'branches', j, 'next'], 'unknown-step', `unknown step "${branch.next}"`);
    });
    if (step.end === true && (step.next !== undefined || step.branches !== undefined)) {
      add([i, 'end'], 'conflicting-flow', 'a step that ends the process has no "next" or "branches"');
    }
    if (step.action !== undefined && (step.slot === undefined || step.validate !== undefined)) {
      add([i, 'action'], 'invalid-action', 'an action step needs a "slot" for the action\'s value and takes no "validate"');
    }
    if (step.validate !== undefined) {
      if (step.slot === undefined) add([i, 'validate'], 'invalid-validator', 'validates an answer but the step has no "slot"');
      for (const p of validatorProblems(step.validate)) add([i, 'validate', ...p.path], 'invalid-validator', p.message);
    }
  });
  // With duplicate ids the graph is ambiguous; report the rest once ids are unique.
  if (duplicates) return;

  const edges = steps.map((_, i) =>
    successors(steps, i)
      .targets.map((id) => indexOf.get(id))
      .filter((j): j is number => j !== undefined),
  );
  const reachable = reachableFrom(0, edges);
  steps.forEach((_, i) => {
    if (!reachable[i]) add([i], 'unreachable-step', `step "${steps[i]?.id}" cannot be reached from the first step`);
  });

  // Steps that can reach an end, walking edges backwards from the steps that may end.
  const reverse: number[][] = steps.map(() => []);
  edges.forEach((targets, i) => targets.forEach((j) => reverse[j]?.push(i)));
  const canEnd = steps.map(() => false);
  // A step with an unknown target already has a problem; do not also call it a dead end.
  const queue = steps
    .map((_, i) => i)
    .filter((i) => {
      const { targets, mayEnd } = successors(steps, i);
      return mayEnd || targets.some((id) => !indexOf.has(id));
    });
  queue.forEach((i) => (canEnd[i] = true));
  while (queue.length > 0) {
    const j = queue.pop() ?? 0;
    for (const i of reverse[j] ?? []) {
      if (!canEnd[i]) {
        canEnd[i] = true;
        queue.push(i);
      }
    }
  }
  steps.forEach((step, i) => {
    if (reachable[i] && !canEnd[i]) {
      add([i], 'no-path-to-end', `no path from step "${step.id}" reaches an end (a dead end or a cycle without exit)`);
    }
  });

  // A loop through steps that ask nothing repeats forever once entered: nothing it reads can change.
  const silent = steps.map((step, i) => reachable[i] === true && step.slot === undefined);
  for (const component of cycles(edges, silent)) {
    const ids = component.map((i) => `"${steps[i]?.id}"`);
    add([component[0] ?? 0], 'cycle-without-input', `steps ${ids.join(', ')} loop without asking for input`);
  }

  const filled = filledSlots(steps, edges, reachable);
  const fillers = new Set(steps.flatMap((s) => (s.slot === undefined ? [] : [s.slot])));
  steps.forEach((step, i) => {
    if (!reachable[i]) return;
    for (const name of placeholderNames(step.prompt)) {
      if (filled.mustBefore(i).has(name)) continue;
      const message = !fillers.has(name)
        ? `{${name}} names a slot no step fills`
        : !filled.mayBefore(i).has(name)
          ? `{${name}} is not filled by any step before this one`
          : `{${name}} is not filled on every path to this step`;
      add([i, 'prompt'], 'unfilled-slot', message);
    }
    // Branches run after the step's own slot is filled.
    const available = new Set(filled.mayBefore(i));
    if (step.slot !== undefined) available.add(step.slot);
    step.branches?.forEach((branch, j) => {
      for (const fact of referencedFacts(branch.when)) {
        const [root, name, ...rest] = fact.split('.');
        if (root !== 'slots') continue;
        if (name === undefined || !SLOT_NAME.test(name) || rest.length > 0) {
          add([i, 'branches', j, 'when'], 'unknown-slot', `"${fact}" is not a slot; write "slots.<name>"`);
        } else if (!available.has(name)) {
          add([i, 'branches', j, 'when'], 'unknown-slot', `reads "${fact}", which no step fills before this branch`);
        }
      }
    });
  });
}

/**
 * The steps grammar plus every flow check, as one zod schema: compose it into record schemas and
 * problems come out at `steps[1].next` like any other field.
 */
export const ProcessFlowSchema: z.ZodType<ProcessStep[], unknown> = ProcessStepsSchema.superRefine((steps, ctx) => {
  checkGraph(steps, (path, code, message) => ctx.addIssue({ code: 'custom', path, message, params: { code } }));
});

/** Validates untrusted JSON as process steps: the grammar first, then the flow between steps. */
export function parseProcess(input: unknown, options: ValidateProcessOptions = {}): ParseResult<ProcessStep[]> {
  const parsed = ProcessFlowSchema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: problemsFromZod(parsed.error, options.at ?? 'steps') };
}

/**
 * Every problem with a process's steps: grammar, duplicate ids, unknown targets, unreachable
 * steps, steps with no way to an end, loops that never ask for input, `{slot}` placeholders not
 * filled on every path, branch conditions reading slots nothing fills, and bad validators.
 * `problems` is empty exactly when `ok`.
 */
export function validateProcess(input: unknown, options: ValidateProcessOptions = {}): ProcessValidation {
  const result = parseProcess(input, options);
  return result.ok ? { ok: true, problems: [] } : { ok: false, problems: result.problems };
}
