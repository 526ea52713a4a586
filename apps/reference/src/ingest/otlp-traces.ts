import { arrayField, decodeAttributes, hexId, isRecord, nanosToMs, OtlpDecodeError, serviceName, toNumber, type Attributes } from './otlp-values.js';

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

/** Spans that decoded, and the count and reasons of those that did not (OTLP partial success). */
export interface DecodedTraces {
  spans: SpanRow[];
  rejected: number;
  errors: string[];
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`. A structurally broken request throws
 * {@link OtlpDecodeError} (→ 400); a bad individual span is rejected and counted while the
 * rest are accepted (→ 200 with `partialSuccess`).
 */
export function decodeTraces(body: unknown): DecodedTraces {
  if (!isRecord(body)) throw new OtlpDecodeError('(body)', 'must be an ExportTraceServiceRequest JSON object');
  const result: DecodedTraces = { spans: [], rejected: 0, errors: [] };
  arrayField(body, 'resourceSpans', '(body)').forEach((rs, r) => {
    const rsPath = `resourceSpans[${r}]`;
    if (!isRecord(rs)) throw new OtlpDecodeError(rsPath, 'must be an object');
    const resource = decodeAttributes(arrayField(isRecord(rs.resource) ? rs.resource : {}, 'attributes', `${rsPath}.resource`), `${rsPath}.resource.attributes`);
    const service = serviceName(resource);
    arrayField(rs, 'scopeSpans', rsPath).forEach((ss, s) => {
      const ssPath = `${rsPath}.scopeSpans[${s}]`;
      if (!isRecord(ss)) throw new OtlpDecodeError(ssPath, 'must be an object');
      const scope = isRecord(ss.scope) && typeof ss.scope.name === 'string' ? ss.scope.name : null;
      arrayField(ss, 'spans', ssPath).forEach((span, i) => {
        try {
          result.spans.push(decodeSpan(span, `${ssPath}.spans[${i}]`, service, resource, scope));
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

function decodeSpan(span: unknown, path: string, service: string, resource: Attributes, scope: string | null): SpanRow {
  if (!isRecord(span)) throw new OtlpDecodeError(path, 'must be a Span object');
  if (typeof span.name !== 'string' || span.name === '') throw new OtlpDecodeError(`${path}.name`, 'must be a non-empty string');
  const start = nanosToMs(span.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const end = nanosToMs(span.endTimeUnixNano, `${path}.endTimeUnixNano`);
  if (end < start) throw new OtlpDecodeError(`${path}.endTimeUnixNano`, 'is before startTimeUnixNano');
  const parent = span.parentSpanId === undefined || span.parentSpanId === '' ? null : hexId(span.parentSpanId, 8, `${path}.parentSpanId`);
  const status = isRecord(span.status) ? span.status : {};
  return {
    trace_id: hexId(span.traceId, 16, `${path}.traceId`),
    span_id: hexId(span.spanId, 8, `${path}.spanId`),
    parent_span_id: parent,
    service,
    name: span.name,
    kind: span.kind === undefined ? 0 : toNumber(span.kind, `${path}.kind`),
    start_ms: start,
    duration_ms: end - start,
    status_code: status.code === undefined ? 0 : toNumber(status.code, `${path}.status.code`),
    status_message: typeof status.message === 'string' && status.message !== '' ? status.message : null,
    attributes: decodeAttributes(arrayField(span, 'attributes', path), `${path}.attributes`),
    resource,
    events: arrayField(span, 'events', path).map((event, i) => {
      const ePath = `${path}.events[${i}]`;
      if (!isRecord(event)) throw new OtlpDecodeError(ePath, 'must be an object');
      return {
        name: String(event.name ?? ''),
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
