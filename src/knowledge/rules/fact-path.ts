/**
 * Dotted paths into a customer context: `order.ageDays`, `items.0.sku`.
 *
 * Segments walk own properties of objects and, on arrays, canonical indices (`0`, `12`; not
 * `01`, `-1` or `length`). Inherited properties (`constructor`, `__proto__`) are never read, so a
 * rule cannot observe anything but the context's own data. `null` counts as missing.
 */
export const MAX_FACT_PATH_LENGTH = 256;

const FACT_PATH = /^[^.\s]+(?:\.[^.\s]+)*$/u;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

export function isFactPath(path: string): boolean {
  return path.length <= MAX_FACT_PATH_LENGTH && FACT_PATH.test(path);
}

export type FactLookup = { readonly present: true; readonly value: unknown } | { readonly present: false };

const MISSING: FactLookup = { present: false };

export function resolveFactPath(context: unknown, path: string): FactLookup {
  let current: unknown = context;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(segment)) return MISSING;
      const index = Number(segment);
      if (index >= current.length) return MISSING;
      current = current[index];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.hasOwn(current, segment)) return MISSING;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return MISSING;
    }
  }
  return current === undefined || current === null ? MISSING : { present: true, value: current };
}
