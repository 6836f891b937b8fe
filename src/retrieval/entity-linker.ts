import type { CypherExecutor } from '../graph/executor.js';
import { escapeLucene } from '../knowledge/knowledge.repository.js';
import { findMention } from './text.js';

export interface LinkedEntity {
  id: string;
  name: string;
  type: string;
  /** Where the message names it (offsets into the message). */
  mention: { text: string; start: number; end: number };
}

/** A row of `retrieval/link-entities`. */
export interface EntityCandidate {
  id: string;
  name: string;
  type: string;
  aliases: string[];
  score: number;
}

/** Longest Lucene query we send: a long Chinese message would otherwise exceed Lucene's clause limit. */
const MAX_QUERY_CHARS = 400;

/**
 * User text as a Lucene query that is searched, never interpreted: lower-cased (so `AND`, `OR`,
 * `NOT` are words, not operators), special characters escaped, bounded in length. Null when nothing
 * searchable is left.
 */
export function toLuceneQuery(text: string): string | null {
  const q = escapeLucene(text.normalize('NFKC').toLowerCase().slice(0, MAX_QUERY_CHARS));
  return /[\p{L}\p{N}]/u.test(q) ? q : null;
}

/**
 * Links a message to graph entities: fulltext over entity names and aliases proposes candidates
 * (one indexed query), and a candidate is kept only when its name or an alias really occurs in the
 * message as a whole word (Chinese: as a substring). Overlapping mentions keep the longest.
 */
export class EntityLinker {
  constructor(private readonly executor: CypherExecutor) {}

  async link(text: string, mentionTexts: readonly string[] = []): Promise<LinkedEntity[]> {
    const queries = [text, ...mentionTexts].map(toLuceneQuery).filter((q): q is string => q !== null);
    if (queries.length === 0) return [];
    const rows = await this.executor.read('retrieval/link-entities', { queries, limit: 20 });
    return verifyMentions(text, rows);
  }
}

/** Keeps the candidates named in `text`, longest mention first, without overlaps. Pure; exported for tests. */
export function verifyMentions(text: string, candidates: readonly EntityCandidate[]): LinkedEntity[] {
  const found: Array<LinkedEntity & { score: number }> = [];
  for (const c of candidates) {
    let best: { start: number; end: number } | null = null;
    for (const name of [c.name, ...c.aliases]) {
      const at = findMention(text, name);
      if (at && (!best || at.end - at.start > best.end - best.start)) best = at;
    }
    if (best) found.push({ id: c.id, name: c.name, type: c.type, score: c.score, mention: { text: text.slice(best.start, best.end), ...best } });
  }
  found.sort((a, b) => b.mention.end - b.mention.start - (a.mention.end - a.mention.start) || b.score - a.score);
  const kept: LinkedEntity[] = [];
  for (const f of found) {
    const overlaps = kept.some((k) => f.mention.start < k.mention.end && k.mention.start < f.mention.end);
    if (!overlaps && !kept.some((k) => k.id === f.id)) kept.push({ id: f.id, name: f.name, type: f.type, mention: f.mention });
  }
  return kept.sort((a, b) => a.mention.start - b.mention.start);
}
