import { Counter, Gauge, type Registry } from 'prom-client';
import type { SloEngine } from './slo-engine.js';

/** Metric names, stable across releases (see README for their labels). */
export const SLO_METRIC_NAMES = {
  events: 'sightline_slo_sli_events_total',
  objective: 'sightline_slo_objective_ratio',
  budgetRemaining: 'sightline_slo_error_budget_remaining_ratio',
  burnRate: 'sightline_slo_burn_rate',
  alertFiring: 'sightline_slo_alert_firing',
} as const;

/** Counts SLI events for the Prometheus side: call `count(slo, good, total)` where you record. */
export interface SloEventCounter {
  count(slo: string, good: number, total: number): void;
}

/**
 * Registers the SLO metrics on `registry`:
 * - `sightline_slo_sli_events_total{slo, outcome="good"|"bad"}` — counter (the returned `count`),
 *   the input of the exported recording rules;
 * - `sightline_slo_objective_ratio{slo, service}`, `sightline_slo_error_budget_remaining_ratio{slo, service}`,
 *   `sightline_slo_burn_rate{slo, service, window}` and `sightline_slo_alert_firing{slo, service, class}`
 *   — gauges computed from `engine` at scrape time (no work between scrapes).
 */
export function registerSloMetrics(registry: Registry, engine: SloEngine): SloEventCounter {
  const events = new Counter({ name: SLO_METRIC_NAMES.events, help: 'SLI events by outcome', labelNames: ['slo', 'outcome'], registers: [registry] });
  new Gauge({
    name: SLO_METRIC_NAMES.objective,
    help: 'SLO objective (target fraction of good events)',
    labelNames: ['slo', 'service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of engine.trackers()) this.set({ slo: t.spec.name, service: t.spec.service }, t.spec.objective);
    },
  });
  let statuses: ReturnType<SloEngine['statuses']> = [];
  new Gauge({
    name: SLO_METRIC_NAMES.budgetRemaining,
    help: 'Error budget remaining in the SLO window (1 = untouched, below 0 = overspent)',
    labelNames: ['slo', 'service'],
    registers: [registry],
    collect() {
      // One evaluation per scrape, shared by the gauges below (collect runs in registration order).
      statuses = engine.statuses();
      this.reset();
      for (const s of statuses) this.set({ slo: s.name, service: s.service }, s.budget.remainingFraction);
    },
  });
  new Gauge({
    name: SLO_METRIC_NAMES.burnRate,
    help: 'Error budget burn rate over a window (1 = on track to spend exactly the budget)',
    labelNames: ['slo', 'service', 'window'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of statuses) for (const [window, rate] of Object.entries(s.burnRates)) this.set({ slo: s.name, service: s.service, window }, rate);
    },
  });
  new Gauge({
    name: SLO_METRIC_NAMES.alertFiring,
    help: 'Whether the multi-window burn-rate alert of a class (page, ticket) holds',
    labelNames: ['slo', 'service', 'class'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of statuses) for (const cls of ['page', 'ticket'] as const) this.set({ slo: s.name, service: s.service, class: cls }, s.firing[cls] ? 1 : 0);
    },
  });
  return {
    count(slo, good, total) {
      if (good > 0) events.inc({ slo, outcome: 'good' }, good);
      if (total - good > 0) events.inc({ slo, outcome: 'bad' }, total - good);
    },
  };
}
