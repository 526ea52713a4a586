// The stock OpenTelemetry JS exporters, all nine: traces, metrics and logs over OTLP/HTTP JSON
// (`-http`), OTLP/HTTP protobuf (`-proto`) and OTLP/gRPC (`-grpc`), each stored and read back
// through the API.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { useTestApp } from './test-app.js';

type Transport = 'http' | 'proto' | 'grpc';
const ctx = useTestApp();
let grpcUrl: string;

beforeAll(async () => {
  grpcUrl = `http://${await ctx.app.listenGrpc(0)}`;
});

function traceExporter(transport: Transport, gzip: boolean): SpanExporter {
  const compression = gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  if (transport === 'http') return new HttpTraceExporter({ url: `${ctx.url}/v1/traces`, compression });
  if (transport === 'proto') return new ProtoTraceExporter({ url: `${ctx.url}/v1/traces`, compression });
  return new GrpcTraceExporter({ url: grpcUrl, compression });
}

function metricExporter(transport: Transport): PushMetricExporter {
  if (transport === 'http') return new HttpMetricExporter({ url: `${ctx.url}/v1/metrics` });
  if (transport === 'proto') return new ProtoMetricExporter({ url: `${ctx.url}/v1/metrics` });
  return new GrpcMetricExporter({ url: grpcUrl });
}

function logExporter(transport: Transport): LogRecordExporter {
  if (transport === 'http') return new HttpLogExporter({ url: `${ctx.url}/v1/logs` });
  if (transport === 'proto') return new ProtoLogExporter({ url: `${ctx.url}/v1/logs` });
  return new GrpcLogExporter({ url: grpcUrl });
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${ctx.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe.each(['http', 'proto', 'grpc'] as const)('the stock OTLP %s exporters', (transport) => {
  const service = `client-${transport}`;
  const resource = resourceFromAttributes({ 'service.name': service });

  it('stores traces, with parent, status, attributes and an event, readable by trace id', async () => {
    const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: traceExporter(transport, false) })] });
    const tracer = provider.getTracer('clients-test');
    // API SpanKind.SERVER (1) is OTLP SPAN_KIND_SERVER (2).
    const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 200, big: 2 ** 40, ratio: 0.25, ok: true, tags: ['a', 'b'] } });
    const child = tracer.startSpan('db.query', { attributes: { rows: 3 } }, trace.setSpan(context.active(), root));
    child.addEvent('retry', { attempt: 1 });
    child.setStatus({ code: 2, message: 'timeout' });
    child.end();
    root.end();
    await provider.shutdown();

    const { spans } = await getJson<{ spans: { name: string; service: string; kind: number; parent_span_id: string | null; status_code: number; status_message: string | null; attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }[] }>(`/api/v1/traces/${root.spanContext().traceId}`);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['GET /orders']).toEqual(expect.objectContaining({ service, kind: 2, parent_span_id: null, attributes: { 'http.response.status_code': 200, big: 2 ** 40, ratio: 0.25, ok: true, tags: ['a', 'b'] } }));
    expect(byName['db.query']).toEqual(expect.objectContaining({ parent_span_id: root.spanContext().spanId, status_code: 2, status_message: 'timeout', attributes: { rows: 3 } }));
    expect(byName['db.query']?.events).toEqual([expect.objectContaining({ name: 'retry', attributes: { attempt: 1 } })]);
  });

  it('stores gzip-compressed traces', async () => {
    const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: traceExporter(transport, true) })] });
    const span = provider.getTracer('clients-test').startSpan('compressed');
    span.end();
    await provider.shutdown();
    const { spans } = await getJson<{ spans: { name: string }[] }>(`/api/v1/traces/${span.spanContext().traceId}`);
    expect(spans.map((s) => s.name)).toEqual(['compressed']);
  });

  it('stores metrics: a counter and a histogram', async () => {
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter(transport), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource, readers: [reader] });
    const meter = provider.getMeter('clients-test');
    meter.createCounter('orders').add(5, { region: 'eu' });
    meter.createHistogram('latency', { unit: 'ms' }).record(40);
    meter.createHistogram('latency', { unit: 'ms' }).record(60);
    await provider.shutdown();

    const orders = await getJson<{ points: { value: number; labels: Record<string, unknown> }[] }>(`/api/v1/metrics/series?name=orders&service=${service}`);
    expect(orders.points).toEqual([expect.objectContaining({ value: 5, labels: { region: 'eu' } })]);
    // The histogram point's value is its sum: 40 + 60.
    const latency = await getJson<{ points: { value: number }[] }>(`/api/v1/metrics/series?name=latency&service=${service}`);
    expect(latency.points.map((p) => p.value)).toEqual([100]);
  });

  it('stores logs with severity, body, attributes and the trace they belong to', async () => {
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter(transport) })] });
    const span = new TracerProvider({ resource }).getTracer('t').startSpan('work');
    provider.getLogger('clients-test').emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: `disk nearly full via ${transport}`, attributes: { percent: 93 }, context: trace.setSpan(context.active(), span) });
    await provider.shutdown();

    const { logs } = await getJson<{ logs: { body: string; severity_number: number; trace_id: string; span_id: string; attributes: Record<string, unknown> }[] }>(`/api/v1/logs?service=${service}`);
    expect(logs).toEqual([expect.objectContaining({ body: `disk nearly full via ${transport}`, severity_number: SeverityNumber.WARN, trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, attributes: { percent: 93 } })]);
  });
});
