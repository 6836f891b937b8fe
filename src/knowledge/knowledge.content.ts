import { createHash } from 'node:crypto';
import type { Visibility } from '../auth/roles.js';
import { canonicalJson } from './import/index.js';
import type { Condition } from './rules/index.js';
import type { KnowledgeKind, KnowledgeRow } from './knowledge.repository.js';

/**
 * The content of a knowledge item, as editors and imports write it. One shape for GraphQL
 * create/update, JSONL/CSV import and export, so every path hashes and stores alike.
 */
export type KnowledgeContent = FactContent | RuleContent | ProcessContent;

interface Common {
  externalId?: string | null;
  language: string;
  visibility: Visibility;
  /** Entity names (or aliases) the item is ABOUT. */
  entities: string[];
  tags: string[];
}
export interface FactContent extends Common {
  kind: 'fact';
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
}
export interface RuleContent extends Common {
  kind: 'rule';
  name: string;
  when: Condition;
  then: string;
  otherwise?: string | null;
}
export interface ProcessContent extends Common {
  kind: 'process';
  name: string;
  intent?: string | null;
  steps: unknown[];
}

export { canonicalJson };

/** The fields that make up an item's meaning; status and bookkeeping are not content. */
export function semanticFields(c: KnowledgeContent): Record<string, unknown> {
  const common = { kind: c.kind, language: c.language, visibility: c.visibility, entities: [...c.entities].sort(), tags: [...c.tags].sort() };
  switch (c.kind) {
    case 'fact':
      return { ...common, question: c.question, answer: c.answer, statement: c.statement };
    case 'rule':
      return { ...common, name: c.name, when: c.when, then: c.then, otherwise: c.otherwise };
    case 'process':
      return { ...common, name: c.name, intent: c.intent, steps: c.steps };
  }
}

export function contentHash(c: KnowledgeContent): string {
  return createHash('sha256').update(canonicalJson(semanticFields(c))).digest('hex');
}

/** Graph properties for `knowledge/upsert` (conditions and steps as JSON text). */
export function toProps(c: KnowledgeContent): Record<string, string | string[] | null> {
  const base = { language: c.language, visibility: c.visibility, tags: c.tags };
  const empty = { question: null, answer: null, statement: null, name: null, when: null, then: null, otherwise: null, steps: null, intent: null };
  switch (c.kind) {
    case 'fact':
      return { ...empty, ...base, question: c.question ?? null, answer: c.answer ?? null, statement: c.statement ?? null, searchText: null };
    case 'rule':
      return { ...empty, ...base, name: c.name, when: JSON.stringify(c.when), then: c.then, otherwise: c.otherwise ?? null, searchText: `${c.name} ${c.then}` };
    case 'process':
      return {
        ...empty,
        ...base,
        name: c.name,
        intent: c.intent ?? null,
        steps: JSON.stringify(c.steps),
        searchText: [c.name, ...c.steps.map((s) => (s as { prompt?: string }).prompt ?? '')].join(' '),
      };
  }
}

/** Reads stored content back (for updates, exports and diffs). */
export function fromRow(row: KnowledgeRow, entities: string[]): KnowledgeContent {
  const common = { externalId: row.externalId, language: row.language, visibility: row.visibility, entities, tags: row.tags ?? [] };
  switch (row.kind) {
    case 'fact':
      return { ...common, kind: 'fact', question: row.question, answer: row.answer, statement: row.statement };
    case 'rule':
      return { ...common, kind: 'rule', name: row.name ?? '', when: JSON.parse(row.when ?? '{}') as Condition, then: row.then ?? '', otherwise: row.otherwise };
    case 'process':
      return { ...common, kind: 'process', name: row.name ?? '', intent: row.intent, steps: JSON.parse(row.steps ?? '[]') as unknown[] };
  }
}

/** Which semantic fields differ between two versions (for the history's "what changed"). */
export function changedFields(before: KnowledgeContent | null, after: KnowledgeContent): string[] {
  const a = semanticFields(after);
  if (!before) return Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
  const b = semanticFields(before);
  return Object.keys(a).filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null));
}

const cjk = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;

/** en or zh by script: enough to route content whose language was not given. */
export function guessLanguage(text: string): 'en' | 'zh' {
  const han = text.match(cjk)?.length ?? 0;
  const letters = text.replace(/\s/g, '').length || 1;
  return han / letters > 0.2 ? 'zh' : 'en';
}

export function displayTitle(c: KnowledgeContent): string {
  return c.kind === 'fact' ? (c.question ?? c.statement ?? '') : c.name;
}

export const kindLabel: Record<KnowledgeKind, string> = { fact: 'Fact', rule: 'Rule', process: 'Process' };
