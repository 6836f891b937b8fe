export type Period = '24h' | '7d' | '30d';
const HOURS: Record<Period, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 };

/** The [from, to] of a period ending now, as ISO strings (the API's DateTime). */
export function range(period: Period): { from: string; to: string } {
  const to = new Date();
  return { from: new Date(to.getTime() - HOURS[period] * 3_600_000).toISOString(), to: to.toISOString() };
}
