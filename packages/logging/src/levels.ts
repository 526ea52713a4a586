/**
 * The log levels, most severe first (winston's convention: a lower number is more severe): the
 * OpenTelemetry names (`fatal`, `trace`) plus every winston npm level (`http`, `verbose`, `silly`),
 * so code written for a plain winston logger keeps working. `trace` stays the most verbose.
 */
export const LOG_LEVELS = { fatal: 0, error: 1, warn: 2, info: 3, http: 4, verbose: 5, debug: 6, silly: 7, trace: 8 } as const;

/** A level name: `fatal`, `error`, `warn`, `info`, `http`, `verbose`, `debug`, `silly` or `trace`. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** True when `value` is one of {@link LOG_LEVELS}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LOG_LEVELS, value);
}

/**
 * OTel `SeverityNumber` of each level: the first number of each OTel range (e.g. INFO = 9) for the
 * OTel names; the winston-only levels sit inside the range between their neighbours (`http` DEBUG4,
 * `verbose` DEBUG3, `silly` TRACE2), so the order of severities matches {@link LOG_LEVELS}.
 */
export const OTEL_SEVERITY_NUMBER: Readonly<Record<LogLevel, number>> = { trace: 1, silly: 2, debug: 5, verbose: 7, http: 8, info: 9, warn: 13, error: 17, fatal: 21 };
