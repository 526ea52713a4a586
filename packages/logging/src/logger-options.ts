import { IssueCollector, systemClock, type Clock } from '@sightline/core';
import type Transport from 'winston-transport';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './levels.js';
import { REDACTION_PATTERNS, type RedactionOptions } from './redaction.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The service name written on every line (OTel `service.name`). Required. */
  service: string;
  /** The least severe level written (default `info`). */
  level?: LogLevel;
  /** Where lines go (default: one console sink). Any winston transport works. */
  sinks?: readonly Transport[];
  /** Redaction and size limits (default: all built-in key paths and value patterns). */
  redact?: RedactionOptions;
  /** Fields written on every line of this logger and its children. */
  defaultMeta?: Readonly<Record<string, unknown>>;
  /** Time source for `timestamp` (default: the system clock). */
  clock?: Clock;
}

/** The stable code of every options error in this package. */
export const LOGGING_OPTIONS_INVALID = 'LOGGING_OPTIONS_INVALID';

/** Checks {@link LoggerOptions} and throws one `ValidationError` listing every problem. */
export function validateLoggerOptions(options: unknown): asserts options is LoggerOptions {
  const issues = new IssueCollector();
  if (typeof options !== 'object' || options === null) {
    issues.add([], 'must be an object with at least { service }', 'OPTIONS_TYPE');
    issues.throwIfAny(LOGGING_OPTIONS_INVALID, 'createLogger options');
    return;
  }
  const o = options as Record<string, unknown>;
  if (typeof o.service !== 'string' || o.service.trim() === '') issues.add(['service'], 'must be a non-empty string naming the service', 'SERVICE_REQUIRED');
  if (o.level !== undefined && !isLogLevel(o.level)) {
    issues.add(['level'], `must be one of ${Object.keys(LOG_LEVELS).join(', ')}; got ${JSON.stringify(o.level)}`, 'LEVEL_UNKNOWN');
  }
  if (o.sinks !== undefined) {
    if (!Array.isArray(o.sinks)) issues.add(['sinks'], 'must be an array of sinks (winston transports)', 'SINKS_TYPE');
    else {
      o.sinks.forEach((sink: unknown, i) => {
        if (typeof sink !== 'object' || sink === null || typeof (sink as { log?: unknown }).log !== 'function') {
          issues.add(['sinks', i], 'must be a sink (a winston transport with a log() method)', 'SINK_TYPE');
        }
      });
    }
  }
  if (o.defaultMeta !== undefined && (typeof o.defaultMeta !== 'object' || o.defaultMeta === null)) issues.add(['defaultMeta'], 'must be an object', 'DEFAULT_META_TYPE');
  if (o.clock !== undefined && typeof (o.clock as { now?: unknown } | null)?.now !== 'function') issues.add(['clock'], 'must have a now() method returning epoch ms', 'CLOCK_TYPE');
  if (o.redact !== undefined) validateRedaction(o.redact, issues);
  issues.throwIfAny(LOGGING_OPTIONS_INVALID, 'createLogger options');
}

function validateRedaction(redact: unknown, issues: IssueCollector): void {
  if (typeof redact !== 'object' || redact === null) {
    issues.add(['redact'], 'must be an object', 'REDACT_TYPE');
    return;
  }
  const r = redact as Record<string, unknown>;
  if (r.keys !== undefined) {
    if (!Array.isArray(r.keys)) issues.add(['redact', 'keys'], 'must be an array of key paths like "password" or "*.token"', 'REDACT_KEYS_TYPE');
    else r.keys.forEach((key: unknown, i) => {
      if (typeof key !== 'string' || key === '' || key.split('.').some((s) => s === '')) issues.add(['redact', 'keys', i], `must be a dotted key path without empty segments; got ${JSON.stringify(key)}`, 'REDACT_KEY_INVALID');
    });
  }
  if (r.patterns !== undefined) {
    if (!Array.isArray(r.patterns)) issues.add(['redact', 'patterns'], `must be an array of ${REDACTION_PATTERNS.join(', ')}`, 'REDACT_PATTERNS_TYPE');
    else r.patterns.forEach((p: unknown, i) => {
      if (!REDACTION_PATTERNS.includes(p as never)) issues.add(['redact', 'patterns', i], `unknown pattern ${JSON.stringify(p)}; known: ${REDACTION_PATTERNS.join(', ')}`, 'REDACT_PATTERN_UNKNOWN');
    });
  }
  if (r.customPatterns !== undefined) {
    if (!Array.isArray(r.customPatterns)) issues.add(['redact', 'customPatterns'], 'must be an array of RegExp with the g flag', 'REDACT_CUSTOM_TYPE');
    else r.customPatterns.forEach((p: unknown, i) => {
      if (!(p instanceof RegExp) || !p.global) issues.add(['redact', 'customPatterns', i], 'must be a RegExp with the g flag (so every match is replaced)', 'REDACT_CUSTOM_INVALID');
    });
  }
  if (r.marker !== undefined && typeof r.marker !== 'string') issues.add(['redact', 'marker'], 'must be a string', 'REDACT_MARKER_TYPE');
  for (const limit of ['maxDepth', 'maxStringLength', 'maxArrayLength', 'maxKeys'] as const) {
    const v = r[limit];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) issues.add(['redact', limit], `must be an integer >= 1; got ${JSON.stringify(v)}`, 'REDACT_LIMIT_INVALID');
  }
}

/** The clock to use when none is given. */
export const defaultClock: Clock = systemClock;
