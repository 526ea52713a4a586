// The JetStream ingest buffer end to end: an app receives OTLP (receive-only: it publishes), writer
// replicas (`sightline serve` child processes sharing one PostgreSQL database) consume the stream;
// two writers are killed with SIGKILL while they hold deliveries and replacements start. Every span
// and log record of every request answered 200 is stored, and stored exactly once.
// Needs nats-server (or NATS_URL; see test/nats-server.ts) and PostgreSQL (DATABASE_URL: PGlite's
// data directory belongs to one process, so writer processes cannot share it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConsumerInfo, type NatsConnection } from 'nats';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { DatabaseOptions } from '../src/storage/database.js';
import { testDatabases } from './databases.js';
import { hasJetStream, startJetStream, type JetStreamServer } from './nats-server.js';

const appDir = join(import.meta.dirname, '..');
const postgres = testDatabases.find((d) => d.name === 'postgres');
if (postgres === undefined) console.warn('\n*** DATABASE_URL unset: the JetStream writer-kill test (test/jetstream-buffer.test.ts) is SKIPPED; it needs PostgreSQL shared by several processes ***\n');
const runs = hasJetStream('test/jetstream-buffer.test.ts') && postgres !== undefined;

const SPANS_PER_REQUEST = 16;
const LOGS_PER_REQUEST = 16;

function traces(request: number, traceId: string): string {
  const now = Date.now();
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), name: `op-${request}-${i}`, kind: 1, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 1}000000` }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'load' } }] }, scopeSpans: [{ spans }] }] });
}

function logs(request: number): string {
  const now = Date.now();
  const logRecords = Array.from({ length: LOGS_PER_REQUEST }, (_, i) => ({ timeUnixNano: `${now}000000`, severityNumber: 9, body: { stringValue: logBody(request, i) } }));
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'load' } }] }, scopeLogs: [{ logRecords }] }] });
}

const logBody = (request: number, i: number) => `request ${request} line ${i}`;

interface Writer {
  readonly child: ChildProcess;
  /** What it printed so far (JSON log lines). */
  output(): string;
}

/** A writer replica: `sightline serve` with the buffer configured, killed or stopped by the test. */
async function startWriter(configFile: string): Promise<Writer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--config', configFile, '--port', '0'], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: '', SIGHTLINE_GRPC_PORT: '0', SIGHTLINE_NATS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/listening on http:\/\/\S+/.test(out)) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`writer exited with ${code} before listening:\n${out}`)));
  });
  return { child, output: () => out };
}

async function stop({ child }: Writer, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Polls until `check` holds: writers are other processes working in real time. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, state: () => Promise<unknown> = async () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${JSON.stringify(await state())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

(runs ? describe : describe.skip)('JetStream ingest buffer with writers killed mid-stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-jetstream-'));
  const stream = `SIGHTLINE_TEST_${randomBytes(4).toString('hex').toUpperCase()}`;
  let nats: JetStreamServer;
  let nc: NatsConnection;
  let storage: DatabaseOptions;
  let drop: () => Promise<void> = async () => undefined;
  let receiver: App | undefined;
  let url: string;
  const writers: Writer[] = [];

  beforeAll(async () => {
    nats = await startJetStream();
    nc = await connect({ servers: nats.url });
    ({ options: storage, drop } = await postgres!.create());
  }, 120_000);
  afterAll(async () => {
    for (const w of writers) w.child.kill('SIGCONT');
    await Promise.all(writers.map((w) => stop(w, 'SIGTERM')));
    await receiver?.close();
    if (nc !== undefined && !nats.isPrivate) await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc?.close();
    await nats?.stop();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function consumerPending(): Promise<number> {
    const info = await (await nc.jetstreamManager()).consumers.info(stream, 'sightline-writers');
    return info.num_pending + info.num_ack_pending;
  }

  async function consumerInfo(): Promise<ConsumerInfo> {
    return (await nc.jetstreamManager()).consumers.info(stream, 'sightline-writers');
  }

  async function appliedCount(): Promise<number> {
    return (await query<{ n: number }>('select count(*)::int as n from ingest_buffer_applied'))[0]!.n;
  }

  async function consumerState(): Promise<unknown> {
    const info = await consumerInfo();
    return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered, waiting: info.num_waiting, output: writers.map((w) => w.output().split('\n').filter((l) => /ingest buffer/.test(l)).slice(-3)) };
  }

  async function query<Row>(sql: string): Promise<Row[]> {
    const client = new pg.Client({ connectionString: storage.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Row[];
    } finally {
      await client.end();
    }
  }

  /** Sends requests `from..to-1` (traces and logs each), four at a time; returns those answered 200. */
  async function send(from: number, to: number, traceIds: Map<number, string>): Promise<number[]> {
    const acknowledged: number[] = [];
    let next = from;
    const sender = async () => {
      while (next < to) {
        const request = next++;
        const traceId = randomBytes(16).toString('hex');
        const post = (signal: string, body: string) => fetch(`${url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const [t, l] = await Promise.all([post('traces', traces(request, traceId)), post('logs', logs(request))]);
        if (t.status === 200 && l.status === 200) {
          acknowledged.push(request);
          traceIds.set(request, traceId);
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    return acknowledged;
  }

  it('stores every span and log record of every acknowledged request exactly once', async () => {
    const configFile = join(dir, 'sightline.yaml');
    // A short ack wait: the killed writers' deliveries go to the others after 2 s, not 30.
    writeFileSync(configFile, `storage:\n  databaseUrl: ${storage.databaseUrl}\ningest:\n  buffer:\n    url: ${nats.url}\n    stream: ${stream}\n    ackWait: 2s\n`);
    const config = loadConfig({ file: configFile, env: {} });
    // The receiver publishes only; the writers are the child processes.
    receiver = await createApp({ config: { ...config, ingest: { buffer: { ...config.ingest.buffer!, writer: false } } }, storage });
    url = await receiver.listen(0);
    const traceIds = new Map<number, string>();

    // 150 requests before any writer runs: each 200 means persisted in JetStream, nothing stored yet.
    const before = await send(0, 150, traceIds);
    expect(before).toHaveLength(150);
    expect(await consumerPending()).toBe(300);
    expect((await query<{ n: number }>('select count(*)::int as n from logs'))[0]!.n).toBe(0);

    writers.push(...(await Promise.all([1, 2, 3].map(() => startWriter(configFile)))));
    const [first, second, frozen] = writers as [Writer, Writer, Writer];
    // The stalled writer must hold deliveries: it takes up to 16 as soon as it consumes.
    await eventually('every writer to consume', async () => writers.every((w) => /writer consuming stream/.test(w.output())));
    // Mid-stream: stores have begun and deliveries are outstanding.
    await eventually('the writers to start storing', async () => (await query<{ n: number }>('select count(*)::int as n from logs'))[0]!.n > 0);
    const pendingAtKill = await consumerPending();
    // One writer stalls (SIGSTOP) holding deliveries it took; two die.
    frozen.child.kill('SIGSTOP');
    await Promise.all([first, second].map((w) => stop(w, 'SIGKILL')));
    expect(pendingAtKill).toBeGreaterThan(0);

    // More traffic while the replacements start.
    const [during] = await Promise.all([send(150, 250, traceIds), (async () => writers.push(...(await Promise.all([1, 2].map(() => startWriter(configFile))))))()]);
    const acknowledged = [...before, ...during];
    expect(acknowledged.length).toBe(250);

    // After the ack wait the dead and the stalled writers' deliveries go to the replacements.
    await eventually('deliveries of the dead and stalled writers to be redelivered', async () => (await consumerInfo()).num_redelivered > 0, 60_000, consumerState);
    const appliedBefore = await appliedCount();
    // Let the replacements store some of them; a batch the stalled writer holds a lock for stays
    // blocked (lock timeout, retried) until it resumes, so this wait may end without progress.
    await eventually('the replacements to progress', async () => (await appliedCount()) >= appliedBefore + 10, 10_000).catch(() => undefined);
    // Resumed, the stalled writer goes on with the deliveries it took: whichever writer handles a
    // batch second must skip it, not store it again (or the counts below say so).
    frozen.child.kill('SIGCONT');
    const expectedLogs = acknowledged.length * LOGS_PER_REQUEST;
    await eventually('a writer to skip a batch stored before', async () => writers.some((w) => /was stored before .*: skipped/.test(w.output())) || (await query<{ n: number }>('select count(*)::int as n from logs'))[0]!.n > expectedLogs, 60_000, consumerState);
    await eventually('the stream drained', async () => (await consumerPending()) === 0, 60_000);

    // Spans: the primary key (trace_id, span_id) keeps one row each; the trace summaries count
    // each insert, so a batch stored twice would show there.
    const spanCounts = new Map((await query<{ trace_id: string; n: number; summary: number }>('select s.trace_id, count(*)::int as n, t.span_count as summary from spans s join trace_summaries t using (trace_id) group by s.trace_id, t.span_count')).map((r) => [r.trace_id, r]));
    for (const request of acknowledged) expect(spanCounts.get(traceIds.get(request)!)).toEqual({ trace_id: traceIds.get(request), n: SPANS_PER_REQUEST, summary: SPANS_PER_REQUEST });
    expect(spanCounts.size).toBe(acknowledged.length);

    // Logs have serial ids: a redelivered batch stored again would make duplicate bodies.
    const logCounts = new Map((await query<{ body: string; n: number }>('select body, count(*)::int as n from logs group by body')).map((r) => [r.body, r.n]));
    for (const request of acknowledged) for (let i = 0; i < LOGS_PER_REQUEST; i++) expect([logBody(request, i), logCounts.get(logBody(request, i))]).toEqual([logBody(request, i), 1]);
    expect(logCounts.size).toBe(expectedLogs);
    expect((await query<{ n: number }>('select count(*)::int as n from logs'))[0]!.n).toBe(expectedLogs);
  }, 180_000);
});
