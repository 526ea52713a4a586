// Sustained span ingest: 512-span batches from concurrent senders into a server started as its
// own process, over OTLP/HTTP JSON, OTLP/HTTP protobuf and OTLP/gRPC (the same spans, serialised
// by @opentelemetry/otlp-transformer), on PGlite and (when DATABASE_URL is set) PostgreSQL.
// Reports acknowledged spans/s, request latency p50/p99, the server's peak RSS, and checks that
// every acknowledged span is stored. First, decode only (no server, no storage): the per-span
// cost of turning a request body into OTLP/JSON-shaped objects, and into span rows, per encoding.
// Then the insert path alone against PostgreSQL: today's (SpanWriter joining concurrent batches,
// COPY into day partitions, trace summaries and service rollups folded in the process) against
// the path before rollups and partitions (bench/baseline-insert.ts, one INSERT expanding a JSON
// parameter, on the schema of migration 13), alternating, in the same run.
import * as grpc from '@grpc/grpc-js';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { context, trace } from '@opentelemetry/api';
import { percentile } from '@sightline/bench';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { decodeProtobufRequest } from '../src/ingest/otlp-protobuf.js';
import { decodeTraces, type SpanRow } from '../src/ingest/otlp-traces.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { MIGRATIONS, migrate } from '../src/storage/migrations.js';
import { SpanWriter } from '../src/storage/span-writer.js';
import { postgres } from '../test/databases.js';
import { baselineInsertSpans } from './baseline-insert.js';

const BATCH = 512;
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const appDir = join(import.meta.dirname, '..');

type Encoding = 'JSON' | 'protobuf' | 'gRPC';

/** One batch in both encodings, with its trace id (every span shares it) to swap per send. */
interface Batch {
  traceId: string;
  json: string;
  protobuf: Buffer;
}

/** A 512-span trace made by the SDK: one server span and its client children. */
async function makeBatch(): Promise<Batch> {
  const traceId = randomBytes(16).toString('hex');
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    idGenerator: { generateTraceId: () => traceId, generateSpanId: () => randomBytes(8).toString('hex') },
  });
  const tracer = provider.getTracer('bench');
  const attributes = { 'http.route': '/checkout', 'db.system.name': 'postgresql', retry: 0 };
  const root = tracer.startSpan('POST /checkout', { kind: 1, attributes });
  const parent = trace.setSpan(context.active(), root);
  for (let i = 1; i < BATCH; i++) {
    const span = tracer.startSpan(`db.query ${i % 7}`, { kind: 2, attributes }, parent);
    if (i % 50 === 0) span.setStatus({ code: 2 });
    span.end();
  }
  root.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return { traceId, json: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'), protobuf: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!) };
}

/** The batch's body with a fresh trace id, so every send stores new spans. */
function freshBody(batch: Batch, encoding: Encoding): string | Buffer {
  const traceId = randomBytes(16).toString('hex');
  if (encoding === 'JSON') return batch.json.replaceAll(batch.traceId, traceId);
  // The 16 id bytes are copied over where they occur: the message is never parsed here.
  const body = Buffer.from(batch.protobuf);
  const from = Buffer.from(batch.traceId, 'hex');
  const to = Buffer.from(traceId, 'hex');
  for (let at = body.indexOf(from); at !== -1; at = body.indexOf(from, at + 16)) to.copy(body, at);
  return body;
}

async function run(label: string, encoding: Encoding, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, ['dist/main.js', 'serve', '--port', '0', ...args], { cwd: appDir, env: { ...process.env, SIGHTLINE_GRPC_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const { url, grpcAddress } = await new Promise<{ url: string; grpcAddress: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const http = /listening on (http:\/\/\S+)/.exec(out);
      const grpcLine = /OTLP\/gRPC: (\S+:\d+)\n/.exec(out);
      if (http !== null && grpcLine !== null) resolve({ url: http[1]!, grpcAddress: grpcLine[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const client = new grpc.Client(grpcAddress, grpc.credentials.createInsecure());
  const exportGrpc = (body: Buffer) =>
    new Promise<boolean>((resolve) => {
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, (error) => resolve(error === null));
    });
  const batches = await Promise.all(Array.from({ length: 8 }, makeBatch));
  const latencies: number[] = [];
  let acknowledged = 0;
  let refused = 0;
  let lap = 0;
  const deadline = Date.now() + SECONDS * 1_000;
  const started = Date.now();
  const sender = async () => {
    while (Date.now() < deadline) {
      const body = freshBody(batches[lap++ % batches.length]!, encoding);
      const t = performance.now();
      let ok: boolean;
      if (encoding === 'gRPC') ok = await exportGrpc(body as Buffer);
      else {
        const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': encoding === 'JSON' ? 'application/json' : 'application/x-protobuf' }, body });
        await response.arrayBuffer();
        ok = response.ok;
      }
      latencies.push(performance.now() - t);
      if (ok) acknowledged += BATCH;
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const elapsed = (Date.now() - started) / 1_000;
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const peakRss = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const services = (await (await fetch(`${url}/api/v1/services?since=${Date.now() - 3_600_000}`)).json()) as { services: { service: string; spans: number }[] };
  const stored = services.services.find((s) => s.service === 'bench')?.spans ?? 0;
  client.close();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  console.log(
    `| ${label} | ${encoding} | ${(acknowledged / elapsed).toFixed(0)} spans/s | ${percentile(latencies, 50).toFixed(1)} ms | ${percentile(latencies, 99).toFixed(1)} ms | ${peakRss.toFixed(0)} MiB | ${refused} | ${stored === acknowledged ? 'yes' : `NO (${stored} of ${acknowledged})`} |`,
  );
}

/** Nanoseconds per span of `decode` over `bodies` (a warm loop; at least `minMs` of work). */
function timePerSpan<T>(bodies: readonly T[], decode: (body: T) => unknown, minMs = 250): number {
  let spans = 0;
  let sink = 0;
  const started = performance.now();
  do {
    for (const body of bodies) {
      sink ^= decode(body) === undefined ? 1 : 0;
      spans += BATCH;
    }
  } while (performance.now() - started < minMs);
  if (sink === -1) console.log(sink);
  return ((performance.now() - started) * 1e6) / spans;
}

/** JSON.parse against the protobuf decoder on the same batches, each run timing both in turn; medians of the runs. */
async function benchDecode(runs = 7): Promise<void> {
  const batches = await Promise.all(Array.from({ length: 8 }, makeBatch));
  const json = batches.map((b) => b.json);
  const proto = batches.map((b) => b.protobuf);
  const cases = {
    'decode (JSON.parse; protobufjs)': [(b: string) => JSON.parse(b) as unknown, (b: Buffer) => decodeProtobufRequest('traces', b)],
    'decode + span rows (decodeTraces)': [(b: string) => decodeTraces(JSON.parse(b)), (b: Buffer) => decodeTraces(decodeProtobufRequest('traces', b))],
  } as const;
  console.log(`\n## OTLP span decode only (no storage): ${BATCH}-span batches, median of ${runs} runs, ns per span`);
  console.log('| step | JSON | protobuf | protobuf / JSON |');
  console.log('|---|---:|---:|---:|');
  for (const [step, [decodeJson, decodeProto]] of Object.entries(cases)) {
    timePerSpan(json, decodeJson, 500);
    timePerSpan(proto, decodeProto, 500);
    const jsonNs: number[] = [];
    const protoNs: number[] = [];
    const ratios: number[] = [];
    for (let run = 0; run < runs; run++) {
      const j = timePerSpan(json, decodeJson);
      const p = timePerSpan(proto, decodeProto);
      jsonNs.push(j);
      protoNs.push(p);
      ratios.push(p / j);
    }
    console.log(`| ${step} | ${percentile(jsonNs, 50).toFixed(0)} ns | ${percentile(protoNs, 50).toFixed(0)} ns | ${percentile(ratios, 50).toFixed(2)} |`);
  }
}

let nextId = 0;
const idPrefix = randomBytes(8).toString('hex');
/** A new id of `hexDigits` digits: unique within the run, and cheap, so that making batches costs the bench little. */
function freshId(hexDigits: 16 | 32): string {
  return `${idPrefix}${(nextId++).toString(16).padStart(16, '0')}`.slice(-hexDigits);
}

const TRACES_PER_BATCH = 32;
const SPANS_PER_TRACE = BATCH / TRACES_PER_BATCH;

/**
 * 512 spans as exporters of several services send them: 32 traces of 16 spans over 5 services,
 * one resource object per service shared by its spans (as decodeTraces makes them).
 */
function storageBatch(): SpanRow[] {
  const resources = Array.from({ length: 5 }, (_, i) => ({ 'service.name': `svc-${i}`, 'service.version': '1.4.2', 'host.name': 'h1' }));
  const spans = Array.from({ length: BATCH }, (_, n): SpanRow => {
    const i = n % SPANS_PER_TRACE;
    const service = (Math.floor(n / SPANS_PER_TRACE) + i) % 5;
    return {
      trace_id: '', span_id: '', parent_span_id: null, service: `svc-${service}`, name: `op ${i % 7}`, kind: i === 0 ? 2 : 3, start_ms: 0, duration_ms: 5 + i * 3.7,
      status_code: i % 50 === 0 ? 2 : 0, status_message: null, attributes: { 'http.route': '/checkout', 'db.system.name': 'postgresql', retry: 0 },
      resource: resources[service]!, events: [], links: [], scope: 'bench',
    };
  });
  return renewed(spans);
}

/**
 * The batch with new trace and span ids and start times, so it stores new spans. Each sender
 * renews its own batch once stored instead of making a new one: making 512 span objects would
 * cost the bench's process about as much as the insert path it measures.
 */
function renewed(spans: SpanRow[]): SpanRow[] {
  const now = Date.now();
  for (let t = 0; t < TRACES_PER_BATCH; t++) {
    const traceId = freshId(32);
    const root = freshId(16);
    for (let i = 0; i < SPANS_PER_TRACE; i++) {
      const span = spans[t * SPANS_PER_TRACE + i]!;
      span.trace_id = traceId;
      span.span_id = i === 0 ? root : freshId(16);
      span.parent_span_id = i === 0 ? null : root;
      span.start_ms = now + i;
    }
  }
  return spans;
}

/** Spans/s that `insert` (made for the database) stores from 8 concurrent writers for `seconds` into a fresh database at `schema`. */
async function storageRate(url: string, schema: number, makeInsert: (db: Database) => (spans: SpanRow[]) => Promise<unknown>, seconds: number): Promise<number> {
  const database = await postgres(url).create();
  const db = await openDatabase(database.options);
  const insert = makeInsert(db);
  try {
    await migrate(db, MIGRATIONS.filter((m) => m.version <= schema));
    for (let i = 0; i < 5; i++) await insert(storageBatch()); // warm up
    let stored = 0;
    const deadline = performance.now() + seconds * 1_000;
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      const spans = storageBatch();
      while (performance.now() < deadline) {
        await insert(renewed(spans));
        stored += spans.length;
      }
    }));
    return stored / ((performance.now() - started) / 1_000);
  } finally {
    await db.close();
    await database.drop();
  }
}

/** Today's insert path against the one before rollups and partitions, alternating, medians of `runs`. */
async function benchStoragePath(url: string, runs = 5, seconds = 8): Promise<void> {
  const before: number[] = [];
  const now: number[] = [];
  for (let run = 0; run < runs; run++) {
    before.push(await storageRate(url, 13, (db) => (spans) => baselineInsertSpans(db, spans), seconds));
    // What OTLP ingest stores through: concurrent requests' batches share transactions.
    now.push(await storageRate(url, MIGRATIONS.length, (db) => { const writer = new SpanWriter(db); return (spans) => writer.write(spans); }, seconds));
  }
  const ratios = now.map((n, i) => n / before[i]!);
  console.log(`\n## Span insert path into PostgreSQL (no HTTP): 8 writers, ${BATCH}-span batches of 32 traces over 5 services, ${seconds}s per run, median of ${runs}`);
  console.log('| path | spans/s | runs |\n|---|---:|---|');
  console.log(`| before rollups and partitions (migration 13, bench/baseline-insert.ts) | ${percentile(before, 50).toFixed(0)} | ${before.map((r) => r.toFixed(0)).join(', ')} |`);
  console.log(`| today's SpanWriter (COPY, day partitions, trace summaries, service rollups) | ${percentile(now, 50).toFixed(0)} | ${now.map((r) => r.toFixed(0)).join(', ')} |`);
  console.log(`| ratio (today / before) | ${percentile(ratios, 50).toFixed(2)} | ${ratios.map((r) => r.toFixed(2)).join(', ')} |`);
}

await benchDecode();
if (process.env.BENCH_DECODE_ONLY === '1') process.exit(0);
{
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const probe = new pg.Client({ connectionString: url });
  if (await probe.connect().then(() => true, () => false)) {
    await probe.end();
    await benchStoragePath(url);
  }
}
if (process.env.BENCH_STORAGE_ONLY === '1') process.exit(0);

const ENCODINGS: readonly Encoding[] = ['JSON', 'protobuf', 'gRPC'];
console.log(`\n## OTLP span ingest: ${SENDERS} senders, ${BATCH}-span batches, ${SECONDS}s each`);
console.log('| storage | encoding | acknowledged rate | p50 request | p99 request | server peak RSS | refused (503 / UNAVAILABLE) | all acknowledged stored |');
console.log('|---|---|---:|---:|---:|---:|---:|---|');
for (const encoding of ENCODINGS) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
  await run('PGlite (embedded)', encoding, ['--data-dir', dataDir], { DATABASE_URL: '' });
  rmSync(dataDir, { recursive: true, force: true });
}

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: databaseUrl });
const reachable = await admin.connect().then(() => true, () => false);
if (reachable) {
  const name = `sightline_bench_${randomBytes(4).toString('hex')}`;
  const target = new URL(databaseUrl);
  target.pathname = `/${name}`;
  for (const encoding of ENCODINGS) {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    await run('PostgreSQL 15 (local)', encoding, [], { DATABASE_URL: target.toString() });
  }
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
} else {
  console.log('| PostgreSQL | not reachable at DATABASE_URL; skipped | | | | | | |');
}
