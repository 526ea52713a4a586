import type { SpanRow } from '../ingest/otlp-traces.js';

/** OTel SpanKind numbers as OTLP sends them. */
export const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CONSUMER = 5;

/** A span that starts a request in its service: SERVER or CONSUMER. */
export function isEntryKind(kind: number): boolean {
  return kind === SPAN_KIND_SERVER || kind === SPAN_KIND_CONSUMER;
}

/** What one served request looked like, as SLIs and derived series need it. */
export interface RequestOutcome {
  service: string;
  /** `http.route` when present (low cardinality), else the span name. */
  operation: string;
  /** Epoch ms when the request started. */
  timestamp: number;
  durationMs: number;
  /** A failed request: error status, or an HTTP 5xx answer. */
  isError: boolean;
}

/**
 * Turns a stored span into a request outcome when it is the entry point of a request in its
 * service (a SERVER or CONSUMER span); inner spans return `undefined` so a request counts once.
 * Errors follow the HTTP semantic conventions: 5xx is the server's fault, 4xx is not.
 */
export function requestOutcome(span: SpanRow): RequestOutcome | undefined {
  if (!isEntryKind(span.kind)) return undefined;
  const route = span.attributes['http.route'];
  return {
    service: span.service,
    operation: typeof route === 'string' && route !== '' ? route : span.name,
    timestamp: span.start_ms,
    durationMs: span.duration_ms,
    isError: spanFailed(span),
  };
}

/**
 * A failed span: error status, or an HTTP 5xx answer (a 4xx is the client's fault). The stored
 * form is the SQL `FAILED_SPAN` of storage/service-stats.ts: a finite number, as JSON keeps it.
 */
export function spanFailed(span: Pick<SpanRow, 'status_code' | 'attributes'>): boolean {
  const status = span.attributes['http.response.status_code'];
  return span.status_code === 2 || (typeof status === 'number' && Number.isFinite(status) && status >= 500);
}
