import type { RuleRecord } from '../import/index.js';
import { formatProblem, parseCondition, type Condition } from '../rules/index.js';
import { picked, whenText, storedJson, storedString, type CommonContent, type KindSpec } from './spec.js';

/** A condition over the customer context with its outcome (and the outcome when it does not hold). */
export interface RuleContent extends CommonContent {
  kind: 'rule';
  name: string;
  when: Condition;
  then: string;
  otherwise?: string | null;
}

/** Ingestion tags a rule whose condition is a placeholder; it goes once an edit writes the condition. */
export const NEEDS_CONDITION_TAG = 'needs-condition';

export const ruleKind: KindSpec<RuleContent, RuleRecord> = {
  kind: 'rule',
  label: 'Rule',
  fields: { name: 'string', when: 'json', then: 'string', otherwise: 'string' },
  languageFields: ['name', 'then'],

  problems(c) {
    const problems: string[] = [];
    if (!c.name.trim()) problems.push('a rule needs a name');
    if (!c.then.trim()) problems.push('a rule needs an outcome ("then")');
    const parsed = parseCondition(c.when, { at: 'when' });
    if (!parsed.ok) problems.push(...parsed.problems.map(formatProblem));
    return problems;
  },
  semantic: (c) => ({ name: c.name, when: c.when, then: c.then, otherwise: c.otherwise }),
  toProps: (c) => ({ name: c.name, when: JSON.stringify(c.when), then: c.then, otherwise: c.otherwise ?? null }),
  searchText: (c) => `${c.name} ${c.then}`,
  fromRow: (row, common) => ({
    ...common,
    kind: 'rule',
    name: storedString(row, 'name') ?? '',
    when: storedJson(row, 'when', '{}') as Condition,
    then: storedString(row, 'then') ?? '',
    otherwise: storedString(row, 'otherwise'),
  }),
  embeddingText: (c) => [c.name, c.then].filter(Boolean).join('. '),
  mapText(c, f) {
    const m = whenText(f);
    return { ...c, name: m(c.name), then: m(c.then), otherwise: m(c.otherwise) };
  },
  toContent: (r, common) => ({ ...common, kind: 'rule', name: r.name, when: r.when, then: r.then, otherwise: r.otherwise ?? null }),
  toRecord: (c) => ({ name: c.name, when: c.when, then: c.then, ...(c.otherwise ? { otherwise: c.otherwise } : {}) }),
  merge: (patch, common, base) => ({
    ...common,
    // An edit that writes the condition replaces ingestion's placeholder.
    tags: base && patch.when !== undefined ? common.tags.filter((t) => t !== NEEDS_CONDITION_TAG) : common.tags,
    kind: 'rule',
    name: picked<string>(patch, 'name', base) ?? '',
    when: picked<Condition>(patch, 'when', base) ?? ({} as Condition),
    then: picked<string>(patch, 'then', base) ?? '',
    otherwise: picked<string>(patch, 'otherwise', base) ?? null,
  }),
  title: (c) => c.name,
};
