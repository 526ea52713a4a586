import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Database } from '../storage/database.js';

/** One indicator's reading: `up`, `warning` or `critical`, with the value and what it was held to. */
export interface IndicatorReading {
  name: string;
  status: 'up' | 'warning' | 'critical';
  value: number | null;
  unit: string;
  warning: number | null;
  critical: number | null;
  message: string;
}

/** How indicator readings become one status. */
export type Aggregation = 'all' | 'majority' | 'any';

/** Thresholds, each `[warning, critical]`; a value at or above one reaches that level. */
export interface HealthOptions {
  aggregation: Aggregation;
  databaseLatencyMs: [number, number];
  eventLoopLagMs: [number, number];
  /** Resident memory, MiB. */
  memoryMiB: [number, number];
  /** Free space on the data directory's disk, MiB (below is worse). */
  diskFreeMiB: [number, number];
  /** Ingest writes in flight as a share of the limit, 0..1. */
  ingestQueue: [number, number];
  /** External HTTP dependencies: a 2xx within `timeoutMs` is up, slower is warning, failure critical. */
  dependencies: { name: string; url: string; timeoutMs: number }[];
}

export const DEFAULT_HEALTH: HealthOptions = {
  aggregation: 'all',
  databaseLatencyMs: [200, 2_000],
  eventLoopLagMs: [100, 1_000],
  memoryMiB: [1_024, 2_048],
  diskFreeMiB: [1_024, 256],
  ingestQueue: [0.75, 1],
  dependencies: [],
};

/**
 * The app's health: database round trip, event-loop lag (p99 over the last interval), memory,
 * free disk where the data lives, the ingest queue, and configured HTTP dependencies — each read
 * against warning/critical thresholds — and one status by the chosen aggregation:
 * `all` (the worst reading), `majority` (what most indicators say, ties to the worse),
 * `any` (up while any indicator is up: for redundant dependencies).
 */
export class HealthIndicators {
  readonly #options: HealthOptions;
  readonly #db: Database;
  readonly #dataDir: string | undefined;
  readonly #ingest: () => { inFlight: number; limit: number };
  readonly #lag: IntervalHistogram;
  /**
   * Whether this replica holds the leader lock, when the app runs its background loops: reported
   * as the `leader` indicator (always `up`; value 1 or 0), so `/readyz?verbose` shows who leads.
   */
  leader: (() => boolean) | undefined;

  constructor(options: { db: Database; dataDir?: string; ingest: () => { inFlight: number; limit: number }; health?: Partial<HealthOptions> }) {
    this.#options = { ...DEFAULT_HEALTH, ...options.health };
    this.#db = options.db;
    this.#dataDir = options.dataDir;
    this.#ingest = options.ingest;
    this.#lag = monitorEventLoopDelay({ resolution: 20 });
    this.#lag.enable();
  }

  get aggregation(): Aggregation {
    return this.#options.aggregation;
  }

  async read(): Promise<IndicatorReading[]> {
    const o = this.#options;
    const readings: IndicatorReading[] = [];
    const started = performance.now();
    try {
      await this.#db.query('select 1');
      readings.push(above('database', performance.now() - started, 'ms', o.databaseLatencyMs, 'round trip'));
    } catch (error) {
      readings.push({ name: 'database', status: 'critical', value: null, unit: 'ms', warning: o.databaseLatencyMs[0], critical: o.databaseLatencyMs[1], message: `unreachable: ${(error as Error).message}` });
    }
    const lag = this.#lag.percentile(99) / 1e6;
    this.#lag.reset();
    readings.push(above('event-loop', Number.isFinite(lag) ? lag : 0, 'ms', o.eventLoopLagMs, 'p99 delay since the last reading'));
    readings.push(above('memory', process.memoryUsage().rss / 2 ** 20, 'MiB', o.memoryMiB, 'resident set'));
    if (this.#dataDir !== undefined) {
      try {
        const fs = await statfs(this.#dataDir).catch(() => statfs(dirname(resolve(this.#dataDir!)))); // not created yet: its parent's disk
        readings.push(below('disk', (fs.bavail * fs.bsize) / 2 ** 20, 'MiB', o.diskFreeMiB, `free where ${this.#dataDir} lives`));
      } catch (error) {
        readings.push({ name: 'disk', status: 'warning', value: null, unit: 'MiB', warning: o.diskFreeMiB[0], critical: o.diskFreeMiB[1], message: `cannot read: ${(error as Error).message}` });
      }
    }
    const { inFlight, limit } = this.#ingest();
    readings.push(above('ingest-queue', inFlight / limit, 'ratio', o.ingestQueue, `${inFlight} of ${limit} writes in flight`));
    if (this.leader !== undefined) {
      const isLeader = this.leader();
      readings.push({ name: 'leader', status: 'up', value: isLeader ? 1 : 0, unit: 'boolean', warning: null, critical: null, message: isLeader ? 'this replica runs the leader-only loops' : 'a follower: another replica runs the leader-only loops' });
    }
    for (const dep of o.dependencies) readings.push(await probe(dep));
    return readings;
  }

  /** The readings and their aggregate status. */
  async check(): Promise<{ status: IndicatorReading['status']; aggregation: Aggregation; indicators: IndicatorReading[] }> {
    const indicators = await this.read();
    return { status: aggregate(indicators.map((i) => i.status), this.#options.aggregation), aggregation: this.#options.aggregation, indicators };
  }

  close(): void {
    this.#lag.disable();
  }
}

const RANK = { up: 0, warning: 1, critical: 2 } as const;

export function aggregate(statuses: readonly IndicatorReading['status'][], how: Aggregation): IndicatorReading['status'] {
  if (statuses.length === 0) return 'up';
  if (how === 'any') return statuses.includes('up') ? 'up' : statuses.includes('warning') ? 'warning' : 'critical';
  if (how === 'all') return statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'up' as IndicatorReading['status']);
  const counts = { up: 0, warning: 0, critical: 0 };
  for (const s of statuses) counts[s]++;
  // The status most indicators report; a tie goes to the worse one.
  return (['critical', 'warning', 'up'] as const).reduce((best, s) => (counts[s] > counts[best] ? s : best), 'critical' as IndicatorReading['status']);
}

function above(name: string, value: number, unit: string, [warning, critical]: [number, number], what: string): IndicatorReading {
  const status = value >= critical ? 'critical' : value >= warning ? 'warning' : 'up';
  return { name, status, value: round(value), unit, warning, critical, message: `${what}: ${round(value)} ${unit}` };
}

function below(name: string, value: number, unit: string, [warning, critical]: [number, number], what: string): IndicatorReading {
  const status = value <= critical ? 'critical' : value <= warning ? 'warning' : 'up';
  return { name, status, value: round(value), unit, warning, critical, message: `${what}: ${round(value)} ${unit}` };
}

async function probe(dep: { name: string; url: string; timeoutMs: number }): Promise<IndicatorReading> {
  const started = performance.now();
  const base = { name: `http:${dep.name}`, unit: 'ms', warning: dep.timeoutMs / 2, critical: dep.timeoutMs };
  try {
    const response = await fetch(dep.url, { signal: AbortSignal.timeout(dep.timeoutMs) });
    await response.body?.cancel();
    const ms = round(performance.now() - started);
    if (!response.ok) return { ...base, status: 'critical', value: ms, message: `${dep.url} answered ${response.status}` };
    return { ...base, status: ms >= dep.timeoutMs / 2 ? 'warning' : 'up', value: ms, message: `${dep.url} answered ${response.status} in ${ms} ms` };
  } catch (error) {
    return { ...base, status: 'critical', value: null, message: `${dep.url} failed: ${(error as Error).message}` };
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
