// What surrounds decoding: content types per route, the logged 500, OTLP/JSON details, overload
// answers on every transport, and token-mode access over OTLP/gRPC.
import { beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.js';
import { DEFAULT_CONFIG, loadConfig } from '../src/config.js';
import { tokenAccess, useTestApp } from './test-app.js';

const now = Date.now();

function jsonRequest(service: string, span: Record<string, unknown>) {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: [span] }] }] };
}

function jsonSpan(name: string, extra: Record<string, unknown> = {}) {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 1}000000`, ...extra };
}

async function sdkSpans(service: string, name: string): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  provider.getTracer('transport').startSpan(name).end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/** One unary OTLP/gRPC trace export with raw bytes; resolves to the status code (0 = OK). */
function grpcExport(address: string, body: Uint8Array, token?: string): Promise<{ code: grpc.status; details: string }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), metadata, (error) => {
      client.close();
      resolve(error === null ? { code: grpc.status.OK, details: '' } : { code: error.code, details: error.details });
    });
  });
}

describe('the OTLP/gRPC port setting', () => {
  it('defaults to 4317, takes SIGHTLINE_GRPC_PORT (0 = any free port) and "off" to disable it', () => {
    expect(loadConfig({ env: {} }).server.grpcPort).toBe(4317);
    expect(loadConfig({ env: { SIGHTLINE_GRPC_PORT: '0' } }).server.grpcPort).toBe(0);
    expect(loadConfig({ env: { SIGHTLINE_GRPC_PORT: 'off' } }).server.grpcPort).toBe(false);
    expect(() => loadConfig({ env: { SIGHTLINE_GRPC_PORT: '70000' } })).toThrow('must be an integer from 0 to 65535');
  });
});

describe('content types on the OTLP routes', () => {
  const t = useTestApp();

  it.each(['text/csv', 'text/plain', 'application/yaml', 'application/xml'])('answers %s on /v1/traces with 415 and stores nothing', async (type) => {
    const span = jsonSpan('wrong type');
    const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(jsonRequest('typed', span)) });
    expect(response.status).toBe(415);
    expect(JSON.stringify(await response.json())).toContain('application/x-protobuf');
    expect((await fetch(`${t.url}/api/v1/traces/${span.traceId}`)).status).toBe(404);
  });

  it('still accepts text/csv where the cost import expects it', async () => {
    const response = await fetch(`${t.url}/api/v1/costs/imports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'not,a,focus,file\n' });
    expect(response.status).not.toBe(415);
  });
});

describe('OTLP/JSON details', () => {
  const t = useTestApp();

  it('takes 64-bit integers as strings or numbers, enums as integers, bytes as base64, and ignores unknown fields', async () => {
    const span = jsonSpan('details', {
      kind: 3,
      status: { code: 2, message: 'x', futureField: true },
      unknownField: { nested: [1, 2] },
      startTimeUnixNano: now * 1_000_000,
      endTimeUnixNano: `${(now + 4) * 1_000_000}`,
      attributes: [
        { key: 'asString', value: { intValue: '9007199254740991' } },
        { key: 'asNumber', value: { intValue: 42 } },
        { key: 'bytes', value: { bytesValue: Buffer.from('hi').toString('base64') } },
      ],
    });
    const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...jsonRequest('details', span), extra: 1 }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const { spans } = (await (await fetch(`${t.url}/api/v1/traces/${span.traceId}`)).json()) as { spans: Record<string, unknown>[] };
    expect(spans[0]).toEqual(expect.objectContaining({ kind: 3, status_code: 2, attributes: { asString: 9007199254740991, asNumber: 42, bytes: 'aGk=' } }));
    // 4 ms between the two times, one given as a number of ns (a double: ~0.25 µs apart at today's epoch) and one as a string.
    expect(spans[0]!.duration_ms).toBeCloseTo(4, 3);
  });
});

describe('a server error', () => {
  it('is logged through the app log with the request id the answer names', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await createApp({ storage: {}, log: (line) => lines.push(line) });
    try {
      app.server.get('/boom', async () => {
        throw new Error('storage fell over');
      });
      const response = await fetch(`${await app.listen(0)}/boom`);
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error).toEqual({ code: 'INTERNAL', message: `Internal error; see the server log (request id ${body.error.requestId})`, requestId: expect.any(String) });
      expect(lines).toEqual([expect.objectContaining({ level: 'error', requestId: body.error.requestId, error: 'storage fell over', msg: 'GET /boom failed with 500' })]);
    } finally {
      await app.close();
    }
  });
});

describe('under overload (no write capacity)', () => {
  const t = useTestApp({ config: { server: { ...DEFAULT_CONFIG.server, ingestConcurrency: 0 } } });
  let grpcAddress: string;
  beforeAll(async () => {
    grpcAddress = await t.app.listenGrpc(0);
  });

  it('answers OTLP/JSON with 503 and Retry-After', async () => {
    const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jsonRequest('busy', jsonSpan('busy'))) });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ code: 14, message: expect.stringContaining('retry after 1s') });
  });

  it('answers OTLP/HTTP protobuf with 503, Retry-After and a protobuf google.rpc.Status (14 UNAVAILABLE)', async () => {
    const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: ProtobufTraceSerializer.serializeRequest(await sdkSpans('busy', 'busy'))! });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect([...new Uint8Array(await response.arrayBuffer()).slice(0, 2)]).toEqual([0x08, 14]);
  });

  it('answers OTLP/gRPC with UNAVAILABLE, which exporters retry', async () => {
    const answer = await grpcExport(grpcAddress, ProtobufTraceSerializer.serializeRequest(await sdkSpans('busy', 'busy'))!);
    expect(answer).toEqual({ code: grpc.status.UNAVAILABLE, details: expect.stringContaining('retry after 1s') });
  });
});

describe('OTLP/gRPC in token mode', () => {
  const t = useTestApp({
    config: {
      access: tokenAccess({
        'ingest-token': { id: 'collector', kind: 'service', team: 'shipping', roles: ['ingest'] },
        'viewer-token': { id: 'sam', kind: 'user', team: 'shipping', roles: ['viewer'] },
      }),
    },
  });
  let grpcAddress: string;
  beforeAll(async () => {
    grpcAddress = await t.app.listenGrpc(0);
  });
  const count = async (traceId: string) => (await t.app.db.query<{ n: number }>(`select count(*)::int as n from spans where trace_id = $1`, [traceId]))[0]!.n;

  it('refuses a call without a token (UNAUTHENTICATED) or with an unknown one, storing nothing', async () => {
    const spans = await sdkSpans('grpc-access', 'tokenless');
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    expect(await grpcExport(grpcAddress, body)).toEqual({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining('send Authorization: Bearer <token>') });
    expect((await grpcExport(grpcAddress, body, 'guessed')).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await count(spans[0]!.spanContext().traceId)).toBe(0);
  });

  it('refuses a principal without the ingest role (PERMISSION_DENIED), storing nothing', async () => {
    const spans = await sdkSpans('grpc-access', 'viewer');
    expect(await grpcExport(grpcAddress, ProtobufTraceSerializer.serializeRequest(spans)!, 'viewer-token')).toEqual({ code: grpc.status.PERMISSION_DENIED, details: expect.stringContaining('sam may not ingest traces') });
    expect(await count(spans[0]!.spanContext().traceId)).toBe(0);
  });

  it('stores the spans of an ingest token, claimed for its team', async () => {
    const spans = await sdkSpans('grpc-access', 'allowed');
    expect((await grpcExport(grpcAddress, ProtobufTraceSerializer.serializeRequest(spans)!, 'ingest-token')).code).toBe(grpc.status.OK);
    const rows = await t.app.db.query<{ resource: Record<string, unknown> }>(`select resource from spans where trace_id = $1`, [spans[0]!.spanContext().traceId]);
    expect(rows.map((r) => r.resource['sightline.team'])).toEqual(['shipping']);
  });

  it('answers a malformed message with INVALID_ARGUMENT', async () => {
    expect((await grpcExport(grpcAddress, Uint8Array.from([0x0a, 0xff, 0xff]), 'ingest-token')).code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
