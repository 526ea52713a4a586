import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/** The OTel correlation fields of a log line, as W3C hex strings (`trace_flags` is two hex digits). */
export interface TraceFields {
  trace_id: string;
  span_id: string;
  trace_flags: string;
}

/**
 * Reads the span context active right now (through `@opentelemetry/api`, so whichever SDK the
 * application registered). Returns undefined outside a span or for an invalid context.
 */
export function activeTraceFields(): TraceFields | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags < 16 ? `0${spanContext.traceFlags.toString(16)}` : spanContext.traceFlags.toString(16),
  };
}
