import type { z } from 'zod';

/**
 * One thing wrong with a piece of knowledge, located by a JSON path such as
 * `when.all[1].op` or `steps[2].next`. Validators return lists of these instead of throwing:
 * bad input is an expected, user-actionable outcome.
 */
export interface Problem {
  /** JSON path of the offending value; `""` for the value as a whole. */
  readonly path: string;
  /** Stable machine-readable kind, e.g. `unknown-step` or `too-deep`. */
  readonly code: string;
  readonly message: string;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/** `["all", 1, "op"]` under `when` → `when.all[1].op`. */
export function formatPath(segments: readonly PathSegment[], base = ''): string {
  let out = base;
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `when.all[1].op: unknown operator "lessThan"`. */
export function formatProblem(problem: Problem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

// zod's own English wording; anything else is a message one of our schemas chose.
const ZOD_DEFAULT_MESSAGE = /^(?:Invalid input|Too small|Too big|Unrecognized key)/;

/** zod reports what it received only inside its default message (issues omit the input). */
function received(message: string): string {
  const kind = /received (\w+)$/.exec(message)?.[1] ?? 'something else';
  if (kind === 'null' || kind === 'undefined' || kind === 'something else') return kind;
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function article(expected: string): string {
  if (expected === 'array' || expected === 'object' || expected === 'int') return `an ${expected === 'int' ? 'integer' : expected}`;
  return `a ${expected}`;
}

/**
 * Turns zod issues into problems with readable messages. Schemas in this package put their own
 * wording on the domain checks (`unknown operator "x"`); this covers zod's generic issues.
 */
export function problemsFromZod(error: z.ZodError, base = ''): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    const custom = !ZOD_DEFAULT_MESSAGE.test(issue.message);
    if (custom && issue.code !== 'custom') {
      problems.push({ path: formatPath(path, base), code: 'invalid', message: issue.message });
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          problems.push({ path: formatPath([...path, key], base), code: 'unknown-field', message: 'unknown field' });
        }
        break;
      case 'invalid_type':
        problems.push({
          path: formatPath(path, base),
          code: 'invalid',
          message:
            received(issue.message) === 'undefined'
              ? 'is required'
              : `expected ${article(issue.expected)}, got ${received(issue.message)}`,
        });
        break;
      case 'too_small':
        problems.push({
          path: formatPath(path, base),
          code: 'invalid',
          message:
            issue.origin === 'string' && Number(issue.minimum) <= 1
              ? 'must not be empty'
              : issue.origin === 'array'
                ? `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
                : issue.origin === 'string'
                  ? `must be at least ${issue.minimum} characters`
                  : `must be at least ${issue.minimum}`,
        });
        break;
      case 'too_big':
        problems.push({
          path: formatPath(path, base),
          code: 'invalid',
          message:
            issue.origin === 'array'
              ? `has more than ${issue.maximum} items`
              : issue.origin === 'string'
                ? `is longer than ${issue.maximum} characters`
                : `must be at most ${issue.maximum}`,
        });
        break;
      default: {
        // Custom checks carry their own code in `params.code`.
        const code = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : 'invalid';
        problems.push({ path: formatPath(path, base), code, message: issue.message });
      }
    }
  }
  return problems;
}
