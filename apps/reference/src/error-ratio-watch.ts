import { TimeBuckets, createAlert, resolveAlert, type Alert, type Clock } from '@sightline/core';

const GOOD = 0;
const TOTAL = 1;

/**
 * Watches one service's error ratio over a sliding window and raises/resolves an alert when it
 * crosses a threshold. The demo's stand-in for the SLO engine until @sightline/slo exists.
 */
export class ErrorRatioWatch {
  readonly #buckets: TimeBuckets;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #threshold: number;
  readonly #service: string;
  #open: Alert | undefined;

  constructor(options: { service: string; clock: Clock; windowMs: number; threshold: number }) {
    this.#service = options.service;
    this.#clock = options.clock;
    this.#windowMs = options.windowMs;
    this.#threshold = options.threshold;
    this.#buckets = new TimeBuckets({ bucketWidthMs: 1_000, bucketCount: Math.ceil(options.windowMs / 1_000), channels: 2 });
  }

  record(ok: boolean): void {
    const now = this.#clock.now();
    if (ok) this.#buckets.add(now, 1, GOOD);
    this.#buckets.add(now, 1, TOTAL);
  }

  /** Error ratio over the window (0 when there was no traffic). */
  errorRatio(): number {
    const now = this.#clock.now();
    const total = this.#buckets.sum(now - this.#windowMs, now + 1, TOTAL);
    if (total === 0) return 0;
    return 1 - this.#buckets.sum(now - this.#windowMs, now + 1, GOOD) / total;
  }

  /** Returns the alert that changed state at this check, if any. */
  check(): Alert | undefined {
    const ratio = this.errorRatio();
    if (ratio > this.#threshold && this.#open === undefined) {
      this.#open = createAlert({
        source: 'demo',
        severity: 'critical',
        title: `${this.#service} error ratio above ${(this.#threshold * 100).toFixed(0)}%`,
        labels: { service: this.#service },
        annotations: { errorRatio: ratio.toFixed(4) },
        startsAt: this.#clock.now(),
      });
      return this.#open;
    }
    if (ratio <= this.#threshold && this.#open !== undefined) {
      const resolved = resolveAlert(this.#open, this.#clock.now());
      this.#open = undefined;
      return resolved;
    }
    return undefined;
  }
}
