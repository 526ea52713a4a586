import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { trace, context } from '@opentelemetry/api';
import { createApp, type App } from '../src/app.js';
import { testDatabases } from './databases.js';

describe.each(testDatabases.map((db) => [db.name, db] as const))('OTLP ingest from the stock OTel JS SDK (%s)', (_name, database) => {
  let app: App;
  let url: string;
  let drop: () => Promise<void>;
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'test' });

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    app = await createApp({ storage: created.options, log: () => undefined });
    url = await app.listen(0);
  });

  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('stores traces sent by OTLPTraceExporter and serves them by id, search and service', async () => {
    const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${url}/v1/traces` }) })] });
    const tracer = provider.getTracer('test');
    const root = tracer.startSpan('POST /checkout', { kind: 1, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 500 } });
    const child = tracer.startSpan('charge card', { attributes: { amount: 42 } }, trace.setSpan(context.active(), root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    child.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    const byId = (await (await fetch(`${url}/api/v1/traces/${traceId}`)).json()) as { spans: { name: string; parent_span_id: string | null; status_code: number; attributes: Record<string, unknown>; service: string }[] };
    expect(byId.spans.map((s) => s.name).sort()).toEqual(['POST /checkout', 'charge card']);
    const charge = byId.spans.find((s) => s.name === 'charge card');
    expect(charge?.parent_span_id).toBe(root.spanContext().spanId);
    expect(charge?.status_code).toBe(2);
    expect(charge?.attributes).toEqual({ amount: 42 });
    expect(charge?.service).toBe('checkout');

    const search = (await (await fetch(`${url}/api/v1/traces?service=checkout&errorsOnly=true&since=1h`)).json()) as { traces: { trace_id: string; span_count: number; error_count: number; root_name: string }[] };
    expect(search.traces).toEqual([expect.objectContaining({ trace_id: traceId, span_count: 2, error_count: 1, root_name: 'POST /checkout' })]);

    const services = (await (await fetch(`${url}/api/v1/services`)).json()) as { services: { service: string; spans: number; errors: number }[] };
    expect(services.services).toEqual([expect.objectContaining({ service: 'checkout', spans: 2, errors: 1 })]);
  });

  it('accepts gzip-compressed exports', async () => {
    const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${url}/v1/traces`, compression: CompressionAlgorithm.GZIP }) })] });
    const span = provider.getTracer('test').startSpan('compressed');
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const stored = (await (await fetch(`${url}/api/v1/traces/${span.spanContext().traceId}`)).json()) as { spans: { name: string }[] };
    expect(stored.spans.map((s) => s.name)).toEqual(['compressed']);
  });

  it('stores logs sent by OTLPLogExporter, correlated with the trace, and searches them', async () => {
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${url}/v1/logs` }) })] });
    const logger = provider.getLogger('test');
    const tracerProvider = new TracerProvider({ resource });
    const span = tracerProvider.getTracer('t').startSpan('work');
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment failed for order 17', attributes: { order: 17 }, context: trace.setSpan(context.active(), span) });
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order 18 shipped' });
    await provider.forceFlush();
    await provider.shutdown();

    const errors = (await (await fetch(`${url}/api/v1/logs?level=error&service=checkout`)).json()) as { logs: { body: string; trace_id: string; attributes: Record<string, unknown> }[] };
    expect(errors.logs).toHaveLength(1);
    expect(errors.logs[0]).toEqual(expect.objectContaining({ body: 'payment failed for order 17', trace_id: span.spanContext().traceId, attributes: { order: 17 } }));
    const text = (await (await fetch(`${url}/api/v1/logs?text=SHIPPED`)).json()) as { logs: unknown[] };
    expect(text.logs).toHaveLength(1);
    const stats = (await (await fetch(`${url}/api/v1/logs/stats`)).json()) as { total: number; byLevel: Record<string, number> };
    expect(stats).toEqual(expect.objectContaining({ total: 2, byLevel: { error: 1, info: 1 } }));
  });

  it('stores metrics sent by OTLPMetricExporter', async () => {
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource, readers: [reader] });
    const meter = provider.getMeter('test');
    meter.createCounter('orders').add(3, { region: 'eu' });
    meter.createHistogram('latency', { unit: 'ms' }).record(120);
    // shutdown() collects and exports once (a forceFlush first would export the cumulative sums twice).
    await provider.shutdown();

    const orders = (await (await fetch(`${url}/api/v1/metrics/series?name=orders&service=checkout`)).json()) as { points: { value: number; labels: Record<string, unknown> }[] };
    expect(orders.points).toEqual([expect.objectContaining({ value: 3, labels: { region: 'eu' } })]);
    const latency = (await (await fetch(`${url}/api/v1/metrics/series?name=latency&service=checkout`)).json()) as { points: { value: number }[] };
    expect(latency.points[0]?.value).toBe(120);
  });

  it('is ready once storage answers and migrations are applied', async () => {
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { storage: true, migrations: true } });
  });
});
