import { SightlineError, type TimeSeriesPoint } from '@sightline/core';
import type { RequestOutcome } from './span-outcome.js';

/** Upper bounds (ms) of the latency histogram used for p95; the last bucket is open-ended. */
const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_500, 5_000, 10_000, 30_000];

interface Minute {
  minute: number;
  count: number;
  errors: number;
  latency: Uint32Array;
}

/** One closed minute of a service and operation, as counted: a replica's share of it adds up with the others' ({@link mergeMinutes}). */
export interface ClosedMinute {
  service: string;
  operation: string;
  /** Minutes since the epoch. */
  minute: number;
  count: number;
  errors: number;
  /** Counts per latency bucket (see LATENCY_BOUNDS_MS). */
  latency: number[];
}

/** A derived point with the series it belongs to. */
export interface DerivedPoint extends TimeSeriesPoint {
  /** `request_rate` (per second), `error_ratio` (0..1) or `latency_p95` (ms). */
  readonly name: 'request_rate' | 'error_ratio' | 'latency_p95';
  readonly labels: { service: string; operation: string };
}

/**
 * Aggregates request outcomes into one-minute series per service and operation — request rate,
 * error ratio and p95 latency — the inputs of anomaly detection. A minute is emitted once a later
 * minute is seen for the same key (late spans within the current minute still count). Memory is
 * one histogram per active key, capped at `maxKeys`; beyond it new keys are counted in `dropped`.
 */
export class DerivedSeries {
  readonly #open = new Map<string, Minute>();
  readonly #maxKeys: number;
  #dropped = 0;

  constructor(options: { maxKeys?: number } = {}) {
    this.#maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isInteger(this.#maxKeys) || this.#maxKeys < 1) throw new SightlineError('DERIVED_SERIES_INVALID', `maxKeys must be a positive integer, got ${this.#maxKeys}`);
  }

  /** Outcomes refused because `maxKeys` keys were already open. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds one outcome; returns the minute this closes, if any (its points: {@link pointsOf}). */
  add(outcome: RequestOutcome): ClosedMinute[] {
    const key = `${outcome.service}\u0000${outcome.operation}`;
    const minute = Math.floor(outcome.timestamp / 60_000);
    let open = this.#open.get(key);
    let closed: ClosedMinute[] = [];
    if (open !== undefined && minute > open.minute) {
      closed = [closedMinute(outcome.service, outcome.operation, open)];
      open = undefined;
    }
    if (open !== undefined && minute < open.minute) return closed; // older than the open minute: already emitted
    if (open === undefined) {
      if (!this.#open.has(key) && this.#open.size >= this.#maxKeys) {
        this.#dropped++;
        return closed;
      }
      open = { minute, count: 0, errors: 0, latency: new Uint32Array(LATENCY_BOUNDS_MS.length + 1) };
      this.#open.set(key, open);
    }
    open.count++;
    if (outcome.isError) open.errors++;
    open.latency[bucketOf(outcome.durationMs)]!++;
    return closed;
  }

  /** Closes and forgets every minute that ended before `nowMs` (for keys that went quiet). */
  flushBefore(nowMs: number): ClosedMinute[] {
    const current = Math.floor(nowMs / 60_000);
    const out: ClosedMinute[] = [];
    for (const [key, open] of this.#open) {
      if (open.minute >= current) continue;
      const [service = '', operation = ''] = key.split('\u0000');
      out.push(closedMinute(service, operation, open));
      this.#open.delete(key);
    }
    return out;
  }
}

function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** p95 as the upper bound of the bucket holding the 95th percentile (never under-reports). */
function p95(latency: readonly number[], count: number): number {
  const rank = Math.ceil(0.95 * count);
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    seen += latency[i]!;
    if (seen >= rank) return LATENCY_BOUNDS_MS[i] ?? LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
  }
  return 0;
}

function closedMinute(service: string, operation: string, m: Minute): ClosedMinute {
  return { service, operation, minute: m.minute, count: m.count, errors: m.errors, latency: [...m.latency] };
}

/** `into` with `part` (the same service, operation and minute counted elsewhere) added to it. */
export function mergeMinutes(into: ClosedMinute, part: ClosedMinute): ClosedMinute {
  return { ...into, count: into.count + part.count, errors: into.errors + part.errors, latency: into.latency.map((n, i) => n + (part.latency[i] ?? 0)) };
}

/** A closed minute's request rate (per second), error ratio and p95 latency (ms). */
export function pointsOf(m: ClosedMinute): DerivedPoint[] {
  const timestamp = m.minute * 60_000;
  const labels = { service: m.service, operation: m.operation };
  return [
    { name: 'request_rate', labels, timestamp, value: m.count / 60 },
    { name: 'error_ratio', labels, timestamp, value: m.count === 0 ? 0 : m.errors / m.count },
    { name: 'latency_p95', labels, timestamp, value: p95(m.latency, m.count) },
  ];
}
