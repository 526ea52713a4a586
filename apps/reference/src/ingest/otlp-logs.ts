import { arrayField, cleanText, decodeAnyValue, decodeAttributes, hexId, isAbsentId, isRecord, nanosToMs, OtlpDecodeError, toSmallInt, walkOtlp, type Attributes, type Decoded } from './otlp-values.js';

/** One log record as stored. */
export interface LogRow {
  time_ms: number;
  service: string;
  severity_number: number;
  severity_text: string | null;
  body: string;
  trace_id: string | null;
  span_id: string | null;
  attributes: Attributes;
  resource: Attributes;
}

/** Decodes an OTLP/JSON `ExportLogsServiceRequest`; see {@link walkOtlp} for the error split. */
export function decodeLogs(body: unknown, receivedAtMs: number): Decoded<LogRow> {
  return walkOtlp(body, { request: 'ExportLogsServiceRequest', resource: 'resourceLogs', scope: 'scopeLogs', items: 'logRecords' }, (record, path, { service, resource }) =>
    decodeRecord(record, path, service, resource, receivedAtMs),
  );
}

function decodeRecord(record: unknown, path: string, service: string, resource: Attributes, receivedAtMs: number): LogRow {
  if (!isRecord(record)) throw new OtlpDecodeError(path, 'must be a LogRecord object');
  // timeUnixNano may be 0/absent (unknown); the spec says to fall back to observedTimeUnixNano.
  const time = nanosToMs(record.timeUnixNano ?? 0, `${path}.timeUnixNano`);
  const observed = nanosToMs(record.observedTimeUnixNano ?? 0, `${path}.observedTimeUnixNano`);
  const body = decodeAnyValue(record.body, `${path}.body`);
  const optionalId = (value: unknown, bytes: number, field: string) => (isAbsentId(value) ? null : hexId(value, bytes, `${path}.${field}`));
  return {
    time_ms: time > 0 ? time : observed > 0 ? observed : receivedAtMs,
    service,
    severity_number: record.severityNumber === undefined ? 0 : toSmallInt(record.severityNumber, `${path}.severityNumber`),
    severity_text: typeof record.severityText === 'string' && record.severityText !== '' ? cleanText(record.severityText) : null,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    trace_id: optionalId(record.traceId, 16, 'traceId'),
    span_id: optionalId(record.spanId, 8, 'spanId'),
    attributes: decodeAttributes(arrayField(record, 'attributes', path), `${path}.attributes`),
    resource,
  };
}
