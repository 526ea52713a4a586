/**
 * The log levels, most severe first (winston's convention: a lower number is more severe).
 * They follow the OpenTelemetry severity ranges so every sink maps them without loss.
 */
export const LOG_LEVELS = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 } as const;

/** A level name: `fatal`, `error`, `warn`, `info`, `debug` or `trace`. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** True when `value` is one of {@link LOG_LEVELS}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LOG_LEVELS, value);
}

/** OTel `SeverityNumber` of each level (the first number of each OTel range, e.g. INFO = 9). */
export const OTEL_SEVERITY_NUMBER: Readonly<Record<LogLevel, number>> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
