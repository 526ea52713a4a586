// W3C extract and inject against OpenTelemetry's W3CTraceContextPropagator, same headers, same run.
import { compare } from '@sightline/bench';
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { W3CPropagator } from '../src/index.js';

// The spec's own example headers (a Congo parent and a Rojo entry), as a server receives them.
const carrier = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
};

let sink = 0;
const extractWith = (propagator: TextMapPropagator) => (n: number): void => {
  for (let i = 0; i < n; i++) {
    const ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    sink += trace.getSpanContext(ctx)?.traceFlags ?? 0;
  }
};
const parent: Context = new W3CPropagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
const otelParent: Context = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
const injectWith = (propagator: TextMapPropagator, ctx: Context) => (n: number): void => {
  for (let i = 0; i < n; i++) {
    const out: Record<string, string> = {};
    propagator.inject(ctx, out, defaultTextMapSetter);
    sink += out['traceparent']?.length ?? 0;
  }
};

export const extractResults = await compare(
  'W3C extract (traceparent + tracestate, spec example headers)',
  [
    { name: 'OTel W3CTraceContextPropagator.extract', run: extractWith(new W3CTraceContextPropagator()) },
    { name: 'W3CPropagator.extract (baggage off: same headers as OTel)', run: extractWith(new W3CPropagator({ baggage: false })) },
    { name: 'W3CPropagator.extract (default: also looks for baggage)', run: extractWith(new W3CPropagator()) },
  ],
  { operations: 500_000, runs: 7 },
);

await compare(
  'W3C inject of an extracted remote parent (traceparent + tracestate)',
  [
    { name: 'OTel W3CTraceContextPropagator.inject', run: injectWith(new W3CTraceContextPropagator(), otelParent) },
    { name: 'W3CPropagator.inject (baggage off)', run: injectWith(new W3CPropagator({ baggage: false }), parent) },
  ],
  { operations: 500_000, runs: 7 },
);

if (sink < 0) console.log(sink);
