import { arrayField, decodeAnyValue, decodeAttributes, hexId, isRecord, nanosToMs, OtlpDecodeError, serviceName, toNumber, type Attributes } from './otlp-values.js';

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

export interface DecodedLogs {
  logs: LogRow[];
  rejected: number;
  errors: string[];
}

/** Decodes an OTLP/JSON `ExportLogsServiceRequest`; see {@link decodeTraces} for the error split. */
export function decodeLogs(body: unknown, receivedAtMs: number): DecodedLogs {
  if (!isRecord(body)) throw new OtlpDecodeError('(body)', 'must be an ExportLogsServiceRequest JSON object');
  const result: DecodedLogs = { logs: [], rejected: 0, errors: [] };
  arrayField(body, 'resourceLogs', '(body)').forEach((rl, r) => {
    const rlPath = `resourceLogs[${r}]`;
    if (!isRecord(rl)) throw new OtlpDecodeError(rlPath, 'must be an object');
    const resource = decodeAttributes(arrayField(isRecord(rl.resource) ? rl.resource : {}, 'attributes', `${rlPath}.resource`), `${rlPath}.resource.attributes`);
    const service = serviceName(resource);
    arrayField(rl, 'scopeLogs', rlPath).forEach((sl, s) => {
      const slPath = `${rlPath}.scopeLogs[${s}]`;
      if (!isRecord(sl)) throw new OtlpDecodeError(slPath, 'must be an object');
      arrayField(sl, 'logRecords', slPath).forEach((record, i) => {
        try {
          result.logs.push(decodeRecord(record, `${slPath}.logRecords[${i}]`, service, resource, receivedAtMs));
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error;
          result.rejected++;
          if (result.errors.length < 10) result.errors.push(error.message);
        }
      });
    });
  });
  return result;
}

function decodeRecord(record: unknown, path: string, service: string, resource: Attributes, receivedAtMs: number): LogRow {
  if (!isRecord(record)) throw new OtlpDecodeError(path, 'must be a LogRecord object');
  // timeUnixNano may be 0/absent (unknown); the spec says to fall back to observedTimeUnixNano.
  const time = nanosToMs(record.timeUnixNano ?? 0, `${path}.timeUnixNano`);
  const observed = nanosToMs(record.observedTimeUnixNano ?? 0, `${path}.observedTimeUnixNano`);
  const body = decodeAnyValue(record.body, `${path}.body`);
  const optionalId = (value: unknown, bytes: number, field: string) => (value === undefined || value === '' ? null : hexId(value, bytes, `${path}.${field}`));
  return {
    time_ms: time > 0 ? time : observed > 0 ? observed : receivedAtMs,
    service,
    severity_number: record.severityNumber === undefined ? 0 : toNumber(record.severityNumber, `${path}.severityNumber`),
    severity_text: typeof record.severityText === 'string' && record.severityText !== '' ? record.severityText : null,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    trace_id: optionalId(record.traceId, 16, 'traceId'),
    span_id: optionalId(record.spanId, 8, 'spanId'),
    attributes: decodeAttributes(arrayField(record, 'attributes', path), `${path}.attributes`),
    resource,
  };
}
