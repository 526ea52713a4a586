import { calendarPeriodEnd, calendarPeriodStart } from './calendar.js';
import type { SloTracker } from './slo-tracker.js';

const HOUR = 3_600_000;

/** One period of a report. */
export interface ReportPeriod {
  readonly start: number;
  readonly end: number;
  readonly good: number;
  readonly total: number;
  /** good / total; 1 with no traffic. */
  readonly attainment: number;
  readonly met: boolean;
  /** Bad events / the period's allowed bad events (its own traffic × (1 − objective)). */
  readonly budgetSpent: number;
}

/** A run of hours whose error ratio exceeded the allowed one. */
export interface Breach {
  readonly start: number;
  readonly end: number;
  readonly bad: number;
  readonly total: number;
}

/**
 * Attainment per day, week (ISO, Monday) or month in `timeZone`, over the hours the tracker holds
 * (its budget window), and the breaches: maximal runs of hours whose error ratio was above
 * 1 − objective, with start and end.
 */
export function sloReport(tracker: SloTracker, options: { period: 'day' | 'week' | 'month'; timeZone?: string }): { periods: ReportPeriod[]; breaches: Breach[] } {
  const zone = options.timeZone ?? 'UTC';
  const { newest, good, total } = tracker.hourly();
  const allowed = 1 - tracker.spec.objective;
  const periods = new Map<number, { start: number; end: number; good: number; total: number }>();
  const breaches: Breach[] = [];
  let open: { start: number; end: number; bad: number; total: number } | undefined;
  if (newest !== Number.NEGATIVE_INFINITY) {
    for (let index = newest - good.length + 1; index <= newest; index++) {
      const slot = ((index % good.length) + good.length) % good.length;
      const g = good[slot]!;
      const t = total[slot]!;
      const at = index * HOUR;
      if (t > 0) {
        const start = periodStart(at, options.period, zone);
        const p = periods.get(start) ?? { start, end: periodEnd(start, options.period, zone), good: 0, total: 0 };
        p.good += g;
        p.total += t;
        periods.set(start, p);
      }
      const breaching = t > 0 && (t - g) / t > allowed;
      if (breaching) {
        if (open === undefined) open = { start: at, end: at + HOUR, bad: 0, total: 0 };
        open.end = at + HOUR;
        open.bad += t - g;
        open.total += t;
      } else if (open !== undefined) {
        breaches.push(open);
        open = undefined;
      }
    }
  }
  if (open !== undefined) breaches.push(open);
  return {
    periods: [...periods.values()].sort((a, b) => a.start - b.start).map((p) => {
      const attainment = p.total === 0 ? 1 : p.good / p.total;
      return { ...p, attainment, met: attainment >= tracker.spec.objective, budgetSpent: p.total === 0 ? 0 : (p.total - p.good) / (p.total * allowed) };
    }),
    breaches,
  };
}

function periodStart(at: number, period: 'day' | 'week' | 'month', zone: string): number {
  if (period !== 'day') return calendarPeriodStart(at, period, zone);
  // A day starts at the local midnight: the week's start plus whole local days.
  let start = calendarPeriodStart(at, 'week', zone);
  for (let next = calendarDayAfter(start, zone); next <= at; next = calendarDayAfter(start, zone)) start = next;
  return start;
}

function periodEnd(start: number, period: 'day' | 'week' | 'month', zone: string): number {
  return period === 'day' ? calendarDayAfter(start, zone) : calendarPeriodEnd(start, period, zone);
}

/** The local midnight after the local midnight `start` (23, 24 or 25 hours later around DST). */
function calendarDayAfter(start: number, zone: string): number {
  return nextLocalMidnight(start, zone);
}

function nextLocalMidnight(midnight: number, zone: string): number {
  // Local midnights are 23-25 hours apart: the first hour boundary from +23h whose local time is 00:00.
  for (let t = midnight + 23 * HOUR; t <= midnight + 25 * HOUR; t += HOUR) {
    if (isLocalMidnight(t, zone)) return t;
  }
  return midnight + 24 * HOUR;
}

const hourFormat = new Map<string, Intl.DateTimeFormat>();
function isLocalMidnight(at: number, zone: string): boolean {
  let f = hourFormat.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });
    hourFormat.set(zone, f);
  }
  const parts = f.formatToParts(at);
  return Number(parts.find((p) => p.type === 'hour')?.value) === 0 && Number(parts.find((p) => p.type === 'minute')?.value) === 0;
}
