/**
 * Quality scores of knowledge items: a Beta–Bernoulli posterior mean over the feedback an item got
 * since it was last verified, so a handful of ratings moves it a little and many move it a lot (a
 * raw helpful/unhelpful ratio would swing from 1 to 0 on one vote). Past its review date the score
 * decays by half every `halfLifeDays`, so unverified knowledge drifts back to review by itself.
 */
export interface QualityOptions {
  /** Prior mean: what an item with no feedback scores. Default 0.8. */
  priorMean: number;
  /** Prior strength in pseudo-ratings. Default 4 (so 4 unhelpful ratings and nothing else bring 0.8 to 0.4). */
  priorStrength: number;
  /** Weight of one conversation's CSAT (spread over every item it used). Default 0.5. */
  csatWeight: number;
  /** Weight of one escalation right after the item was used, as an unhelpful pseudo-rating. Default 0.5. */
  escalationWeight: number;
  /** Half-life of the decay past the review date, in days. Default 30. */
  halfLifeDays: number;
  /** Below this, a published item goes back to review. Default 0.5. */
  threshold: number;
  /** Days after creation (or the last verification) until an item is due for review, per kind. */
  reviewDays: Record<string, number>;
}

export const defaultQualityOptions: QualityOptions = {
  priorMean: 0.8,
  priorStrength: 4,
  csatWeight: 0.5,
  escalationWeight: 0.5,
  halfLifeDays: 30,
  threshold: 0.5,
  reviewDays: { fact: 365, rule: 180, process: 180 },
};

/** What the score is computed from (queryable as `quality.inputs`). */
export interface QualityInputs {
  helpful: number;
  unhelpful: number;
  /** CSAT scores (1–5) of conversations that used the item. */
  csat: number[];
  /** Bot messages that used the item. */
  uses: number;
  /** Of those, how many escalated to a human in that turn or the next. */
  escalations: number;
}

export interface QualityScore {
  score: number;
  /** The posterior mean before decay. */
  evidenceScore: number;
  /** Multiplier from the review date (1 before it). */
  decay: number;
  reviewBy: string;
  reasons: string[];
}

const DAY = 86_400_000;
const round = (x: number) => Math.round(x * 1000) / 1000;

/** The review date: explicit, or the kind's default after creation or the last verification, whichever is later. */
export function reviewByOf(input: { kind: string; createdAt: string; reviewBy: string | null; lastVerified: string | null }, o: QualityOptions): string {
  const days = o.reviewDays[input.kind] ?? 365;
  const base = Math.max(Date.parse(input.createdAt), input.lastVerified ? Date.parse(input.lastVerified) : 0);
  const byDefault = base + days * DAY;
  if (!input.reviewBy) return new Date(byDefault).toISOString();
  const explicit = Date.parse(input.reviewBy);
  // A verification after an explicit date that had passed starts a new default period.
  return new Date(input.lastVerified && Date.parse(input.lastVerified) > explicit ? Math.max(explicit, byDefault) : explicit).toISOString();
}

export function qualityScore(inputs: QualityInputs, reviewBy: string, now: number, o: QualityOptions = defaultQualityOptions): QualityScore {
  let alpha = o.priorMean * o.priorStrength + inputs.helpful;
  let beta = (1 - o.priorMean) * o.priorStrength + inputs.unhelpful;
  for (const s of inputs.csat) {
    const satisfied = (Math.min(5, Math.max(1, s)) - 1) / 4;
    alpha += o.csatWeight * satisfied;
    beta += o.csatWeight * (1 - satisfied);
  }
  beta += o.escalationWeight * inputs.escalations;
  const evidenceScore = alpha / (alpha + beta);
  const overdueDays = Math.max(0, (now - Date.parse(reviewBy)) / DAY);
  const decay = overdueDays > 0 ? 0.5 ** (overdueDays / o.halfLifeDays) : 1;
  const score = evidenceScore * decay;

  const reasons: string[] = [];
  const rated = inputs.helpful + inputs.unhelpful;
  if (inputs.unhelpful > 0) reasons.push(`${inputs.unhelpful} of ${rated} ratings not helpful`);
  if (inputs.csat.length > 0) {
    const mean = inputs.csat.reduce((a, b) => a + b, 0) / inputs.csat.length;
    if (mean < 3.5) reasons.push(`CSAT ${round(mean)} over ${inputs.csat.length} conversation${inputs.csat.length === 1 ? '' : 's'} that used it`);
  }
  if (inputs.escalations > 0) reasons.push(`${inputs.escalations} escalation${inputs.escalations === 1 ? '' : 's'} right after it was used (${inputs.uses} uses)`);
  if (overdueDays > 0) reasons.push(`review date ${reviewBy.slice(0, 10)} passed ${Math.floor(overdueDays)} days ago`);
  return { score: round(score), evidenceScore: round(evidenceScore), decay: round(decay), reviewBy, reasons };
}
