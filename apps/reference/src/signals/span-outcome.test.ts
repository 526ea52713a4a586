import { describe, expect, it } from '@jest/globals';
import type { SpanRow } from '../ingest/otlp-traces.js';
import { requestOutcome } from './span-outcome.js';

const span = (overrides: Partial<SpanRow>): SpanRow => ({
  trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), parent_span_id: null, service: 'checkout', name: 'POST', kind: 2,
  start_ms: 1_000, duration_ms: 12, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null,
  ...overrides,
});

describe('requestOutcome', () => {
  it('uses http.route as the operation and counts 5xx as errors but not 4xx', () => {
    expect(requestOutcome(span({ attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 503 } }))).toEqual({ service: 'checkout', operation: '/orders/:id', timestamp: 1_000, durationMs: 12, isError: true });
    expect(requestOutcome(span({ attributes: { 'http.response.status_code': 404 } }))?.isError).toBe(false);
    expect(requestOutcome(span({ status_code: 2 }))?.isError).toBe(true);
  });

  it('counts only entry spans (server, consumer), so a request counts once', () => {
    expect(requestOutcome(span({ kind: 3 }))).toBeUndefined();
    expect(requestOutcome(span({ kind: 1 }))).toBeUndefined();
    expect(requestOutcome(span({ kind: 5 }))?.operation).toBe('POST');
  });
});
