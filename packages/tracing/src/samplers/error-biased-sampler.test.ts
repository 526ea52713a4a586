import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, SamplingDecision, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { installTestTracing } from '../testing.js';
import { traceCommand, traceSagaStep } from '../domain-spans.js';
import { ConsistentRatioSampler } from './consistent-ratio-sampler.js';
import { ErrorBiasedSampler } from './error-biased-sampler.js';
import { TailKeepSpanProcessor } from './tail-keep-span-processor.js';

const failedTraces = new InMemorySpanExporter();
const tail = new TailKeepSpanProcessor<ReadableSpan>(failedTraces);
// Head: keep nothing by ratio, so only the error bias and the tail hook can keep a trace.
const tracing = installTestTracing({ sampler: new ErrorBiasedSampler({ root: new ConsistentRatioSampler(0) }), spanProcessors: [tail] });
afterAll(async () => {
  await tail.shutdown();
  await tail.shutdown();
  await tracing.shutdown();
});
beforeEach(() => {
  tracing.reset();
  failedTraces.reset();
});

describe('ErrorBiasedSampler head strategy', () => {
  it('samples a root span that starts with error.type', () => {
    traceCommand({ type: 'RetryPayment' }, () => undefined, { attributes: { 'error.type': 'timeout' } });
    expect(tracing.span('command RetryPayment').spanContext().traceFlags & 1).toBe(1);
  });

  it('records but does not sample what the root sampler drops', () => {
    const sampler = new ErrorBiasedSampler({ root: new ConsistentRatioSampler(0) });
    expect(sampler.shouldSample(ROOT_CONTEXT, 'f'.repeat(32), 's', SpanKind.INTERNAL, {}, []).decision).toBe(SamplingDecision.RECORD);
    const strict = new ErrorBiasedSampler({ root: new ConsistentRatioSampler(0), recordDropped: false });
    expect(strict.shouldSample(ROOT_CONTEXT, 'f'.repeat(32), 's', SpanKind.INTERNAL, {}, []).decision).toBe(SamplingDecision.NOT_RECORD);
    const remoteUnsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0, isRemote: true });
    expect(sampler.shouldSample(remoteUnsampled, 'a'.repeat(32), 's', SpanKind.INTERNAL, {}, []).decision).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('TailKeepSpanProcessor', () => {
  it('exports a whole unsampled trace whose root fails, and nothing of a healthy one', async () => {
    await traceCommand({ type: 'Healthy' }, async () => {
      traceSagaStep({ name: 'S', id: '1', step: 'a' }, () => undefined);
    });
    expect(failedTraces.getFinishedSpans()).toHaveLength(0);

    await expect(traceCommand({ type: 'Broken' }, async () => {
      traceSagaStep({ name: 'S', id: '2', step: 'a' }, () => undefined);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const kept = failedTraces.getFinishedSpans();
    expect(kept.map((s) => s.name).sort()).toEqual(['command Broken', 'saga S.a']);
    expect(kept.find((s) => s.name === 'command Broken')?.status.code).toBe(SpanStatusCode.ERROR);
    expect(tail.keptTraces).toBe(1);
    expect(tail.discardedTraces).toBe(1);
    expect(tail.exportFailures).toBe(0);
    // The regular pipeline only saw sampled spans: none here.
    expect(tracing.spans()).toHaveLength(0);
  });

  it('keeps a trace when a child fails, unless keepOn is root-error', () => {
    const only = new InMemorySpanExporter();
    const rootOnly = new TailKeepSpanProcessor<ReadableSpan>(only, { keepOn: 'root-error' });
    const child = { status: { code: SpanStatusCode.ERROR }, parentSpanContext: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 0 }, spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 0 }) };
    const root = { status: { code: SpanStatusCode.OK }, spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 0 }) };
    rootOnly.onEnd(child as unknown as ReadableSpan);
    rootOnly.onEnd(root as unknown as ReadableSpan);
    expect(only.getFinishedSpans()).toHaveLength(0);

    expect(() => traceCommand({ type: 'Outer' }, () => {
      try {
        traceSagaStep({ name: 'S', id: '3', step: 'fails' }, () => {
          throw new Error('inner');
        });
      } catch {
        return 'recovered';
      }
      return 'unreachable';
    })).not.toThrow();
    expect(failedTraces.getFinishedSpans().map((s) => s.name).sort()).toEqual(['command Outer', 'saga S.fails']);
  });

  it('bounds memory: the oldest pending trace is discarded beyond maxPendingTraces', () => {
    const exporter = new InMemorySpanExporter();
    const bounded = new TailKeepSpanProcessor<ReadableSpan>(exporter, { maxPendingTraces: 2 });
    const childOf = (traceChar: string) => ({ status: { code: SpanStatusCode.ERROR }, parentSpanContext: { traceId: traceChar.repeat(32), spanId: '1'.repeat(16), traceFlags: 0 }, spanContext: () => ({ traceId: traceChar.repeat(32), spanId: '2'.repeat(16), traceFlags: 0 }) });
    for (const c of ['a', 'b', 'c']) bounded.onEnd(childOf(c) as unknown as ReadableSpan);
    expect(bounded.discardedTraces).toBe(1);
    // A late root of the evicted trace follows the discard decision.
    bounded.onEnd({ status: { code: SpanStatusCode.ERROR }, spanContext: () => ({ traceId: 'a'.repeat(32), spanId: '1'.repeat(16), traceFlags: 0 }) } as unknown as ReadableSpan);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
