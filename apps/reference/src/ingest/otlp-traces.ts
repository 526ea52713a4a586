import { arrayField, cleanText, decodeAttributes, hexId, isAbsentId, isRecord, nanosToMs, OtlpDecodeError, toSmallInt, toText, walkOtlp, type Attributes, type Decoded } from './otlp-values.js';

/** One span as stored. */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: number;
  start_ms: number;
  duration_ms: number;
  status_code: number;
  status_message: string | null;
  attributes: Attributes;
  resource: Attributes;
  events: { name: string; time_ms: number; attributes: Attributes }[];
  links: { trace_id: string; span_id: string; attributes: Attributes }[];
  scope: string | null;
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`. A structurally broken request throws
 * {@link OtlpDecodeError} (→ 400); a bad individual span is rejected and counted while the
 * rest are accepted (→ 200 with `partialSuccess`).
 */
export function decodeTraces(body: unknown): Decoded<SpanRow> {
  return walkOtlp(body, { request: 'ExportTraceServiceRequest', resource: 'resourceSpans', scope: 'scopeSpans', items: 'spans' }, (span, path, { service, resource, scope }) =>
    decodeSpan(span, path, service, resource, scope),
  );
}

function decodeSpan(span: unknown, path: string, service: string, resource: Attributes, scope: string | null): SpanRow {
  if (!isRecord(span)) throw new OtlpDecodeError(path, 'must be a Span object');
  if (typeof span.name !== 'string' || span.name === '') throw new OtlpDecodeError(`${path}.name`, 'must be a non-empty string');
  const start = nanosToMs(span.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const end = nanosToMs(span.endTimeUnixNano, `${path}.endTimeUnixNano`);
  if (end < start) throw new OtlpDecodeError(`${path}.endTimeUnixNano`, 'is before startTimeUnixNano');
  const parent = isAbsentId(span.parentSpanId) ? null : hexId(span.parentSpanId, 8, `${path}.parentSpanId`);
  const status = isRecord(span.status) ? span.status : {};
  return {
    trace_id: hexId(span.traceId, 16, `${path}.traceId`),
    span_id: hexId(span.spanId, 8, `${path}.spanId`),
    parent_span_id: parent,
    service,
    name: cleanText(span.name),
    kind: span.kind === undefined ? 0 : toSmallInt(span.kind, `${path}.kind`),
    start_ms: start,
    duration_ms: end - start,
    status_code: status.code === undefined ? 0 : toSmallInt(status.code, `${path}.status.code`),
    status_message: typeof status.message === 'string' && status.message !== '' ? cleanText(status.message) : null,
    attributes: decodeAttributes(arrayField(span, 'attributes', path), `${path}.attributes`),
    resource,
    events: arrayField(span, 'events', path).map((event, i) => {
      const ePath = `${path}.events[${i}]`;
      if (!isRecord(event)) throw new OtlpDecodeError(ePath, 'must be an object');
      return {
        name: event.name === undefined || event.name === null ? '' : toText(event.name, `${ePath}.name`),
        time_ms: nanosToMs(event.timeUnixNano, `${ePath}.timeUnixNano`),
        attributes: decodeAttributes(arrayField(event, 'attributes', ePath), `${ePath}.attributes`),
      };
    }),
    links: arrayField(span, 'links', path).map((link, i) => {
      const lPath = `${path}.links[${i}]`;
      if (!isRecord(link)) throw new OtlpDecodeError(lPath, 'must be an object');
      return {
        trace_id: hexId(link.traceId, 16, `${lPath}.traceId`),
        span_id: hexId(link.spanId, 8, `${lPath}.spanId`),
        attributes: decodeAttributes(arrayField(link, 'attributes', lPath), `${lPath}.attributes`),
      };
    }),
    scope,
  };
}
