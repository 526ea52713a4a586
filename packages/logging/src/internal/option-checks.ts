import { toMilliseconds, type IssueCollector, type IssuePath } from '@sightline/core';

/** Reads a duration given as ms or as text like `"5m"`; records an issue and returns undefined when invalid. */
export function readDuration(value: unknown, path: IssuePath, issues: IssueCollector): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' && typeof value !== 'string') {
    issues.add(path, `must be a duration in ms or text like "5m"; got ${JSON.stringify(value)}`, 'DURATION_INVALID');
    return undefined;
  }
  try {
    const ms = toMilliseconds(value, path.join('.'));
    if (ms > 0) return ms;
    issues.add(path, `must be a positive duration; got ${JSON.stringify(value)}`, 'DURATION_INVALID');
  } catch (error) {
    issues.add(path, error instanceof Error ? error.message : String(error), 'DURATION_INVALID');
  }
  return undefined;
}

/** Reads a positive integer count; records an issue when invalid. */
export function readPositiveInteger(value: unknown, path: IssuePath, issues: IssueCollector): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  issues.add(path, `must be an integer >= 1; got ${JSON.stringify(value)}`, 'COUNT_INVALID');
  return undefined;
}
