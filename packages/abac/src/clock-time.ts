/** Weekday names as policies write them. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Local minute of the day (0..1439) and weekday of `epochMs` in `timeZone` (DST-correct). */
export function localTime(epochMs: number, timeZone: string): { minuteOfDay: number; weekday: Weekday } {
  let hour = 0;
  let minute = 0;
  let weekday: Weekday = 'sun';
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'weekday') weekday = part.value.slice(0, 3).toLowerCase() as Weekday;
  }
  return { minuteOfDay: hour * 60 + minute, weekday };
}

/** Parses "HH:MM" (24 h) into a minute of the day; `undefined` when invalid. */
export function parseClockTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}
