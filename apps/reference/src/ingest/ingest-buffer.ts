import { SightlineError } from '@sightline/core';
import { randomUUID } from 'node:crypto';
import { AckPolicy, connect, DeliverPolicy, nanos, RetentionPolicy, StorageType, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database, Queryable } from '../storage/database.js';
import { insertLogs } from '../storage/log-store.js';
import { insertMetricPoints } from '../storage/metric-store.js';
import { insertSpans } from '../storage/span-store.js';
import type { LogRow } from './otlp-logs.js';
import type { MetricRow } from './otlp-metrics.js';
import type { OtlpSignal } from './otlp-protobuf.js';
import type { SpanRow } from './otlp-traces.js';

/** Where the buffer lives and how its writers consume it (`ingest.buffer` in the config file). */
export interface IngestBufferConfig {
  /** NATS server(s), `nats://host:4222` (comma-separated for a cluster). */
  url: string;
  /** JetStream stream name (default `sightline-ingest`). */
  stream: string;
  /** Subject prefix; a batch of signal S goes to `<subject>.<S>` (default `sightline.ingest`). */
  subject: string;
  /** Durable pull consumer every writer shares (default `sightline-writers`). */
  consumer: string;
  /** How long a delivered message may stay unacknowledged before JetStream gives it to another writer, ms (default 30 s). */
  ackWaitMs: number;
  /** Deliveries after which a message the store keeps refusing is terminated and counted (default 5). */
  maxDeliveries: number;
  /** Whether this replica runs a writer; `false` makes a receive-only replica (default true). */
  writer: boolean;
}

/** The defaults of every `ingest.buffer` key but `url`. */
export const DEFAULT_INGEST_BUFFER: Omit<IngestBufferConfig, 'url'> = { stream: 'sightline-ingest', subject: 'sightline.ingest', consumer: 'sightline-writers', ackWaitMs: 30_000, maxDeliveries: 5, writer: true };

/** One buffered batch as a message carries it. */
export type BufferedBatch = { signal: 'traces'; rows: SpanRow[] } | { signal: 'logs'; rows: LogRow[] } | { signal: 'metrics'; rows: MetricRow[] };

/** The NATS `max_payload` the server advertises when it says nothing (its default, 1 MiB). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room left in each message for the headers (`Nats-Msg-Id`) and protocol line. */
const HEADER_ROOM = 4 * 1024;
/** Attempts of one publish (same msgID, so JetStream keeps one copy) before the request fails. */
const PUBLISH_ATTEMPTS = 3;
/** How long an applied-sequence row is kept after the stream dropped its message, ms: longer than any writer stall. */
const APPLIED_RETENTION_MS = 24 * 60 * 60 * 1_000;
/** Applied-sequence rows are pruned after this many applied messages (and at writer start). */
const PRUNE_EVERY = 1_024;
/** How long a writer waits for another's claim on the same sequence before retrying it later, ms. */
const CLAIM_LOCK_TIMEOUT_MS = 5_000;
/** Wait before a failed message is offered again, ms. */
const RETRY_DELAY_MS = 1_000;

/**
 * An ingest buffer on NATS JetStream: receivers `publish` a batch and answer 200 once JetStream
 * has persisted it (file storage); writers (one durable pull consumer shared by every replica, so
 * each message goes to one writer) store each message's rows and its stream sequence in one
 * transaction, so a redelivery after a crash stores nothing twice.
 */
export class IngestBuffer {
  readonly #writers = new Set<IngestWriter>();
  #closed: Promise<void> | undefined;

  private constructor(
    readonly config: IngestBufferConfig,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    /** The stream's creation time: a stream deleted and made again restarts its sequences. */
    private readonly streamCreated: string,
  ) {}

  /**
   * Connects and creates the stream and the writers' consumer if missing (several replicas may do
   * so at once). Throws `INGEST_BUFFER_UNAVAILABLE` when NATS cannot be reached or has no
   * JetStream, `INGEST_BUFFER_STREAM_CONFLICT` when the stream exists with other settings.
   */
  static async connect(config: IngestBufferConfig): Promise<IngestBuffer> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: config.url.split(','), name: 'sightline', maxReconnectAttempts: -1, timeout: 5_000 });
    } catch (error) {
      throw new SightlineError('INGEST_BUFFER_UNAVAILABLE', `Cannot connect to NATS at ${config.url} (ingest.buffer.url): ${(error as Error).message}`, { url: config.url }, { cause: error });
    }
    try {
      const jsm = await nc.jetstreamManager({ timeout: 5_000 });
      const created = await ensureStream(jsm, config);
      await ensureConsumer(jsm, config);
      return new IngestBuffer(config, nc, nc.jetstream({ timeout: 10_000 }), jsm, created);
    } catch (error) {
      await nc.close();
      if (error instanceof SightlineError) throw error;
      throw new SightlineError('INGEST_BUFFER_UNAVAILABLE', `NATS at ${config.url} has no usable JetStream (start nats-server with -js): ${(error as Error).message}`, { url: config.url }, { cause: error });
    }
  }

  /**
   * Persists a batch in the stream; resolves once JetStream acknowledged every message of it.
   * A batch larger than the server's `max_payload` goes as several messages. Throws
   * `INGEST_BUFFER_ROW_TOO_LARGE` when one row alone exceeds it (raise `max_payload` in nats-server).
   */
  async publish(signal: OtlpSignal, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    const budget = (this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ROOM;
    const batchId = randomUUID();
    const chunks = chunkBatch(signal, rows, budget);
    await Promise.all(chunks.map((body, i) => this.#publishOnce(`${this.config.subject}.${signal}`, body, `${batchId}:${i}`)));
  }

  async #publishOnce(subject: string, body: Uint8Array, msgID: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js.publish(subject, body, { msgID });
        return;
      } catch (error) {
        // A timed-out publish may have been stored: the retry's msgID makes JetStream keep one copy.
        if (attempt >= PUBLISH_ATTEMPTS) throw new SightlineError('INGEST_BUFFER_PUBLISH_FAILED', `JetStream did not acknowledge a batch on ${subject} after ${attempt} attempts: ${(error as Error).message}`, { subject, msgID }, { cause: error });
      }
    }
  }

  /** Starts a writer on this replica: stores what the shared consumer delivers to it. */
  startWriter(options: IngestWriterOptions): IngestWriter {
    const writer = new IngestWriter(this.js, this.jsm, this.config, this.streamCreated, options, () => this.#writers.delete(writer));
    this.#writers.add(writer);
    return writer;
  }

  /** Messages in the stream not yet acknowledged by a writer (consumer lag), for every writer. */
  async pending(): Promise<number> {
    const info = await this.jsm.consumers.info(this.config.stream, this.config.consumer);
    return info.num_pending + info.num_ack_pending;
  }

  /** Exposes the consumer lag and the messages this replica's writers terminated on `/metrics`. */
  registerMetrics(registry: Registry): void {
    const pending = () => this.pending().catch(() => Number.NaN);
    const terminated = () => [...this.#writers].reduce((sum, w) => sum + w.terminated, 0);
    new Gauge({ name: 'sightline_ingest_buffer_pending', help: 'Batches in the JetStream ingest buffer not yet stored by a writer', registers: [registry], async collect() { this.set(await pending()); } });
    new Counter({ name: 'sightline_ingest_buffer_terminated_total', help: 'Buffered batches this replica gave up on (undecodable, or refused by the store too often)', registers: [registry], collect() { this.reset(); this.inc(terminated()); } });
  }

  /** Stops this replica's writers, then drains the connection. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.all([...this.#writers].map((w) => w.close()));
      await this.nc.drain().catch(() => this.nc.close());
    })();
    return this.#closed;
  }
}

/** What a writer stores into and whom it tells. */
export interface IngestWriterOptions {
  db: Database;
  /** Called with each batch of spans once stored (derived signals), as on the direct path. */
  onSpansStored?: (spans: readonly SpanRow[]) => void;
  /** Called with each batch of metric points once stored. */
  onMetricsStored?: (points: readonly MetricRow[]) => void;
  /** Where terminated messages and store failures are reported. */
  log?: (line: Record<string, unknown>) => void;
}

/** Stores the messages the shared consumer delivers to this replica, one transaction each. */
export class IngestWriter {
  #terminated = 0;
  #applied = 0;
  #messages: ConsumerMessages | undefined;
  #closing = false;
  readonly #loop: Promise<void>;
  #closed: Promise<void> | undefined;

  /** @internal created by {@link IngestBuffer.startWriter}. */
  constructor(
    js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly config: IngestBufferConfig,
    private readonly streamCreated: string,
    private readonly options: IngestWriterOptions,
    private readonly onClosed: () => void,
  ) {
    this.#loop = this.#run(js).catch((error: unknown) => this.#log('error', 'ingest buffer writer stopped', { error: (error as Error).message }));
  }

  /** Messages this writer gave up on (terminated) since start. */
  get terminated(): number {
    return this.#terminated;
  }

  /** Messages this writer stored (duplicates skipped are not counted). */
  get applied(): number {
    return this.#applied;
  }

  async #run(js: JetStreamClient): Promise<void> {
    await this.#prune();
    if (this.#closing) return;
    const consumer = await js.consumers.get(this.config.stream, this.config.consumer);
    this.#messages = await consumer.consume({ max_messages: 16 });
    this.#log('info', `ingest buffer: writer consuming stream ${this.config.stream} as ${this.config.consumer}`, {});
    if (this.#closing) await this.#messages.close();
    for await (const msg of this.#messages) {
      await this.#handle(msg);
      if (this.#closing) break;
    }
  }

  async #handle(msg: JsMsg): Promise<void> {
    const seq = msg.info.streamSequence;
    let batch: BufferedBatch;
    try {
      batch = decodeBatch(msg.data);
    } catch (error) {
      // Decoding is deterministic: another delivery cannot succeed.
      this.#terminate(msg, `undecodable: ${(error as Error).message}`);
      return;
    }
    let applied: boolean;
    try {
      applied = await applyBufferedBatch(this.options.db, { stream: this.config.stream, created: this.streamCreated }, seq, batch);
    } catch (error) {
      if (isPermanentRefusal(error) && msg.info.redeliveryCount >= this.config.maxDeliveries) this.#terminate(msg, `refused by the store ${msg.info.redeliveryCount} times: ${(error as Error).message}`);
      else {
        this.#log('warn', 'ingest buffer: storing a batch failed; it will be delivered again', { seq, deliveries: msg.info.redeliveryCount, error: (error as Error).message });
        msg.nak(RETRY_DELAY_MS);
      }
      return;
    }
    // After a lost ack the message comes again and is skipped as applied.
    await msg.ackAck().catch((error: unknown) => this.#log('warn', 'ingest buffer: ack failed; the batch will be delivered again and skipped', { seq, error: (error as Error).message }));
    if (!applied) {
      this.#log('info', `ingest buffer: message ${seq} was stored before (delivered again after a writer stalled or died): skipped`, { seq });
      return;
    }
    if (++this.#applied % PRUNE_EVERY === 0) await this.#prune().catch((error: unknown) => this.#log('warn', 'ingest buffer: pruning applied sequences failed', { error: (error as Error).message }));
    if (batch.signal === 'traces') this.options.onSpansStored?.(batch.rows);
    else if (batch.signal === 'metrics') this.options.onMetricsStored?.(batch.rows);
  }

  #terminate(msg: JsMsg, reason: string): void {
    this.#terminated++;
    this.#log('error', `ingest buffer: gave up on message ${msg.info.streamSequence} of stream ${this.config.stream}: ${reason}`, { seq: msg.info.streamSequence, subject: msg.subject });
    // Without a reason: nats-server before 2.10.4 ignores a `+TERM <reason>` and redelivers.
    msg.term();
  }

  /**
   * Forgets applied sequences the stream no longer holds, once they are a day old. Not sooner: a
   * writer that stalled (GC, a frozen VM) still holds copies of messages delivered to it that
   * others stored and acknowledged meanwhile, and only their applied rows stop it storing them again.
   */
  async #prune(): Promise<void> {
    const info = await this.jsm.streams.info(this.config.stream);
    await this.options.db.query(
      `delete from ingest_buffer_applied where stream = $1 and (stream_created <> $2 or seq < $3) and applied_at < now() - make_interval(secs => $4)`,
      [this.config.stream, this.streamCreated, info.state.first_seq, APPLIED_RETENTION_MS / 1_000],
    );
  }

  #log(level: string, msg: string, fields: Record<string, unknown>): void {
    this.options.log?.({ level, msg, ...fields });
  }

  /** Finishes the message in hand and stops; unacknowledged deliveries go to other writers. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing = true;
      await this.#messages?.close();
      await this.#loop;
      this.onClosed();
    })();
    return this.#closed;
  }
}

/** The stream a sequence number belongs to: its name and creation time. */
export interface StreamIdentity {
  stream: string;
  created: string;
}

/**
 * Stores a batch and records its stream sequence in one transaction; returns false (storing
 * nothing) when that sequence was applied before: a redelivery after a crash between commit and ack.
 */
export async function applyBufferedBatch(db: Database, stream: StreamIdentity, seq: number, batch: BufferedBatch): Promise<boolean> {
  return db.transaction(async (tx) => {
    // A stalled writer holding this sequence's claim must not stall this one: fail, and retry later.
    await tx.exec(`set local lock_timeout = '${CLAIM_LOCK_TIMEOUT_MS}ms'`);
    // A concurrent redelivery of the same sequence waits here on the primary key, then skips.
    const claimed = await tx.query(`insert into ingest_buffer_applied (stream, stream_created, seq) values ($1, $2, $3) on conflict do nothing returning seq`, [stream.stream, stream.created, seq]);
    if (claimed.length === 0) return false;
    await storeRows(tx, batch);
    return true;
  });
}

function storeRows(tx: Queryable, batch: BufferedBatch): Promise<void> {
  if (batch.signal === 'traces') return insertSpans(tx, batch.rows);
  if (batch.signal === 'logs') return insertLogs(tx, batch.rows);
  return insertMetricPoints(tx, batch.rows);
}

/**
 * Splits a batch into message bodies of at most `budget` bytes each (JSON `{signal, rows}`),
 * never dropping a row. Throws `INGEST_BUFFER_ROW_TOO_LARGE` for a row that alone exceeds it.
 */
export function chunkBatch(signal: OtlpSignal, rows: readonly object[], budget: number): Uint8Array[] {
  const head = `{"signal":"${signal}","rows":[`;
  const tail = ']}';
  const chunks: Uint8Array[] = [];
  let parts: string[] = [];
  let size = Buffer.byteLength(head) + tail.length;
  const empty = size;
  const flush = () => {
    chunks.push(Buffer.from(head + parts.join(',') + tail));
    parts = [];
    size = empty;
  };
  for (const row of rows) {
    const json = JSON.stringify(row);
    const bytes = Buffer.byteLength(json);
    if (empty + bytes > budget) throw new SightlineError('INGEST_BUFFER_ROW_TOO_LARGE', `One ${signal} row is ${bytes} bytes as JSON, more than a NATS message may carry (${budget} bytes after headers); raise max_payload in nats-server`, { signal, bytes, budget });
    if (parts.length > 0 && size + 1 + bytes > budget) flush();
    size += bytes + (parts.length > 0 ? 1 : 0);
    parts.push(json);
  }
  if (parts.length > 0) flush();
  return chunks;
}

/** Parses a message body; throws (with the reason) when it is not a buffered batch. */
export function decodeBatch(data: Uint8Array): BufferedBatch {
  const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const { signal, rows } = value as { signal?: unknown; rows?: unknown };
  if (signal !== 'traces' && signal !== 'logs' && signal !== 'metrics') throw new Error(`unknown signal ${JSON.stringify(signal)}`);
  if (!Array.isArray(rows) || !rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) throw new Error('rows must be a list of objects');
  return { signal, rows } as BufferedBatch;
}

/**
 * Whether a store error is about the data (PostgreSQL classes 22 data exception, 23 integrity
 * violation, 42 bad SQL for it, 54 limits): another delivery would fail the same way. Connection
 * losses and the like are retried for as long as they last.
 */
function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42|54)/.test(code);
}

async function ensureStream(jsm: JetStreamManager, config: IngestBufferConfig): Promise<string> {
  const subjects = [`${config.subject}.>`];
  let info = await jsm.streams.info(config.stream).catch(notFoundAsUndefined);
  if (info === undefined) {
    try {
      // Work-queue retention: a message leaves the stream once a writer acknowledged it.
      info = await jsm.streams.add({ name: config.stream, subjects, storage: StorageType.File, retention: RetentionPolicy.Workqueue });
    } catch (error) {
      // Another replica created it between our look and our add.
      info = await jsm.streams.info(config.stream).catch(() => undefined);
      if (info === undefined) throw error;
    }
  }
  if (info.config.storage !== StorageType.File || info.config.retention !== RetentionPolicy.Workqueue || !subjects.every((s) => info.config.subjects?.includes(s))) {
    throw new SightlineError('INGEST_BUFFER_STREAM_CONFLICT', `JetStream stream ${config.stream} exists with other settings (storage ${info.config.storage}, retention ${info.config.retention}, subjects ${info.config.subjects?.join(' ')}); the buffer needs file storage, work-queue retention and subject ${subjects[0]}: pick another ingest.buffer.stream or delete it`, { stream: config.stream });
  }
  return info.created;
}

async function ensureConsumer(jsm: JetStreamManager, config: IngestBufferConfig): Promise<void> {
  const wanted = { durable_name: config.consumer, ack_policy: AckPolicy.Explicit, ack_wait: nanos(config.ackWaitMs), deliver_policy: DeliverPolicy.All, max_deliver: -1, max_ack_pending: 1_000 };
  const existing = await jsm.consumers.info(config.stream, config.consumer).catch(notFoundAsUndefined);
  if (existing === undefined) {
    await jsm.consumers.add(config.stream, wanted).catch(async (error: unknown) => (await jsm.consumers.info(config.stream, config.consumer).catch(() => undefined)) ?? Promise.reject(error));
  } else if (existing.config.ack_wait !== wanted.ack_wait) {
    // The last replica started decides the ack wait: a changed config takes effect on a rolling restart.
    await jsm.consumers.update(config.stream, config.consumer, { ack_wait: wanted.ack_wait });
  }
}

function notFoundAsUndefined(error: unknown): undefined {
  const { code, api_error } = error as { code?: string; api_error?: { err_code?: number } };
  // 10059 stream not found, 10014 consumer not found.
  if (code === '404' || api_error?.err_code === 10059 || api_error?.err_code === 10014) return undefined;
  throw error;
}
