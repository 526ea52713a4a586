// The live demo: three services (storefront → checkout → payments) instrumented with
// @sightline/tracing on the stock OpenTelemetry SDK (traces and metrics) and @sightline/logging
// (trace-correlated, redacted logs), all exported over OTLP/HTTP to the server. Storefront sends a `PlaceOrder` command to checkout, which sends
// `ChargeCard` to payments, as JSON envelopes (the way a broker would carry them), so causation
// links and correlation ids are real. An incident comes rarely (see DEMO_INCIDENT): an error burst
// in payments and a latency regression in checkout, against a quiet baseline the anomaly
// detectors have learned.
import { context, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createLogger, OtlpLogSink, type Logger } from '@sightline/logging';
import { AttributionSpanProcessor, createMessage, parseMessage, recordGenAiUsage, traceCommand, traceGenAi, tracePublish, withAttribution } from '@sightline/tracing';
import { SightlineError, type Clock, type Principal } from '@sightline/core';
import { clockedTracer } from './clocked-tracer.js';

/**
 * The demo's incident schedule (ms since the workload started). The first 16 minutes are quiet, so
 * every per-minute series has its 15 points of warm-up on a healthy baseline; then for 2 minutes
 * payments fail a third of charges (0.5% usually) and checkout takes 1.2–2 s instead of 30–70 ms,
 * and both recover. Incidents recur every
 * 90 minutes: longer than the detectors' one-hour window, so an incident never becomes part of the
 * baseline the next one is judged against.
 */
export const DEMO_INCIDENT = { firstAtMs: 16 * 60_000, durationMs: 2 * 60_000, everyMs: 90 * 60_000 } as const;

/** Whether the demo's incident is on, `elapsedMs` after the workload started (see {@link DEMO_INCIDENT}). */
export function faultActive(elapsedMs: number): boolean {
  if (elapsedMs < DEMO_INCIDENT.firstAtMs) return false;
  return (elapsedMs - DEMO_INCIDENT.firstAtMs) % DEMO_INCIDENT.everyMs < DEMO_INCIDENT.durationMs;
}

interface DemoService {
  tracer: Tracer;
  logger: Logger;
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
}

function instrument(name: string, url: string, ingestToken: string | undefined, clock: Clock | undefined): DemoService {
  const resource = resourceFromAttributes({ 'service.name': name, 'service.version': '1.4.2', 'deployment.environment.name': 'demo' });
  // In token mode the server refuses OTLP without a credential: the exporters' headers option sends it.
  const headers = ingestToken === undefined ? {} : { authorization: `Bearer ${ingestToken}` };
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [new AttributionSpanProcessor(), new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${url}/v1/traces`, headers }), scheduledDelayMillis: 1_000 })],
  });
  const logger = createLogger({ service: name, level: 'info', ...(clock === undefined ? {} : { clock }), sinks: [new OtlpLogSink({ url: `${url}/v1/logs`, headers, resource: { 'deployment.environment.name': 'demo' }, flushInterval: '1s' })] });
  return {
    tracer: clock === undefined ? tracerProvider.getTracer('demo') : clockedTracer(tracerProvider.getTracer('demo'), clock),
    logger,
    tracerProvider,
    meterProvider: new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics`, headers }), exportIntervalMillis: 10_000 })] }),
  };
}

class ProcessorTimeout extends Error {
  override name = 'ProcessorTimeout';
}
class PaymentFailed extends Error {
  override name = 'PaymentFailed';
}

const CUSTOMERS: Principal[] = [
  { kind: 'user', id: 'u-1042', team: 'consumer', tenant: 'acme' },
  { kind: 'user', id: 'u-2210', team: 'consumer', tenant: 'globex' },
  { kind: 'user', id: 'u-3307', team: 'enterprise', tenant: 'initech' },
];

const realPause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the workload may be given instead of the real thing (tests pass their own). */
export interface DemoOptions {
  /** Uniform [0, 1). Default Math.random. */
  random?: () => number;
  /** Waits stand in for the services' work. Default: a real timer. */
  pause?: (ms: number) => Promise<void>;
  /** Epoch ms, for the fault schedule. Default Date.now (or the clock's). */
  now?: () => number;
  /**
   * Time of the fault schedule, spans and log lines (epoch ms). Default: none, the SDKs' own time.
   * Tests pass a `ManualClock` with a `pause` that waits on it, to simulate minutes at once.
   */
  clock?: Clock;
  /** Requests each tick starts; `start()` ticks every 250 ms. Default 5 (20 requests per second). */
  requestsPerTick?: number;
  /** Bearer token of an ingest credential, for a server in token mode. Default: none (local mode). */
  ingestToken?: string;
}

/** The demo's three services; `request` runs one storefront request end to end. */
export interface DemoWorkload {
  request(): Promise<void>;
  /** Starts one tick's requests (`requestsPerTick`, fewer while 200 are in flight). */
  tick(): void;
  /** Ticks every 250 ms until stopped (20 requests per second by default). */
  start(): void;
  /** Exports every span ended so far (log lines and metrics go on their own intervals). */
  flush(): Promise<void>;
  /** Stops, waits for requests in flight and flushes every exporter. */
  stop(): Promise<void>;
}

/** Starts the workload against the server at `url`; returns a function that stops it and flushes. */
export async function startDemo(url: string, options: DemoOptions = {}): Promise<() => Promise<void>> {
  const workload = createDemoWorkload(url, options);
  workload.start();
  return () => workload.stop();
}

/**
 * The demo's services, exporting to the server at `url`; nothing runs until `start()`, `tick()`
 * or `request()`. Throws `DEMO_OPTIONS_INVALID` for a `requestsPerTick` that is not a positive integer.
 */
export function createDemoWorkload(url: string, options: DemoOptions = {}): DemoWorkload {
  const { random = Math.random, pause = realPause, clock, requestsPerTick = 5 } = options;
  const now = options.now ?? (clock === undefined ? Date.now : () => clock.now());
  // Elapsed time of a handler, for the duration histogram: the clock's when simulated.
  const elapsedNow = clock === undefined ? () => performance.now() : () => clock.now();
  if (!Number.isInteger(requestsPerTick) || requestsPerTick < 1) throw new SightlineError('DEMO_OPTIONS_INVALID', `requestsPerTick must be a positive integer, got ${String(requestsPerTick)}`, { requestsPerTick });
  // The server installs one when it starts its own telemetry; a standalone demo needs its own.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) contextManager.disable();
  const [storefront, checkout, payments] = ['storefront', 'checkout', 'payments'].map((name) => instrument(name, url, options.ingestToken, clock)) as [DemoService, DemoService, DemoService];
  const started = now();
  const requests = storefront.meterProvider.getMeter('demo').createCounter('http.server.requests', { description: 'requests served' });
  const duration = checkout.meterProvider.getMeter('demo').createHistogram('http.server.request.duration', { unit: 's' });
  const queueDepth = payments.meterProvider.getMeter('demo').createGauge('payments.queue.depth');
  const faulty = () => faultActive(now() - started);

  const chargeCard = (json: string) =>
    traceCommand(parseMessage(JSON.parse(json)), async () => {
      await pause(3 + random() * 10);
      queueDepth.record(faulty() ? 40 + random() * 30 : random() * 5);
      if (random() < (faulty() ? 0.35 : 0.005)) {
        // The card number is redacted by the logger before it leaves the process.
        payments.logger.error('charge failed: card processor timeout', { orderId: Math.floor(random() * 1e6), card: '4111 1111 1111 1111' });
        throw new ProcessorTimeout('card processor timeout');
      }
    }, { tracer: payments.tracer, parent: 'message', system: 'demo-bus' });

  const placeOrder = (json: string) =>
    traceCommand(parseMessage(JSON.parse(json)), async () => {
      const began = elapsedNow();
      // The regression is far out of the usual band: it stands out even against a baseline a busy
      // machine made noisy (the services share the event loop with the server).
      await pause(faulty() ? 1_200 + random() * 800 : 30 + random() * 40);
      const charge = tracePublish({ kind: 'command', type: 'ChargeCard' }, () => createMessage('command', 'ChargeCard', { amount: 42 }), { tracer: checkout.tracer });
      try {
        await chargeCard(JSON.stringify(charge));
        checkout.logger.info('order placed');
      } catch (error) {
        checkout.logger.warn('order not placed: payment failed', { err: error });
        throw new PaymentFailed('payment failed', { cause: error });
      } finally {
        duration.record((elapsedNow() - began) / 1_000, { 'http.route': '/orders' });
      }
    }, { tracer: checkout.tracer, parent: 'message', system: 'demo-bus' });

  const oneRequest = (customer: Principal) => {
    const [method, route] = random() < 0.7 ? ['GET', '/products'] : ['POST', '/checkout'];
    return withAttribution(customer, { project: 'storefront' }, () =>
      storefront.tracer.startActiveSpan(`${method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } }, async (span) => {
        let status = 200;
        try {
          if (route === '/products') {
            await pause(5 + random() * 20);
            // One in ten product pages asks an LLM for recommendations: its token cost lands in Costs, per customer team.
            if (random() < 0.1) {
              await traceGenAi({ operation: 'chat', provider: 'anthropic', model: 'claude-sonnet-4-20250514' }, async (llm) => {
                await pause(20 + random() * 40);
                recordGenAiUsage(llm, { inputTokens: 800 + Math.floor(random() * 1_200), outputTokens: 100 + Math.floor(random() * 300) });
              }, { tracer: storefront.tracer });
            }
          }
          else {
            const order = tracePublish({ kind: 'command', type: 'PlaceOrder' }, () => createMessage('command', 'PlaceOrder', { sku: 'A-1' }), { tracer: storefront.tracer });
            await placeOrder(JSON.stringify(order)).catch(() => {
              status = 502;
              span.setStatus({ code: SpanStatusCode.ERROR, message: 'checkout failed' });
            });
          }
        } finally {
          span.setAttribute('http.response.status_code', status);
          requests.add(1, { 'http.route': route, 'http.response.status_code': status });
          span.end();
        }
      }),
    );
  };

  let inFlight = 0;
  const request = async () => {
    inFlight++;
    try {
      await oneRequest(CUSTOMERS[Math.floor(random() * CUSTOMERS.length)]!);
    } finally {
      inFlight--;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    // Never pile up requests if the machine stalls.
    for (let i = 0; i < requestsPerTick && inFlight < 200; i++) void request();
  };
  const services = [storefront, checkout, payments];

  return {
    request,
    tick,
    start() {
      timer ??= setInterval(tick, 250);
      timer.unref();
    },
    async flush() {
      await Promise.all(services.map((s) => s.tracerProvider.forceFlush()));
    },
    async stop() {
      clearInterval(timer);
      while (inFlight > 0) await realPause(20);
      await Promise.all(services.flatMap((s) => [s.tracerProvider.shutdown(), s.logger.close(), s.meterProvider.shutdown()]));
    },
  };
}
