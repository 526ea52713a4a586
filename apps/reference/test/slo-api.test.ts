// The SLO API, CLI and exports against a running server: SLOs from the SLO file and the API,
// validation, the deploy gate, Prometheus rules and metrics, and state that survives a restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../src/app.js';
import { runCli } from '../src/cli/main.js';

const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'sightline-slo-api-'));
const sloFile = join(dir, 'slos.yaml');
writeFileSync(
  sloFile,
  `slos:
  - name: checkout-availability
    service: checkout
    objective: 0.999
    window: 30d
    sli: { kind: availability, operation: POST /orders }
`,
);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}

/** OTLP/JSON spans of one service: `n` POST /orders server spans at `atMs`, `errors` of them failed. */
async function postSpans(url: string, atMs: number, n: number, errors: number): Promise<void> {
  const nanos = (ms: number) => `${ms}000000`;
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: (atMs * 1000 + i).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'POST /orders',
    kind: 2,
    startTimeUnixNano: nanos(atMs + i),
    endTimeUnixNano: nanos(atMs + i + 10),
    status: { code: i < errors ? 2 : 1 },
  }));
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeSpans: [{ spans }] }] }),
  });
  expect(response.status).toBe(200);
}

describe('SLO API, CLI and exports', () => {
  // On a 10-minute boundary, so the burn chart's 10m steps (aligned to the epoch) land on it.
  const t0 = Math.floor((Date.now() - 3_600_000) / (10 * MIN)) * 10 * MIN;
  const clock = new ManualClock(t0 + 30 * MIN);
  const dataDir = join(dir, 'data');
  let app: App;
  let url: string;

  beforeAll(async () => {
    app = await createApp({ storage: { dataDir }, clock, config: { slos: { file: sloFile, evaluationIntervalMs: 15_000 } }, log: () => undefined });
    url = await app.listen(0);
    // 20 minutes at 100 requests/min, 2% failing: 20x the 0.1% budget.
    for (let m = 0; m < 20; m++) await postSpans(url, t0 + m * MIN, 100, 2);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the SLO file\'s SLOs with their live status', async () => {
    const body = (await (await fetch(`${url}/api/v1/slos`)).json()) as { slos: { spec: { name: string }; source: string; status: { events: { total: number; bad: number }; burnRates: Record<string, number> } }[] };
    expect(body.slos).toHaveLength(1);
    expect(body.slos[0]).toMatchObject({ spec: { name: 'checkout-availability' }, source: 'file', status: { events: { total: 2000, bad: 40 } } });
    // At t0 + 30 min the 1h window holds all 20 minutes: 40 / 2,000 = 2% → 20x.
    expect(body.slos[0]!.status.burnRates['1h']).toBeCloseTo(20, 8);
  });

  it('creates, replaces and deletes an SLO over the API, and rejects bad specs with every problem and the server still serving', async () => {
    const put = (name: string, body: unknown) => fetch(`${url}/api/v1/slos/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await put('checkout-latency', { service: 'checkout', objective: 0.95, sli: { kind: 'latency', thresholdMs: 300 } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { spec: { window: string } }).spec.window).toBe('30d');
    expect((await put('checkout-latency', { service: 'checkout', objective: 0.99, sli: { kind: 'latency', thresholdMs: 250 } })).status).toBe(200);

    const bad = await put('broken', { service: '', objective: 1.5, window: 'someday', sli: { kind: 'latency' } });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { error: { code: string; issues: { path: string[]; code: string }[] } };
    expect(problem.error.code).toBe('SLO_SPEC_INVALID');
    expect(problem.error.issues.map((i) => `${i.path.join('.')}:${i.code}`)).toEqual(['service:SLO_SERVICE', 'objective:SLO_OBJECTIVE', 'window:SLO_WINDOW', 'sli.thresholdMs:SLO_SLI_THRESHOLD']);
    expect((await put('a', { name: 'b', service: 'x', objective: 0.9, sli: { kind: 'availability' } })).status).toBe(400);
    expect((await fetch(`${url}/api/v1/slos/nope`)).status).toBe(404);

    const list = (await (await fetch(`${url}/api/v1/slos`)).json()) as { slos: { spec: { name: string; objective: number }; source: string }[] };
    expect(list.slos.map((s) => [s.spec.name, s.spec.objective, s.source])).toEqual([['checkout-availability', 0.999, 'file'], ['checkout-latency', 0.99, 'api']]);
    expect((await fetch(`${url}/api/v1/slos/checkout-latency`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/api/v1/slos/checkout-latency`, { method: 'DELETE' })).status).toBe(404);
  });

  it('shows one SLO with budget, deploy gate and burn-rate history; the CLI prints it and exits 1 while deploys are frozen', async () => {
    const one = (await (await fetch(`${url}/api/v1/slos/checkout-availability`)).json()) as { status: { budget: { remainingFraction: number } }; gate: { allowed: boolean; reasons: string[] } };
    // 40 bad of 2 allowed (0.1% of 2,000): the budget is overspent, deploys are frozen.
    expect(one.status.budget.remainingFraction).toBeCloseTo(1 - 40 / 2, 8);
    expect(one.gate).toMatchObject({ allowed: false });
    const burn = (await (await fetch(`${url}/api/v1/slos/checkout-availability/burn?since=1h&step=10m`)).json()) as { windows: string[]; points: { t: number; burn: Record<string, number | null> }[] };
    expect(burn.windows).toEqual(['5m', '1h', '30m', '6h', '2h', '1d', '3d']);
    expect(burn.points.map((p) => p.t)).toEqual([t0 - 30 * MIN, t0 - 20 * MIN, t0 - 10 * MIN, t0, t0 + 10 * MIN, t0 + 20 * MIN, t0 + 30 * MIN]);
    // The 5m window at t0 holds minute 0 (2% failing); at t0 + 20 min it holds minutes 16-19; at t0 + 30 nothing.
    // No events is no burn rate (null), not 0x.
    expect(burn.points.map((p) => (p.burn['5m'] === null ? null : Math.round(p.burn['5m']!)))).toEqual([null, null, null, 20, 20, 20, null]);

    const status = await cli('slo', 'status', 'checkout-availability', '--url', url);
    expect(status.code).toBe(1);
    expect(status.out).toContain('deploy gate: CLOSED');
    const list = await cli('slo', 'list', '--url', url);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/checkout-availability\s+checkout\s+99\.90%\s+98\.00%/);
    expect((await cli('slo', 'frobnicate', '--url', url)).code).toBe(2);
  });

  it('exports Prometheus rules that promtool accepts, and SLO gauges on /metrics', async () => {
    const rules = await cli('slo', 'rules', '--url', url);
    expect(rules.code).toBe(0);
    expect(rules.out).toContain('record: slo:sli_error:ratio_rate5m');
    if (existsSync('/usr/bin/promtool')) {
      writeFileSync(join(dir, 'rules.yml'), rules.out);
      expect(execFileSync('/usr/bin/promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' })).toContain('SUCCESS');
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('sightline_slo_sli_events_total{slo="checkout-availability",outcome="bad"} 40');
    expect(metrics).toContain('sightline_slo_alert_firing{slo="checkout-availability",service="checkout",class="page"} 1');
  });

  it('keeps its windows across a restart (state saved in storage)', async () => {
    await app.close();
    app = await createApp({ storage: { dataDir }, clock, config: { slos: { file: sloFile, evaluationIntervalMs: 15_000 } }, log: () => undefined });
    url = await app.listen(0);
    expect(app.slos.status('checkout-availability')?.events).toEqual({ good: 1960, bad: 40, total: 2000 });
  });
});
