import { entityKey } from '../knowledge/entity.repository.js';
import type { Span } from './ingestion.types.js';
import { codeKey } from './patterns.js';

/** An entity known to the graph, as the resolver sees it. */
export interface KnownEntity {
  id: string;
  key: string;
  name: string;
  type: string;
  aliases: string[];
}

export interface GazetteerMatch extends Span {
  text: string;
  entity: KnownEntity;
}

const HAN = /\p{Script=Han}/u;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds mentions of known entities (names and aliases) in text: longest match first, whole words
 * for Latin script (`X5` does not match inside `NWX50`), any position for Chinese (no spaces).
 * Case-insensitive. One compiled regular expression per dictionary.
 */
export class Gazetteer {
  private readonly byKey = new Map<string, KnownEntity>();
  private readonly byCode = new Map<string, KnownEntity>();
  private readonly latin: RegExp | null;
  private readonly han: RegExp | null;

  constructor(readonly entities: readonly KnownEntity[]) {
    const latinTerms = new Set<string>();
    const hanTerms = new Set<string>();
    for (const e of entities) {
      for (const term of [e.name, ...e.aliases]) {
        const t = term.normalize('NFC').trim();
        const key = entityKey(t);
        if (t.length < 2 || !key) continue;
        if (!this.byKey.has(key)) this.byKey.set(key, e);
        const code = codeKey(t);
        if (/[a-z]/.test(code) && /\d/.test(code) && code.length <= 8 && !this.byCode.has(code)) this.byCode.set(code, e);
        (HAN.test(t) ? hanTerms : latinTerms).add(t);
      }
    }
    const alternation = (terms: Set<string>) => [...terms].sort((a, b) => b.length - a.length).map(escape).join('|');
    this.latin = latinTerms.size ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternation(latinTerms)})(?![\\p{L}\\p{N}+])`, 'giu') : null;
    this.han = hanTerms.size ? new RegExp(`(?:${alternation(hanTerms)})`, 'gu') : null;
  }

  /** The entity whose name or alias normalises to `key`, if any. */
  lookup(text: string): KnownEntity | undefined {
    return this.byKey.get(entityKey(text)) ?? this.byCode.get(codeKey(text));
  }

  find(text: string): GazetteerMatch[] {
    const hits: GazetteerMatch[] = [];
    for (const re of [this.han, this.latin]) {
      if (!re) continue;
      for (const m of text.matchAll(re)) {
        const entity = this.byKey.get(entityKey(m[0]));
        if (entity) hits.push({ start: m.index, end: m.index + m[0].length, text: m[0], entity });
      }
    }
    hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: GazetteerMatch[] = [];
    for (const h of hits) if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
    return kept.sort((a, b) => a.start - b.start);
  }
}
