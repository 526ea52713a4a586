import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ManualClock } from '@sightline/core';
import { traceCommand, createMessage, parseMessage } from '@sightline/tracing';
import { clockedTracer } from './clocked-tracer.js';

function setUp(startMs: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const clock = new ManualClock(startMs);
  return { exporter, provider, clock, tracer: clockedTracer(provider.getTracer('test'), clock) };
}

describe('clockedTracer', () => {
  // As the demo does: the active span follows awaits.
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
  afterAll(() => {
    context.disable();
    contextManager.disable();
  });

  it("starts and ends spans at the clock's time, children under their active parent", async () => {
    const start = Date.UTC(2026, 0, 1, 12);
    const { exporter, provider, clock, tracer } = setUp(start);
    await tracer.startActiveSpan('parent', async (parent) => {
      clock.advance(250);
      const child = tracer.startSpan('child');
      clock.advance(40);
      child.end();
      clock.advance(10);
      parent.end();
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    const parent = byName.get('parent')!;
    const child = byName.get('child')!;
    // parent: 0 → 300 ms; child: 250 → 290 ms.
    expect([hrTimeToMilliseconds(parent.startTime) - start, hrTimeToMilliseconds(parent.endTime) - start]).toEqual([0, 300]);
    expect([hrTimeToMilliseconds(child.startTime) - start, hrTimeToMilliseconds(child.endTime) - start]).toEqual([250, 290]);
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    await provider.shutdown();
  });

  it('times the spans of the tracing helpers, their failures recorded at the clock too', async () => {
    const start = Date.UTC(2026, 0, 1, 12);
    const { exporter, provider, clock, tracer } = setUp(start);
    const command = parseMessage(JSON.parse(JSON.stringify(createMessage('command', 'ChargeCard', { amount: 42 }))));
    await expect(
      traceCommand(command, async () => {
        clock.advance(12);
        throw new Error('card processor timeout');
      }, { tracer }),
    ).rejects.toThrow('card processor timeout');
    await provider.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'command ChargeCard', status: { code: 2 } });
    expect(hrTimeToMilliseconds(span!.endTime) - hrTimeToMilliseconds(span!.startTime)).toBe(12);
    expect(span!.events.map((e) => [e.name, hrTimeToMilliseconds(e.time) - start])).toEqual([['exception', 12]]);
    await provider.shutdown();
  });
});
