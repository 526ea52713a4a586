import { SightlineError, systemClock, type Clock, type Labels, type TimeSeriesPoint } from '@sightline/core';
import { AnomalyTracker, type AnomalyEvent, type Impact } from './anomaly-tracker.js';
import { createDefaultDetector } from './default-detector.js';
import type { Detector, DetectorResult } from './detector.js';

export interface DetectorRegistryOptions {
  /** Builds the detector for a new series. Default {@link createDefaultDetector} with its defaults. */
  create?: (seriesKey: string) => Detector;
  /** Most series kept; the least recently updated one is evicted beyond it. Default 10,000. */
  maxSeries?: number;
  /** A series not updated for this long (ms) is evicted. Default 24 h. */
  idleMs?: number;
  clock?: Clock;
  impact?: (seriesKey: string) => Impact;
}

interface Entry {
  detector: Detector;
  tracker: AnomalyTracker;
  lastSeen: number;
}

/**
 * One detector per series, by key (the package's {@link DefaultDetector} unless `create` says
 * otherwise), with bounded memory: at most `maxSeries` series (least
 * recently updated evicted first) and none idle for longer than `idleMs`. An evicted series
 * starts again from warm-up when it comes back.
 */
export class DetectorRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<Omit<DetectorRegistryOptions, 'impact'>> & Pick<DetectorRegistryOptions, 'impact'>;
  #evicted = 0;

  constructor(options: DetectorRegistryOptions = {}) {
    this.#options = { maxSeries: 10_000, idleMs: 86_400_000, clock: systemClock, ...options, create: options.create ?? defaultCreate };
    if (!Number.isInteger(this.#options.maxSeries) || this.#options.maxSeries < 1 || !(this.#options.idleMs > 0)) {
      throw new SightlineError('ANOMALY_OPTIONS_INVALID', `DetectorRegistry: maxSeries must be a positive integer and idleMs > 0`, { maxSeries: this.#options.maxSeries, idleMs: this.#options.idleMs });
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Series evicted since start (capacity or idleness). */
  get evicted(): number {
    return this.#evicted;
  }

  /** Scores a point of `seriesKey`, creating its detector on first sight. */
  update(seriesKey: string, point: TimeSeriesPoint, labels?: Labels): { result: DetectorResult; event: AnomalyEvent | undefined } {
    const now = this.#options.clock.now();
    let entry = this.#entries.get(seriesKey);
    if (entry === undefined) {
      const detector = this.#options.create(seriesKey);
      const impact = this.#options.impact?.(seriesKey);
      entry = { detector, tracker: new AnomalyTracker({ seriesKey, detector: detector.name, ...(labels === undefined ? {} : { labels }), ...(impact === undefined ? {} : { impact }) }), lastSeen: now };
      this.#entries.set(seriesKey, entry);
      this.#evictOverCapacity();
    } else {
      // Re-insert so Map order is least-recently-updated first.
      this.#entries.delete(seriesKey);
      this.#entries.set(seriesKey, entry);
    }
    entry.lastSeen = now;
    const result = entry.detector.update(point);
    return { result, event: entry.tracker.observe(point.timestamp, point.value, result) };
  }

  /** Evicts series idle for longer than `idleMs`; returns how many. */
  evictIdle(): number {
    const cutoff = this.#options.clock.now() - this.#options.idleMs;
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.lastSeen >= cutoff) break; // Map order is by last update
      this.#entries.delete(key);
      count++;
    }
    this.#evicted += count;
    return count;
  }

  #evictOverCapacity(): void {
    while (this.#entries.size > this.#options.maxSeries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#evicted++;
    }
  }
}

function defaultCreate(): Detector {
  return createDefaultDetector();
}
