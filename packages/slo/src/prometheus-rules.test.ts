import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { toGrafanaDashboard } from './grafana-dashboard.js';
import { promDuration, ruleWindows, toPrometheusRules } from './prometheus-rules.js';
import { SloTracker } from './slo-tracker.js';
import { parseSloSpec, serializeSloSpec } from './spec.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

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

    it('agrees with in-process evaluation: the same event stream gives the same burn rates on every window and the same alerts at every minute', () => {
      // One stream, minute by minute (good and bad events), fed to an SloTracker and, as the
      // cumulative counters Prometheus would scrape at each minute boundary, to `promtool test
      // rules` with the generated rules. 25 h healthy (1,200-1,800 events a minute by hour, 1
      // bad), a 2 h incident with errors rising one more a minute, then 30 min of recovery.
      // The tracker is asked at each minute boundary with the minutes before it recorded, as a
      // live service would; Prometheus evaluates at the same instants. Every burn rate the rules
      // record must match (to 1e-9) and every alert state must match at every minute: agreement
      // to within one evaluation step, here exactly.
      const spec = parseSloSpec({ name: 'checkout-availability', service: 'checkout', objective: 0.999, window: '30d', sli: { kind: 'availability' } });
      const minutes = 25 * 60 + 120 + 30;
      const stream = Array.from({ length: minutes }, (_, m) => {
        const total = 1200 + 200 * (Math.floor(m / 60) % 4);
        const bad = m >= 1500 && m < 1620 ? 2 + (m - 1500) : 1;
        return { good: total - bad, bad };
      });
      const tracker = new SloTracker(spec);
      const windows = [...new Set(spec.alerting.burnWindows.flatMap((w) => [w.shortWindow, w.longWindow]))];
      const exprTests: Record<string, unknown>[] = [];
      const alertTests: Record<string, unknown>[] = [];
      const transitions: string[] = [];
      const ruleFile = parse(toPrometheusRules([spec])) as { groups: { rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] };
      const alertRules = ruleFile.groups[0]!.rules.filter((r) => r.alert !== undefined);
      let before = { page: false, ticket: false };
      for (let t = 1; t <= minutes; t++) {
        const { good, bad } = stream[t - 1]!;
        tracker.record(good, good + bad, T0 + (t - 1) * 60_000 + 30_000);
        const at = T0 + t * 60_000;
        const status = tracker.status(at);
        for (const rule of alertRules) {
          const cls = rule.labels!.sightline_alert_class as 'page' | 'ticket';
          alertTests.push({ eval_time: `${t}m`, alertname: rule.alert, exp_alerts: status.firing[cls] ? [{ exp_labels: rule.labels, exp_annotations: rule.annotations }] : [] });
          if (status.firing[cls] !== before[cls]) transitions.push(`${t}m ${cls} ${status.firing[cls] ? 'fires' : 'resolves'}`);
        }
        before = status.firing;
        if (t % 5 !== 0) continue;
        for (const window of windows) {
          const burn = status.burnRates[window]!;
          exprTests.push({
            expr: `sum(abs(slo:sli_error:ratio_rate${window}{sightline_slo="checkout-availability"} / 0.001 - ${burn}) <= bool ${1e-9 * Math.max(1, burn)})`,
            eval_time: `${t}m`,
            exp_samples: [{ labels: '{}', value: 1 }],
          });
        }
      }
      // The stream crosses every condition: the transitions the rules must reproduce.
      expect(transitions).toEqual(expect.arrayContaining([expect.stringMatching(/page fires$/), expect.stringMatching(/page resolves$/), expect.stringMatching(/ticket fires$/)]));
      const cumulative = (key: 'good' | 'bad') => {
        let sum = 0;
        return [0, ...stream.map((m) => (sum += m[key]))].join(' ');
      };
      writeFileSync(join(dir, 'agree-rules.yml'), toPrometheusRules([spec]));
      const test = {
        rule_files: ['agree-rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'sightline_slo_sli_events_total{slo="checkout-availability", outcome="good"}', values: cumulative('good') },
              { series: 'sightline_slo_sli_events_total{slo="checkout-availability", outcome="bad"}', values: cumulative('bad') },
            ],
            alert_rule_test: alertTests,
            promql_expr_test: exprTests,
          },
        ],
      };
      writeFileSync(join(dir, 'agree-test.yml'), stringify(test));
      const out = execFileSync(PROMTOOL!, ['test', 'rules', join(dir, 'agree-test.yml')], { encoding: 'utf8', cwd: dir, maxBuffer: 64 * 1024 * 1024 });
      expect(out).toContain('SUCCESS');
    }, 300_000); // promtool evaluates 1,650 minutes of rules: ~15 s alone, more on a busy machine
  });
});

describe('Sloth-compatible rule export', () => {
  const sloth = () => parse(toPrometheusRules([availability, latency], { format: 'sloth' })) as { groups: { name: string; rules: Record<string, unknown>[] }[] };
  const ids = { sloth_id: 'checkout-checkout-availability', sloth_service: 'checkout', sloth_slo: 'checkout-availability' };
  const selector = 'sloth_id="checkout-checkout-availability", sloth_service="checkout", sloth_slo="checkout-availability"';

  it("writes Sloth's series: slo:sli_error:ratio_rate<w> with sloth_id/sloth_service/sloth_slo/sloth_window, the seven metadata rules and one alert name per SLO", () => {
    const file = sloth();
    expect(file.groups.map((g) => g.name)).toEqual(['sloth-slo-checkout-checkout-availability', 'sloth-slo-search-search-latency']);
    const rules = file.groups[0]!.rules;
    expect(rules.map((r) => r.record ?? r.alert)).toEqual([
      ...['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
      'slo:objective:ratio', 'slo:error_budget:ratio', 'slo:time_period:days', 'slo:current_burn_rate:ratio', 'slo:period_burn_rate:ratio', 'slo:period_error_budget_remaining:ratio', 'sloth_slo_info',
      'CheckoutAvailabilityErrorBudgetBurn', 'CheckoutAvailabilityErrorBudgetBurn',
    ]);
    // sloth_id is "<service>-<slo>", as Sloth names it; the spec's labels ride along.
    expect(rules[0]!.labels).toEqual({ team: 'payments', ...ids, sloth_window: '5m' });
    const byName = Object.fromEntries(rules.filter((r) => r.record !== undefined).map((r) => [r.record, r]));
    expect(byName['slo:objective:ratio']).toEqual({ record: 'slo:objective:ratio', expr: 'vector(0.999)', labels: { team: 'payments', ...ids } });
    expect(byName['slo:error_budget:ratio']!.expr).toBe('vector(0.001)');
    expect(byName['slo:time_period:days']!.expr).toBe('vector(30)');
    // Burn rates divide by the error budget matched on Sloth's three id labels.
    expect(byName['slo:current_burn_rate:ratio']!.expr).toBe(`slo:sli_error:ratio_rate5m{${selector}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${selector}}\n`);
    expect(byName['slo:period_burn_rate:ratio']!.expr).toBe(`slo:sli_error:ratio_rate30d{${selector}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{${selector}}\n`);
    expect(byName['slo:period_error_budget_remaining:ratio']!.expr).toBe(`1 - slo:period_burn_rate:ratio{${selector}}`);
    expect(byName['sloth_slo_info']!.labels).toEqual({ team: 'payments', ...ids, sloth_mode: 'sightline', sloth_spec: 'sightline/v1', sloth_objective: '99.9' });
    const [page, ticket] = rules.filter((r) => r.alert !== undefined);
    expect(page!.labels).toEqual({ sloth_severity: 'page', severity: 'page' });
    expect(ticket!.labels).toEqual({ sloth_severity: 'ticket', severity: 'ticket' });
    expect(page!.expr).toContain(`max(slo:sli_error:ratio_rate5m{${selector}} > (14.4 * 0.001)) without (sloth_window)`);
    expect(ticket!.expr).toContain(`max(slo:sli_error:ratio_rate3d{${selector}} > (1 * 0.001)) without (sloth_window)`);
    // The 28-day SLO: its own period and Sloth's 28-day factors.
    const search = file.groups[1]!.rules;
    expect(search.find((r) => r.record === 'slo:time_period:days')!.expr).toBe('vector(28)');
    expect(search.find((r) => r.alert !== undefined)!.expr).toContain('> (13.44 * 0.01)) without (sloth_window)');
  });

  it("reads the current burn rate on the quick page condition's short window, which the rules record (10m here, not a missing 5m)", () => {
    const custom = parseSloSpec({ ...serializeSloSpec(availability), alerting: { burnWindows: [{ severity: 'page', longWindow: '2h', shortWindow: '10m', burnRate: 7.2 }] } });
    for (const format of ['sightline', 'sloth'] as const) {
      const rules = (parse(toPrometheusRules([custom], { format })) as { groups: { rules: Record<string, unknown>[] }[] }).groups[0]!.rules;
      expect(rules.filter((r) => typeof r.record === 'string' && (r.record as string).startsWith('slo:sli_error')).map((r) => r.record)).toEqual(['slo:sli_error:ratio_rate10m', 'slo:sli_error:ratio_rate2h', 'slo:sli_error:ratio_rate30d']);
      expect(rules.find((r) => r.record === 'slo:current_burn_rate:ratio')!.expr).toMatch(/^slo:sli_error:ratio_rate10m\{/);
    }
  });

  it('leaves the default output unchanged and refuses an unknown format with SLO_RULES_OPTIONS', () => {
    expect(toPrometheusRules([availability], {})).toBe(toPrometheusRules([availability]));
    expect(() => toPrometheusRules([availability], { format: 'pyrra' as 'sloth' })).toThrow(expect.objectContaining({ code: 'SLO_RULES_OPTIONS', message: expect.stringContaining('"pyrra"') }));
  });

  withPromtool('checked by promtool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-slo-sloth-'));
    writeFileSync(join(dir, 'sloth-rules.yml'), toPrometheusRules([availability, latency], { format: 'sloth' }));

    it('passes `promtool check rules` (per SLO: 8 error-ratio windows, 7 metadata rules, 2 alerts)', () => {
      const out = execFileSync(PROMTOOL!, ['check', 'rules', join(dir, 'sloth-rules.yml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS: 34 rules found');
    });

    it('passes a `promtool test rules` unit test: the metadata series a Sloth dashboard reads, and the ticket then the page alert at the derived minutes', () => {
      // 9 h at 1,000 events a minute without errors, then 20 bad a minute of the 1,000 (2%).
      // After k bad minutes: ticket (3d/6h at 1x): all data 20k / 1,000(540 + k) > 0.001 and the
      // 6h window 20k / 360,000 > 0.001 ⇔ k > 28.4 → 569m. Page (1h/5m at 14.4x): 20k / 60,000 >
      // 0.0144 ⇔ k > 43.2 → 584m. At 600m: 1,200 bad of 600,000 = 0.002, period burn 2, budget
      // left 1 − 2 = −1; the 5m burn is 0.02 / 0.001 = 20.
      const near = (expr: string, value: number) => ({ expr: `sum(abs(${expr} - ${value}) <= bool 1e-9)`, eval_time: '600m', exp_samples: [{ labels: '{}', value: 1 }] });
      const alert = (severity: 'page' | 'ticket') => ({
        exp_labels: { ...ids, team: 'payments', sloth_severity: severity, severity },
        exp_annotations: {
          title: `(${severity}) checkout checkout-availability SLO error budget burn rate is too fast.`,
          summary: 'checkout checkout-availability SLO error budget burn rate is over expected.',
          description: severity === 'page' ? 'checkout is spending the error budget of checkout-availability (objective 99.9%) at 14.4x over 1h/5m or 6x over 6h/30m.' : 'checkout is spending the error budget of checkout-availability (objective 99.9%) at 3x over 1d/2h or 1x over 3d/6h.',
        },
      });
      const name = 'CheckoutAvailabilityErrorBudgetBurn';
      const test = {
        rule_files: ['sloth-rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'sightline_slo_sli_events_total{slo="checkout-availability", outcome="good"}', values: '0+1000x540 540980+980x59' },
              { series: 'sightline_slo_sli_events_total{slo="checkout-availability", outcome="bad"}', values: '0x540 20+20x59' },
            ],
            alert_rule_test: [
              { eval_time: '568m', alertname: name, exp_alerts: [] },
              { eval_time: '569m', alertname: name, exp_alerts: [alert('ticket')] },
              { eval_time: '583m', alertname: name, exp_alerts: [alert('ticket')] },
              { eval_time: '584m', alertname: name, exp_alerts: [alert('page'), alert('ticket')] },
            ],
            promql_expr_test: [
              { expr: `slo:objective:ratio{${selector}}`, eval_time: '600m', exp_samples: [{ labels: `slo:objective:ratio{sloth_id="checkout-checkout-availability", sloth_service="checkout", sloth_slo="checkout-availability", team="payments"}`, value: 0.999 }] },
              { expr: `slo:time_period:days{${selector}}`, eval_time: '600m', exp_samples: [{ labels: `slo:time_period:days{sloth_id="checkout-checkout-availability", sloth_service="checkout", sloth_slo="checkout-availability", team="payments"}`, value: 30 }] },
              { expr: 'count(sloth_slo_info{sloth_objective="99.9"}) by (sloth_service, sloth_slo)', eval_time: '600m', exp_samples: [{ labels: '{sloth_service="checkout", sloth_slo="checkout-availability"}', value: 1 }] },
              near(`slo:current_burn_rate:ratio{${selector}}`, 20),
              near(`slo:period_burn_rate:ratio{${selector}}`, 2),
              near(`slo:period_error_budget_remaining:ratio{${selector}}`, -1),
            ],
          },
        ],
      };
      writeFileSync(join(dir, 'sloth-test.yml'), stringify(test));
      const out = execFileSync(PROMTOOL!, ['test', 'rules', join(dir, 'sloth-test.yml')], { encoding: 'utf8', cwd: dir });
      expect(out).toContain('SUCCESS');
    }, 60_000);
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
