import { LEVEL, MESSAGE, SPLAT } from 'triple-beam';
import { setOwn } from './internal/own-property.js';
import { applyMessageArguments, type InfoWithArguments } from './message-arguments.js';
import type { Redactor } from './redaction.js';
import { serializeError } from './serialize-error.js';
import type { TraceFields } from './trace-context.js';

/**
 * One log line as every sink sees it, already redacted. The first fields always come in this
 * order; the call's own fields follow.
 */
export interface LogRecord {
  /** ISO 8601 time of the call, from the logger's clock. */
  timestamp: string;
  level: string;
  message: string;
  service: string;
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
  correlation_id?: string;
  causation_id?: string;
  [field: string]: unknown;
}

/** Where the logger stores the finished record on winston's `info`, for sinks that ship structure. */
export const RECORD = Symbol.for('sightline.logging.record');
/** Epoch ms captured at the call, before winston's stream may defer the format. */
export const CALL_TIME = Symbol.for('sightline.logging.callTime');
/** Trace fields captured at the call, for the same reason. */
export const CALL_TRACE = Symbol.for('sightline.logging.callTrace');

/** The winston `info` object as it reaches the format, with the logger's captured call data. */
export interface CapturedInfo extends InfoWithArguments {
  level: string;
  message?: unknown;
  [CALL_TIME]?: number;
  [CALL_TRACE]?: TraceFields | undefined;
  [RECORD]?: LogRecord;
  [MESSAGE]?: string;
  [field: string]: unknown;
}

const FIXED = new Set(['level', 'message', 'timestamp', 'service', 'trace_id', 'span_id', 'trace_flags', 'correlationId', 'causationId', 'correlation_id', 'causation_id']);

/** What the logger hands to every transport: the redacted record itself, with winston's symbols. */
export type RecordInfo = LogRecord & { [LEVEL]: string; [MESSAGE]: string; [RECORD]: LogRecord };

/**
 * Builds the redacted {@link LogRecord} of one call and its JSON line. The record itself, carrying
 * winston's `LEVEL` and `MESSAGE` symbols (and `RECORD`, for the sinks), replaces `info` downstream:
 * a transport that formats the record on its own (`format.simple()`, a custom `log(info)`) sees
 * redacted fields only, and the caller's objects are never modified.
 */
export function buildRecord(info: CapturedInfo, service: string, redactor: Redactor, now: () => number): RecordInfo {
  const time = info[CALL_TIME] ?? now();
  const rawMessage = info.message;
  let text = typeof rawMessage === 'string' ? rawMessage : rawMessage === undefined ? '' : stringifyMessage(rawMessage);
  if (info[SPLAT] !== undefined) text = applyMessageArguments(info, text, redactor);
  const record: LogRecord = {
    timestamp: new Date(time).toISOString(),
    level: info.level,
    message: redactor.redactString(text),
    service: typeof info.service === 'string' ? info.service : service,
  };
  const traceFields = info[CALL_TRACE];
  if (traceFields !== undefined) {
    record.trace_id = traceFields.trace_id;
    record.span_id = traceFields.span_id;
    record.trace_flags = traceFields.trace_flags;
  }
  const correlation = info.correlationId ?? info.correlation_id;
  if (typeof correlation === 'string') record.correlation_id = redactor.redactString(correlation);
  const causation = info.causationId ?? info.causation_id;
  if (typeof causation === 'string') record.causation_id = redactor.redactString(causation);
  // winston hands over the Error itself when it is the only argument: keep its details.
  if (info instanceof Error) record.error = redactor.redactField('error', serializeError(info));
  const keys = Object.keys(info);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (FIXED.has(key)) continue;
    const value = redactor.redactField(key, info[key]);
    if (value !== undefined) setOwn(record, key, value);
  }
  const line = JSON.stringify(record);
  const out = record as RecordInfo;
  out[LEVEL] = info.level;
  out[MESSAGE] = line;
  out[RECORD] = record;
  return out;
}

function stringifyMessage(message: unknown): string {
  if (message instanceof Error) return message.message;
  if (typeof message === 'object' && message !== null) {
    try {
      return JSON.stringify(message) ?? String(message);
    } catch {
      return '[Unserializable message]';
    }
  }
  return String(message);
}
