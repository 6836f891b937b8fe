import type { Grain } from './bucket.js';

/** Calendar arithmetic in UTC for analytics periods. Weeks start on Monday (ISO 8601). */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type SeriesGranularity = 'hour' | 'day' | 'week';

export function floorTo(t: number, unit: Grain | SeriesGranularity): number {
  const d = new Date(t);
  switch (unit) {
    case 'hour':
      return Math.floor(t / HOUR) * HOUR;
    case 'day':
      return Math.floor(t / DAY) * DAY;
    case 'week': {
      const day = Math.floor(t / DAY) * DAY;
      const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
      return day - weekday * DAY;
    }
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
}

export function addTo(t: number, unit: Grain | SeriesGranularity, n = 1): number {
  switch (unit) {
    case 'hour':
      return t + n * HOUR;
    case 'day':
      return t + n * DAY;
    case 'week':
      return t + n * 7 * DAY;
    case 'month': {
      const d = new Date(t);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
    }
  }
}

export function ceilTo(t: number, unit: Grain | SeriesGranularity): number {
  const f = floorTo(t, unit);
  return f === t ? t : addTo(f, unit);
}

export interface GrainRange {
  grain: Grain;
  from: number;
  to: number;
}

/**
 * The fewest stored buckets that cover the hour-aligned window [from, to): whole months inside it
 * (when `coarsest` allows), whole days at the month edges, hours at the day edges.
 */
export function cover(from: number, to: number, coarsest: Grain = 'month'): GrainRange[] {
  const out: GrainRange[] = [];
  const days = (a: number, b: number) => {
    if (coarsest === 'hour') {
      if (a < b) out.push({ grain: 'hour', from: a, to: b });
      return;
    }
    const d0 = ceilTo(a, 'day');
    const d1 = floorTo(b, 'day');
    if (d0 < d1) {
      if (a < d0) out.push({ grain: 'hour', from: a, to: d0 });
      out.push({ grain: 'day', from: d0, to: d1 });
      if (d1 < b) out.push({ grain: 'hour', from: d1, to: b });
    } else if (a < b) {
      out.push({ grain: 'hour', from: a, to: b });
    }
  };
  if (coarsest === 'month') {
    const m0 = ceilTo(from, 'month');
    const m1 = floorTo(to, 'month');
    if (m0 < m1) {
      days(from, m0);
      out.push({ grain: 'month', from: m0, to: m1 });
      days(m1, to);
      return out;
    }
  }
  days(from, to);
  return out;
}

export const iso = (t: number): string => new Date(t).toISOString();
