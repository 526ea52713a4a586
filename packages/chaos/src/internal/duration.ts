import { parseDuration, SightlineError } from '@sightline/core';

/** Accepts ms as a number or a duration string such as "250ms" or "30s". */
export function toMs(value: number | string, where: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new SightlineError('CHAOS_DURATION_INVALID', `${where}: ${value} is not a duration >= 0 ms`, { where, value });
    }
    return value;
  }
  try {
    return parseDuration(value);
  } catch (cause) {
    throw new SightlineError('CHAOS_DURATION_INVALID', `${where}: "${value}" is not a duration such as "30s" or 250`, { where, value }, { cause });
  }
}
