import {
  CONDITION_LIMITS,
  ConditionLimitError,
  type Condition,
  type FactCondition,
  type JsonValue,
  type Operator,
} from './condition.schema.js';
import { resolveFactPath } from './fact-path.js';
import { parseIsoDate } from './iso-date.js';

/** Why a leaf did not hold. */
export type LeafFailure = 'missing' | 'type-mismatch' | 'not-satisfied';

export interface LeafTrace {
  readonly kind: 'fact';
  /** The dotted fact path. */
  readonly path: string;
  readonly op: Operator;
  /** The condition's value; absent for `exists`/`notExists`. */
  readonly expected?: JsonValue;
  /** Whether the path resolved to a non-null value. */
  readonly present: boolean;
  /** The resolved value; absent when the fact is missing. */
  readonly actual?: unknown;
  readonly held: boolean;
  /** Set exactly when `held` is false. */
  readonly failure?: LeafFailure;
}

export interface GroupTrace {
  readonly kind: 'all' | 'any';
  readonly held: boolean;
  readonly children: readonly TraceNode[];
}

export interface NotTrace {
  readonly kind: 'not';
  readonly held: boolean;
  readonly child: TraceNode;
}

export type TraceNode = LeafTrace | GroupTrace | NotTrace;

export interface RuleEvaluation {
  readonly fired: boolean;
  /** The whole tree: every leaf is evaluated (no short-circuit) so the trace explains all of it. */
  readonly trace: TraceNode;
}

type Comparison = 'match' | 'no-match' | 'mismatch';

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'other';

function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value as Kind;
    case 'object':
      return value === null ? 'other' : 'object';
    default:
      return 'other';
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  if (kind === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    return x.length === y.length && x.every((v, i) => deepEqual(v, y[i]));
  }
  if (kind === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && deepEqual(x[k], y[k]));
  }
  return false;
}

/** Strings that both read as ISO dates compare as instants; everything else needs equal kinds. */
function compareEqual(actual: unknown, expected: unknown): Comparison {
  const kind = kindOf(actual);
  if (kind !== kindOf(expected) || kind === 'other') return 'mismatch';
  if (kind === 'string') {
    if (actual === expected) return 'match';
    const a = parseIsoDate(actual as string);
    const e = parseIsoDate(expected as string);
    return a !== undefined && e !== undefined && a === e ? 'match' : 'no-match';
  }
  return deepEqual(actual, expected) ? 'match' : 'no-match';
}

/** Orders numbers with numbers and ISO dates with ISO dates; nothing else is ordered. */
function compareOrder(actual: unknown, expected: unknown): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return Number.isNaN(actual) || Number.isNaN(expected) ? undefined : actual - expected;
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = parseIsoDate(actual);
    const e = parseIsoDate(expected);
    return a !== undefined && e !== undefined ? a - e : undefined;
  }
  return undefined;
}

/** Membership of `actual` in `list`: a match, or whether any element was even comparable. */
function findIn(actual: unknown, list: readonly unknown[]): Comparison {
  let comparable = false;
  for (const element of list) {
    const c = compareEqual(actual, element);
    if (c === 'match') return 'match';
    if (c === 'no-match') comparable = true;
  }
  return comparable ? 'no-match' : 'mismatch';
}

type Outcome = { held: true } | { held: false; failure: LeafFailure };

const HELD: Outcome = { held: true };
const fail = (failure: LeafFailure): Outcome => ({ held: false, failure });
const fromComparison = (c: Comparison, wanted: 'match' | 'no-match'): Outcome =>
  c === 'mismatch' ? fail('type-mismatch') : c === wanted ? HELD : fail('not-satisfied');

function evaluateLeaf(leaf: FactCondition, actual: unknown): Outcome {
  switch (leaf.op) {
    case 'exists':
      return HELD;
    case 'notExists':
      return fail('not-satisfied');
    case 'eq':
      return fromComparison(compareEqual(actual, leaf.value), 'match');
    case 'ne':
      return fromComparison(compareEqual(actual, leaf.value), 'no-match');
    case 'in':
      return fromComparison(findIn(actual, leaf.value), 'match');
    case 'nin':
      return fromComparison(findIn(actual, leaf.value), 'no-match');
    case 'contains':
      if (typeof actual === 'string') {
        return typeof leaf.value === 'string'
          ? actual.includes(leaf.value)
            ? HELD
            : fail('not-satisfied')
          : fail('type-mismatch');
      }
      if (Array.isArray(actual)) {
        if (actual.length === 0) return fail('not-satisfied');
        return fromComparison(findIn(leaf.value, actual), 'match');
      }
      return fail('type-mismatch');
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const order = compareOrder(actual, leaf.value);
      if (order === undefined) return fail('type-mismatch');
      const held =
        leaf.op === 'lt' ? order < 0 : leaf.op === 'lte' ? order <= 0 : leaf.op === 'gt' ? order > 0 : order >= 0;
      return held ? HELD : fail('not-satisfied');
    }
  }
}

function traceLeaf(leaf: FactCondition, context: unknown): LeafTrace {
  const lookup = resolveFactPath(context, leaf.fact);
  const expected = 'value' in leaf ? { expected: leaf.value } : {};
  if (!lookup.present) {
    const held = leaf.op === 'notExists';
    return { kind: 'fact', path: leaf.fact, op: leaf.op, ...expected, present: false, held, ...(held ? {} : { failure: 'missing' }) };
  }
  const outcome = evaluateLeaf(leaf, lookup.value);
  return {
    kind: 'fact',
    path: leaf.fact,
    op: leaf.op,
    ...expected,
    present: true,
    actual: lookup.value,
    held: outcome.held,
    ...(outcome.held ? {} : { failure: outcome.failure }),
  };
}

/**
 * Evaluates a condition against a customer context (any JSON-like value; facts are dotted paths
 * into it). Pure: no clock, no I/O, no mutation. A missing fact fails every leaf but `notExists`;
 * comparisons between different kinds fail (`"30"` is not `30`); two ISO date strings compare as
 * instants. Throws `ConditionLimitError` only for a tree that was never parsed and breaks a limit.
 */
export function evaluateRule(condition: Condition, context: unknown): RuleEvaluation {
  let leaves = 0;
  const visit = (node: Condition, depth: number): TraceNode => {
    if (depth > CONDITION_LIMITS.maxDepth) throw new ConditionLimitError('too-deep', CONDITION_LIMITS.maxDepth);
    if ('all' in node || 'any' in node) {
      const kind = 'all' in node ? 'all' : 'any';
      const children = ('all' in node ? node.all : node.any).map((child) => visit(child, depth + 1));
      const held = kind === 'all' ? children.every((c) => c.held) : children.some((c) => c.held);
      return { kind, held, children };
    }
    if ('not' in node) {
      const child = visit(node.not, depth + 1);
      return { kind: 'not', held: !child.held, child };
    }
    leaves += 1;
    if (leaves > CONDITION_LIMITS.maxLeaves) throw new ConditionLimitError('too-many-leaves', CONDITION_LIMITS.maxLeaves);
    return traceLeaf(node, context);
  };
  const trace = visit(condition, 1);
  return { fired: trace.held, trace };
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A readable, indented explanation of a trace, one node a line, for logs, the agent console and
 * citations:
 *
 *     all: held
 *       order.ageDays lte 30: held (actual 12)
 *       item.used eq false: not held, missing
 */
export function formatTrace(trace: TraceNode, indent = ''): string {
  const verdict = (held: boolean): string => (held ? 'held' : 'not held');
  switch (trace.kind) {
    case 'all':
    case 'any':
      return [`${indent}${trace.kind}: ${verdict(trace.held)}`, ...trace.children.map((c) => formatTrace(c, `${indent}  `))].join(
        '\n',
      );
    case 'not':
      return [`${indent}not: ${verdict(trace.held)}`, formatTrace(trace.child, `${indent}  `)].join('\n');
    case 'fact': {
      const expected = trace.expected !== undefined ? ` ${show(trace.expected)}` : '';
      const detail = trace.held
        ? trace.present
          ? ` (actual ${show(trace.actual)})`
          : ''
        : trace.failure === 'missing'
          ? ', missing'
          : `, ${trace.failure ?? 'not-satisfied'} (actual ${show(trace.actual)})`;
      return `${indent}${trace.path} ${trace.op}${expected}: ${verdict(trace.held)}${detail}`;
    }
  }
}
