// The JetStream ingest buffer against a real nats-server (see test/nats-server.ts) and an
// in-memory PGlite: publish/consume, chunking, exactly-once on redelivery, poison messages, config.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SightlineError } from '@sightline/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { hasJetStream, startJetStream, type JetStreamServer } from '../../test/nats-server.js';
import { pgliteTemplate } from '../../test/pglite-template.js';
import { loadConfig } from '../config.js';
import { openDatabase, type Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { applyBufferedBatch, chunkBatch, decodeBatch, DEFAULT_INGEST_BUFFER, IngestBuffer, type IngestBufferConfig } from './ingest-buffer.js';
import type { LogRow } from './otlp-logs.js';
import type { SpanRow } from './otlp-traces.js';

function span(i: number): SpanRow {
  return { trace_id: 'b'.repeat(32), span_id: (i + 1).toString(16).padStart(16, '0'), parent_span_id: null, service: 'cart', name: `op ${i}`, kind: 1, start_ms: 1_000 + i, duration_ms: 5, status_code: 0, status_message: null, attributes: {}, resource: {}, events: [], links: [], scope: null };
}

function log(i: number, body = `line ${i}`): LogRow {
  return { time_ms: 1_000 + i, service: 'cart', severity_number: 9, severity_text: 'INFO', body, trace_id: null, span_id: null, attributes: {}, resource: {} };
}

describe('chunkBatch', () => {
  it('packs rows into bodies under the budget, in order, without dropping one', () => {
    // Each row is {"n":i,"pad":"xxxx…"} with 90 x's: 108 to 109 bytes of JSON; a 400-byte budget
    // minus the 35-byte envelope holds 3 rows (3 × 109 + 2 commas = 329), not 4 (438).
    const rows = Array.from({ length: 10 }, (_, n) => ({ n: n + 10, pad: 'x'.repeat(90) }));
    const chunks = chunkBatch('logs', rows, 400);
    expect(chunks.map((c) => (decodeBatch(c).rows as unknown as { n: number }[]).map((r) => r.n))).toEqual([[10, 11, 12], [13, 14, 15], [16, 17, 18], [19]]);
    for (const chunk of chunks) expect(chunk.byteLength).toBeLessThanOrEqual(400);
  });

  it('refuses a row that alone exceeds the budget with INGEST_BUFFER_ROW_TOO_LARGE', () => {
    expect(() => chunkBatch('traces', [{ big: 'y'.repeat(500) }], 400)).toThrow(expect.objectContaining({ code: 'INGEST_BUFFER_ROW_TOO_LARGE' }));
  });
});

describe('decodeBatch', () => {
  it.each([
    ['not JSON', 'nope', /JSON/],
    ['an unknown signal', '{"signal":"profiles","rows":[]}', /unknown signal "profiles"/],
    ['rows that are not objects', '{"signal":"logs","rows":[1,2]}', /rows must be a list of objects/],
    ['a JSON list', '[1]', /unknown signal/],
  ])('rejects %s', (_what, body, message) => {
    expect(() => decodeBatch(Buffer.from(body))).toThrow(message);
  });
});

describe('ingest.buffer configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-buffer-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
    const file = join(dir, `${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, yaml);
    return loadConfig({ file, env });
  };

  it('is off by default', () => {
    expect(loadConfig({ env: {} }).ingest.buffer).toBeUndefined();
  });

  it('is turned on by SIGHTLINE_NATS_URL with the defaults', () => {
    expect(loadConfig({ env: { SIGHTLINE_NATS_URL: 'nats://10.0.0.5:4222' } }).ingest.buffer).toEqual({ ...DEFAULT_INGEST_BUFFER, url: 'nats://10.0.0.5:4222' });
  });

  it('reads every key from the file', () => {
    const yaml = 'ingest:\n  buffer:\n    url: nats://a:4222,nats://b:4222\n    stream: INGEST_2\n    subject: acme.ingest\n    consumer: writers-2\n    ackWait: 10s\n    maxDeliveries: 3\n    writer: false\n';
    expect(load(yaml).ingest.buffer).toEqual({ url: 'nats://a:4222,nats://b:4222', stream: 'INGEST_2', subject: 'acme.ingest', consumer: 'writers-2', ackWaitMs: 10_000, maxDeliveries: 3, writer: false });
  });

  it('reports every bad key and value with its path in one CONFIG_INVALID', () => {
    const yaml = 'ingest:\n  buffer:\n    url: http://nats:4222\n    stream: a.b\n    subject: sightline.>\n    ackWait: 10ms\n    maxDeliveries: 0\n    writer: "yes"\n    colour: blue\n';
    let error: unknown;
    try {
      load(yaml);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SightlineError);
    expect((error as SightlineError).code).toBe('CONFIG_INVALID');
    const issues = (error as SightlineError & { issues: { path: (string | number)[]; code: string }[] }).issues.map((i) => [i.path.join('.'), i.code]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['ingest.buffer.colour', 'CONFIG_UNKNOWN_KEY'],
        ['ingest.buffer.url', 'CONFIG_URL'],
        ['ingest.buffer.stream', 'CONFIG_VALUE'],
        ['ingest.buffer.subject', 'CONFIG_VALUE'],
        ['ingest.buffer.ackWait', 'CONFIG_RANGE'],
        ['ingest.buffer.maxDeliveries', 'CONFIG_RANGE'],
        ['ingest.buffer.writer', 'CONFIG_TYPE'],
      ]),
    );
    expect(issues).toHaveLength(7);
  });

  it('needs a url when the buffer is configured', () => {
    expect(() => load('ingest:\n  buffer:\n    stream: X\n')).toThrow(/ingest\.buffer\.url: must be a non-empty string/);
  });

  it('rejects a bad SIGHTLINE_NATS_URL', () => {
    expect(() => loadConfig({ env: { SIGHTLINE_NATS_URL: '127.0.0.1:4222' } })).toThrow(/env\.SIGHTLINE_NATS_URL: must be nats:\/\/ or tls:\/\//);
  });
});

const withJetStream = hasJetStream('src/ingest/ingest-buffer.test.ts') ? describe : describe.skip;

withJetStream('IngestBuffer on a real JetStream', () => {
  let server: JetStreamServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startJetStream();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** A fresh stream (and subject) per test, so tests share the server but not their messages. */
  function config(over: Partial<IngestBufferConfig> = {}): IngestBufferConfig {
    const id = randomBytes(4).toString('hex');
    return { ...DEFAULT_INGEST_BUFFER, url: server.url, stream: `TEST_${id}`, subject: `test.${id}`, ackWaitMs: 2_000, ...over };
  }

  async function database(): Promise<Database> {
    const db = await openDatabase({ template: await pgliteTemplate() });
    await migrate(db);
    return db;
  }

  async function count(db: Database, table: string): Promise<number> {
    const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    return row!.n;
  }

  const writerLines: Record<string, unknown>[] = [];
  /** Polls until `check` holds: the writer is another party working in real time. */
  async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(writerLines)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('stores published spans and logs once a writer consumes them, and calls the span hook', async () => {
    const db = await database();
    const buffer = await IngestBuffer.connect(config());
    const hooked: string[] = [];
    try {
      await buffer.publish('traces', [span(0), span(1), span(2)]);
      await buffer.publish('logs', [log(0), log(1)]);
      // Persisted before any writer runs: a 200 means this.
      expect(await buffer.pending()).toBe(2);
      const writer = buffer.startWriter({ db, onSpansStored: (spans) => hooked.push(...spans.map((s) => s.name)) });
      await eventually('both batches stored', async () => (await buffer.pending()) === 0 && (await count(db, 'logs')) === 2);
      expect(await count(db, 'spans')).toBe(3);
      expect(hooked).toEqual(['op 0', 'op 1', 'op 2']);
      expect(writer.applied).toBe(2);
    } finally {
      await buffer.close();
      await db.close();
    }
  });

  it('splits a batch above the 1 MiB max_payload into several messages and stores every row once', async () => {
    const db = await database();
    const cfg = config();
    const buffer = await IngestBuffer.connect(cfg);
    try {
      // 3,000 logs of ~600 bytes of JSON each: about 1.8 MB, so at least 2 messages of under 1 MiB.
      const logs = Array.from({ length: 3_000 }, (_, i) => log(i, `${i}:`.padEnd(400, 'z')));
      await buffer.publish('logs', logs);
      const jsm = await nc.jetstreamManager();
      const state = (await jsm.streams.info(cfg.stream)).state;
      expect(state.messages).toBeGreaterThanOrEqual(2);
      expect(state.bytes / state.messages).toBeLessThan(1024 * 1024);
      buffer.startWriter({ db });
      await eventually('3,000 logs stored', async () => (await buffer.pending()) === 0);
      expect(await count(db, 'logs')).toBe(3_000);
      const [distinct] = await db.query<{ n: number }>(`select count(distinct body)::int as n from logs`);
      expect(distinct!.n).toBe(3_000);
    } finally {
      await buffer.close();
      await db.close();
    }
  });

  it('stores nothing twice when a message applied by a writer that did not ack comes again', async () => {
    const db = await database();
    const cfg = config();
    const buffer = await IngestBuffer.connect(cfg);
    try {
      await buffer.publish('logs', [log(0), log(1), log(2)]);
      // Play the writer that committed and died before its ack: take the delivery, apply it, give it back.
      const js = nc.jetstream();
      const consumer = await js.consumers.get(cfg.stream, cfg.consumer);
      const msg = await consumer.next({ expires: 5_000 });
      expect(msg).not.toBeNull();
      const created = (await (await nc.jetstreamManager()).streams.info(cfg.stream)).created;
      expect(await applyBufferedBatch(db, { stream: cfg.stream, created }, msg!.info.streamSequence, decodeBatch(msg!.data))).toBe(true);
      msg!.nak();
      const writer = buffer.startWriter({ db });
      await eventually('the redelivery handled', async () => (await buffer.pending()) === 0);
      // Logs have serial ids: a second insert would have made 6 rows.
      expect(await count(db, 'logs')).toBe(3);
      expect(writer.applied).toBe(0);
      expect(writer.terminated).toBe(0);
    } finally {
      await buffer.close();
      await db.close();
    }
  });

  it('terminates and counts an undecodable message and one the store keeps refusing, and goes on', async () => {
    const db = await database();
    const cfg = config({ maxDeliveries: 2 });
    const buffer = await IngestBuffer.connect(cfg);
    const lines: Record<string, unknown>[] = writerLines;
    try {
      const js = nc.jetstream();
      const garbage = await js.publish(`${cfg.subject}.traces`, Buffer.from('not json'));
      // Spans without trace_id: the not-null constraint refuses them on every delivery.
      const refused = await js.publish(`${cfg.subject}.traces`, Buffer.from('{"signal":"traces","rows":[{"name":"x"}]}'));
      await buffer.publish('logs', [log(7)]);
      const writer = buffer.startWriter({ db, log: (line) => lines.push(line) });
      await eventually('both poison messages terminated and the good one stored', async () => writer.terminated === 2 && (await buffer.pending()) === 0);
      expect(await count(db, 'logs')).toBe(1);
      const gaveUp = lines.filter((l) => String(l.msg).startsWith('ingest buffer: gave up'));
      expect(gaveUp.map((l) => l.seq)).toEqual([garbage.seq, refused.seq]);
      expect(String(gaveUp[1]!.msg)).toMatch(/refused by the store 2 times/);
    } finally {
      await buffer.close();
      await db.close();
    }
  });

  it('refuses a stream of the same name made with other settings: INGEST_BUFFER_STREAM_CONFLICT', async () => {
    const cfg = config();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: cfg.stream, subjects: [`${cfg.subject}.>`], storage: StorageType.Memory, retention: RetentionPolicy.Limits });
    await expect(IngestBuffer.connect(cfg)).rejects.toMatchObject({ code: 'INGEST_BUFFER_STREAM_CONFLICT' });
  });

  it('creates the stream and consumer once when several replicas start at once', async () => {
    const cfg = config();
    const buffers = await Promise.all([1, 2, 3].map(() => IngestBuffer.connect(cfg)));
    try {
      const jsm = await nc.jetstreamManager();
      expect((await jsm.consumers.list(cfg.stream).next()).map((c) => c.name)).toEqual([cfg.consumer]);
    } finally {
      await Promise.all(buffers.map((b) => b.close()));
    }
  });

  it('fails with INGEST_BUFFER_UNAVAILABLE when NATS is not there', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await expect(IngestBuffer.connect(config({ url: 'nats://127.0.0.1:1' }))).rejects.toMatchObject({ code: 'INGEST_BUFFER_UNAVAILABLE' });
  });
});
