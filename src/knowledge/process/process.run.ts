import { branchFacts, chooseNext } from './process.flow.js';
import { renderPrompt } from './placeholders.js';
import type { Language } from './messages.js';
import type { ProcessStep } from './process.schema.js';
import { checkSlotValue, type SlotFailure, type SlotValue } from './slot.validate.js';

/**
 * The process runner: one pure step function for the dialogue engine. It never mutates its
 * arguments; the state it returns is plain JSON, safe to store between turns.
 */

export interface ProcessDefinition {
  /** Steps that passed `parseProcess`; the runner trusts their flow. */
  readonly steps: readonly ProcessStep[];
  /** Language of the runner's own messages (validation hints). Default `en`. */
  readonly language?: Language;
}

export interface ProcessState {
  /** The step waiting for an answer; `null` once the process is done. */
  readonly stepId: string | null;
  readonly slots: Readonly<Record<string, SlotValue>>;
  /** Failed answers in a row at the current step, for the engine's hand-off policy. */
  readonly attempts: number;
  readonly done: boolean;
  readonly language: Language;
}

export type ProcessTurnError =
  | { readonly code: 'invalid-answer'; readonly slot: string; readonly failure: SlotFailure; readonly message: string }
  | { readonly code: 'process-done' | 'invalid-state' | 'loop'; readonly message: string };

export interface ProcessTurn {
  readonly state: ProcessState;
  /** `messages` joined by a newline. */
  readonly reply: string;
  /** What to say, in order: prompts of steps passed through, then the next question. */
  readonly messages: readonly string[];
  readonly done: boolean;
  readonly error?: ProcessTurnError;
  /** The waiting step is an action step: the engine calls this action and passes its value to `advance`. */
  readonly action?: string;
}

export interface RunOptions {
  /** The customer context branch conditions read, next to `slots.<name>`. */
  readonly context?: unknown;
  /** Overrides the process language for the runner's messages (start only; kept in the state). */
  readonly language?: Language;
}

function turn(state: ProcessState, messages: string[], error?: ProcessTurnError, action?: string): ProcessTurn {
  return { state, reply: messages.join('\n'), messages, done: state.done, ...(error ? { error } : {}), ...(action ? { action } : {}) };
}

/** Shows prompts from step `from` on, passing through steps without a slot, until one asks for input. */
function runFrom(process: ProcessDefinition, from: string | null, state: ProcessState, context: unknown, said: string[]): ProcessTurn {
  const { steps } = process;
  const messages = [...said];
  let nextId = from;
  // Without input nothing a branch reads can change, so a step seen twice here means a loop.
  const seen = new Set<string>();
  while (nextId !== null) {
    const index = steps.findIndex((s) => s.id === nextId);
    const step = steps[index];
    if (step === undefined) {
      return turn({ ...state, stepId: null, done: true }, messages, { code: 'invalid-state', message: `unknown step "${nextId}"` });
    }
    if (seen.has(step.id)) {
      return turn({ ...state, stepId: null, done: true }, messages, { code: 'loop', message: `step "${step.id}" repeats without input` });
    }
    seen.add(step.id);
    messages.push(renderPrompt(step.prompt, state.slots));
    if (step.slot !== undefined) return turn({ ...state, stepId: step.id, attempts: 0, done: false }, messages, undefined, step.action);
    nextId = chooseNext(steps, index, branchFacts(context, state.slots));
  }
  return turn({ ...state, stepId: null, attempts: 0, done: true }, messages);
}

/** Begins a process: the first prompt (and any informational steps after it). */
export function start(process: ProcessDefinition, options: RunOptions = {}): ProcessTurn {
  const language = options.language ?? process.language ?? 'en';
  const initial: ProcessState = { stepId: null, slots: {}, attempts: 0, done: false, language };
  const first = process.steps[0];
  if (first === undefined) return turn({ ...initial, done: true }, []);
  return runFrom(process, first.id, initial, options.context, []);
}

/**
 * Takes the customer's answer to the waiting step: validates it, fills the slot, picks the branch
 * and renders what comes next. An invalid answer leaves the process where it was and replies with
 * a hint and the question again.
 */
export function advance(process: ProcessDefinition, state: ProcessState, input: string, options: RunOptions = {}): ProcessTurn {
  if (state.done || state.stepId === null) {
    return turn({ ...state, done: true }, [], { code: 'process-done', message: 'the process has already finished' });
  }
  const index = process.steps.findIndex((s) => s.id === state.stepId);
  const step = process.steps[index];
  if (step === undefined || step.slot === undefined) {
    return turn({ ...state, stepId: null, done: true }, [], {
      code: 'invalid-state',
      message: `step "${state.stepId}" is not a step waiting for an answer`,
    });
  }
  const check = checkSlotValue(step.validate, input, state.language);
  if (!check.ok) {
    return turn({ ...state, attempts: state.attempts + 1 }, [check.message, renderPrompt(step.prompt, state.slots)], {
      code: 'invalid-answer',
      slot: step.slot,
      failure: check.failure,
      message: check.message,
    });
  }
  const filled: ProcessState = { ...state, slots: { ...state.slots, [step.slot]: check.value }, attempts: 0 };
  const nextId = chooseNext(process.steps, index, branchFacts(options.context, filled.slots));
  return runFrom(process, nextId, filled, options.context, []);
}
