import type { CypherExecutor } from '../graph/executor.js';
import { displayTitle, fromRow } from '../knowledge/knowledge.content.js';
import type { KnowledgeRow } from '../knowledge/knowledge.repository.js';
import { ruleConflict, valueConflict } from '../review/conflicts.js';

export type SuggestionKind = 'contradiction' | 'duplicate' | 'stale';

/** A finding about published knowledge, filed as a `suggestion` review task with its evidence. */
export interface Suggestion {
  key: string;
  kind: SuggestionKind;
  itemIds: string[];
  reason: string;
  /** JSON: what was compared and found. */
  evidence: string;
  score: number | null;
  createdAt?: string;
  taskId?: string | null;
  taskStatus?: string | null;
  decision?: string | null;
}

/** The row of `learning/suggestion-candidates`. */
export interface SuggestionCandidates {
  about: Array<{ a: KnowledgeRow; b: KnowledgeRow; aEntities: string[]; bEntities: string[]; via: string[] }>;
  near: Array<{ a: KnowledgeRow; b: KnowledgeRow; score: number }>;
  stale: Array<KnowledgeRow & { reviewByEffective: string; qualityScore: number | null }>;
}

const quote = (k: KnowledgeRow) => JSON.stringify(displayTitle(fromRow(k, [])).slice(0, 120));

/**
 * Findings over published knowledge (pure; exported for tests): contradictions (facts about a common
 * entity stating the same attribute with different values, rules that can fire together with different
 * outcomes — the checks of src/review/conflicts.ts), near-duplicates (embedding cosine), stale items
 * (past their review date).
 */
export function findSuggestions(c: SuggestionCandidates): Suggestion[] {
  const out: Suggestion[] = [];
  const contradicting = new Set<string>();
  for (const { a, b, aEntities, bEntities, via } of c.about) {
    const ca = fromRow(a, aEntities);
    const cb = fromRow(b, bEntities);
    const value = valueConflict(ca, cb);
    const rule = value ? null : ruleConflict(ca, cb);
    if (!value && !rule) continue;
    const key = `contradiction:${a.id}:${b.id}`;
    contradicting.add(`${a.id}:${b.id}`);
    out.push({
      key,
      kind: 'contradiction',
      itemIds: [a.id, b.id],
      reason: value
        ? `contradicts ${quote(b)} about ${via.join(', ')}: ${value.proposed.join(', ')} against ${value.published.join(', ')}`
        : `can fire together with ${quote(b)} (both test ${rule!.sharedFacts.join(', ')}) with a different outcome`,
      evidence: JSON.stringify({ entities: via, ...(value ? { attributeSimilarity: value.similarity, values: [value.proposed, value.published] } : { sharedFacts: rule!.sharedFacts }), texts: [displayTitle(ca), displayTitle(cb)] }),
      score: value ? value.similarity : null,
    });
  }
  for (const { a, b, score } of c.near) {
    if (contradicting.has(`${a.id}:${b.id}`)) continue;
    const cosine = Math.round((2 * score - 1) * 1000) / 1000;
    out.push({
      key: `duplicate:${a.id}:${b.id}`,
      kind: 'duplicate',
      itemIds: [a.id, b.id],
      reason: `near-duplicate of ${quote(b)} (cosine ${cosine})`,
      evidence: JSON.stringify({ cosine, texts: [displayTitle(fromRow(a, [])), displayTitle(fromRow(b, []))] }),
      score: cosine,
    });
  }
  for (const k of c.stale) {
    const day = k.reviewByEffective.slice(0, 10);
    out.push({
      key: `stale:${k.id}:${day}`,
      kind: 'stale',
      itemIds: [k.id],
      reason: `due for review since ${day}${k.qualityScore !== null && k.qualityScore !== undefined ? ` (quality score ${k.qualityScore})` : ''}`,
      evidence: JSON.stringify({ reviewBy: k.reviewByEffective, qualityScore: k.qualityScore ?? null }),
      score: k.qualityScore ?? null,
    });
  }
  return out;
}

/** Scans published knowledge for suggestions and files new ones as review work. */
export class SuggestionService {
  constructor(
    private readonly executor: CypherExecutor,
    private readonly options: { maxDegree?: number; duplicateCosine?: number; limit?: number } = {},
  ) {}

  async scan(): Promise<{ found: Record<SuggestionKind, number>; filed: number }> {
    const duplicateCosine = this.options.duplicateCosine ?? 0.95;
    const [row] = await this.executor.read('learning/suggestion-candidates', {
      maxDegree: this.options.maxDegree ?? 200,
      dupScore: (1 + duplicateCosine) / 2,
      limit: this.options.limit ?? 5000,
    });
    const found = findSuggestions(row ?? { about: [], near: [], stale: [] });
    const counts: Record<SuggestionKind, number> = { contradiction: 0, duplicate: 0, stale: 0 };
    for (const s of found) counts[s.kind]++;
    let filed = 0;
    for (let i = 0; i < found.length; i += 500) {
      const [r] = await this.executor.write('learning/add-suggestions', { rows: found.slice(i, i + 500) });
      filed += r?.created ?? 0;
    }
    return { found: counts, filed };
  }

  async list(filter: { kind: SuggestionKind | null; open: boolean | null }, page: { skip: number; limit: number }): Promise<Suggestion[]> {
    return this.executor.read('learning/list-suggestions', { ...filter, ...page });
  }
}
