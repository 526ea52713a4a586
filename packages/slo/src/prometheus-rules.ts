import { stringify } from 'yaml';
import { durationOrUndefined, type SloSpec } from './spec.js';
import { SLO_METRIC_NAMES } from './slo-metrics.js';

/** Label names the rules put on every series, Sloth-style but in Sightline's namespace. */
export const RULE_LABELS = { slo: 'sightline_slo', service: 'sightline_service', window: 'sightline_window' } as const;

/**
 * A Prometheus rule file (YAML) for `specs`: one group per SLO, `sightline-slo-<name>`, holding in
 * order: `slo:sli_error:ratio_rate<w>` for every window the alerts need (and the budget window),
 * from the spec's `prometheus` queries or, without them, from the counters `registerSloMetrics`
 * exports; `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:current_burn_rate:ratio` (5m)
 * and `slo:period_error_budget_remaining:ratio`; one alert per class (page, ticket), each the
 * `or` of its multi-window conditions: `ratio(long) > factor × budget and ratio(short) > factor × budget`.
 * Passes `promtool check rules` (the package's tests run it).
 */
export function toPrometheusRules(specs: readonly SloSpec[]): string {
  const groups = specs.flatMap((spec) => ruleGroups(spec));
  return stringify({ groups }, { lineWidth: 0 });
}

/** Windows the rules need for `spec`: every burn window and the budget window, shortest first. */
export function ruleWindows(spec: SloSpec): string[] {
  const windows = new Set<string>();
  for (const w of spec.alerting.burnWindows) {
    windows.add(promDuration(durationOrUndefined(w.shortWindow) ?? 0));
    windows.add(promDuration(durationOrUndefined(w.longWindow) ?? 0));
  }
  windows.add(budgetWindow(spec));
  return [...windows].sort((a, b) => promMs(a) - promMs(b));
}

function ruleGroups(spec: SloSpec): Record<string, unknown>[] {
  const ids = { [RULE_LABELS.slo]: spec.name, [RULE_LABELS.service]: spec.service };
  const selector = `${RULE_LABELS.slo}="${spec.name}", ${RULE_LABELS.service}="${spec.service}"`;
  const budget = round(1 - spec.objective);
  const sli = ruleWindows(spec).map((window) => ({
    record: `slo:sli_error:ratio_rate${window}`,
    expr: `(${query(spec, 'error', window)})\n/\n(${query(spec, 'total', window)})\n`,
    labels: { ...spec.labels, ...ids, [RULE_LABELS.window]: window },
  }));
  const period = budgetWindow(spec);
  const meta = [
    { record: 'slo:objective:ratio', expr: `vector(${spec.objective})`, labels: { ...spec.labels, ...ids } },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels: { ...spec.labels, ...ids } },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate5m{${selector}}\n/ on(${RULE_LABELS.slo}, ${RULE_LABELS.service}) group_left\nslo:error_budget:ratio{${selector}}\n`,
      labels: { ...spec.labels, ...ids },
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:sli_error:ratio_rate${period}{${selector}}\n/ on(${RULE_LABELS.slo}, ${RULE_LABELS.service}) group_left\nslo:error_budget:ratio{${selector}}\n`,
      labels: { ...spec.labels, ...ids },
    },
  ];
  const alerts = (['page', 'ticket'] as const).flatMap((cls) => {
    const conditions = spec.alerting.burnWindows.filter((w) => w.severity === cls);
    if (conditions.length === 0) return [];
    const expr = conditions
      .map((w) => {
        const long = promDuration(durationOrUndefined(w.longWindow) ?? 0);
        const short = promDuration(durationOrUndefined(w.shortWindow) ?? 0);
        const threshold = `(${w.burnRate} * ${budget})`;
        return `(\n    max(slo:sli_error:ratio_rate${short}{${selector}} > ${threshold}) without (${RULE_LABELS.window})\n    and\n    max(slo:sli_error:ratio_rate${long}{${selector}} > ${threshold}) without (${RULE_LABELS.window})\n)`;
      })
      .join('\nor\n');
    return [
      {
        alert: `${pascal(spec.name)}ErrorBudgetBurn${cls === 'page' ? 'Page' : 'Ticket'}`,
        expr: `${expr}\n`,
        labels: { ...spec.labels, ...ids, severity: cls === 'page' ? 'critical' : 'warning', sightline_alert_class: cls },
        annotations: {
          summary: `${spec.name}: error budget burning too fast (${cls})`,
          description: `${spec.service} is spending the error budget of ${spec.name} (objective ${(spec.objective * 100).toFixed(3).replace(/\.?0+$/, '')}%) at ${conditions.map((w) => `${w.burnRate}x over ${w.longWindow}/${w.shortWindow}`).join(' or ')}.`,
        },
      },
    ];
  });
  // One group, in dependency order: Prometheus evaluates the rules of a group one after the other
  // but groups concurrently, so alerts in a separate group (Sloth's layout) may read the error
  // ratios of the previous evaluation and fire one interval late, or not deterministically.
  return [{ name: `sightline-slo-${spec.name}`, rules: [...sli, ...meta, ...alerts] }];
}

function query(spec: SloSpec, which: 'error' | 'total', window: string): string {
  if (spec.prometheus !== undefined) return (which === 'error' ? spec.prometheus.errorQuery : spec.prometheus.totalQuery).replaceAll('{{.window}}', window);
  const outcome = which === 'error' ? `, outcome="bad"` : '';
  return `sum(rate(${SLO_METRIC_NAMES.events}{slo="${spec.name}"${outcome}}[${window}]))`;
}

function budgetWindow(spec: SloSpec): string {
  if (spec.window.kind === 'rolling') return promDuration(durationOrUndefined(spec.window.duration) ?? 30 * 86_400_000);
  return spec.window.unit === 'month' ? '30d' : '7d'; // Prometheus has no calendar ranges: the usual approximation
}

/** A Prometheus duration in the largest exact unit: 30d, 6h, 5m. */
export function promDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function promMs(text: string): number {
  return durationOrUndefined(text) ?? 0;
}

function round(x: number): number {
  return Number(x.toPrecision(12));
}

function pascal(name: string): string {
  return name.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
}
