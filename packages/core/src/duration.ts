import { SightlineError } from './errors.js';

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

/** A duration unit accepted by {@link parseDuration}. */
export type DurationUnit = keyof typeof UNIT_MS;

// Units largest first, so formatting emits `1d2h` and parsing can require descending order.
const UNITS_DESCENDING: readonly DurationUnit[] = ['w', 'd', 'h', 'm', 's', 'ms'];
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/**
 * Parses a duration such as `"30s"`, `"5m"`, `"1h30m"`, `"30d"` or `"250ms"` into milliseconds.
 * Units: `ms`, `s`, `m`, `h`, `d` (24h), `w` (7d); parts must be in descending unit order, each
 * unit at most once (the Prometheus rule). A bad string throws `DURATION_INVALID` naming it.
 * @returns the duration in milliseconds (an integer; fractions like `"1.5h"` are allowed)
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string' || text.length === 0) {
    throw invalid(text, 'expected a non-empty string such as "30s", "5m" or "1h30m"');
  }
  if (text === '0') return 0;
  let total = 0;
  let lastRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null) {
      throw invalid(text, `unexpected "${text.slice(at)}" at position ${at}; use <number><unit> parts with units ms, s, m, h, d, w`);
    }
    const unit = match[2] as DurationUnit;
    const rank = UNITS_DESCENDING.indexOf(unit);
    if (rank <= lastRank) {
      throw invalid(text, `unit "${unit}" is repeated or out of order; write larger units first, each once (e.g. "1h30m")`);
    }
    lastRank = rank;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(Math.round(total))) throw invalid(text, 'the duration is too large');
  return Math.round(total);
}

/**
 * Formats milliseconds as the shortest exact duration string: `90_000` → `"1m30s"`,
 * `0` → `"0s"`. The result always parses back to the same number with {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new SightlineError('DURATION_INVALID', `formatDuration(${ms}): expected a non-negative integer number of milliseconds`, { value: ms });
  }
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of UNITS_DESCENDING) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

/** Accepts either milliseconds or a duration string; convenient for options objects. */
export function toMilliseconds(value: number | string, where = 'duration'): number {
  if (typeof value === 'string') return parseDuration(value);
  if (!Number.isFinite(value) || value < 0) {
    throw new SightlineError('DURATION_INVALID', `${where}: ${value} is not a non-negative number of milliseconds`, { value, where });
  }
  return value;
}

function invalid(text: unknown, why: string): SightlineError {
  return new SightlineError('DURATION_INVALID', `Invalid duration ${JSON.stringify(text)}: ${why}`, { input: text });
}
