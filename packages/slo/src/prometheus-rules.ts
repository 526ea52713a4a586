import { stringify } from 'yaml';
import { SightlineError } from '@sightline/core';
import { nominalPeriodMs, type BurnWindow } from './burn-windows.js';
import { describeValue, durationOrUndefined, type SloSpec } from './spec.js';
import { SLO_METRIC_NAMES } from './slo-metrics.js';
import { assertRulesExpressible } from './timeslice-budget.js';

/** Label names the rules put on every series, Sloth-style but in Sightline's namespace. */
export const RULE_LABELS = { slo: 'sightline_slo', service: 'sightline_service', window: 'sightline_window' } as const;

/** Label names of Sloth's rules (`sloth_id` is `<service>-<slo name>`, as Sloth writes it). */
export const SLOTH_RULE_LABELS = { id: 'sloth_id', slo: 'sloth_slo', service: 'sloth_service', window: 'sloth_window', severity: 'sloth_severity' } as const;

/** Options of {@link toPrometheusRules}. */
export interface PrometheusRulesOptions {
  /**
   * `sightline` (default): Sightline's labels (`sightline_slo`, `sightline_service`,
   * `sightline_window`) and one alert per class. `sloth`: the series Sloth writes, so dashboards
   * and alert routes built for Sloth's rules work unchanged — labels `sloth_id`, `sloth_service`,
   * `sloth_slo`, `sloth_window`; Sloth's metadata rules (`slo:time_period:days`,
   * `slo:period_burn_rate:ratio` and `sloth_slo_info` besides the common ones); and one alert
   * name per SLO, `<Name>ErrorBudgetBurn`, as two rules labelled `severity` and `sloth_severity`
   * = `page` / `ticket`.
   */
  readonly format?: 'sightline' | 'sloth';
}

/**
 * A Prometheus rule file (YAML) for `specs`: one group per SLO, `sightline-slo-<name>`, holding in
 * order: `slo:sli_error:ratio_rate<w>` for every window the alerts need (and the budget window),
 * from the spec's `prometheus` queries or, without them, from the counters `registerSloMetrics`
 * exports; `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:current_burn_rate:ratio` (5m)
 * and `slo:period_error_budget_remaining:ratio`; one alert per class (page, ticket), each the
 * `or` of its multi-window conditions: `ratio(long) > factor × budget and ratio(short) > factor × budget`.
 * With `{ format: 'sloth' }`, Sloth's labels, metadata rules and alert naming instead (see
 * {@link PrometheusRulesOptions}). Passes `promtool check rules` (the package's tests run it).
 */
export function toPrometheusRules(specs: readonly SloSpec[], options: PrometheusRulesOptions = {}): string {
  assertRulesExpressible(specs); // time-slice budgeting: refused, not written as wrong event-ratio rules
  const format = options.format ?? 'sightline';
  if (format !== 'sightline' && format !== 'sloth') {
    throw new SightlineError('SLO_RULES_OPTIONS', `toPrometheusRules: format must be "sightline" (default) or "sloth"; got ${describeValue(format)}`, { format: String(format) });
  }
  const groups = specs.flatMap((spec) => (format === 'sloth' ? slothGroups(spec) : ruleGroups(spec)));
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

/** The alert conditions of one class: `(short > f × budget and long > f × budget) or ...`. */
function alertExpr(conditions: readonly BurnWindow[], selector: string, budget: number, windowLabel: string): string {
  return conditions
    .map((w) => {
      const long = promDuration(durationOrUndefined(w.longWindow) ?? 0);
      const short = promDuration(durationOrUndefined(w.shortWindow) ?? 0);
      const threshold = `(${w.burnRate} * ${budget})`;
      return `(\n    max(slo:sli_error:ratio_rate${short}{${selector}} > ${threshold}) without (${windowLabel})\n    and\n    max(slo:sli_error:ratio_rate${long}{${selector}} > ${threshold}) without (${windowLabel})\n)`;
    })
    .join('\nor\n');
}

function sliRules(spec: SloSpec, ids: Record<string, string>, windowLabel: string): Record<string, unknown>[] {
  return ruleWindows(spec).map((window) => ({
    record: `slo:sli_error:ratio_rate${window}`,
    expr: `(${query(spec, 'error', window)})\n/\n(${query(spec, 'total', window)})\n`,
    labels: { ...spec.labels, ...ids, [windowLabel]: window },
  }));
}

/**
 * The window of the "current" burn rate: the short window of the first page condition (5m with
 * the defaults; Sloth uses its quick page alert's short window), else the shortest rule window.
 */
function currentWindow(spec: SloSpec): string {
  const page = spec.alerting.burnWindows.find((w) => w.severity === 'page');
  return page === undefined ? ruleWindows(spec)[0]! : promDuration(durationOrUndefined(page.shortWindow) ?? 0);
}

function objectiveText(spec: SloSpec): string {
  return Number((spec.objective * 100).toPrecision(12)).toString();
}

function ruleGroups(spec: SloSpec): Record<string, unknown>[] {
  const ids = { [RULE_LABELS.slo]: spec.name, [RULE_LABELS.service]: spec.service };
  const selector = `${RULE_LABELS.slo}="${spec.name}", ${RULE_LABELS.service}="${spec.service}"`;
  const budget = round(1 - spec.objective);
  const sli = sliRules(spec, ids, RULE_LABELS.window);
  const period = budgetWindow(spec);
  const meta = [
    { record: 'slo:objective:ratio', expr: `vector(${spec.objective})`, labels: { ...spec.labels, ...ids } },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels: { ...spec.labels, ...ids } },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate${currentWindow(spec)}{${selector}}\n/ on(${RULE_LABELS.slo}, ${RULE_LABELS.service}) group_left\nslo:error_budget:ratio{${selector}}\n`,
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
    return [
      {
        alert: `${pascal(spec.name)}ErrorBudgetBurn${cls === 'page' ? 'Page' : 'Ticket'}`,
        expr: `${alertExpr(conditions, selector, budget, RULE_LABELS.window)}\n`,
        labels: { ...spec.labels, ...ids, severity: cls === 'page' ? 'critical' : 'warning', sightline_alert_class: cls },
        annotations: { summary: `${spec.name}: error budget burning too fast (${cls})`, description: describeAlert(spec, conditions) },
      },
    ];
  });
  // One group, in dependency order: Prometheus evaluates the rules of a group one after the other
  // but groups concurrently, so alerts in a separate group (Sloth's layout) may read the error
  // ratios of the previous evaluation and fire one interval late, or not deterministically.
  return [{ name: `sightline-slo-${spec.name}`, rules: [...sli, ...meta, ...alerts] }];
}

/**
 * Sloth's series for one SLO: the names, labels and expressions of Sloth's generated rules
 * (`sloth generate`), with two deliberate differences: one group in dependency order instead of
 * Sloth's three (see {@link ruleGroups}), and the period ratio from the raw counters
 * (`rate(...[30d])`) instead of an average of 5-minute ratios.
 */
function slothGroups(spec: SloSpec): Record<string, unknown>[] {
  const L = SLOTH_RULE_LABELS;
  const id = `${spec.service}-${spec.name}`;
  const ids = { [L.id]: id, [L.service]: spec.service, [L.slo]: spec.name };
  const selector = `${L.id}="${id}", ${L.service}="${spec.service}", ${L.slo}="${spec.name}"`;
  const on = `on(${L.id}, ${L.slo}, ${L.service}) group_left`;
  const budget = round(1 - spec.objective);
  const labels = { ...spec.labels, ...ids };
  const period = budgetWindow(spec);
  const meta = [
    { record: 'slo:objective:ratio', expr: `vector(${spec.objective})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${round(nominalPeriodMs(spec.window) / 86_400_000)})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: `slo:sli_error:ratio_rate${currentWindow(spec)}{${selector}}\n/ ${on}\nslo:error_budget:ratio{${selector}}\n`, labels },
    { record: 'slo:period_burn_rate:ratio', expr: `slo:sli_error:ratio_rate${period}{${selector}}\n/ ${on}\nslo:error_budget:ratio{${selector}}\n`, labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio{${selector}}`, labels },
    { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...labels, sloth_mode: 'sightline', sloth_spec: 'sightline/v1', sloth_objective: objectiveText(spec) } },
  ];
  const name = `${pascal(spec.name)}ErrorBudgetBurn`;
  const alerts = (['page', 'ticket'] as const).flatMap((cls) => {
    const conditions = spec.alerting.burnWindows.filter((w) => w.severity === cls);
    if (conditions.length === 0) return [];
    return [
      {
        alert: name,
        expr: `${alertExpr(conditions, selector, budget, L.window)}\n`,
        // The SLO's labels come with the series the expression keeps (Sloth does the same).
        labels: { [L.severity]: cls, severity: cls },
        annotations: {
          title: `(${cls}) {{$labels.${L.service}}} {{$labels.${L.slo}}} SLO error budget burn rate is too fast.`,
          summary: `{{$labels.${L.service}}} {{$labels.${L.slo}}} SLO error budget burn rate is over expected.`,
          description: describeAlert(spec, conditions),
        },
      },
    ];
  });
  return [{ name: `sloth-slo-${id}`, rules: [...sliRules(spec, ids, L.window), ...meta, ...alerts] }];
}

function describeAlert(spec: SloSpec, conditions: readonly BurnWindow[]): string {
  return `${spec.service} is spending the error budget of ${spec.name} (objective ${objectiveText(spec)}%) at ${conditions.map((w) => `${w.burnRate}x over ${w.longWindow}/${w.shortWindow}`).join(' or ')}.`;
}

function query(spec: SloSpec, which: 'error' | 'total', window: string): string {
  if (spec.prometheus !== undefined) return (which === 'error' ? spec.prometheus.errorQuery : spec.prometheus.totalQuery).replaceAll('{{.window}}', window);
  const outcome = which === 'error' ? `, outcome="bad"` : '';
  return `sum(rate(${SLO_METRIC_NAMES.events}{slo="${spec.name}"${outcome}}[${window}]))`;
}

function budgetWindow(spec: SloSpec): string {
  // Prometheus has no calendar ranges: a month reads as 30d and a week as 7d, the usual approximation.
  return promDuration(nominalPeriodMs(spec.window));
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
