import { offsetForArgs, resolveOffsetConnection } from '@pothos/plugin-relay';
import { AppError } from '../errors.js';
import type { GraphQLContext } from './context.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * Offset-backed Relay connections. `first` above GRAPHQL_MAX_PAGE_SIZE is refused (not silently
 * clamped: a client asking for a million rows should learn the limit).
 */
export async function offsetConnection<T>(
  ctx: GraphQLContext,
  args: PageArgs,
  fetch: (page: { skip: number; limit: number }) => Promise<{ total: number; items: T[] }>,
) {
  const max = ctx.services.config.graphql.maxPageSize;
  for (const key of ['first', 'last'] as const) {
    const n = args[key];
    if (n != null && (n < 0 || n > max)) {
      throw new AppError('BAD_USER_INPUT', `${key} must be between 0 and ${max}; got ${n}.`, { argument: key, max });
    }
  }
  let total = 0;
  try {
    offsetForArgs({ args, defaultSize: 20, maxSize: max }); // validates cursors before any query runs
  } catch (err) {
    throw new AppError('BAD_USER_INPUT', `Invalid pagination arguments: ${(err as Error).message}`);
  }
  const connection = await resolveOffsetConnection({ args, defaultSize: 20, maxSize: max }, async ({ offset, limit }) => {
    const page = await fetch({ skip: offset, limit });
    total = page.total;
    return page.items;
  });
  return { ...connection, totalCount: total };
}
