import type { LinkedEntity } from '../retrieval/entity-linker.js';

/** What the previous answered turn was about: the question and the entities it named. */
export interface Topic {
  question: string;
  entities: LinkedEntity[];
  /** Turns since the entities were named. Entities are carried over at most {@link MAX_CARRY} turns. */
  age: number;
}

export interface Rewritten {
  /** The question to search with. */
  query: string;
  /** Entities the question is about (this turn's, or carried over). */
  entities: LinkedEntity[];
  /** How the question was resolved against the earlier turn, if it was. */
  followUp: 'ellipsis' | 'reference' | null;
}

export const MAX_CARRY = 3;

const ELLIPSIS_EN = /^(?:and|also|ok(?:ay)?,?\s+)?\s*(?:what|how)\s+about\s+(?:the\s+|a\s+|an\s+)?(.+?)\s*[?.!]*$/iu;
const ELLIPSIS_AND = /^and\s+(?:the\s+|for\s+the\s+|for\s+)?(.+?)\s*\?+$/iu;
const ELLIPSIS_ZH = /^(?:那|那么|那么说)?(.{1,20}?)呢\s*[？?]?$/u;
const REFERENCE_EN = /\b(it|its|it's|that|this|they|them|their|those|these|one)\b/iu;
const REFERENCE_ZH = /(它|这个|那个|这款|那款|该产品|这台|那台|这部|那部)/u;

/**
 * Resolves a follow-up question against the previous turn:
 *  - ellipsis — "what about the A3?" / "那A3呢？": the previous question with its entity replaced;
 *  - reference — "how much does it cost?" (no entity of its own, a pronoun): the question plus the
 *    previous turn's entity names, searched around those entities.
 * Anything else is a new question. Pure.
 */
export function rewriteFollowUp(text: string, entities: readonly LinkedEntity[], previous: Topic | null): Rewritten {
  const own = { query: text, entities: [...entities], followUp: null };
  if (!previous || previous.age >= MAX_CARRY) return own;
  const trimmed = text.trim();
  const ellipsis = ELLIPSIS_EN.exec(trimmed) ?? ELLIPSIS_AND.exec(trimmed) ?? ELLIPSIS_ZH.exec(trimmed);
  if (ellipsis && previous.question && previous.question !== trimmed) {
    const phrase = (ellipsis[1] ?? '').trim();
    const named = previous.entities.find((e) => previous.question.includes(e.mention.text));
    const query = named ? previous.question.replace(named.mention.text, phrase) : `${previous.question} ${phrase}`;
    return { query, entities: entities.length > 0 ? [...entities] : [...previous.entities], followUp: 'ellipsis' };
  }
  if (entities.length === 0 && previous.entities.length > 0 && (REFERENCE_EN.test(trimmed) || REFERENCE_ZH.test(trimmed))) {
    const names = previous.entities.map((e) => e.name).join(' ');
    return { query: `${trimmed} (${names})`, entities: [...previous.entities], followUp: 'reference' };
  }
  return own;
}

/** The topic after a turn: this turn's entities, else the carried ones, one turn older. */
export function nextTopic(query: string, rewritten: Rewritten, previous: Topic | null): Topic {
  if (rewritten.followUp === null && rewritten.entities.length === 0 && previous && previous.entities.length > 0) {
    return { question: query, entities: previous.entities, age: previous.age + 1 };
  }
  return { question: rewritten.query, entities: rewritten.entities, age: rewritten.followUp === 'reference' ? previous?.age ?? 0 : 0 };
}
