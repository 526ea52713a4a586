import { createAlert, resolveAlert, systemClock, type Alert, type Clock } from '@sightline/core';
import { SloTracker, type SloStatus, type SloTrackerOptions } from './slo-tracker.js';
import type { SloSpec } from './spec.js';

/** What one evaluation changed: alerts that started firing and alerts that resolved. */
export interface AlertTransitions {
  readonly raised: readonly Alert[];
  readonly resolved: readonly Alert[];
}

const ALERT_SEVERITY = { page: 'critical', ticket: 'warning' } as const;

/**
 * Many SLOs by name, evaluated together: `evaluate` turns each SLO's burn-rate conditions into
 * `Alert`s (source `slo`, one per SLO and class `page`/`ticket`), raised when a condition starts
 * holding and resolved when none of its class holds any more. Labels identify the alert (`slo`,
 * `service`, `class` and the spec's labels); annotations carry the window pairs that fire, their
 * burn rates, the threshold and the budget left.
 */
export class SloEngine {
  readonly #clock: Clock;
  readonly #maxFutureSkewMs: number | undefined;
  readonly #trackers = new Map<string, SloTracker>();
  readonly #firing = new Map<string, Alert>();

  /** `maxFutureSkewMs` is passed to every tracker (see {@link SloTrackerOptions}; default 5 minutes). */
  constructor(options: SloTrackerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxFutureSkewMs = options.maxFutureSkewMs;
  }

  /** Adds or replaces an SLO. Replacing keeps the recorded events when the window is unchanged. */
  upsert(spec: SloSpec): SloTracker {
    const existing = this.#trackers.get(spec.name);
    const tracker = new SloTracker(spec, { clock: this.#clock, ...(this.#maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: this.#maxFutureSkewMs }) });
    if (existing !== undefined && JSON.stringify(existing.spec.window) === JSON.stringify(spec.window)) tracker.restore(existing.snapshot());
    this.#trackers.set(spec.name, tracker);
    return tracker;
  }

  /** Removes an SLO; its firing alerts are returned resolved. */
  remove(name: string, at: number = this.#clock.now()): Alert[] {
    this.#trackers.delete(name);
    const resolved: Alert[] = [];
    for (const [key, alert] of this.#firing) {
      if (alert.labels.slo !== name) continue;
      this.#firing.delete(key);
      resolved.push(resolveAlert(alert, at));
    }
    return resolved;
  }

  get(name: string): SloTracker | undefined {
    return this.#trackers.get(name);
  }

  get size(): number {
    return this.#trackers.size;
  }

  trackers(): IterableIterator<SloTracker> {
    return this.#trackers.values();
  }

  statuses(at: number = this.#clock.now()): SloStatus[] {
    return [...this.#trackers.values()].map((t) => t.status(at));
  }

  /** Alerts firing now. */
  firing(): Alert[] {
    return [...this.#firing.values()];
  }

  /** Evaluates every SLO at `at` and returns what changed. */
  evaluate(at: number = this.#clock.now()): AlertTransitions {
    const raised: Alert[] = [];
    const resolved: Alert[] = [];
    for (const tracker of this.#trackers.values()) {
      const status = tracker.status(at);
      for (const cls of ['page', 'ticket'] as const) {
        const key = `${status.name}\u0000${cls}`;
        const current = this.#firing.get(key);
        if (status.firing[cls] && current === undefined) {
          const alert = sloAlert(tracker.spec, status, cls, at);
          this.#firing.set(key, alert);
          raised.push(alert);
        } else if (!status.firing[cls] && current !== undefined) {
          this.#firing.delete(key);
          resolved.push(resolveAlert(current, at));
        }
      }
    }
    return { raised, resolved };
  }
}

function sloAlert(spec: SloSpec, status: SloStatus, cls: 'page' | 'ticket', at: number): Alert {
  const firing = status.conditions.filter((c) => c.firing && c.severity === cls);
  const worst = firing.reduce((a, b) => (b.longBurnRate > a.longBurnRate ? b : a));
  return createAlert({
    source: 'slo',
    severity: ALERT_SEVERITY[cls],
    title: `${spec.name}: error budget burning ${worst.longBurnRate.toFixed(1)}x over ${worst.longWindow} (${cls})`,
    labels: { ...spec.labels, slo: spec.name, service: spec.service, class: cls },
    annotations: {
      windows: firing.map((c) => `${c.longWindow}/${c.shortWindow}`).join(','),
      burn_rates: firing.map((c) => `${c.longBurnRate.toFixed(2)}/${c.shortBurnRate.toFixed(2)}`).join(','),
      thresholds: firing.map((c) => String(c.burnRate)).join(','),
      objective: String(spec.objective),
      budget_remaining: status.budget.remainingFraction.toFixed(4),
    },
    startsAt: at,
  });
}
