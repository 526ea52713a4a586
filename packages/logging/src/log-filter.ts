import { IssueCollector } from '@sightline/core';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './levels.js';
import type { LogRecord } from './log-record.js';

/** What {@link searchLogs} keeps. Every given condition must hold (AND). */
export interface LogFilter {
  /** Exactly these levels. */
  level?: LogLevel | readonly LogLevel[];
  /** This level or more severe (e.g. `warn` keeps warn, error, fatal). */
  minLevel?: LogLevel;
  service?: string | readonly string[];
  /** Inclusive start: a Date, epoch ms or ISO text. */
  from?: Date | number | string;
  /** Exclusive end: a Date, epoch ms or ISO text. */
  to?: Date | number | string;
  traceId?: string;
  /** Field equality; keys may be dotted paths into nested objects (`http.status`). */
  fields?: Readonly<Record<string, string | number | boolean | null>>;
  /** Case-insensitive substring of the message. */
  text?: string;
}

/** The stable code of an invalid {@link LogFilter}. */
export const LOGGING_FILTER_INVALID = 'LOGGING_FILTER_INVALID';

/** A compiled filter: a cheap test on the raw line, then the full test on the parsed record. */
export interface CompiledFilter {
  mayMatchLine(line: string): boolean;
  matches(record: LogRecord): boolean;
}

/** Checks a filter (one error listing every problem) and compiles it. */
export function compileFilter(filter: LogFilter = {}): CompiledFilter {
  const issues = new IssueCollector();
  const levels = filter.level === undefined ? undefined : new Set(typeof filter.level === 'string' ? [filter.level] : filter.level);
  levels?.forEach((level) => {
    if (!isLogLevel(level)) issues.add(['level'], `unknown level ${JSON.stringify(level)}; known: ${Object.keys(LOG_LEVELS).join(', ')}`, 'LEVEL_UNKNOWN');
  });
  if (filter.minLevel !== undefined && !isLogLevel(filter.minLevel)) issues.add(['minLevel'], `unknown level ${JSON.stringify(filter.minLevel)}`, 'LEVEL_UNKNOWN');
  const from = readTime(filter.from, 'from', issues);
  const to = readTime(filter.to, 'to', issues);
  if (from !== undefined && to !== undefined && from >= to) issues.add(['to'], 'must be after from', 'RANGE_EMPTY');
  issues.throwIfAny(LOGGING_FILTER_INVALID, 'log filter');

  const services = filter.service === undefined ? undefined : new Set(typeof filter.service === 'string' ? [filter.service] : filter.service);
  const maxRank = filter.minLevel === undefined ? undefined : LOG_LEVELS[filter.minLevel];
  const traceId = filter.traceId;
  const text = filter.text?.toLowerCase();
  const fields = filter.fields === undefined ? [] : Object.entries(filter.fields).map(([path, value]) => ({ path: path.split('.'), value }));
  return {
    // Substring checks on the raw line reject most lines before the JSON parse, which dominates the cost.
    mayMatchLine: (line) => traceId === undefined || line.includes(traceId),
    matches: (record) => {
      if (levels !== undefined && !levels.has(record.level as LogLevel)) return false;
      if (maxRank !== undefined && !(isLogLevel(record.level) && LOG_LEVELS[record.level] <= maxRank)) return false;
      if (services !== undefined && !services.has(record.service)) return false;
      if (traceId !== undefined && record.trace_id !== traceId) return false;
      if (from !== undefined || to !== undefined) {
        const time = Date.parse(record.timestamp);
        if (from !== undefined && !(time >= from)) return false;
        if (to !== undefined && !(time < to)) return false;
      }
      if (text !== undefined && !String(record.message).toLowerCase().includes(text)) return false;
      for (const { path, value } of fields) if (valueAt(record, path) !== value) return false;
      return true;
    },
  };
}

function readTime(value: Date | number | string | undefined, key: string, issues: IssueCollector): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isFinite(ms)) return ms;
  issues.add([key], `must be a Date, epoch ms or ISO time; got ${JSON.stringify(value)}`, 'TIME_INVALID');
  return undefined;
}

function valueAt(record: LogRecord, path: readonly string[]): unknown {
  let node: unknown = record;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
