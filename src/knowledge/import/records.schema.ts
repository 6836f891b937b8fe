import { z } from 'zod';
import { ConditionSchema, type Condition } from '../rules/condition.schema.js';
import { ProcessFlowSchema } from '../process/process.validate.js';
import type { ProcessStep } from '../process/process.schema.js';
import { detectLanguage, detectLanguages, normalizeLanguage, type Language, type RecordLanguage } from './language.js';

/**
 * Import records: one typed shape per line of JSONL or row of CSV (docs/knowledge-format.md).
 * Parsing normalises: strings trimmed with line breaks as `\n`, lists de-duplicated, `language`
 * detected when absent, `visibility` PUBLIC when absent, lists present (possibly empty).
 */
export const RECORD_TYPES = ['fact', 'intent', 'entity', 'rule', 'process', 'document'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const VISIBILITIES = ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Field size limits, in characters. */
export const RECORD_LIMITS = {
  externalId: 200,
  name: 200,
  shortText: 2_000,
  longText: 50_000,
  listItems: 1_000,
} as const;

interface Published {
  visibility: Visibility;
  /** Names (or aliases) of the entities the item is about. */
  entities: string[];
  tags: string[];
}

/** A question with its answer, or a statement: exactly one of the two forms. */
export interface FactRecord extends Published {
  type: 'fact';
  externalId: string;
  language: Language;
  question?: string;
  answer?: string;
  statement?: string;
  /** Similar questions (相似问): other ways customers ask it; matched by retrieval (src/learning). */
  questions?: string[];
  /** The intent this fact answers. */
  intentName?: string;
}

export const HANDLER_KINDS = ['fact', 'rule', 'process'] as const;
export type HandlerKind = (typeof HANDLER_KINDS)[number];

/** A knowledge item that answers an intent, for conversations in `language` (`mul`: any). */
export interface IntentHandler {
  externalId: string;
  kind?: HandlerKind;
  language: RecordLanguage;
}

export interface IntentRecord {
  type: 'intent';
  externalId: string;
  /** `mul` when the examples are in both languages. */
  language: RecordLanguage;
  name: string;
  examples: string[];
  handlers: IntentHandler[];
}

export interface EntityRecord {
  type: 'entity';
  externalId: string;
  /** `mul` when the name and aliases are in both languages. */
  language: RecordLanguage;
  name: string;
  entityType: string;
  aliases: string[];
  description?: string;
}

export interface RuleRecord extends Published {
  type: 'rule';
  externalId: string;
  language: Language;
  name: string;
  when: Condition;
  /** The outcome when the condition holds. */
  then: string;
  /** The outcome when it does not. */
  otherwise?: string;
}

export interface ProcessRecord extends Published {
  type: 'process';
  externalId: string;
  language: Language;
  name: string;
  /** The intent that starts this process. */
  intent?: string;
  steps: ProcessStep[];
}

export interface DocumentRecord {
  type: 'document';
  externalId: string;
  language: Language;
  visibility: Visibility;
  title: string;
  mediaType: string;
  content: string;
  source?: string;
}

export type KnowledgeRecord = FactRecord | IntentRecord | EntityRecord | RuleRecord | ProcessRecord | DocumentRecord;

const normalizeText = (s: string): string => s.replace(/\r\n?/g, '\n').trim();

const text = (max: number) =>
  z
    .string()
    .transform(normalizeText)
    .pipe(z.string().min(1, 'must not be empty').max(max, `is longer than ${max} characters`));

/** A single-line value: identifiers, names, types. */
const label = (max: number) =>
  text(max).refine((s) => !s.includes('\n'), 'must be a single line');

const list = (item: z.ZodType<string, unknown>, max = RECORD_LIMITS.listItems) =>
  z
    .array(item)
    .max(max)
    .transform((items) => [...new Set(items)]);

const LanguageSchema = z.string().transform((tag, ctx) => {
  const language = normalizeLanguage(tag);
  if (language === undefined || language === 'mul') {
    ctx.addIssue({ code: 'custom', message: `language ${JSON.stringify(tag)} is not supported (expected en or zh)` });
    return z.NEVER;
  }
  return language;
});

const MultiLanguageSchema = z.string().transform((tag, ctx) => {
  const language = normalizeLanguage(tag, { allowMul: true });
  if (language === undefined) {
    ctx.addIssue({ code: 'custom', message: `language ${JSON.stringify(tag)} is not supported (expected en, zh or mul)` });
    return z.NEVER;
  }
  return language;
});

const VisibilitySchema = z.string().transform((value, ctx) => {
  const upper = value.trim().toUpperCase();
  if (!(VISIBILITIES as readonly string[]).includes(upper)) {
    ctx.addIssue({ code: 'custom', message: `visibility ${JSON.stringify(value)} is not one of ${VISIBILITIES.join(', ')}` });
    return z.NEVER;
  }
  return upper as Visibility;
});

const common = {
  externalId: label(RECORD_LIMITS.externalId),
  language: LanguageSchema.optional(),
};

const published = {
  visibility: VisibilitySchema.optional(),
  entities: list(label(RECORD_LIMITS.name)).optional(),
  tags: list(label(RECORD_LIMITS.name)).optional(),
};


/** Fills `language` from the record's own text when it was not given. */
function withLanguage<T extends { language?: Language }>(record: T, ...texts: (string | undefined)[]): T & { language: Language } {
  return { ...record, language: record.language ?? detectLanguage(texts.filter((t) => t !== undefined).join('\n')) };
}

/** Fills `language` from separate texts (examples, aliases): `mul` when they differ. */
function withLanguages<T extends { language?: RecordLanguage }>(record: T, texts: readonly string[]): T & { language: RecordLanguage } {
  return { ...record, language: record.language ?? detectLanguages(texts) };
}

function withDefaults<T extends { visibility?: Visibility; entities?: string[]; tags?: string[] }>(record: T) {
  return { ...record, visibility: record.visibility ?? 'PUBLIC', entities: record.entities ?? [], tags: record.tags ?? [] };
}

/** Zod keeps keys whose value is undefined out of the output; this keeps records minimal too. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

export const FactRecordSchema = z
  .strictObject({
    type: z.literal('fact'),
    ...common,
    ...published,
    question: text(RECORD_LIMITS.shortText).optional(),
    answer: text(RECORD_LIMITS.longText).optional(),
    statement: text(RECORD_LIMITS.longText).optional(),
    questions: list(text(1_000)).optional(),
    intentName: label(RECORD_LIMITS.name).optional(),
  })
  .superRefine((fact, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const qa = fact.question !== undefined || fact.answer !== undefined;
    if (fact.statement !== undefined && qa) {
      issue(['statement'], 'a fact has "question" and "answer", or "statement", not both');
    } else if (!qa && fact.statement === undefined) {
      issue([], 'a fact needs "question" and "answer", or "statement"');
    } else if (fact.question === undefined && fact.answer !== undefined) {
      issue(['question'], 'is required with "answer"');
    } else if (fact.answer === undefined && fact.question !== undefined) {
      issue(['answer'], 'is required with "question"');
    }
  })
  .transform((f): FactRecord => compact(withDefaults(withLanguage(f, f.question, f.answer, f.statement))));

/**
 * One handler: `{ "externalId": "faq-1", "kind"?: "fact", "language"?: "zh" }`, or the shorthand
 * `{ "fact": "faq-1" }` / `{ "process": "proc-1" }` / `{ "rule": "rule-1" }`.
 */
const HandlerSchema = z
  .strictObject({
    externalId: label(RECORD_LIMITS.externalId).optional(),
    kind: z.enum(HANDLER_KINDS, { error: `must be one of ${HANDLER_KINDS.join(', ')}` }).optional(),
    fact: label(RECORD_LIMITS.externalId).optional(),
    rule: label(RECORD_LIMITS.externalId).optional(),
    process: label(RECORD_LIMITS.externalId).optional(),
    language: MultiLanguageSchema.optional(),
  })
  .superRefine((h, ctx) => {
    const given = (['externalId', ...HANDLER_KINDS] as const).filter((k) => h[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'a handler names one item: "externalId", or one of "fact", "rule", "process"' });
    } else if (h.kind !== undefined && given[0] !== 'externalId') {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: '"kind" goes with "externalId"' });
    }
  })
  .transform((h) => {
    const kind = h.kind ?? HANDLER_KINDS.find((k) => h[k] !== undefined);
    const externalId = h.externalId ?? h.fact ?? h.rule ?? h.process ?? '';
    return { externalId, ...(kind === undefined ? {} : { kind }), language: h.language };
  });

export const IntentRecordSchema = z
  .strictObject({
    type: z.literal('intent'),
    externalId: common.externalId,
    language: MultiLanguageSchema.optional(),
    name: label(RECORD_LIMITS.name),
    examples: list(text(RECORD_LIMITS.shortText)).pipe(z.array(z.string()).min(1, 'needs at least one example')),
    handlers: z.array(HandlerSchema).max(RECORD_LIMITS.listItems).optional(),
    /** The seeds' single-handler shorthand. */
    handler: HandlerSchema.optional(),
  })
  .superRefine((i, ctx) => {
    if (i.handler !== undefined && i.handlers !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['handler'], message: 'use "handler" or "handlers", not both' });
    }
  })
  .transform((i): IntentRecord => {
    const { handler, handlers, ...rest } = withLanguages(i, i.examples);
    const all = handlers ?? (handler === undefined ? [] : [handler]);
    const seen = new Set<string>();
    const unique = all
      .map((h) => ({ ...h, language: h.language ?? rest.language }))
      .filter((h) => {
        const key = `${h.externalId}\u0000${h.language}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
    return compact({ ...rest, handlers: unique });
  });

export const EntityRecordSchema = z
  .strictObject({
    type: z.literal('entity'),
    externalId: common.externalId,
    language: MultiLanguageSchema.optional(),
    name: label(RECORD_LIMITS.name),
    entityType: label(RECORD_LIMITS.name),
    aliases: list(label(RECORD_LIMITS.name)).optional(),
    description: text(RECORD_LIMITS.shortText).optional(),
  })
  .transform((e): EntityRecord => compact({ ...withLanguages(e, [e.name, ...(e.aliases ?? [])]), aliases: e.aliases ?? [] }));

export const RuleRecordSchema = z
  .strictObject({
    type: z.literal('rule'),
    ...common,
    ...published,
    name: label(RECORD_LIMITS.name),
    when: ConditionSchema,
    then: text(RECORD_LIMITS.longText),
    otherwise: text(RECORD_LIMITS.longText).optional(),
    /** Accepted as another name for `otherwise` ("when … then … else …"). */
    else: text(RECORD_LIMITS.longText).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.otherwise !== undefined && r.else !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['else'], message: 'use "otherwise" or "else", not both' });
    }
  })
  .transform((r): RuleRecord => {
    const { else: otherwiseAlias, ...rule } = r;
    const otherwise = rule.otherwise ?? otherwiseAlias;
    return compact(withDefaults(withLanguage({ ...rule, otherwise }, rule.name, rule.then, otherwise)));
  });

export const ProcessRecordSchema = z
  .strictObject({
    type: z.literal('process'),
    ...common,
    ...published,
    name: label(RECORD_LIMITS.name),
    intent: label(RECORD_LIMITS.name).optional(),
    steps: ProcessFlowSchema,
  })
  .transform((p): ProcessRecord => compact(withDefaults(withLanguage(p, p.name, ...p.steps.map((s) => s.prompt)))));

export const DocumentRecordSchema = z
  .strictObject({
    type: z.literal('document'),
    ...common,
    visibility: VisibilitySchema.optional(),
    title: label(RECORD_LIMITS.name * 2),
    mediaType: label(RECORD_LIMITS.name).pipe(z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as "text/markdown"')),
    content: z.string().transform(normalizeText).pipe(z.string().min(1, 'must not be empty')),
    source: label(RECORD_LIMITS.shortText).optional(),
  })
  .transform(
    (d): DocumentRecord => compact({ ...withLanguage(d, d.title, d.content.slice(0, 2_000)), visibility: d.visibility ?? 'PUBLIC' }),
  );

export const RECORD_SCHEMAS: { [T in RecordType]: z.ZodType<Extract<KnowledgeRecord, { type: T }>, unknown> } = {
  fact: FactRecordSchema,
  intent: IntentRecordSchema,
  entity: EntityRecordSchema,
  rule: RuleRecordSchema,
  process: ProcessRecordSchema,
  document: DocumentRecordSchema,
};

/** Every field some record type has, for telling "wrong type" from "unknown" fields. */
export const RECORD_FIELDS: { [T in RecordType]: readonly string[] } = {
  fact: ['type', 'externalId', 'language', 'visibility', 'entities', 'tags', 'question', 'answer', 'statement', 'questions', 'intentName'],
  intent: ['type', 'externalId', 'language', 'name', 'examples', 'handlers'],
  entity: ['type', 'externalId', 'language', 'name', 'entityType', 'aliases', 'description'],
  rule: ['type', 'externalId', 'language', 'visibility', 'entities', 'tags', 'name', 'when', 'then', 'otherwise'],
  process: ['type', 'externalId', 'language', 'visibility', 'entities', 'tags', 'name', 'intent', 'steps'],
  document: ['type', 'externalId', 'language', 'visibility', 'title', 'mediaType', 'content', 'source'],
};

