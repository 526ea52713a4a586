// Domain span overhead, sampler throughput and W3C propagation, each against the OpenTelemetry peer
// in the same run (propagation is in propagation.bench.ts and runs first).
import './propagation.bench.js';
import { compare } from '@sightline/bench';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { AdaptiveSampler, ConsistentRatioSampler, RateLimitedSampler, parentBasedRatioSampler, traceCommand } from '../src/index.js';

const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
const tracer = provider.getTracer('bench');

const command = { type: 'PlaceOrder', id: 'cmd-1', correlationId: 'cmd-1' };
const emptyHandler = async (): Promise<void> => {};

await compare(
  'span around an empty async handler (BasicTracerProvider + SimpleSpanProcessor + InMemorySpanExporter)',
  [
    {
      name: 'hand-written tracer.startActiveSpan (same name, kind, 5 attributes, error handling)',
      run: async (n) => {
        exporter.reset();
        for (let i = 0; i < n; i++) {
          await tracer.startActiveSpan(
            'command PlaceOrder',
            {
              kind: SpanKind.CONSUMER,
              attributes: {
                'sightline.message.kind': 'command',
                'sightline.message.type': command.type,
                'messaging.message.id': command.id,
                'messaging.message.conversation_id': command.correlationId,
                'messaging.operation.type': 'process',
              },
            },
            async (span) => {
              try {
                await emptyHandler();
              } catch (error) {
                span.recordException(error as Error);
                span.setStatus({ code: SpanStatusCode.ERROR });
                throw error;
              } finally {
                span.end();
              }
            },
          );
        }
      },
    },
    {
      name: 'traceCommand (explicit tracer)',
      run: async (n) => {
        exporter.reset();
        for (let i = 0; i < n; i++) await traceCommand(command, emptyHandler, { tracer });
      },
    },
    {
      name: 'traceCommand (global tracer)',
      run: async (n) => {
        exporter.reset();
        for (let i = 0; i < n; i++) await traceCommand(command, emptyHandler);
      },
    },
  ],
  { operations: 20_000, runs: 7 },
);

// 4,096 pre-generated random trace ids, walked in a loop: the decision is what is measured.
const ids: string[] = [];
let seed = 42;
const hex8 = (): string => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed.toString(16).padStart(8, '0');
};
for (let i = 0; i < 4096; i++) ids.push(hex8() + hex8() + hex8() + hex8());
let sink = 0;
const decide = (sampler: Sampler) => (n: number): void => {
  for (let i = 0; i < n; i++) sink += sampler.shouldSample(ROOT_CONTEXT, ids[i & 4095] as string, 'span', SpanKind.INTERNAL, {}, []).decision;
};

await compare(
  'sampler decisions (root spans, ratio 0.5)',
  [
    { name: 'OTel TraceIdRatioBasedSampler(0.5)', run: decide(new TraceIdRatioBasedSampler(0.5)) },
    { name: 'ConsistentRatioSampler(0.5)', run: decide(new ConsistentRatioSampler(0.5)) },
    { name: 'parentBasedRatioSampler(0.5)', run: decide(parentBasedRatioSampler(0.5)) },
    { name: 'RateLimitedSampler(1000/s, system clock)', run: decide(new RateLimitedSampler({ tracesPerSecond: 1000 })) },
    { name: 'AdaptiveSampler(1000/s, system clock)', run: decide(new AdaptiveSampler({ targetTracesPerSecond: 1000 })) },
  ],
  { operations: 5_000_000, runs: 7 },
);

if (sink < 0) console.log(sink);
await provider.shutdown();
contextManager.disable();
