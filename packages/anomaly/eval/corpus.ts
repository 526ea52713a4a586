import { SeededRandom } from '@sightline/core';

// A generated, labelled corpus of 5-minute operational series with the traits real ones have
// (NAB's realKnownCause / realAWSCloudwatch / realTweets are the model): duplicate and late
// timestamps, gaps, a few NaN rows, long zero runs, integer counts, square waves, slow drifts,
// daily and weekly seasonality, cumulative counters that reset, and bursts of noise that are NOT
// anomalies. Anomalies are labelled, as in NAB, by their onset only; the scorer puts a window
// around each. Seeded: the same seed always gives the same corpus.

/** What kind of series this is, which decides its shape and its integer-ness. */
export type SeriesKind = 'cpu' | 'requests' | 'errors' | 'batch' | 'disk' | 'temperature' | 'latency' | 'bytes_total';

/** The kinds of planted anomaly. */
export type AnomalyKind = 'spike' | 'dip' | 'level_shift' | 'missing_peak' | 'variance';

export interface Row {
  /** Epoch ms; may repeat or go backwards (duplicate and late rows), as scraped data does. */
  readonly timestamp: number;
  /** May be NaN (a failed scrape written as "NaN"). */
  readonly value: number;
}

export interface LabelledSeries {
  readonly name: string;
  readonly kind: SeriesKind;
  /** The rows as a collector would deliver them, quirks included. */
  readonly rows: readonly Row[];
  /** Each anomaly's kind and onset (epoch ms); the first row at or after it is its label. */
  readonly anomalies: readonly { readonly kind: AnomalyKind; readonly timestamp: number }[];
  /** Cumulative counter (resets are not anomalies): detect on its per-second rate. */
  readonly isCounter: boolean;
  /** Integer counts (requests, errors, counters). */
  readonly isInteger: boolean;
}

export interface CorpusOptions {
  /** Series in the corpus. Default 32. */
  series?: number;
  /** Seed of the whole corpus. Default 2026. */
  seed?: number;
}

export const STEP_MS = 5 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** A Monday 00:00 UTC, so the weekly pattern starts on a weekday. */
const EPOCH = Date.UTC(2026, 0, 5);
/** Series lengths in 5-minute rows: 8 days (2,304) to 9 weeks (18,144). */
const LENGTHS = [2_304, 4_032, 6_048, 8_064, 12_096, 18_144] as const;
const KINDS: readonly SeriesKind[] = ['cpu', 'requests', 'errors', 'batch', 'disk', 'temperature', 'latency', 'bytes_total'];

/** Generates the corpus: `series` labelled series, kinds in rotation, lengths and quirks drawn from the seed. */
export function generateCorpus(options: CorpusOptions = {}): LabelledSeries[] {
  const count = options.series ?? 32;
  const seed = options.seed ?? 2026;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) throw new RangeError(`generateCorpus: series must be a positive integer and seed an integer, got ${JSON.stringify(options)}`);
  return Array.from({ length: count }, (_, i) => generateSeries(KINDS[i % KINDS.length]!, seed * 1_000 + i, i));
}

class Draw {
  readonly #random: SeededRandom;
  constructor(seed: number) {
    this.#random = new SeededRandom(seed);
  }
  next(): number {
    return this.#random.next();
  }
  between(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  int(a: number, b: number): number {
    return Math.floor(this.between(a, b + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  gaussian(): number {
    return Math.sqrt(-2 * Math.log(this.next() || 1e-12)) * Math.cos(2 * Math.PI * this.next());
  }
  poisson(rate: number): number {
    if (rate > 30) return Math.max(0, Math.round(rate + Math.sqrt(rate) * this.gaussian()));
    const limit = Math.exp(-rate);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

/** Daily shape: 0 at night, 1 at the afternoon peak (smooth). */
function daily(t: number): number {
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * ((t % DAY) - 3 * HOUR)) / DAY);
}

/** 1 on weekdays, lower on Saturday and Sunday. */
function weekly(t: number, weekend: number): number {
  const day = Math.floor(((t - EPOCH) % WEEK) / DAY); // 0 = Monday (EPOCH is one)
  return day >= 5 ? weekend : 1;
}

function generateSeries(kind: SeriesKind, seed: number, index: number): LabelledSeries {
  const d = new Draw(seed);
  const n = d.pick(LENGTHS);
  const level = new Float64Array(n); // the expected value
  const spread = new Float64Array(n); // noise scale
  const isInteger = kind === 'requests' || kind === 'errors' || kind === 'bytes_total';
  const time = (i: number) => EPOCH + i * STEP_MS;

  // The normal shape of each kind.
  const base = d.between(20, 400);
  const amplitude = base * d.between(0.3, 0.8);
  const weekend = d.between(0.4, 0.8);
  const drift = base * d.between(-0.02, 0.05); // per day
  const period = d.pick([6, 12, 24]) * HOUR;
  const runHours = d.between(0.5, 2);
  for (let i = 0; i < n; i++) {
    const t = time(i);
    switch (kind) {
      case 'cpu':
        level[i] = base * 0.3 + amplitude * 0.5 * daily(t) * weekly(t, weekend) + (drift * (t - EPOCH)) / DAY / 4;
        spread[i] = base * 0.03;
        break;
      case 'requests':
      case 'bytes_total':
        level[i] = base * 0.2 + 2 * amplitude * daily(t) * weekly(t, weekend);
        spread[i] = 0; // Poisson noise comes from the counts themselves
        break;
      case 'errors':
        level[i] = 0.001 + 0.006 * daily(t) * weekly(t, weekend); // mostly zero: runs of days
        spread[i] = 0;
        break;
      case 'batch': {
        // A square wave: a job that runs for an hour or two every `period`.
        const running = t % period < runHours * HOUR;
        // Idle is exactly zero and flat: the trap of a zero spread.
        level[i] = running ? base : 0;
        spread[i] = running ? base * 0.02 : 0;
        break;
      }
      case 'disk':
        // A slow fill with a cleanup every week (a normal saw-tooth drift).
        level[i] = base + base * 0.5 * (((t - EPOCH) % WEEK) / WEEK);
        spread[i] = base * 0.004;
        break;
      case 'temperature':
        level[i] = 40 + 8 * daily(t) + (2 * (t - EPOCH)) / (30 * DAY);
        spread[i] = 0.4;
        break;
      case 'latency':
        level[i] = base * (1 + 0.4 * daily(t) * weekly(t, weekend));
        spread[i] = base * 0.08;
        break;
    }
  }
  const smooth = kind === 'temperature' || kind === 'disk';

  // Noise bursts that are NOT anomalies: a few rows of much wider noise, every day or two.
  const burst = new Float64Array(n).fill(1);
  if (kind !== 'errors') {
    for (let start = d.int(100, 400); start < n; start += d.int(200, 600)) {
      const length = d.int(2, 10);
      for (let i = start; i < Math.min(n, start + length); i++) burst[i] = d.between(3, 5);
    }
  }

  // Anomalies after probation (15 %) plus room for half a window, at least a tenth apart.
  const anomalies: { kind: AnomalyKind; row: number }[] = [];
  const planted = index % 11 === 5 ? 0 : d.int(1, 4); // a few series have no anomaly at all
  const earliest = Math.ceil(n * 0.22);
  for (let k = 0; k < planted * 4 && anomalies.length < planted; k++) {
    const row = d.int(earliest, n - 200);
    if (anomalies.some((a) => Math.abs(a.row - row) < n / 10)) continue;
    const choices: AnomalyKind[] = kind === 'errors' ? ['spike', 'level_shift', 'variance'] : kind === 'batch' ? ['missing_peak', 'spike', 'dip', 'level_shift'] : kind === 'disk' || kind === 'temperature' ? ['level_shift', 'spike', 'variance', 'dip'] : ['spike', 'dip', 'level_shift', 'missing_peak', 'variance'];
    anomalies.push({ kind: d.pick(choices), row });
  }
  anomalies.sort((a, b) => a.row - b.row);
  const variance = new Float64Array(n).fill(1);
  for (const a of anomalies) {
    const span = Math.max(amplitude, base * 0.5);
    switch (a.kind) {
      case 'spike': {
        const length = d.int(1, 3);
        const size = kind === 'errors' ? d.between(8, 30) : span * d.between(1.2, 2.5);
        for (let i = a.row; i < Math.min(n, a.row + length); i++) level[i]! += size;
        break;
      }
      case 'dip': {
        // An outage: the value falls towards zero for a while.
        const length = d.int(3, 24);
        for (let i = a.row; i < Math.min(n, a.row + length); i++) level[i] = level[i]! * d.between(0, 0.15);
        break;
      }
      case 'level_shift': {
        const size = kind === 'errors' ? d.between(2, 6) : span * d.between(0.5, 1) * (d.next() < 0.6 ? 1 : -0.6);
        const length = d.int(144, 2_016); // half a day to a week, then back
        for (let i = a.row; i < Math.min(n, a.row + length); i++) level[i] = Math.max(0, level[i]! + size);
        break;
      }
      case 'missing_peak': {
        // The next daily peak (or batch run) does not happen: the series stays at its trough.
        const length = Math.round((kind === 'batch' ? period : DAY) / STEP_MS);
        let trough = Number.POSITIVE_INFINITY;
        for (let i = a.row; i < Math.min(n, a.row + length); i++) trough = Math.min(trough, level[i]!);
        let onset = -1;
        for (let i = a.row; i < Math.min(n, a.row + length); i++) {
          if (onset < 0 && level[i]! > trough + 0.25 * (amplitude + (kind === 'batch' ? base : 0))) onset = i;
          level[i] = trough;
        }
        a.row = onset < 0 ? a.row : onset;
        break;
      }
      case 'variance': {
        const length = d.int(24, 144); // 2 to 12 hours
        for (let i = a.row; i < Math.min(n, a.row + length); i++) variance[i] = 6;
        if (kind === 'errors') for (let i = a.row; i < Math.min(n, a.row + length); i++) level[i]! += 1.5;
        break;
      }
    }
  }

  // Values: level plus noise (AR(1) for smooth physical series), counts drawn as Poisson.
  const values = new Float64Array(n);
  let ar = 0;
  for (let i = 0; i < n; i++) {
    const scale = burst[i]! * variance[i]!;
    if (isInteger) {
      values[i] = d.poisson(Math.max(0, level[i]! * (scale > 1 ? d.between(1, scale) : 1)));
    } else {
      ar = smooth ? 0.9 * ar + 0.44 * d.gaussian() : d.gaussian();
      values[i] = Math.max(0, level[i]! + spread[i]! * scale * ar);
    }
  }
  let isCounter = false;
  if (kind === 'bytes_total') {
    // A cumulative counter that restarts from zero once or twice (process restarts).
    isCounter = true;
    let total = 0;
    const resets = new Set([d.int(Math.floor(n * 0.3), Math.floor(n * 0.5)), d.int(Math.floor(n * 0.6), n - 1)]);
    for (let i = 0; i < n; i++) {
      if (resets.has(i)) total = 0;
      total += values[i]!;
      values[i] = total;
    }
  }

  // Delivery quirks: gaps, duplicate rows (re-scrapes), late rows, a few NaN.
  const quirky = d.next() < 0.6; // most series have some
  const rows: Row[] = [];
  const gapAt = d.int(Math.floor(n * 0.3), n - 1);
  const gapLength = d.int(6, 36);
  for (let i = 0; i < n; i++) {
    if (i >= gapAt && i < gapAt + gapLength) continue; // a collector outage
    if (d.next() < 0.004) continue; // a lost scrape
    const timestamp = time(i);
    let value = values[i]!;
    if (quirky && d.next() < 0.0005) value = Number.NaN;
    rows.push({ timestamp, value });
    if (quirky && d.next() < 0.006) rows.push({ timestamp, value: isCounter || !Number.isFinite(value) ? value : value + (isInteger ? 0 : spread[i]! * 0.1) });
  }
  if (quirky) {
    // Late rows: now and then a row arrives after the one that follows it.
    for (let r = 1; r < rows.length - 1; r++) {
      if (d.next() < 0.001) {
        const late = rows[r]!;
        rows[r] = rows[r + 1]!;
        rows[r + 1] = late;
        r++;
      }
    }
  }
  return {
    name: `${kind}-${String(index).padStart(2, '0')}`,
    kind,
    rows,
    anomalies: anomalies.map((a) => ({ kind: a.kind, timestamp: time(a.row) })),
    isCounter,
    isInteger,
  };
}

/** The label rows of a series: for each anomaly, the first row (in delivery order) at or after its onset. */
export function anomalyRows(series: LabelledSeries): number[] {
  return series.anomalies.map((a) => series.rows.findIndex((r) => r.timestamp >= a.timestamp)).filter((r) => r >= 0);
}
