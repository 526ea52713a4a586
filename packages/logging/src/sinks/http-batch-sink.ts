import { MESSAGE } from 'triple-beam';
import { IssueCollector, systemClock, type Clock } from '@sightline/core';
import { readDuration, readPositiveInteger } from '../internal/option-checks.js';
import { RECORD, type LogRecord } from '../log-record.js';
import { LOGGING_OPTIONS_INVALID } from '../logger-options.js';
import { SightlineSink, type SinkErrorEvent } from '../sink-error.js';

/** Runs `tick` every `intervalMs`; returns a function that stops it. Inject one to drive time in tests. */
export interface Scheduler {
  every(intervalMs: number, tick: () => void): () => void;
}

/** The default scheduler: `setInterval`, unref'd so a quiet logger never keeps the process alive. */
export const intervalScheduler: Scheduler = {
  every(intervalMs, tick) {
    const handle = setInterval(tick, intervalMs);
    handle.unref();
    return () => clearInterval(handle);
  },
};

/** Options shared by the HTTP batch sinks. Durations are ms or text like `"5s"`. */
export interface HttpBatchSinkOptions {
  /** Endpoint to POST to. */
  url: string;
  /** Extra request headers (auth, tenant: `X-Scope-OrgID` for Loki). */
  headers?: Readonly<Record<string, string>>;
  /** Records per request (default 500). */
  batchSize?: number;
  /** Records held while the endpoint is slow or down; past it new records are dropped and counted (default 10,000). */
  maxQueue?: number;
  /** How often queued records are sent (default `"1s"`). */
  flushInterval?: number | string;
  /** First retry delay after a failure, doubled per consecutive failure (default `"500ms"`). */
  retryBase?: number | string;
  /** Longest retry delay (default `"30s"`). */
  retryMax?: number | string;
  /** Request timeout (default `"10s"`). */
  timeout?: number | string;
  /**
   * How long `shutdown()` may spend sending what is queued (default `"5s"`), measured on `clock`
   * and checked on the scheduler's tick; past it the request in flight is aborted and the records
   * still queued are abandoned and counted.
   */
  shutdownTimeout?: number | string;
  /** Time source for backoff (default: the system clock). */
  clock?: Clock;
  /** Drives periodic sending (default: {@link intervalScheduler}). */
  scheduler?: Scheduler;
  /** The fetch to use (default: global `fetch`). */
  fetch?: typeof fetch;
}

/** One queued record: the structured record and its JSON line. */
export interface QueuedRecord {
  record: LogRecord;
  line: string;
}

/** How a batch sink reads a successful (2xx) response. */
export interface BatchOutcome {
  /** Records to send again (e.g. Elasticsearch items rejected with 429). */
  retry: QueuedRecord[];
  /** Records the endpoint refused for good. */
  rejected: number;
  /** Why they were refused. */
  reason?: string;
}

/** The delivery counters of a batch sink. */
export interface BatchSinkStats {
  written: number;
  dropped: number;
  failures: number;
  /** Records waiting in memory. */
  queued: number;
  /** Records still queued when `shutdown()` gave up on them (also counted in `dropped`). */
  abandoned: number;
}

/**
 * Base of the HTTP sinks: a bounded in-memory queue sent in batches, retried with exponential
 * backoff on network errors, 408, 429 and 5xx. A record leaves the queue only once the endpoint
 * accepted or refused it for good, so nothing is lost while the queue bound holds; past the bound,
 * new records are dropped and counted, never queued without limit.
 */
export abstract class HttpBatchSink extends SightlineSink {
  readonly #url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #batchSize: number;
  readonly #maxQueue: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  readonly #scheduler: Scheduler;
  readonly #intervalMs: number;
  readonly #shutdownTimeoutMs: number;
  readonly #stopTimer: () => void;
  // Aborted when the shutdown deadline passes: ends the request in flight, whatever its timeout.
  readonly #shutdownAbort = new AbortController();
  #abandoned = 0;
  #queue: QueuedRecord[] = [];
  #inFlight: Promise<void> | undefined;
  #consecutiveFailures = 0;
  #retryAt = 0;
  #dropping = false;
  #closing: Promise<void> | undefined;

  constructor(options: HttpBatchSinkOptions, subject: string) {
    super();
    const issues = new IssueCollector();
    if (typeof options?.url !== 'string' || !URL.canParse(options.url)) issues.add(['url'], `must be an absolute http(s) URL; got ${JSON.stringify(options?.url)}`, 'URL_INVALID');
    const batchSize = readPositiveInteger(options?.batchSize, ['batchSize'], issues);
    const maxQueue = readPositiveInteger(options?.maxQueue, ['maxQueue'], issues);
    const interval = readDuration(options?.flushInterval, ['flushInterval'], issues);
    const retryBase = readDuration(options?.retryBase, ['retryBase'], issues);
    const retryMax = readDuration(options?.retryMax, ['retryMax'], issues);
    const timeout = readDuration(options?.timeout, ['timeout'], issues);
    const shutdownTimeout = readDuration(options?.shutdownTimeout, ['shutdownTimeout'], issues);
    if (batchSize !== undefined && maxQueue !== undefined && maxQueue < batchSize) issues.add(['maxQueue'], `must be >= batchSize (${batchSize})`, 'QUEUE_TOO_SMALL');
    const fetchImpl = options?.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') issues.add(['fetch'], 'no fetch available: use Node 20+ or pass one', 'FETCH_MISSING');
    issues.throwIfAny(LOGGING_OPTIONS_INVALID, `${subject} options`);
    this.#url = options.url;
    this.#headers = options.headers ?? {};
    this.#batchSize = batchSize ?? 500;
    this.#maxQueue = maxQueue ?? 10_000;
    this.#retryBaseMs = retryBase ?? 500;
    this.#retryMaxMs = retryMax ?? 30_000;
    this.#timeoutMs = timeout ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    this.#fetch = fetchImpl;
    this.#scheduler = options.scheduler ?? intervalScheduler;
    this.#intervalMs = interval ?? 1_000;
    this.#shutdownTimeoutMs = shutdownTimeout ?? 5_000;
    this.#stopTimer = this.#scheduler.every(this.#intervalMs, () => this.#tick());
  }

  /** Builds the request body and content type of one batch. */
  protected abstract encode(batch: readonly QueuedRecord[]): { body: string; contentType: string };

  /** Reads a 2xx response; the default accepts the whole batch. */
  protected async readOutcome(response: Response, _batch: readonly QueuedRecord[]): Promise<BatchOutcome> {
    await response.body?.cancel();
    return { retry: [], rejected: 0 };
  }

  override get stats(): BatchSinkStats {
    return { ...this.counters, queued: this.#queue.length, abandoned: this.#abandoned };
  }

  /** Epoch ms before which the timer will not retry after a failure (0 when healthy). */
  get nextRetryAt(): number {
    return this.#retryAt;
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    if (this.#closing !== undefined || this.#queue.length >= this.#maxQueue) {
      this.counters.dropped++;
      // One event per run of drops, not one per record: a flood of events would cost more than the logs.
      if (!this.#dropping) {
        this.#dropping = true;
        const closed = this.#closing !== undefined;
        const why = closed ? 'sink is shut down' : `queue full (${this.#maxQueue} records)`;
        this.emit('sink-error', { sink: this.sinkName, error: new Error(`${this.sinkName}: ${why}; dropping records`), records: 1, dropped: true, reason: closed ? 'closed' : 'queue-full' } satisfies SinkErrorEvent);
      }
      callback();
      return;
    }
    this.#dropping = false;
    const record = (info[RECORD] as LogRecord | undefined) ?? (JSON.parse(String(info[MESSAGE])) as LogRecord);
    this.#queue.push({ record, line: String(info[MESSAGE]) });
    if (this.#queue.length >= this.#batchSize && this.#clock.now() >= this.#retryAt) this.#drainInBackground();
    callback();
  }

  /** Sends everything queued now, ignoring any backoff; resolves when sent or after the first failure. */
  flush(): Promise<void> {
    return this.#drain();
  }

  /**
   * Refuses new records, stops the timer and sends what is queued, in order, once: it stops at the
   * first failed request or when `shutdownTimeout` has passed on the clock (the request in flight
   * is then aborted). Records still queued are abandoned: counted in `stats.abandoned` and
   * `stats.dropped` and reported in one {@link SinkErrorEvent} with reason `shutdown`. Never
   * rejects. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#stopTimer();
    const deadline = this.#clock.now() + this.#shutdownTimeoutMs;
    const stopWatch = this.#scheduler.every(Math.max(1, Math.min(this.#intervalMs, this.#shutdownTimeoutMs)), () => {
      if (this.#clock.now() >= deadline) this.#shutdownAbort.abort(new Error(`${this.sinkName}: shutdown deadline of ${this.#shutdownTimeoutMs} ms passed`));
    });
    try {
      // A drain already running (a full batch, a timer tick) finishes first; then one pass of our own,
      // ignoring any backoff: there is no later retry to wait for.
      const joined = this.#inFlight !== undefined;
      await this.#drainQuietly();
      if (joined && this.#queue.length > 0 && !this.#shutdownAbort.signal.aborted) await this.#drainQuietly();
    } finally {
      stopWatch();
    }
    const left = this.#queue.length;
    if (left === 0) return;
    this.#queue = [];
    this.#abandoned += left;
    const cause = this.#shutdownAbort.signal.aborted ? `the shutdown deadline of ${this.#shutdownTimeoutMs} ms passed` : 'the endpoint failed during shutdown';
    try {
      this.reportFailure(new Error(`${this.sinkName}: ${left} queued records abandoned at shutdown: ${cause}`), left, true, 'shutdown');
    } catch {
      // A throwing sink-error listener must not make shutdown reject: the counters hold the facts.
    }
  }

  #drainQuietly(): Promise<void> {
    return this.#drain().catch(() => undefined);
  }

  #tick(): void {
    if (this.#queue.length > 0 && this.#clock.now() >= this.#retryAt) this.#drainInBackground();
  }

  // Delivery failures are reported inside #drain; what could still reject here is a throwing
  // sink-error listener, and that must not become an unhandled rejection that kills the process.
  #drainInBackground(): void {
    this.#drain().catch(() => undefined);
  }

  #drain(): Promise<void> {
    this.#inFlight ??= (async () => {
      try {
        while (this.#queue.length > 0 && (await this.#sendOne())) {
          // keep sending while batches succeed
        }
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }

  /** Sends the batch at the head of the queue; false when it must wait for a retry. */
  async #sendOne(): Promise<boolean> {
    const batch = this.#queue.slice(0, this.#batchSize);
    let response: Response;
    try {
      const { body, contentType } = this.encode(batch);
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { ...this.#headers, 'content-type': contentType },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#shutdownAbort.signal]),
      });
    } catch (error) {
      // Aborted by the shutdown deadline: the batch stays queued and is reported as abandoned.
      if (this.#shutdownAbort.signal.aborted) return false;
      return this.#backOff(error, batch.length);
    }
    if (response.ok) {
      let outcome: BatchOutcome;
      try {
        outcome = await this.readOutcome(response, batch);
      } catch (error) {
        outcome = { retry: [], rejected: 0, reason: `unreadable response: ${String(error)}` };
      }
      this.#queue.splice(0, batch.length);
      this.#queue.unshift(...outcome.retry);
      this.counters.written += batch.length - outcome.retry.length - outcome.rejected;
      if (outcome.rejected > 0) this.reportFailure(new Error(`${this.sinkName}: ${outcome.rejected} records rejected: ${outcome.reason ?? 'no reason given'}`), outcome.rejected, true, 'rejected');
      if (outcome.retry.length > 0) return this.#backOff(new Error(`${this.sinkName}: ${outcome.retry.length} records to retry`), outcome.retry.length);
      this.#consecutiveFailures = 0;
      this.#retryAt = 0;
      return true;
    }
    const detail = (await response.text().catch(() => '')).slice(0, 500);
    const error = new Error(`${this.sinkName}: HTTP ${response.status} from ${this.#url}${detail === '' ? '' : `: ${detail}`}`);
    if (response.status === 408 || response.status === 429 || response.status >= 500) return this.#backOff(error, batch.length);
    // Any other 4xx will fail the same way again: drop the batch rather than block the queue.
    this.#queue.splice(0, batch.length);
    this.reportFailure(error, batch.length, true, 'rejected');
    return true;
  }

  #backOff(error: unknown, records: number): boolean {
    this.#consecutiveFailures++;
    const delay = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** (this.#consecutiveFailures - 1));
    this.#retryAt = this.#clock.now() + delay;
    this.reportFailure(error, records, false);
    return false;
  }
}
