import type { TimeSeriesPoint } from '@sightline/core';

/**
 * Turns a cumulative counter into a per-second rate, the way Prometheus' `rate()` does: a drop
 * in the counter is a reset (a process restart), after which the new value counts from zero.
 * Returns `undefined` for the first point (no rate yet).
 */
export class CounterRate {
  #lastTime = Number.NaN;
  #lastValue = Number.NaN;
  #resets = 0;

  /** Counter resets seen so far. */
  get resets(): number {
    return this.#resets;
  }

  next(point: TimeSeriesPoint): TimeSeriesPoint | undefined {
    const first = Number.isNaN(this.#lastTime);
    const elapsed = (point.timestamp - this.#lastTime) / 1_000;
    let increase = point.value - this.#lastValue;
    if (!first && increase < 0) {
      this.#resets++;
      increase = point.value;
    }
    this.#lastTime = point.timestamp;
    this.#lastValue = point.value;
    if (first || !(elapsed > 0)) return undefined;
    return { timestamp: point.timestamp, value: increase / elapsed, ...(point.labels === undefined ? {} : { labels: point.labels }) };
  }
}
