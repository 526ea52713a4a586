// One bad item never costs the batch: NUL and lone surrogates are replaced (U+FFFD), an over-long
// service.name or a value nested too deep rejects its own item(s), the rest is stored and the
// answer is 200 with partialSuccess. Both encodings, JSON and protobuf.
import { describe, expect, it } from '@jest/globals';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';
import { useTestApp } from './test-app.js';

const ctx = useTestApp();
const now = Date.now();
const longServiceName = 's'.repeat(8 * 1024);

/** An OTLP/JSON span with a fresh trace id; `attributes` as KeyValue list. */
function jsonSpan(name: string, attributes: unknown[] = []) {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 2}000000`, attributes };
}

function resourceSpans(service: string, spans: unknown[]) {
  return { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'bad-items' }, spans }] };
}

/**
 * An AnyValue nested `depth` levels deep (array in array ... around a string), as JSON text:
 * JSON.stringify itself recurses, so the deep value is written out rather than built.
 */
function nested(depth: number): RawJson {
  return new RawJson(`${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"bottom"}${']}}'.repeat(depth)}`);
}

/** JSON text spliced into a request body as it is. */
class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, with each {@link RawJson} replaced by its text. */
function toJsonText(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => (value instanceof RawJson ? `\u0001raw${raws.push(value.text) - 1}\u0001` : value));
  return text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_match, i: string) => raws[Number(i)]!);
}

async function postJson(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${ctx.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: toJsonText(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function storedSpanNames(traceId: string): Promise<string[]> {
  const response = await fetch(`${ctx.url}/api/v1/traces/${traceId}`);
  if (response.status === 404) return [];
  return ((await response.json()) as { spans: { name: string }[] }).spans.map((s) => s.name);
}

describe('OTLP/JSON: a bad item is handled alone', () => {
  it('replaces NUL and lone surrogates with U+FFFD in names, keys and values, and stores both spans', async () => {
    const dirty = jsonSpan('charge\u0000card\uD800', [{ key: 'k\u0000ey', value: { stringValue: 'v\uDC00al\u0000' } }]);
    const good = jsonSpan('good');
    const answer = await postJson('/v1/traces', { resourceSpans: [resourceSpans('checkout\u0000', [dirty, good])] });
    expect(answer).toEqual({ status: 200, body: {} });
    const stored = (await (await fetch(`${ctx.url}/api/v1/traces/${dirty.traceId}`)).json()) as { spans: { name: string; service: string; attributes: Record<string, unknown> }[] };
    expect(stored.spans).toEqual([expect.objectContaining({ name: 'charge\uFFFDcard\uFFFD', service: 'checkout\uFFFD', attributes: { 'k\uFFFDey': 'v\uFFFDal\uFFFD' } })]);
    expect(await storedSpanNames(good.traceId)).toEqual(['good']);
  });

  it('keeps a valid surrogate pair as it is', async () => {
    const span = jsonSpan('emoji \uD83D\uDE00');
    expect((await postJson('/v1/traces', { resourceSpans: [resourceSpans('emoji', [span])] })).status).toBe(200);
    expect(await storedSpanNames(span.traceId)).toEqual(['emoji \uD83D\uDE00']);
  });

  it('rejects the spans of an 8 kB service.name and stores the other resource\'s span', async () => {
    const bad = jsonSpan('under a long name');
    const good = jsonSpan('good');
    const answer = await postJson('/v1/traces', { resourceSpans: [resourceSpans(longServiceName, [bad]), resourceSpans('short', [good])] });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('service.name]: must be at most 255 characters, got 8192') } });
    expect(await storedSpanNames(bad.traceId)).toEqual([]);
    expect(await storedSpanNames(good.traceId)).toEqual(['good']);
  });

  it('rejects a span with an attribute nested 5,000 deep and stores its neighbour', async () => {
    const deep = jsonSpan('deep', [{ key: 'deep', value: nested(5_000) }]);
    const good = jsonSpan('good');
    const answer = await postJson('/v1/traces', { resourceSpans: [resourceSpans('nesting', [deep, good])] });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('nests deeper than 32 levels') } });
    expect(await storedSpanNames(deep.traceId)).toEqual([]);
    expect(await storedSpanNames(good.traceId)).toEqual(['good']);
  });

  it('accepts a value nested 31 deep (the limit is 32 levels)', async () => {
    const span = jsonSpan('nested 31', [{ key: 'n', value: nested(31) }]);
    expect(await postJson('/v1/traces', { resourceSpans: [resourceSpans('nesting', [span])] })).toEqual({ status: 200, body: {} });
  });

  it('rejects a log record whose body nests 5,000 deep and stores the other record', async () => {
    const deepBody = { kvlistValue: { values: [{ key: 'k', value: nested(5_000) }] } };
    const answer = await postJson('/v1/logs', { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'deep-logs' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: `${now}000000`, body: deepBody }, { timeUnixNano: `${now}000000`, body: { stringValue: 'kept\u0000' } }] }] }] });
    expect(answer).toEqual({ status: 200, body: { partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('nests deeper than 32 levels') } } });
    const { logs } = (await (await fetch(`${ctx.url}/api/v1/logs?service=deep-logs`)).json()) as { logs: { body: string }[] };
    expect(logs.map((l) => l.body)).toEqual(['kept\uFFFD']);
  });

  it('rejects a metric with a name over 255 characters and stores the other metric', async () => {
    const point = { timeUnixNano: `${now}000000`, asDouble: 1 };
    const answer = await postJson('/v1/metrics', { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'long-metric' } }] }, scopeMetrics: [{ metrics: [{ name: 'm'.repeat(300), gauge: { dataPoints: [point] } }, { name: 'queue.depth', gauge: { dataPoints: [point] } }] }] }] });
    expect(answer).toEqual({ status: 200, body: { partialSuccess: { rejectedDataPoints: 1, errorMessage: expect.stringContaining('must be at most 255 characters, got 300') } } });
    const { points } = (await (await fetch(`${ctx.url}/api/v1/metrics/series?name=queue.depth&service=long-metric`)).json()) as { points: unknown[] };
    expect(points).toHaveLength(1);
  });
});

/** Spans made by the SDK, as the protobuf exporter would send them: one provider per resource. */
async function sdkSpans(service: string, make: (tracer: ReturnType<TracerProvider['getTracer']>) => void): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  make(provider.getTracer('bad-items'));
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

async function postProtobuf(path: string, body: Uint8Array): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const response = await fetch(`${ctx.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe('OTLP/HTTP protobuf: a bad item is handled alone, and the answer is protobuf', () => {
  it('answers a clean request with an empty ExportTraceServiceResponse', async () => {
    const spans = await sdkSpans('proto-clean', (t) => t.startSpan('clean').end());
    const answer = await postProtobuf('/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/x-protobuf');
    expect(ProtobufTraceSerializer.deserializeResponse(answer.bytes)).toEqual({});
  });

  it('replaces NUL in protobuf strings, rejects the 8 kB service.name resource, and names the count in partial_success', async () => {
    const dirty = await sdkSpans('proto-dirty', (t) => t.startSpan('a\u0000b', { attributes: { 'x\u0000': 'y\u0000' } }).end());
    const long = await sdkSpans(longServiceName, (t) => t.startSpan('under a long name').end());
    const answer = await postProtobuf('/v1/traces', ProtobufTraceSerializer.serializeRequest([...dirty, ...long])!);
    expect(answer.status).toBe(200);
    const response = ProtobufTraceSerializer.deserializeResponse(answer.bytes);
    expect(Number(response.partialSuccess?.rejectedSpans)).toBe(1);
    expect(response.partialSuccess?.errorMessage).toContain('must be at most 255 characters, got 8192');
    const stored = (await (await fetch(`${ctx.url}/api/v1/traces/${dirty[0]!.spanContext().traceId}`)).json()) as { spans: { name: string; attributes: Record<string, unknown> }[] };
    expect(stored.spans).toEqual([expect.objectContaining({ name: 'a\uFFFDb', attributes: { 'x\uFFFD': 'y\uFFFD' } })]);
    expect(await storedSpanNames(long[0]!.spanContext().traceId)).toEqual([]);
  });

  it('rejects a log record whose body nests 5,000 deep (past protobufjs\' depth limit) and stores the other record', async () => {
    // The SDK's serializer recurses too, so the request is put together from length-delimited fields:
    // ExportLogsServiceRequest{1: ResourceLogs{1: Resource, 2: ScopeLogs{2: LogRecord{5: body}, 2: LogRecord}}}.
    const field = (number: number, bytes: Uint8Array) => protobuf.Writer.create().uint32((number << 3) | 2).bytes(bytes).finish();
    const text = (number: number, value: string) => protobuf.Writer.create().uint32((number << 3) | 2).string(value).finish();
    let deep = text(1, 'bottom'); // AnyValue{string_value}
    for (let i = 0; i < 5_000; i++) deep = field(5, field(1, deep)); // AnyValue{array_value: ArrayValue{values: [deep]}}
    const resource = field(1, field(1, Buffer.concat([text(1, 'service.name'), field(2, text(1, 'proto-deep-logs'))])));
    const records = Buffer.concat([field(2, field(5, deep)), field(2, field(5, text(1, 'kept')))]);
    const answer = await postProtobuf('/v1/logs', field(1, Buffer.concat([resource, field(2, records)])));
    expect(answer.status).toBe(200);
    const response = ProtobufLogsSerializer.deserializeResponse(answer.bytes);
    expect(Number(response.partialSuccess?.rejectedLogRecords)).toBe(1);
    expect(response.partialSuccess?.errorMessage).toContain('logRecords[0]: is not a valid protobuf LogRecord: max depth exceeded');
    const { logs } = (await (await fetch(`${ctx.url}/api/v1/logs?service=proto-deep-logs`)).json()) as { logs: { body: string }[] };
    expect(logs.map((l) => l.body)).toEqual(['kept']);
  });

  it('answers bytes that are not a message with 400 and a protobuf google.rpc.Status', async () => {
    const answer = await postProtobuf('/v1/traces', Uint8Array.from([0x0a, 0xff, 0xff, 0xff]));
    expect(answer.status).toBe(400);
    expect(answer.type).toBe('application/x-protobuf');
    // google.rpc.Status: field 1 (varint) code 3 = INVALID_ARGUMENT, then field 2 (the message).
    expect([...answer.bytes.slice(0, 3)]).toEqual([0x08, 0x03, 0x12]);
    expect(Buffer.from(answer.bytes).toString('utf8')).toContain('not a valid protobuf ExportTraceServiceRequest');
  });
});
