import { advance, parseProcess, renderPrompt, start, type Language, type ProcessState, type ProcessStep, type ProcessTurn } from '../knowledge/process/index.js';
import type { KnowledgeRow } from '../knowledge/knowledge.repository.js';
import { storedJson } from '../knowledge/kinds/index.js';
import { ActionError, type ProcessActions } from '../integrations/process-actions.js';
import { replies } from './replies.js';
import { interpretAnswer } from './slot-answer.js';

/** A process running in a conversation: its definition (as of when it started) and where it stands. */
export interface ActiveProcess {
  knowledgeId: string;
  name: string;
  intent: string | null;
  steps: ProcessStep[];
  state: ProcessState;
}

const asLanguage = (l: string | null | undefined): Language => (l === 'zh' ? 'zh' : 'en');

/**
 * Starts a process item; null when its steps are no valid flow (validated on write, so a fault).
 * Stored steps that are not JSON throw StoredContentError (the caller reports it).
 */
export function startProcess(item: Pick<KnowledgeRow, 'id' | 'kind' | 'name' | 'intent' | 'steps' | 'language'>, context: unknown): { active: ActiveProcess; turn: ProcessTurn } | null {
  const parsed = parseProcess(storedJson(item, 'steps', 'null'));
  if (!parsed.ok) return null;
  const steps = parsed.value;
  const turn = start({ steps, language: asLanguage(item.language) }, { context });
  return { active: { knowledgeId: item.id, name: item.name ?? '', intent: item.intent ?? null, steps, state: turn.state }, turn };
}

/** Feeds the customer's answer to the waiting step, turning a sentence into the value the slot wants. */
export function continueProcess(active: ActiveProcess, text: string, context: unknown): { active: ActiveProcess; turn: ProcessTurn } {
  const step = active.steps.find((s) => s.id === active.state.stepId);
  const value = interpretAnswer(step?.validate, text, active.state.language);
  const turn = advance({ steps: active.steps, language: active.state.language }, active.state, value, { context });
  return { active: { ...active, state: turn.state }, turn };
}

/** An action call that failed: the customer is told gracefully, the agent sees this on the bot's message. */
export interface ActionFailureNote {
  action: string;
  reason: string;
  message: string;
}

/**
 * Runs the action steps the process stopped at (each call gets the slots collected so far; its value
 * fills the step's slot, so branches and prompts use it). A failed call fills the slot with
 * "unavailable" — a process can branch on it — and adds a graceful line for the customer.
 */
export async function runPendingActions(
  r: { active: ActiveProcess; turn: ProcessTurn },
  context: unknown,
  call: { actions?: ProcessActions; conversationId: string; customerId: string | null },
): Promise<{ active: ActiveProcess; turn: ProcessTurn; actionError: ActionFailureNote | null }> {
  let { active, turn } = r;
  const said = [turn.reply];
  let actionError: ActionFailureNote | null = null;
  for (let i = 0; i < 5 && turn.action && !turn.error && !turn.done; i++) {
    const name = turn.action;
    let value: string;
    try {
      if (!call.actions) throw new ActionError('unknown-action', `No process action "${name}" is configured (PROCESS_ACTIONS).`);
      value = String(await call.actions.run(name, { conversationId: call.conversationId, customerId: call.customerId, slots: { ...turn.state.slots } }));
    } catch (err) {
      const e = err instanceof ActionError ? err : new ActionError('unreachable', `${name}: ${(err as Error).message}`);
      actionError = { action: name, reason: e.reason, message: e.message };
      said.push(replies.actionFailed(active.state.language));
      value = 'unavailable';
    }
    const next = continueProcess(active, value, context);
    active = next.active;
    turn = next.turn;
    said.push(turn.reply);
  }
  return { active, turn: { ...turn, reply: said.filter(Boolean).join('\n') }, actionError };
}

/** The question the process is waiting on, with filled slots rendered. */
export function currentPrompt(active: ActiveProcess): string {
  const step = active.steps.find((s) => s.id === active.state.stepId);
  return step ? renderPrompt(step.prompt, active.state.slots) : '';
}

/** The validator type of the waiting step (`string` when it takes anything). */
export function waitingSlotType(active: ActiveProcess): string {
  const step = active.steps.find((s) => s.id === active.state.stepId);
  return step?.validate?.type ?? 'string';
}
