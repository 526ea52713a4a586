import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { installTestTracing } from './testing.js';
import { traceCommand, traceQuery } from './domain-spans.js';

const tracing = installTestTracing();
afterAll(async () => {
  await tracing.shutdown();
  await tracing.shutdown();
});
beforeEach(() => tracing.reset());

describe('TestTracing', () => {
  it('finds one span by name or explains what it saw', () => {
    expect(() => tracing.span('missing')).toThrow(expect.objectContaining({ code: 'TRACING_SPAN_NOT_FOUND', message: expect.stringContaining('(none)') }));
    traceQuery({ type: 'Q' }, () => undefined);
    traceQuery({ type: 'Q' }, () => undefined);
    expect(() => tracing.span('missing')).toThrow('finished spans: query Q, query Q');
    expect(() => tracing.span('query Q')).toThrow(expect.objectContaining({ code: 'TRACING_SPAN_AMBIGUOUS' }));
    expect(tracing.spansNamed('query Q')).toHaveLength(2);
  });

  it('lists every difference when a span does not match', () => {
    traceCommand({ type: 'C', id: '1' }, () => undefined);
    let caught: unknown;
    try {
      tracing.assertSpan('command C', { kind: SpanKind.SERVER, status: SpanStatusCode.ERROR, attributes: { 'messaging.message.id': '2' }, parent: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'TRACING_SPAN_MISMATCH' });
    expect((caught as { details: { problems: string[] } }).details.problems).toHaveLength(4);
  });
});
