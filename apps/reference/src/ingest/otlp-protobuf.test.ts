import { describe, expect, it } from '@jest/globals';
import { ValueType } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics } from './otlp-metrics.js';
import { decodeProtobufRequest } from './otlp-protobuf.js';
import { decodeTraces } from './otlp-traces.js';

/** Writes field `field` as a length-delimited submessage built by `body`. */
const message = (w: protobuf.Writer, field: number, body: (w: protobuf.Writer) => void) => {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
};

/** One span whose only attribute `k` is an AnyValue that sets two members of its `oneof` (string 1 and int 3). */
function spanWithTwoValueMembers(): Uint8Array {
  const w = protobuf.Writer.create();
  message(w, 1, (rs) =>
    message(rs, 2, (ss) =>
      message(ss, 2, (span) => {
        span.uint32((1 << 3) | 2).bytes(Buffer.alloc(16, 0xab));
        span.uint32((2 << 3) | 2).bytes(Buffer.alloc(8, 0xcd));
        span.uint32((5 << 3) | 2).string('checkout');
        span.uint32((7 << 3) | 1).fixed64('1700000000000000000');
        span.uint32((8 << 3) | 1).fixed64('1700000000250000000');
        message(span, 9, (kv) => {
          kv.uint32((1 << 3) | 2).string('k');
          message(kv, 2, (any) => {
            any.uint32((3 << 3) | 0).int64(5);
            any.uint32((1 << 3) | 2).string('text');
          });
        });
      }),
    ),
  );
  return w.finish();
}

describe('decodeProtobufRequest', () => {
  it('reads an AnyValue that breaks its oneof (two members set) the way OTLP/JSON with two keys is read: string first', () => {
    const body = decodeProtobufRequest('traces', spanWithTwoValueMembers()) as { resourceSpans: { scopeSpans: { spans: { attributes: { value: unknown }[] }[] }[] }[] };
    expect(Object.keys(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0]!.value as object).sort()).toEqual(['intValue', 'stringValue']);
    const decoded = decodeTraces(body);
    expect(decoded.rejected).toBe(0);
    expect(decoded.items[0]!.attributes).toEqual({ k: 'text' });
    expect(decoded.items[0]!.duration_ms).toBe(250);
    expect(decoded.items[0]!.trace_id).toBe('ab'.repeat(16));
  });
});

// The same telemetry serialised by the stock OTel JS serializers in both encodings decodes to the
// same rows: zeros, false, empty strings and arrays of them included (protobuf must keep a set
// AnyValue member even when it holds its type's default).
describe('protobuf and JSON from the stock serializers decode to the same rows', () => {
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constantFrom(0, -1, 2 ** 40), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(''));
  const attributeValue = fc.oneof(scalar, fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.array(fc.integer(), { maxLength: 3 }), fc.array(fc.boolean(), { maxLength: 3 }));
  const attributes = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), attributeValue, { maxKeys: 5 });
  const sameRows = (a: unknown, b: unknown) => expect(JSON.parse(JSON.stringify(b)) as unknown).toEqual(JSON.parse(JSON.stringify(a)) as unknown);

  it('spans, with any attribute values', async () => {
    await fc.assert(
      fc.asyncProperty(attributes, fc.integer({ min: 0, max: 2 }), async (attrs, status) => {
        const exporter = new InMemorySpanExporter();
        const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
        const span = provider.getTracer('t').startSpan('op', { attributes: attrs, kind: 0 });
        span.setStatus({ code: status });
        span.addEvent('e', attrs);
        span.end();
        await provider.forceFlush();
        const spans = exporter.getFinishedSpans();
        const json = decodeTraces(JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')));
        const proto = decodeTraces(decodeProtobufRequest('traces', ProtobufTraceSerializer.serializeRequest(spans)!));
        expect(json.rejected).toBe(0);
        sameRows(json, proto);
        await provider.shutdown();
      }),
      { seed: 20_261_203, numRuns: 40 },
    );
  });

  it('log records, with any body and attributes', async () => {
    await fc.assert(
      fc.asyncProperty(attributeValue, attributes, fc.integer({ min: 0, max: 24 }), async (body, attrs, severityNumber) => {
        const exporter = new InMemoryLogRecordExporter();
        const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
        provider.getLogger('l').emit({ body, attributes: attrs, severityNumber, timestamp: 1_700_000_000_123 });
        await provider.forceFlush();
        const records = exporter.getFinishedLogRecords() as ReadableLogRecord[];
        const json = decodeLogs(JSON.parse(Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8')), 5);
        const proto = decodeLogs(decodeProtobufRequest('logs', ProtobufLogsSerializer.serializeRequest(records)!), 5);
        expect(json.rejected).toBe(0);
        sameRows(json, proto);
        await provider.shutdown();
      }),
      { seed: 20_261_203, numRuns: 40 },
    );
  });

  it('metrics: gauge, counter and histogram points, zero values included', async () => {
    let collected: ResourceMetrics | undefined;
    const exporter: PushMetricExporter = {
      export: (metrics, done) => {
        collected = metrics;
        done({ code: 0 });
      },
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createGauge('temperature').record(0, { room: 'a' });
    meter.createGauge('load', { valueType: ValueType.INT }).record(0);
    meter.createCounter('requests').add(0, { ok: false });
    meter.createUpDownCounter('queue', { valueType: ValueType.INT }).add(-3);
    const histogram = meter.createHistogram('latency');
    for (const v of [0, 5, 250, 0]) histogram.record(v);
    await reader.forceFlush();
    const json = decodeMetrics(JSON.parse(Buffer.from(JsonMetricsSerializer.serializeRequest(collected!)!).toString('utf8')));
    const proto = decodeMetrics(decodeProtobufRequest('metrics', ProtobufMetricsSerializer.serializeRequest(collected!)!));
    expect(json.rejected).toBe(0);
    expect(json.items.map((m) => [m.name, m.value])).toEqual([['temperature', 0], ['load', 0], ['requests', 0], ['queue', -3], ['latency', 255]]);
    sameRows(json, proto);
    await provider.shutdown();
  });
});
