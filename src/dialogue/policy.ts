import type { Access } from '../knowledge/knowledge.repository.js';
import type { Citation } from '../retrieval/retrieval.types.js';
import type { Answerer, AnswerKind, EscalationReason } from './answerer.js';
import type { ConversationState } from './conversation.types.js';
import { nextTopic } from './followup.js';
import { SMALL_TALK_INTENTS } from './intent-model.js';
import type { ProcessActions } from '../integrations/process-actions.js';
import { continueProcess, currentPrompt, runPendingActions, startProcess, type ActionFailureNote, type ActiveProcess } from './process-runner.js';
import { replies } from './replies.js';
import { isCancel, looksLikeQuestion } from './slot-answer.js';
import type { FirstPass } from './understanding.js';

export interface TurnOutcome {
  text: string;
  kind: AnswerKind | 'process';
  confidence: number;
  citations: Citation[];
  knowledgeIds: string[];
  escalate: EscalationReason | null;
  /** The question as searched, when it was resolved against earlier turns (a follow-up). */
  resolvedQuestion: string | null;
  /** The state after the turn (the caller stores it). */
  state: ConversationState;
  /** A process that finished this turn, with the values it collected (for outbound events). */
  completed?: { knowledgeId: string; name: string; slots: Record<string, string | number> } | null;
  /** A process action that failed this turn, in full (for agents; the customer got a graceful line). */
  actionError?: ActionFailureNote | null;
}

export interface DialoguePolicyOptions {
  /** Failed turns in a row before a human takes over. Default 2. */
  maxFailedTurns?: number;
}

const processCitation = (p: ActiveProcess): Citation => ({ knowledgeId: p.knowledgeId, documentId: null, chunkId: null, start: null, end: null, quote: p.name });

/**
 * The dialogue policy, in order: continue a running process (slot filling with validation, branches,
 * cancel, a question in between and back); start the process an intent maps to; rules against the
 * customer context; GraphRAG. Counts failed turns and decides hand-off. Stateless itself: it takes the
 * conversation state and returns the next one.
 */
export class DialoguePolicy {
  private readonly maxFailedTurns: number;

  constructor(
    private readonly answerer: Answerer,
    /** What the bot may cite in a conversation: what a customer may see, whoever's key started it. */
    private readonly botAccess: Access,
    options: DialoguePolicyOptions = {},
  ) {
    this.maxFailedTurns = options.maxFailedTurns ?? 2;
  }

  async respond(state: ConversationState, raw: string, u: FirstPass, actions?: ProcessActions): Promise<TurnOutcome> {
    const call = { actions, conversationId: state.id, customerId: state.customerId ?? null };
    let s: ConversationState = { ...state, suspended: [...state.suspended] };
    const language = u.language === 'zh' || u.language === 'en' ? u.language : (s.language ?? 'en');
    let resumeAfter: ActiveProcess | null = null;

    // 1. A process is running.
    if (s.process) {
      const running = s.process;
      if (isCancel(raw)) {
        const resumed = s.suspended.pop() ?? null;
        s = { ...s, process: resumed, failedTurns: 0 };
        const text = [replies.cancelled(running.name, language), resumed ? replies.resume(resumed.name, currentPrompt(resumed), language) : null].filter(Boolean).join('\n');
        return { text, kind: 'process', confidence: 1, citations: [processCitation(running)], knowledgeIds: [running.knowledgeId], escalate: null, resolvedQuestion: null, state: s };
      }
      const { active, turn, actionError } = await runPendingActions(continueProcess(running, raw, s.context), s.context, call);
      if (!turn.error) {
        s = { ...s, process: turn.done ? null : active, failedTurns: 0 };
        let text = turn.reply;
        if (turn.done && s.suspended.length > 0) {
          const resumed = s.suspended.pop() as ActiveProcess;
          s.process = resumed;
          text = `${text}\n${replies.resume(resumed.name, currentPrompt(resumed), language)}`;
        }
        const completed = turn.done ? { knowledgeId: running.knowledgeId, name: running.name, slots: { ...turn.state.slots } } : null;
        return { text, kind: 'process', confidence: 1, citations: [processCitation(running)], knowledgeIds: [running.knowledgeId], escalate: null, resolvedQuestion: null, state: s, completed, actionError };
      }
      if (turn.error.code === 'invalid-answer' && !this.isTopicSwitch(u, raw, running)) {
        const failedTurns = s.failedTurns + 1;
        s = { ...s, process: active, failedTurns };
        const escalate = failedTurns >= this.maxFailedTurns ? 'failed-turns' : null;
        const text = escalate ? `${turn.reply}\n\n${replies.handoff(language)}` : turn.reply;
        return { text, kind: 'process', confidence: 0.3, citations: [processCitation(running)], knowledgeIds: [running.knowledgeId], escalate, resolvedQuestion: null, state: s };
      }
      if (turn.error.code === 'invalid-answer') resumeAfter = running; // a question in between: answer it, then come back
      else s = { ...s, process: null }; // finished or broken: drop it
    }

    // 2-4. Intent → process, rules, GraphRAG.
    const outcome = await this.answerer.answer({ understood: u, context: s.context, access: this.botAccess, topic: s.topic });
    s.topic = nextTopic(outcome.rewritten.query, outcome.rewritten, s.topic);

    if (outcome.kind === 'process' && outcome.process && outcome.process.id !== resumeAfter?.knowledgeId) {
      const offered = outcome.process;
      const begun = this.answerer.skipDamaged(() => startProcess(offered, s.context), null);
      const started = begun && (await runPendingActions(begun, s.context, call));
      if (started) {
        // Switching to another process suspends the running one; it resumes when this one ends.
        if (resumeAfter) s.suspended.push(resumeAfter);
        s = { ...s, process: started.turn.done ? null : started.active, failedTurns: 0 };
        const completed = started.turn.done ? { knowledgeId: started.active.knowledgeId, name: started.active.name, slots: { ...started.turn.state.slots } } : null;
        return { text: started.turn.reply, kind: 'process', confidence: outcome.confidence, citations: outcome.citations, knowledgeIds: [outcome.process.id], escalate: null, resolvedQuestion: null, state: s, completed, actionError: started.actionError };
      }
    }

    const presented = this.answerer.present(outcome, language);
    const failed = presented.failed;
    const failedTurns = failed ? s.failedTurns + 1 : 0;
    let text = presented.text;
    // No answer to a question we handle (a confident in-scope intent) goes to a human at once; an
    // out-of-scope one is a failed turn, and two of those in a row go to a human.
    const immediate = outcome.escalateReason === 'low-confidence' && !this.answerer.actionable(u.intent) ? null : outcome.escalateReason;
    const escalate: EscalationReason | null = immediate ?? (failedTurns >= this.maxFailedTurns ? 'failed-turns' : null);
    if (escalate && outcome.kind !== 'handoff') text = `${text}\n\n${replies.handoff(language)}`;
    if (resumeAfter && !escalate) text = `${text}\n\n${replies.resume(resumeAfter.name, currentPrompt(resumeAfter), language)}`;
    s = { ...s, failedTurns: escalate ? 0 : failedTurns, process: escalate ? null : (resumeAfter ?? s.process) };
    return {
      text,
      kind: outcome.kind,
      confidence: outcome.confidence,
      citations: presented.citations,
      knowledgeIds: outcome.used.map((i) => i.id),
      escalate,
      resolvedQuestion: outcome.rewritten.followUp ? outcome.rewritten.query : null,
      state: s,
    };
  }

  /** An answer the step rejects that reads as a new question or another intent: answer it, then come back. */
  private isTopicSwitch(u: FirstPass, raw: string, running: ActiveProcess): boolean {
    const intent = this.answerer.actionable(u.intent);
    if (intent && intent.name !== running.intent && !SMALL_TALK_INTENTS.has(intent.name)) return true;
    return looksLikeQuestion(raw);
  }
}
