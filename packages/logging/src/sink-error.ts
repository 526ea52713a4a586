import Transport from 'winston-transport';

/**
 * The name of the event a sink (and the logger it is attached to) emits when it cannot deliver.
 * Sinks never emit `'error'`: an unhandled `'error'` event would crash the application, and
 * logging must never break the app.
 */
export const SINK_ERROR_EVENT = 'sink-error';

/** Payload of {@link SINK_ERROR_EVENT}. */
export interface SinkErrorEvent {
  /** The sink's name, e.g. `loki` or `file`. */
  sink: string;
  /** What went wrong (the HTTP status, the fs error...). */
  error: unknown;
  /** Records affected: kept for a retry when `dropped` is false, lost when it is true. */
  records: number;
  dropped: boolean;
  /**
   * Why records were dropped, when they were: `queue-full` (the bounded queue overflowed),
   * `rejected` (the endpoint refused them for good), `closed` (logged after shutdown) or `shutdown`
   * (still queued when shutdown gave up: the endpoint failed or the shutdown deadline passed).
   */
  reason?: SinkDropReason;
}

/** Why a sink dropped records; see {@link SinkErrorEvent.reason}. */
export type SinkDropReason = 'queue-full' | 'rejected' | 'closed' | 'shutdown';

/** Delivery counters every sink keeps (counts of records, `failures` counts attempts). */
export interface SinkStats {
  written: number;
  dropped: number;
  failures: number;
}

/**
 * Base of every Sightline sink: a winston transport with delivery counters and the
 * {@link SINK_ERROR_EVENT} event.
 */
export abstract class SightlineSink extends Transport {
  /** Short name used in events and stats. */
  abstract readonly sinkName: string;
  protected readonly counters: SinkStats = { written: 0, dropped: 0, failures: 0 };

  /** A snapshot of the delivery counters. */
  get stats(): SinkStats {
    return { ...this.counters };
  }

  protected reportFailure(error: unknown, records: number, dropped: boolean, reason?: SinkDropReason): void {
    this.counters.failures++;
    if (dropped) this.counters.dropped += records;
    const event: SinkErrorEvent = reason === undefined ? { sink: this.sinkName, error, records, dropped } : { sink: this.sinkName, error, records, dropped, reason };
    this.emit(SINK_ERROR_EVENT, event);
  }

  /** Delivers whatever is buffered; resolves when done (failures are reported, not thrown). */
  abstract flush(): Promise<void>;
  /** Flushes and releases timers, files and sockets. Idempotent. */
  abstract shutdown(): Promise<void>;
}
