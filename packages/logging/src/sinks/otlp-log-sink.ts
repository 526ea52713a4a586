import { OTEL_SEVERITY_NUMBER, isLogLevel } from '../levels.js';
import type { LogRecord } from '../log-record.js';
import { HttpBatchSink, type BatchOutcome, type HttpBatchSinkOptions, type QueuedRecord } from './http-batch-sink.js';

/** Options of {@link OtlpLogSink}. */
export interface OtlpLogSinkOptions extends Omit<HttpBatchSinkOptions, 'url'> {
  /** The OTLP/HTTP logs endpoint (default `http://localhost:4318/v1/logs`). */
  url?: string;
  /** Extra resource attributes (e.g. `deployment.environment.name`); `service.name` comes from each record. */
  resource?: Readonly<Record<string, string>>;
}

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
interface KeyValue {
  key: string;
  value: AnyValue;
}

const NOT_ATTRIBUTES = new Set(['timestamp', 'level', 'message', 'service', 'trace_id', 'span_id', 'trace_flags']);

/**
 * Ships lines to an OpenTelemetry Collector (or any OTLP receiver) as OTLP/HTTP JSON logs: one
 * `resourceLogs` per service, the message as `body`, the other fields as attributes, and the
 * trace context as `traceId`/`spanId`/`flags`.
 */
export class OtlpLogSink extends HttpBatchSink {
  readonly sinkName = 'otlp';
  readonly #resource: KeyValue[];

  constructor(options: OtlpLogSinkOptions = {}) {
    super({ ...options, url: options.url ?? 'http://localhost:4318/v1/logs' }, 'OtlpLogSink');
    this.#resource = Object.entries(options.resource ?? {}).map(([key, value]) => ({ key, value: { stringValue: value } }));
  }

  protected encode(batch: readonly QueuedRecord[]): { body: string; contentType: string } {
    const byService = new Map<string, object[]>();
    for (const { record } of batch) {
      let records = byService.get(record.service);
      if (records === undefined) byService.set(record.service, (records = []));
      records.push(toLogRecord(record));
    }
    const resourceLogs = [...byService].map(([service, logRecords]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, ...this.#resource] },
      scopeLogs: [{ scope: { name: '@sightline/logging' }, logRecords }],
    }));
    return { body: JSON.stringify({ resourceLogs }), contentType: 'application/json' };
  }

  protected override async readOutcome(response: Response): Promise<BatchOutcome> {
    const text = await response.text();
    if (text === '') return { retry: [], rejected: 0 };
    const result = JSON.parse(text) as { partialSuccess?: { rejectedLogRecords?: number | string; errorMessage?: string } };
    const rejected = Number(result.partialSuccess?.rejectedLogRecords ?? 0);
    return rejected > 0 ? { retry: [], rejected, reason: result.partialSuccess?.errorMessage ?? 'partial success' } : { retry: [], rejected: 0 };
  }
}

function toLogRecord(record: LogRecord): object {
  const timeUnixNano = `${Date.parse(record.timestamp)}000000`;
  const attributes: KeyValue[] = [];
  for (const key of Object.keys(record)) {
    if (!NOT_ATTRIBUTES.has(key)) attributes.push({ key, value: toAnyValue(record[key]) });
  }
  const out: Record<string, unknown> = {
    timeUnixNano,
    observedTimeUnixNano: timeUnixNano,
    severityNumber: isLogLevel(record.level) ? OTEL_SEVERITY_NUMBER[record.level] : 0,
    severityText: record.level.toUpperCase(),
    body: { stringValue: record.message },
    attributes,
  };
  if (record.trace_id !== undefined && record.span_id !== undefined) {
    out.traceId = record.trace_id;
    out.spanId = record.span_id;
    out.flags = Number.parseInt(record.trace_flags ?? '0', 16);
  }
  return out;
}

function toAnyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  // OTLP JSON carries int64 as a decimal string.
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: JSON.stringify(value) };
}
