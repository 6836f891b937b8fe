import { entityKey } from '../knowledge/entity.repository.js';
import { chunkAt } from './chunk.js';
import type { Gazetteer } from './gazetteer.js';
import type { ChunkData, DraftData, EntityCandidate, MergeSuggestion, NewEntity, RelationData, ResolvedMention } from './ingestion.types.js';
import { extractRelations } from './relations.js';
import type { Sentence } from './sentences.js';
import { stage } from './stage.js';

export interface NearestEntity {
  id: string;
  key: string;
  name: string;
  score: number;
}

export interface ResolveOptions {
  /** Cosine similarity at or above which a new name is the existing entity. Default 0.92. */
  mergeAt: number;
  /** Similarity at or above which (below `mergeAt`) a merge is suggested for review. Default 0.82. */
  suggestAt: number;
}

export const defaultResolveOptions: ResolveOptions = { mergeAt: 0.92, suggestAt: 0.82 };

export interface ResolveInput {
  text: string;
  chunks: ChunkData[];
  candidates: EntityCandidate[];
  drafts: DraftData[];
  gazetteer: Gazetteer;
  /** Nearest existing entity by name embedding, keyed by the candidate's entity key. */
  nearest: Map<string, NearestEntity>;
  nameEmbeddings: Record<string, string>;
}

export interface Resolution {
  mentions: ResolvedMention[];
  newEntities: NewEntity[];
  suggestions: MergeSuggestion[];
  drafts: DraftData[];
  /** Display name of every entity key mentioned (known or new). */
  names: Map<string, string>;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Entity resolution: known names and aliases (gazetteer, case and width folded, product codes
 * without separators), then embedding similarity against the `entity_embedding` index. A close but
 * uncertain match creates the new entity *and* an `entity-merge` review suggestion; nothing is
 * merged without being sure or being reviewed.
 */
export const resolveStage = (options: ResolveOptions = defaultResolveOptions) =>
  stage('resolve', (input: ResolveInput): Resolution => {
    const names = new Map<string, string>();
    const mentions: ResolvedMention[] = [];
    const add = (m: Omit<ResolvedMention, 'chunkIndex'>) => {
      const chunk = chunkAt(input.chunks, m.start);
      if (chunk) mentions.push({ ...m, chunkIndex: chunk.index });
    };

    const known = input.gazetteer.find(input.text);
    for (const g of known) {
      names.set(g.entity.key, g.entity.name);
      add({ start: g.start, end: g.end, text: g.text, key: g.entity.key, source: 'gazetteer', confidence: 1 });
    }

    const fresh = new Map<string, NewEntity>();
    const suggestions = new Map<string, MergeSuggestion>();
    const candidates = [...input.candidates].sort((a, b) => b.confidence - a.confidence || a.start - b.start);
    const taken: Array<{ start: number; end: number }> = known.map((k) => ({ start: k.start, end: k.end }));
    for (const c of candidates) {
      if (taken.some((t) => overlaps(t, c))) continue;
      taken.push(c);
      const key = entityKey(c.text);
      const byName = input.gazetteer.lookup(c.text);
      if (byName) {
        names.set(byName.key, byName.name);
        add({ start: c.start, end: c.end, text: c.text, key: byName.key, source: c.source, confidence: Math.min(c.confidence, 0.95) });
        continue;
      }
      const near = input.nearest.get(key);
      if (near && near.score >= options.mergeAt) {
        names.set(near.key, near.name);
        add({ start: c.start, end: c.end, text: c.text, key: near.key, source: c.source, confidence: Math.min(c.confidence, near.score) });
        continue;
      }
      if (!fresh.has(key)) fresh.set(key, { key, name: c.text.trim(), type: c.type, embedding: input.nameEmbeddings[key] ?? null });
      if (near && near.score >= options.suggestAt && !suggestions.has(key)) {
        suggestions.set(key, { key, candidateId: near.id, candidateName: near.name, score: Math.round(near.score * 1000) / 1000 });
      }
      names.set(key, fresh.get(key)!.name);
      add({ start: c.start, end: c.end, text: c.text, key, source: c.source, confidence: c.confidence });
    }
    mentions.sort((a, b) => a.start - b.start);

    const drafts = input.drafts.map((d) => {
      const keys = [...new Set(mentions.filter((m) => m.start >= d.start && m.end <= d.end).map((m) => m.key))];
      const entities = [...new Set([...d.content.entities, ...keys.map((k) => names.get(k)!)])];
      return { ...d, entityKeys: keys, content: { ...d.content, entities } };
    });
    return { mentions, newEntities: [...fresh.values()], suggestions: [...suggestions.values()], drafts, names };
  });

/** Relations sentence by sentence, from the resolved mentions. */
export const relationStage = stage('relations', (input: { text: string; sentences: Sentence[]; mentions: ResolvedMention[]; chunks: ChunkData[] }): RelationData[] => {
  const out: RelationData[] = [];
  let m = 0;
  for (const s of input.sentences) {
    while (m < input.mentions.length && input.mentions[m]!.end <= s.start) m++;
    const inside: ResolvedMention[] = [];
    for (let k = m; k < input.mentions.length && input.mentions[k]!.start < s.end; k++) inside.push(input.mentions[k]!);
    if (inside.length < 2) continue;
    const chunk = chunkAt(input.chunks, s.start);
    for (const r of extractRelations(input.text, s, inside)) {
      out.push({ type: r.type, headKey: r.head, tailKey: r.tail, confidence: r.confidence, chunkIndex: chunk?.index ?? 0, start: s.start, end: s.end, evidence: r.evidence });
    }
  }
  // One relation per (type, head, tail) and document: the most confident reading.
  const best = new Map<string, RelationData>();
  for (const r of out) {
    const k = `${r.type}\u0000${r.headKey}\u0000${r.tailKey}`;
    const prev = best.get(k);
    if (!prev || prev.confidence < r.confidence) best.set(k, r);
  }
  return [...best.values()];
});
