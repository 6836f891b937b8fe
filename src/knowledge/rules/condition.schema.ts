import { z } from 'zod';
import { isFactPath, MAX_FACT_PATH_LENGTH } from './fact-path.js';
import { isIsoDate } from './iso-date.js';
import { problemsFromZod, type PathSegment, type Problem } from './problem.js';

/**
 * The rule condition grammar (docs/design.md, docs/knowledge-format.md):
 *
 *     Condition := { all: Condition[] } | { any: Condition[] } | { not: Condition }
 *                | { fact: Path, op: Op, value?: JSONValue }
 */
export const OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'nin', 'contains', 'exists', 'notExists'] as const;
export type Operator = (typeof OPERATORS)[number];

export type PresenceOperator = 'exists' | 'notExists';
export type ListOperator = 'in' | 'nin';
export type OrderOperator = 'lt' | 'lte' | 'gt' | 'gte';
export type ValueOperator = 'eq' | 'ne' | 'contains' | OrderOperator;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type FactCondition =
  | { fact: string; op: PresenceOperator }
  | { fact: string; op: ListOperator; value: JsonValue[] }
  | { fact: string; op: ValueOperator; value: JsonValue };

export interface AllCondition {
  all: Condition[];
}
export interface AnyCondition {
  any: Condition[];
}
export interface NotCondition {
  not: Condition;
}
export type Condition = AllCondition | AnyCondition | NotCondition | FactCondition;

/** Hard limits on one condition tree; deeper or larger trees are rejected, never truncated. */
export const CONDITION_LIMITS = {
  /** Nesting levels, counting the root as 1: `{all:[{fact…}]}` has depth 2. */
  maxDepth: 10,
  /** `{fact, op}` leaves in the whole tree. */
  maxLeaves: 100,
} as const;

export type ConditionLimitCode = 'too-deep' | 'too-many-leaves';

/** Thrown by the evaluator for a tree that bypassed `parseCondition` and breaks a limit. */
export class ConditionLimitError extends Error {
  override readonly name = 'ConditionLimitError';
  constructor(
    readonly code: ConditionLimitCode,
    readonly limit: number,
  ) {
    super(
      code === 'too-deep'
        ? `condition nests deeper than ${limit} levels`
        : `condition has more than ${limit} leaves`,
    );
  }
}

const KINDS = ['all', 'any', 'not', 'fact'] as const;
const ORDER_OPERATORS: readonly Operator[] = ['lt', 'lte', 'gt', 'gte'];

function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  }
  return false;
}

type RawNode = {
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
  fact?: string;
  op?: Operator;
  value?: JsonValue;
};

const opMessage = (input: unknown): string =>
  `unknown operator ${JSON.stringify(input) ?? String(input)} (expected one of ${OPERATORS.join(', ')})`;

function checkNode(node: RawNode, ctx: z.RefinementCtx): void {
  const kinds = KINDS.filter((k) => node[k] !== undefined);
  const issue = (message: string, path: PathSegment[] = []): void => {
    ctx.addIssue({ code: 'custom', message, path, params: { code: 'invalid-condition' } });
  };
  if (kinds.length === 0) {
    issue('a condition needs one of "all", "any", "not" or "fact"');
    return;
  }
  if (kinds.length > 1) {
    issue(`a condition has exactly one of "all", "any", "not" or "fact"; found ${kinds.map((k) => `"${k}"`).join(' and ')}`);
    return;
  }
  if (kinds[0] !== 'fact') {
    for (const key of ['op', 'value'] as const) {
      if (node[key] !== undefined) issue(`"${key}" belongs to a fact condition`, [key]);
    }
    return;
  }
  const { op, value } = node;
  if (op === undefined) {
    issue('is required', ['op']);
    return;
  }
  if (op === 'exists' || op === 'notExists') {
    if (value !== undefined) issue(`"${op}" takes no value`, ['value']);
    return;
  }
  if (value === undefined) {
    issue(`"${op}" needs a value`, ['value']);
    return;
  }
  if (value === null) {
    issue('null is not a comparable value; use "exists" or "notExists"', ['value']);
    return;
  }
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(value) || value.length === 0) issue(`"${op}" needs a non-empty array value`, ['value']);
    else if (value.some((v) => v === null)) issue('null is not a comparable value', ['value']);
    return;
  }
  if (ORDER_OPERATORS.includes(op) && typeof value !== 'number' && !isIsoDate(value)) {
    issue(`"${op}" needs a number or an ISO date value`, ['value']);
  }
}

function toCondition(node: RawNode): Condition {
  if (node.all !== undefined) return { all: node.all };
  if (node.any !== undefined) return { any: node.any };
  if (node.not !== undefined) return { not: node.not };
  const { fact = '', op = 'exists', value } = node;
  if (op === 'exists' || op === 'notExists') return { fact, op };
  if (op === 'in' || op === 'nin') return { fact, op, value: value as JsonValue[] };
  return { fact, op, value: value as JsonValue };
}

const FactPathSchema = z.string().refine(isFactPath, {
  message: `must be a dotted path such as "order.ageDays" or "items.0.sku" (at most ${MAX_FACT_PATH_LENGTH} characters)`,
});

const ConditionNodeSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(ConditionNodeSchema).min(1, 'needs at least one condition').optional(),
      any: z.array(ConditionNodeSchema).min(1, 'needs at least one condition').optional(),
      not: ConditionNodeSchema.optional(),
      fact: FactPathSchema.optional(),
      op: z.enum(OPERATORS, { error: (iss) => opMessage(iss.input) }).optional(),
      value: z.custom<JsonValue>((v) => isJsonValue(v), 'must be a JSON value').optional(),
    })
    .superRefine(checkNode)
    .transform(toCondition),
);

/**
 * Measures depth and leaves without recursing past the limit, so that a hostile, deeply nested
 * document is rejected before the recursive schema sees it.
 */
function checkLimits(input: unknown, ctx: z.RefinementCtx): void {
  let leaves = 0;
  let tooDeepAt: PathSegment[] | undefined;
  const visit = (node: unknown, depth: number, path: PathSegment[]): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    if (depth > CONDITION_LIMITS.maxDepth) {
      tooDeepAt ??= path;
      return;
    }
    const record = node as Record<string, unknown>;
    if (Object.hasOwn(record, 'fact')) leaves += 1;
    for (const key of ['all', 'any'] as const) {
      const children = record[key];
      if (Array.isArray(children)) children.forEach((child, i) => visit(child, depth + 1, [...path, key, i]));
    }
    if (Object.hasOwn(record, 'not')) visit(record.not, depth + 1, [...path, 'not']);
  };
  visit(input, 1, []);
  if (tooDeepAt !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: tooDeepAt,
      message: `conditions nest deeper than ${CONDITION_LIMITS.maxDepth} levels`,
      params: { code: 'too-deep' },
    });
  }
  if (leaves > CONDITION_LIMITS.maxLeaves) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `condition has ${leaves} leaves (at most ${CONDITION_LIMITS.maxLeaves})`,
      params: { code: 'too-many-leaves' },
    });
  }
}

/** The zod schema for a whole condition tree, limits included. Compose it into record schemas. */
export const ConditionSchema: z.ZodType<Condition, unknown> = z.unknown().superRefine(checkLimits).pipe(ConditionNodeSchema);

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: Problem[] };

export interface ParseConditionOptions {
  /** Path prefix for problems, e.g. `when` → `when.all[1].op`. Default `""`. */
  readonly at?: string;
}

/** Validates untrusted JSON as a condition; problems carry JSON paths. */
export function parseCondition(input: unknown, options: ParseConditionOptions = {}): ParseResult<Condition> {
  const result = ConditionSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFromZod(result.error, options.at ?? '') };
}

/** Every fact path the condition reads, once each, in order of first appearance. */
export function referencedFacts(condition: Condition): string[] {
  const seen = new Set<string>();
  const visit = (node: Condition): void => {
    if ('all' in node) node.all.forEach(visit);
    else if ('any' in node) node.any.forEach(visit);
    else if ('not' in node) visit(node.not);
    else seen.add(node.fact);
  };
  visit(condition);
  return [...seen];
}
