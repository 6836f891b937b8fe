import type { FactRecord } from '../import/index.js';
import { picked, whenText, storedString, type CommonContent, type KindSpec } from './spec.js';

/** A question with its answer, or a statement. */
export interface FactContent extends CommonContent {
  kind: 'fact';
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
}

export const factKind: KindSpec<FactContent, FactRecord> = {
  kind: 'fact',
  label: 'Fact',
  fields: { question: 'string', answer: 'string', statement: 'string' },
  languageFields: ['question', 'answer', 'statement'],

  problems(c) {
    const q = c.question?.trim();
    const a = c.answer?.trim();
    const s = c.statement?.trim();
    return !s && !(q && a) ? ['a fact needs a question and an answer, or a statement'] : [];
  },
  semantic: (c) => ({ question: c.question, answer: c.answer, statement: c.statement }),
  toProps: (c) => ({ question: c.question ?? null, answer: c.answer ?? null, statement: c.statement ?? null }),
  // question, answer and statement are indexed themselves.
  searchText: () => null,
  fromRow: (row, common) => ({
    ...common,
    kind: 'fact',
    question: storedString(row, 'question'),
    answer: storedString(row, 'answer'),
    statement: storedString(row, 'statement'),
  }),
  embeddingText: (c) => [c.question, c.answer ?? c.statement].filter(Boolean).join(' '),
  mapText(c, f) {
    const m = whenText(f);
    return { ...c, question: m(c.question), answer: m(c.answer), statement: m(c.statement) };
  },
  toContent: (r, common) => ({ ...common, kind: 'fact', question: r.question ?? null, answer: r.answer ?? null, statement: r.statement ?? null }),
  toRecord: (c) => ({ ...(c.question ? { question: c.question } : {}), ...(c.answer ? { answer: c.answer } : {}), ...(c.statement ? { statement: c.statement } : {}) }),
  merge: (patch, common, base) => ({
    ...common,
    kind: 'fact',
    question: picked<string>(patch, 'question', base) ?? null,
    answer: picked<string>(patch, 'answer', base) ?? null,
    statement: picked<string>(patch, 'statement', base) ?? null,
  }),
  title: (c) => c.question ?? c.statement ?? '',
};
