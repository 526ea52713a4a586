/**
 * Start (epoch ms) of the calendar month or ISO week (Monday) containing `at`, at local
 * midnight in `timeZone`. Handles DST: local midnight is found by correcting the zone offset at
 * the candidate instant, so a March month in Europe/Paris is 743 hours long and October 745.
 */
export function calendarPeriodStart(at: number, unit: 'month' | 'week', timeZone: string): number {
  const local = localParts(at, timeZone);
  if (unit === 'month') return zonedMidnight(local.year, local.month, 1, timeZone);
  const weekday = (local.weekday + 6) % 7; // Monday = 0
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day - weekday));
  return zonedMidnight(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), timeZone);
}

/** Start of the period after the one starting at `start`. */
export function calendarPeriodEnd(start: number, unit: 'month' | 'week', timeZone: string): number {
  const local = localParts(start, timeZone);
  if (unit === 'month') return zonedMidnight(local.month === 12 ? local.year + 1 : local.year, local.month === 12 ? 1 : local.month + 1, 1, timeZone);
  const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 7));
  return zonedMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(at: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? ''),
  };
}

/** Offset of `timeZone` from UTC at instant `at`, in ms (Paris in winter: +3,600,000). */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(at / 60_000) * 60_000;
}

function zonedMidnight(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - offsetAt(guess, timeZone);
  // The offset at the true instant may differ from the guess's (a DST change in between).
  instant = guess - offsetAt(instant, timeZone);
  return instant;
}
