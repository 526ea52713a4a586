import { RULE_LABELS } from './prometheus-rules.js';
import type { SloSpec } from './spec.js';

/**
 * A Grafana dashboard (JSON model, schemaVersion 39) over the exported recording rules: per SLO a
 * row with budget remaining (stat), burn rate per alert window with the alert thresholds drawn as
 * constant series (time series), and the SLI error ratio. A `datasource` variable picks the
 * Prometheus data source, so it imports without edits.
 */
export function toGrafanaDashboard(specs: readonly SloSpec[], options: { title?: string; uid?: string } = {}): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const spec of specs) {
    const sel = `${RULE_LABELS.slo}="${spec.name}"`;
    const budget = 1 - spec.objective;
    panels.push({ id: id++, type: 'row', title: `${spec.name} — ${spec.service} (${(spec.objective * 100).toString()}%)`, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    panels.push({
      id: id++,
      type: 'stat',
      title: 'Error budget remaining',
      datasource,
      gridPos: { h: 8, w: 6, x: 0, y },
      fieldConfig: { defaults: { unit: 'percentunit', min: 0, max: 1, thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'orange', value: 0.25 }, { color: 'green', value: 0.5 }] } }, overrides: [] },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', justifyMode: 'auto', orientation: 'auto', textMode: 'auto' },
      targets: [{ refId: 'A', datasource, expr: `slo:period_error_budget_remaining:ratio{${sel}}`, legendFormat: 'remaining' }],
    });
    const windows = [...new Set(spec.alerting.burnWindows.flatMap((w) => [w.longWindow, w.shortWindow]))];
    panels.push({
      id: id++,
      type: 'timeseries',
      title: 'Burn rate by window (thresholds dashed)',
      datasource,
      gridPos: { h: 8, w: 12, x: 6, y },
      fieldConfig: { defaults: { unit: 'x', custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 0 } }, overrides: [{ matcher: { id: 'byRegexp', options: '^threshold.*' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] }] },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
      targets: [
        ...windows.map((w, i) => ({ refId: String.fromCharCode(65 + i), datasource, expr: `slo:sli_error:ratio_rate${w}{${sel}} / ${budget}`, legendFormat: `burn ${w}` })),
        ...spec.alerting.burnWindows.map((w, i) => ({ refId: `T${i}`, datasource, expr: `vector(${w.burnRate})`, legendFormat: `threshold ${w.severity} ${w.longWindow}/${w.shortWindow} (${w.burnRate}x)` })),
      ],
    });
    panels.push({
      id: id++,
      type: 'timeseries',
      title: 'SLI error ratio (5m) vs allowed',
      datasource,
      gridPos: { h: 8, w: 6, x: 18, y },
      fieldConfig: { defaults: { unit: 'percentunit' }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'single', sort: 'none' } },
      targets: [
        { refId: 'A', datasource, expr: `slo:sli_error:ratio_rate5m{${sel}}`, legendFormat: 'error ratio 5m' },
        { refId: 'B', datasource, expr: `slo:error_budget:ratio{${sel}}`, legendFormat: 'allowed' },
      ],
    });
    y += 8;
  }
  return {
    uid: options.uid ?? 'sightline-slos',
    title: options.title ?? 'Sightline SLOs',
    tags: ['sightline', 'slo'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, options: [] }] },
    annotations: { list: [] },
    panels,
  };
}
