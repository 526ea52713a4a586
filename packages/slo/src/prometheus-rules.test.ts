import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { toGrafanaDashboard } from './grafana-dashboard.js';
import { promDuration, ruleWindows, toPrometheusRules } from './prometheus-rules.js';
import { parseSloSpec } from './spec.js';

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
if (PROMTOOL === undefined) {
  if (process.env.CI) throw new Error('promtool is required in CI (Debian package "prometheus"); .ci/run installs it');
  console.warn('\n*** promtool not found: the `promtool check rules` / `promtool test rules` tests are SKIPPED. Install it: apt-get install -y prometheus ***\n');
}
const withPromtool = PROMTOOL === undefined ? describe.skip : describe;

const availability = parseSloSpec({ name: 'checkout-availability', service: 'checkout', objective: 0.999, window: '30d', sli: { kind: 'availability' }, labels: { team: 'payments' } });
const latency = parseSloSpec({
  name: 'search-latency',
  service: 'search',
  objective: 0.99,
  window: '28d',
  sli: { kind: 'latency', thresholdMs: 300 },
  prometheus: {
    errorQuery: 'sum(rate(http_request_duration_seconds_count{job="search"}[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{job="search",le="0.3"}[{{.window}}]))',
    totalQuery: 'sum(rate(http_request_duration_seconds_count{job="search"}[{{.window}}]))',
  },
});

describe('Prometheus rule export', () => {
  it('records the error ratio for every window the alerts need and the budget window, shortest first', () => {
    expect(ruleWindows(availability)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
    const file = parse(toPrometheusRules([availability])) as { groups: { name: string; rules: Record<string, unknown>[] }[] };
    // One group in dependency order, so the alerts read this evaluation's ratios (see the source).
    expect(file.groups.map((g) => g.name)).toEqual(['sightline-slo-checkout-availability']);
    const rules = file.groups[0]!.rules;
    expect(rules.map((r) => r.record ?? r.alert)).toEqual([
      'slo:sli_error:ratio_rate5m', 'slo:sli_error:ratio_rate30m', 'slo:sli_error:ratio_rate1h', 'slo:sli_error:ratio_rate2h', 'slo:sli_error:ratio_rate6h', 'slo:sli_error:ratio_rate1d', 'slo:sli_error:ratio_rate3d', 'slo:sli_error:ratio_rate30d',
      'slo:objective:ratio', 'slo:error_budget:ratio', 'slo:current_burn_rate:ratio', 'slo:period_error_budget_remaining:ratio',
      'CheckoutAvailabilityErrorBudgetBurnPage', 'CheckoutAvailabilityErrorBudgetBurnTicket',
    ]);
    expect(rules[0]).toEqual({
      record: 'slo:sli_error:ratio_rate5m',
      expr: '(sum(rate(sightline_slo_sli_events_total{slo="checkout-availability", outcome="bad"}[5m])))\n/\n(sum(rate(sightline_slo_sli_events_total{slo="checkout-availability"}[5m])))\n',
      labels: { team: 'payments', sightline_slo: 'checkout-availability', sightline_service: 'checkout', sightline_window: '5m' },
    });
    const page = rules[12]!;
    expect(page.alert).toBe('CheckoutAvailabilityErrorBudgetBurnPage');
    expect(page.expr).toContain('max(slo:sli_error:ratio_rate5m{sightline_slo="checkout-availability", sightline_service="checkout"} > (14.4 * 0.001)) without (sightline_window)');
    expect(promDuration(90 * 60_000)).toBe('90m');
  });

  withPromtool('checked by promtool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-slo-rules-'));
    const rules = join(dir, 'slo-rules.yml');
    writeFileSync(rules, toPrometheusRules([availability, latency]));

    it('passes `promtool check rules` (per SLO: 8 error-ratio windows, 4 meta rules, 2 alerts)', () => {
      const out = execFileSync(PROMTOOL!, ['check', 'rules', rules], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS: 28 rules found');
    });

    it('passes a `promtool test rules` unit test: the page alert fires at the 18th minute of a 5% error burst and not before', () => {
      // 6 h healthy (1,000 good/min), then 50 bad/min from minute 361. The 1h/5m pair needs the
      // 1h error ratio above 14.4 x 0.001: 50k / (59,000 + 50k) > 0.0144 ⇔ k > 17.24 bad minutes,
      // so it fires at 360 + 18 = 378m. (The 6h/30m pair would need k > 43.)
      const test = {
        rule_files: ['slo-rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'sightline_slo_sli_events_total{slo="checkout-availability", outcome="good"}', values: '0+1000x420' },
              { series: 'sightline_slo_sli_events_total{slo="checkout-availability", outcome="bad"}', values: '0x360 50+50x59' },
            ],
            alert_rule_test: [
              { eval_time: '377m', alertname: 'CheckoutAvailabilityErrorBudgetBurnPage', exp_alerts: [] },
              {
                eval_time: '378m',
                alertname: 'CheckoutAvailabilityErrorBudgetBurnPage',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'critical', sightline_alert_class: 'page', sightline_slo: 'checkout-availability', sightline_service: 'checkout', team: 'payments' },
                    exp_annotations: {
                      summary: 'checkout-availability: error budget burning too fast (page)',
                      description: 'checkout is spending the error budget of checkout-availability (objective 99.9%) at 14.4x over 1h/5m or 6x over 6h/30m.',
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      writeFileSync(join(dir, 'slo-test.yml'), stringify(test));
      const out = execFileSync(PROMTOOL!, ['test', 'rules', join(dir, 'slo-test.yml')], { encoding: 'utf8', cwd: dir });
      expect(out).toContain('SUCCESS');
    });
  });
});

describe('Grafana dashboard export', () => {
  it('has a datasource variable, one row per SLO and threshold series for every burn window', () => {
    const dashboard = toGrafanaDashboard([availability, latency]) as { schemaVersion: number; templating: { list: { name: string; type: string }[] }; panels: { type: string; title: string; gridPos: object; targets?: { expr: string; legendFormat: string }[] }[] };
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.templating.list).toEqual([expect.objectContaining({ name: 'datasource', type: 'datasource' })]);
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['checkout-availability — checkout (99.9%)', 'search-latency — search (99%)']);
    const burn = dashboard.panels.find((p) => p.title.startsWith('Burn rate'))!;
    expect(burn.targets!.filter((t) => t.legendFormat.startsWith('threshold')).map((t) => t.expr)).toEqual(['vector(14.4)', 'vector(6)', 'vector(3)', 'vector(1)']);
    for (const panel of dashboard.panels) expect(panel.gridPos).toEqual(expect.objectContaining({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) }));
  });
});
