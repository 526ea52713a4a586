/** Time granularity of a breakdown; `total` puts everything in one period. */
export type Granularity = 'day' | 'week' | 'month' | 'total';

const DAY_MS = 86_400_000;

/** Start (epoch ms, UTC) of the period containing `ms`; weeks start on Monday (ISO 8601). */
export function periodStart(ms: number, granularity: Granularity): number {
  switch (granularity) {
    case 'day': return Math.floor(ms / DAY_MS) * DAY_MS;
    case 'week': {
      const day = Math.floor(ms / DAY_MS);
      // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
      return (day - ((day + 3) % 7)) * DAY_MS;
    }
    case 'month': {
      const date = new Date(ms);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
    case 'total': return 0;
  }
}

/** End (epoch ms, UTC, exclusive) of the period starting at `start`; `Infinity` for `total`, which never ends. */
export function periodEnd(start: number, granularity: Granularity): number {
  switch (granularity) {
    case 'day': return start + DAY_MS;
    case 'week': return start + 7 * DAY_MS;
    case 'month': {
      const date = new Date(start);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    }
    case 'total': return Number.POSITIVE_INFINITY;
  }
}

/** `YYYY-MM-DD` of a period start, or `total`. */
export function formatPeriod(start: number, granularity: Granularity): string {
  return granularity === 'total' ? 'total' : new Date(start).toISOString().slice(0, 10);
}
