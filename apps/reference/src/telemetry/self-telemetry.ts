import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type Sampler, type SamplingResult } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, AlwaysOnSampler } from '@opentelemetry/sdk-trace';
import { AttributionSpanProcessor, ConsistentRatioSampler, W3CPropagator } from '@sightline/tracing';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../storage/database.js';
import { SELF_SERVICE } from './self-service.js';
import { StorageSpanExporter } from './storage-span-exporter.js';

/**
 * Samples every API request but only a fraction of OTLP ingest requests: ingest is the hot path
 * and would otherwise add one span per batch received.
 */
class RouteSampler implements Sampler {
  readonly #all = new AlwaysOnSampler();
  readonly #ingest: ConsistentRatioSampler;
  constructor(ingestRatio: number) {
    this.#ingest = new ConsistentRatioSampler(ingestRatio);
  }
  shouldSample(parent: Context, traceId: string, _name: string, _kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    const path = attributes['url.path'];
    return typeof path === 'string' && path.startsWith('/v1/') ? this.#ingest.shouldSample(parent, traceId) : this.#all.shouldSample();
  }
  toString(): string {
    return 'RouteSampler';
  }
}

/** The app's own telemetry: the one place in the repository that starts an OpenTelemetry SDK. */
export interface SelfTelemetry {
  /** Flushes pending spans (tests). */
  flush(): Promise<void>;
  /** Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Starts the SDK (global tracer provider, AsyncLocalStorage context, W3C propagation) with the
 * app's own spans written into its own storage as service `sightline`, and traces every HTTP
 * request the server handles (SERVER spans named `METHOD route`, with the HTTP semconv attributes).
 */
export function startSelfTelemetry(server: FastifyInstance, options: { db: Database; version: string; ingestSampleRatio?: number }): SelfTelemetry {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': SELF_SERVICE, 'service.version': options.version }),
    sampler: new RouteSampler(options.ingestSampleRatio ?? 0.01),
    spanProcessors: [new AttributionSpanProcessor(), new BatchSpanProcessor({ exporter: new StorageSpanExporter(options.db), scheduledDelayMillis: 2_000 })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CPropagator());
  const tracer = provider.getTracer('sightline', options.version);
  const spans = new WeakMap<FastifyRequest, Span>();

  server.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '/';
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '/' },
    }, parent);
    spans.set(request, span);
    // Run the rest of the request inside the span's context, so work below becomes its children.
    context.with(trace.setSpan(parent, span), done);
  });
  server.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span !== undefined) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });

  let stopped: Promise<void> | undefined;
  return {
    flush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= provider.shutdown().then(() => {
        trace.disable();
        context.disable();
        propagation.disable();
      });
      return stopped;
    },
  };
}
