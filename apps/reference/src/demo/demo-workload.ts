// The live demo: three instrumented services (storefront → checkout → payments) that send
// traces, logs and metrics over OTLP/HTTP to the server with the stock OpenTelemetry SDK, with
// a fault that comes and goes: an error burst in payments and a latency regression in checkout.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** When the fault is on: for 60 s out of every 180 s, starting 45 s in. */
export function faultActive(elapsedMs: number): boolean {
  const phase = (elapsedMs - 45_000) % 180_000;
  return elapsedMs >= 45_000 && phase < 60_000;
}

interface DemoService {
  name: string;
  tracerProvider: TracerProvider;
  loggerProvider: LoggerProvider;
  meterProvider: MeterProvider;
}

function instrument(name: string, url: string): DemoService {
  const resource = resourceFromAttributes({ 'service.name': name, 'service.version': '1.4.2', 'deployment.environment.name': 'demo' });
  return {
    name,
    tracerProvider: new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${url}/v1/traces` }), scheduledDelayMillis: 1_000 })] }),
    loggerProvider: new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${url}/v1/logs` }), scheduledDelayMillis: 1_000 })] }),
    meterProvider: new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }), exportIntervalMillis: 10_000 })] }),
  };
}

/** Starts the workload against the server at `url`; returns a function that stops it and flushes. */
export async function startDemo(url: string, random: () => number = Math.random): Promise<() => Promise<void>> {
  const services = ['storefront', 'checkout', 'payments'].map((name) => instrument(name, url)) as [DemoService, DemoService, DemoService];
  const [storefront, checkout, payments] = services;
  const started = Date.now();
  const requests = storefront.meterProvider.getMeter('demo').createCounter('http.server.requests', { description: 'requests served' });
  const duration = checkout.meterProvider.getMeter('demo').createHistogram('http.server.request.duration', { unit: 's' });
  const queueDepth = payments.meterProvider.getMeter('demo').createGauge('payments.queue.depth');

  const child = (service: DemoService, name: string, parent: Context, kind: SpanKind, start: number): Span =>
    service.tracerProvider.getTracer('demo').startSpan(name, { kind, startTime: start }, parent);

  const oneRequest = () => {
    const now = Date.now();
    const faulty = faultActive(now - started);
    const route = random() < 0.7 ? 'GET /products' : 'POST /checkout';
    const root = storefront.tracerProvider.getTracer('demo').startSpan(route, { kind: SpanKind.SERVER, startTime: now, attributes: { 'http.request.method': route.split(' ')[0]!, 'http.route': route.split(' ')[1]! } });
    const rootContext = trace.setSpan(ROOT_CONTEXT, root);
    let end = now + 5 + random() * 20;
    let failed = false;
    if (route === 'POST /checkout') {
      const checkoutSpan = child(checkout, 'POST /orders', rootContext, SpanKind.SERVER, now + 2);
      const slow = faulty ? 250 + random() * 400 : 30 + random() * 40;
      const paymentsSpan = child(payments, 'charge card', trace.setSpan(ROOT_CONTEXT, checkoutSpan), SpanKind.SERVER, now + 5);
      failed = random() < (faulty ? 0.35 : 0.005);
      if (failed) {
        paymentsSpan.setStatus({ code: SpanStatusCode.ERROR, message: 'card processor timeout' });
        paymentsSpan.setAttribute('error.type', 'ProcessorTimeout');
        payments.loggerProvider.getLogger('demo').emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'charge failed: card processor timeout', attributes: { 'order.id': Math.floor(random() * 1e6) }, context: trace.setSpan(ROOT_CONTEXT, paymentsSpan) });
      }
      paymentsSpan.end(now + 5 + slow * 0.6);
      if (failed) checkoutSpan.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed' });
      checkoutSpan.end(now + 8 + slow);
      duration.record((slow + 8) / 1_000, { 'http.route': '/orders' });
      end = now + 12 + slow;
      checkout.loggerProvider.getLogger('demo').emit({ severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO, severityText: failed ? 'WARN' : 'INFO', body: failed ? 'order not placed: payment failed' : 'order placed', context: trace.setSpan(ROOT_CONTEXT, checkoutSpan) });
    }
    if (failed) root.setStatus({ code: SpanStatusCode.ERROR });
    root.setAttribute('http.response.status_code', failed ? 502 : 200);
    root.end(end);
    requests.add(1, { 'http.route': route, 'http.response.status_code': failed ? 502 : 200 });
    queueDepth.record(faulty ? 40 + random() * 30 : random() * 5);
  };

  const timer = setInterval(() => {
    for (let i = 0; i < 5; i++) oneRequest();
  }, 250);
  timer.unref();

  return async () => {
    clearInterval(timer);
    await Promise.all(services.flatMap((s) => [s.tracerProvider.shutdown(), s.loggerProvider.shutdown(), s.meterProvider.shutdown()]));
  };
}
