import type { Access } from '../knowledge/knowledge.repository.js';
import { StoredContentError } from '../knowledge/kinds/index.js';
import type { IntentPrediction } from '../inference/index.js';
import { composeAnswer, evidenceConfidence, evidenceOf, type ComposedAnswer } from '../retrieval/answer-composer.js';
import type { GraphRetriever } from '../retrieval/retriever.js';
import type { Citation, RetrievalResult, RetrievedItem } from '../retrieval/retrieval.types.js';
import { rewriteFollowUp, type Rewritten, type Topic } from './followup.js';
import { HUMAN_AGENT_INTENT, SMALL_TALK_INTENTS, type IntentModel } from './intent-model.js';
import { replies } from './replies.js';
import { applyRule, type AppliedRule } from './rule-application.js';
import type { FirstPass, Understood } from './understanding.js';

export type EscalationReason = 'requested' | 'low-confidence' | 'negative-sentiment' | 'failed-turns';

export type AnswerKind = 'smalltalk' | 'handoff' | 'process' | 'rule' | 'fact' | 'passage' | 'none';

export interface AnswerOutcome {
  kind: AnswerKind;
  text: string;
  confidence: number;
  escalate: boolean;
  escalateReason: EscalationReason | null;
  citations: Citation[];
  /** Knowledge the answer used, best first. */
  used: RetrievedItem[];
  intent: IntentPrediction | null;
  rule: AppliedRule | null;
  /** The process the intent maps to (kind `process`): the dialogue starts it. */
  process: RetrievedItem | null;
  rewritten: Rewritten;
  retrieval: RetrievalResult | null;
  /** The rest of the understanding (sentiment, tagger mentions), awaited by the time the answer is. */
  understood: Pick<Understood, 'sentiment' | 'mentions' | 'entities'>;
}

export interface AnswerPolicyOptions {
  /** An intent acts (small talk, hand-off, process) only at or above this confidence, in scope. Default 0.5. */
  minIntentConfidence?: number;
  /** Below this confidence an answer is a guess (a failed turn in a conversation). Default 0.45. */
  answerAbove?: number;
  /** Below this confidence the customer goes to a human at once. Default 0.15. */
  escalateBelow?: number;
  /**
   * Convex fusion's similarity weight for a question in a language the embedding model was not trained
   * on (its manifest's `languages`): there the cosine is noise and the fulltext index (CJK bigrams)
   * carries the meaning. Default 0.2 (the retriever's default for covered languages is 0.75).
   */
  uncoveredAlpha?: number;
  /** A negative sentiment score at or above this escalates. Default 0.9. */
  negativeAbove?: number;
  /** Rules ranked this high (fused) are evaluated. Default 3. */
  ruleRanks?: number;
  /** A rule is considered only with at least this evidence confidence. Default 0.3. */
  minRuleConfidence?: number;
}

export interface AnswerRequest {
  understood: FirstPass;
  /** The customer context rules are evaluated against. */
  context: Record<string, unknown> | null;
  access: Access;
  /** The previous turn, for follow-up questions. */
  topic?: Topic | null;
  /** Processes may be offered (conversations); the stateless `answer` query offers them too. */
  k?: number;
}

/**
 * One answer to one message, without conversation state: steps 2 (which process an intent maps to),
 * 3 (rules against the customer context) and 4 (GraphRAG) of the hot path, plus the escalation
 * signals. The dialogue policy wraps it with running processes and failed-turn counting.
 */
export class Answerer {
  private readonly o: Required<AnswerPolicyOptions>;

  constructor(
    private readonly retriever: GraphRetriever,
    private readonly intents: IntentModel,
    private readonly embedder: {
      embed(texts: readonly string[], role: 'query', model?: string): Promise<Float32Array[]>;
      /** `embedding`: the default embedding model (retrieval's served model). */
      readonly models?: { readonly embedding: string };
      /** Languages the embedding model was trained on; empty: any. */
      embeddingLanguages?(): Promise<readonly string[]>;
      /** The strong-negative bar of a language (InferenceService: the fitted one when higher); default `configured`. */
      strongNegativeAbove?(language: string | null | undefined, configured: number): number;
    },
    options: AnswerPolicyOptions = {},
    /** Where stored knowledge that does not parse is reported (the item is then skipped); default: thrown. */
    private readonly onStoredContentError: (err: StoredContentError) => void = (err) => {
      throw err;
    },
  ) {
    this.o = { minIntentConfidence: 0.5, answerAbove: 0.45, escalateBelow: 0.15, uncoveredAlpha: 0.2, negativeAbove: 0.9, ruleRanks: 3, minRuleConfidence: 0.3, ...options };
  }

  private semantic: Promise<readonly string[]> | undefined;

  /** Whether the embedding model understands `language` (read once from the model manifest). */
  private async embeddingCovers(language: string): Promise<boolean> {
    this.semantic ??= (this.embedder.embeddingLanguages?.() ?? Promise.resolve([])).catch(() => []);
    const languages = await this.semantic;
    return languages.length === 0 || languages.includes(language) || language === 'und';
  }

  get options(): Readonly<Required<AnswerPolicyOptions>> {
    return this.o;
  }

  /**
   * `use(item)` over a stored item; when its stored JSON does not parse (StoredContentError) the error
   * is reported and `fallback` returned: the damaged item is skipped, loudly, and the answer goes on.
   */
  skipDamaged<T>(use: () => T, fallback: T): T {
    try {
      return use();
    } catch (err) {
      if (!(err instanceof StoredContentError)) throw err;
      this.onStoredContentError(err);
      return fallback;
    }
  }

  /** The intent, when it is confident and in scope. */
  actionable(intent: IntentPrediction | null): IntentPrediction | null {
    return intent && !intent.outOfScope && intent.confidence >= this.o.minIntentConfidence ? intent : null;
  }

  /** Negative above `negativeAbove`, or above the bar fitted for the language's sentiment model when higher. */
  isStronglyNegative(u: { sentiment: Pick<Understood['sentiment'], 'label' | 'score'>; language: string | null }): boolean {
    return u.sentiment.label === 'negative' && u.sentiment.score >= (this.embedder.strongNegativeAbove?.(u.language, this.o.negativeAbove) ?? this.o.negativeAbove);
  }

  /**
   * How an answer is worded for its confidence: as it is when confident (and small talk always);
   * below `answerAbove` as a hedged best guess, still cited; below `escalateBelow`, or with nothing
   * found, not at all — a guess that weak (an English-only encoder on a Chinese question, say) is more
   * likely wrong than right, so the customer is asked to rephrase and nothing is cited. `failed` marks a
   * failed turn for the conversation policy.
   */
  present(outcome: Pick<AnswerOutcome, 'kind' | 'text' | 'confidence' | 'citations' | 'used'>, language: string): { text: string; citations: Citation[]; used: RetrievedItem[]; failed: boolean } {
    const smallTalk = outcome.kind === 'smalltalk' || outcome.kind === 'handoff';
    const failed = !smallTalk && (outcome.kind === 'none' || outcome.confidence < this.o.answerAbove);
    if (!failed) return { text: outcome.text, citations: outcome.citations, used: outcome.used, failed };
    if (outcome.kind === 'none' || outcome.confidence < this.o.escalateBelow) return { text: replies.notSure(language), citations: [], used: [], failed };
    return { text: replies.bestGuess(outcome.text, language), citations: outcome.citations, used: outcome.used, failed };
  }

  /** The answer, and the escalation signals of the whole understanding (sentiment arrives during retrieval). */
  async answer(req: AnswerRequest): Promise<AnswerOutcome> {
    const outcome = await this.decide(req);
    const rest = await req.understood.rest;
    const answered = { ...outcome, understood: rest };
    if (outcome.kind === 'handoff') return answered;
    if (this.isStronglyNegative({ sentiment: rest.sentiment, language: req.understood.language })) return { ...answered, escalate: true, escalateReason: 'negative-sentiment' };
    if (outcome.kind !== 'smalltalk' && outcome.confidence < this.o.escalateBelow) return { ...answered, escalate: true, escalateReason: 'low-confidence' };
    return answered;
  }

  private async decide(req: AnswerRequest): Promise<Omit<AnswerOutcome, 'understood'>> {
    const u = req.understood;
    const intent = this.actionable(u.intent);
    const rewritten = rewriteFollowUp(u.text, u.entities, req.topic ?? null);
    const base = { intent: u.intent, rewritten, rule: null, process: null, retrieval: null, used: [], citations: [] as Citation[] };

    if (intent?.name === HUMAN_AGENT_INTENT) {
      return { ...base, kind: 'handoff', text: replies.handoff(u.language), confidence: intent.confidence, escalate: true, escalateReason: 'requested' };
    }
    if (intent && SMALL_TALK_INTENTS.has(intent.name)) {
      const handler = this.intents.handlerFor(intent.name, u.language, req.access, ['fact']);
      const canned = intent.name === 'greeting' ? replies.greeting(u.language) : intent.name === 'thanks' ? replies.thanks(u.language) : replies.goodbye(u.language);
      return {
        ...base,
        kind: 'smalltalk',
        text: handler?.text ?? canned,
        confidence: intent.confidence,
        escalate: false,
        escalateReason: null,
        citations: handler ? [{ knowledgeId: handler.knowledgeId, documentId: null, chunkId: null, start: null, end: null, quote: handler.text }] : [],
      };
    }

    const handler = intent ? this.intents.handlerFor(intent.name, u.language, req.access) : null;
    const extraLists = handler ? [{ name: 'intent', ids: [handler.knowledgeId], weight: 1.5 }] : [];
    const languages = u.language === 'en' || u.language === 'zh' ? [u.language, 'mul'] : null;
    const retrieveInput = {
      query: rewritten.query,
      vector: rewritten.query === u.text ? u.vector : null,
      vectorModel: rewritten.query === u.text ? u.vectorModel : undefined,
      language: u.language,
      entityIds: rewritten.entities.map((e) => e.id),
      access: req.access,
      languages,
      k: req.k ?? 10,
      extraLists,
      alpha: (await this.embeddingCovers(u.language)) ? undefined : this.o.uncoveredAlpha,
    };
    // A rewritten follow-up is searched by its own embedding.
    if (retrieveInput.vector === null) {
      retrieveInput.vectorModel = this.embedder.models?.embedding;
      retrieveInput.vector = (await this.embedder.embed([rewritten.query], 'query', retrieveInput.vectorModel))[0] as Float32Array;
    }
    let retrieval = await this.retriever.retrieve(retrieveInput);
    if (languages && retrieval.candidates.length === 0 && retrieval.chunks.length === 0) {
      // Nothing in the customer's language: answer from any language rather than not at all.
      retrieval = await this.retriever.retrieve({ ...retrieveInput, languages: null });
    }
    const withRetrieval = { ...base, retrieval };

    // Step 2: the intent maps to a process.
    const process = handler?.kind === 'process' ? retrieval.candidates.find((c) => c.id === handler.knowledgeId)?.item ?? null : null;
    if (process) {
      return { ...withRetrieval, kind: 'process', text: replies.processOffer(process.name ?? '', u.language), confidence: intent?.confidence ?? 0, escalate: false, escalateReason: null, process, used: [process], citations: [{ knowledgeId: process.id, documentId: null, chunkId: null, start: null, end: null, quote: process.name ?? null }] };
    }

    // Step 3: rules that speak to this question and that the customer context decides.
    if (req.context && Object.keys(req.context).length > 0) {
      const top = retrieval.candidates.slice(0, this.o.ruleRanks).filter((c) => c.item.kind === 'rule');
      for (const c of top) {
        const confidence = evidenceConfidence(evidenceOf(rewritten.query, c, retrieval.candidates), u.language);
        if (confidence < this.o.minRuleConfidence && c.ranks.intent === undefined) continue;
        const applied = this.skipDamaged(() => applyRule(c.item, req.context), null);
        if (!applied) continue;
        const citations: Citation[] = [
          { knowledgeId: c.id, documentId: null, chunkId: null, start: null, end: null, quote: applied.outcome },
          ...c.item.sources.map((s) => ({ knowledgeId: c.id, documentId: s.documentId, chunkId: s.chunkId, start: s.start, end: s.end, quote: s.quote })),
        ];
        return { ...withRetrieval, kind: 'rule', text: applied.outcome, confidence: Math.max(confidence, 0.6), escalate: false, escalateReason: null, rule: applied, used: [c.item], citations };
      }
    }

    // Step 4: GraphRAG.
    const composed: ComposedAnswer = composeAnswer(rewritten.query, retrieval, u.language);
    if (composed.kind === 'none') {
      return { ...withRetrieval, kind: 'none', text: replies.noAnswer(u.language), confidence: 0, escalate: false, escalateReason: null };
    }
    return { ...withRetrieval, kind: composed.kind, text: composed.text, confidence: composed.confidence, escalate: false, escalateReason: null, used: composed.used, citations: composed.citations };
  }

  /** Up to `n` distinct answers for a human agent (same retrieval, the agent's access). */
  async suggestions(req: AnswerRequest, n = 3): Promise<ComposedAnswer[]> {
    const outcome = await this.answer({ ...req, k: 10 });
    const out: ComposedAnswer[] = [];
    if (outcome.kind === 'rule' || outcome.kind === 'fact' || outcome.kind === 'passage') {
      out.push({ kind: outcome.kind === 'passage' ? 'passage' : 'fact', text: outcome.text, confidence: outcome.confidence, citations: outcome.citations, used: outcome.used, best: null });
    }
    for (const c of outcome.retrieval?.candidates ?? []) {
      if (out.length >= n) break;
      if (c.item.kind !== 'fact' || out.some((s) => s.used.some((i) => i.id === c.id))) continue;
      const e = evidenceOf(outcome.rewritten.query, c, outcome.retrieval?.candidates ?? []);
      out.push({
        kind: 'fact',
        text: c.item.answer ?? c.item.statement ?? '',
        confidence: c.confidence ?? evidenceConfidence(e, req.understood.language),
        citations: [{ knowledgeId: c.id, documentId: null, chunkId: null, start: null, end: null, quote: c.item.answer ?? c.item.statement ?? null }],
        used: [c.item],
        best: c,
      });
    }
    return out;
  }

}
