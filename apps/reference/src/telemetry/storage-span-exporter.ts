import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { AttributeValue, Attributes } from '../ingest/otlp-values.js';
import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database } from '../storage/database.js';
import { insertSpans } from '../storage/span-store.js';

/**
 * Writes the app's own spans straight into its storage, as if they had arrived over OTLP.
 * Going through storage rather than the app's own OTLP endpoint means exporting never creates
 * new ingest spans (no feedback loop).
 */
export class StorageSpanExporter implements SpanExporter {
  constructor(private readonly db: Database) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    insertSpans(this.db, spans.map(toRow)).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  }

  async shutdown(): Promise<void> {}
}

function toRow(span: ReadableSpan): SpanRow {
  const start = hrTimeToMilliseconds(span.startTime);
  const resource = plain(span.resource.attributes);
  const service = resource['service.name'];
  return {
    trace_id: span.spanContext().traceId,
    span_id: span.spanContext().spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    service: typeof service === 'string' ? service : 'sightline',
    name: span.name,
    // SpanKind in the API counts from INTERNAL = 0; OTLP counts from UNSPECIFIED = 0.
    kind: span.kind + 1,
    start_ms: start,
    duration_ms: hrTimeToMilliseconds(span.duration),
    status_code: span.status.code,
    status_message: span.status.message ?? null,
    attributes: plain(span.attributes),
    resource,
    events: span.events.map((e) => ({ name: e.name, time_ms: hrTimeToMilliseconds(e.time), attributes: plain(e.attributes ?? {}) })),
    links: span.links.map((l) => ({ trace_id: l.context.traceId, span_id: l.context.spanId, attributes: plain(l.attributes ?? {}) })),
    scope: span.instrumentationScope.name,
  };
}

function plain(attributes: Readonly<Record<string, unknown>>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value as AttributeValue;
  return out;
}
