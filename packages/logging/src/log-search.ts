import { compileFilter, type LogFilter } from './log-filter.js';
import type { LogRecord } from './log-record.js';
import { readLines, type LogSource } from './log-source.js';
import { messageTemplate } from './message-template.js';

/**
 * Streams the records of `source` that match `filter`, in file order. Lines that are not JSON
 * objects with a timestamp, level and message are skipped (see {@link logStatistics} for a count).
 * @example
 * for await (const record of searchLogs('logs/app.log', { minLevel: 'error', service: 'checkout' })) console.log(record.message);
 */
export async function* searchLogs(source: LogSource, filter: LogFilter = {}): AsyncGenerator<LogRecord> {
  const compiled = compileFilter(filter);
  for await (const line of readLines(source)) {
    if (!compiled.mayMatchLine(line)) continue;
    const record = parseRecord(line);
    if (record !== undefined && compiled.matches(record)) yield record;
  }
}

/** Options of {@link logStatistics}. */
export interface LogStatisticsOptions {
  /** Only count records matching this filter. */
  filter?: LogFilter;
  /** How many error templates to list (default 10). */
  top?: number;
}

/** One group of error messages that share a template. */
export interface ErrorGroup {
  template: string;
  count: number;
  /** The first message seen with this template. */
  example: string;
  lastSeen: string;
}

/** Error rate of one calendar minute (UTC). `rate` is errors / total, 0..1. */
export interface MinuteErrorRate {
  minute: string;
  total: number;
  errors: number;
  rate: number;
}

/** What {@link logStatistics} returns. */
export interface LogStatistics {
  total: number;
  /** Lines that were not log records (not JSON, or missing timestamp/level/message). */
  invalidLines: number;
  byLevel: Record<string, number>;
  byService: Record<string, number>;
  /** Error and fatal messages grouped by {@link messageTemplate}, most frequent first. */
  topErrors: ErrorGroup[];
  /** One entry per minute that has records, oldest first. */
  errorRatePerMinute: MinuteErrorRate[];
}

const ERROR_LEVELS = new Set(['error', 'fatal']);

/**
 * Counts records by level and service, groups error messages by template and computes the error
 * rate per minute, in one pass over `source`.
 */
export async function logStatistics(source: LogSource, options: LogStatisticsOptions = {}): Promise<LogStatistics> {
  const compiled = compileFilter(options.filter);
  const top = options.top ?? 10;
  const byLevel: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const groups = new Map<string, ErrorGroup>();
  const minutes = new Map<number, { total: number; errors: number }>();
  let total = 0;
  let invalidLines = 0;
  for await (const line of readLines(source)) {
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record === undefined) {
      invalidLines++;
      continue;
    }
    if (!compiled.mayMatchLine(line) || !compiled.matches(record)) continue;
    total++;
    byLevel[record.level] = (byLevel[record.level] ?? 0) + 1;
    byService[record.service] = (byService[record.service] ?? 0) + 1;
    const isError = ERROR_LEVELS.has(record.level);
    const minute = Math.floor(Date.parse(record.timestamp) / 60_000);
    let bucket = minutes.get(minute);
    if (bucket === undefined) minutes.set(minute, (bucket = { total: 0, errors: 0 }));
    bucket.total++;
    if (!isError) continue;
    bucket.errors++;
    const template = messageTemplate(record.message);
    const group = groups.get(template);
    if (group === undefined) groups.set(template, { template, count: 1, example: record.message, lastSeen: record.timestamp });
    else {
      group.count++;
      group.lastSeen = record.timestamp;
    }
  }
  const topErrors = [...groups.values()].sort((a, b) => b.count - a.count || a.template.localeCompare(b.template)).slice(0, top);
  const errorRatePerMinute = [...minutes].sort(([a], [b]) => a - b).map(([minute, { total: t, errors }]) => ({
    minute: new Date(minute * 60_000).toISOString(),
    total: t,
    errors,
    rate: errors / t,
  }));
  return { total, invalidLines, byLevel, byService, topErrors, errorRatePerMinute };
}

function parseRecord(line: string): LogRecord | undefined {
  if (line.length === 0 || line.charCodeAt(0) !== 123 /* { */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<LogRecord>;
  if (typeof record.timestamp !== 'string' || typeof record.level !== 'string' || typeof record.message !== 'string') return undefined;
  if (typeof record.service !== 'string') record.service = '';
  return record as LogRecord;
}
