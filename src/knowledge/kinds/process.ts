import type { ProcessRecord } from '../import/index.js';
import { validateProcess, type ProcessStep } from '../process/index.js';
import { formatProblem } from '../rules/index.js';
import { picked, whenText, storedJson, storedString, type CommonContent, type KindSpec } from './spec.js';

/** A guided flow: steps with prompts, slots and branches, started by an intent. */
export interface ProcessContent extends CommonContent {
  kind: 'process';
  name: string;
  intent?: string | null;
  steps: unknown[];
}

const prompt = (step: unknown): string | undefined => (step as { prompt?: string } | null | undefined)?.prompt;

export const processKind: KindSpec<ProcessContent, ProcessRecord> = {
  kind: 'process',
  label: 'Process',
  fields: { name: 'string', intent: 'string', steps: 'json' },
  languageFields: ['name'],

  problems(c) {
    const problems: string[] = [];
    if (!c.name.trim()) problems.push('a process needs a name');
    const result = validateProcess(c.steps);
    if (!result.ok) problems.push(...result.problems.map(formatProblem));
    return problems;
  },
  semantic: (c) => ({ name: c.name, intent: c.intent, steps: c.steps }),
  toProps: (c) => ({ name: c.name, intent: c.intent ?? null, steps: JSON.stringify(c.steps) }),
  searchText: (c) => [c.name, ...c.steps.map((s) => prompt(s) ?? '')].join(' '),
  fromRow: (row, common) => ({
    ...common,
    kind: 'process',
    name: storedString(row, 'name') ?? '',
    intent: storedString(row, 'intent'),
    steps: storedJson(row, 'steps', '[]') as unknown[],
  }),
  embeddingText(c) {
    const first = String((Array.isArray(c.steps) ? prompt(c.steps[0]) : undefined) ?? '');
    return [c.name, c.intent?.replace(/_/g, ' '), first].filter(Boolean).join('. ');
  },
  mapText(c, f) {
    const m = whenText(f);
    return { ...c, name: m(c.name), steps: c.steps.map((s) => (s && typeof s === 'object' && 'prompt' in s ? { ...s, prompt: m(String(s.prompt)) } : s)) };
  },
  toContent: (r, common) => ({ ...common, kind: 'process', name: r.name, intent: r.intent ?? null, steps: r.steps }),
  toRecord: (c) => ({ name: c.name, ...(c.intent ? { intent: c.intent } : {}), steps: c.steps as ProcessStep[] }),
  merge(patch, common, base) {
    const steps = picked<unknown>(patch, 'steps', base);
    return { ...common, kind: 'process', name: picked<string>(patch, 'name', base) ?? '', intent: picked<string>(patch, 'intent', base) ?? null, steps: Array.isArray(steps) ? steps : [] };
  },
  title: (c) => c.name,
};
