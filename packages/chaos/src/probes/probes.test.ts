import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { functionProbe } from './function-probe.js';
import { httpProbe, percentileOf } from './http-probe.js';
import { parseSloSpec, SloTracker } from '@sightline/slo';
import { sloProbe } from './slo-probe.js';

describe('probes', () => {
  it('http probe reports statuses, error ratio and the latency percentile', async () => {
    let n = 0;
    const server = http.createServer((_req, res) => {
      n += 1;
      res.statusCode = n === 2 ? 503 : 200;
      res.end('x');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const result = await httpProbe({ url, calls: 4, percentile: 50 });
    expect(result.statuses).toEqual([200, 503, 200, 200]);
    expect(result.errorRatio).toBe(0.25);
    expect(result.ok).toBe(false);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await expect(httpProbe({ url, calls: 0 })).rejects.toMatchObject({ code: 'CHAOS_PROBE_INVALID' });
  });

  it('nearest-rank percentile: p95 of 1..20 is 19', () => {
    expect(percentileOf(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
  });

  it('function probe counts errors against the allowed ratio', async () => {
    let i = 0;
    const flaky = async () => {
      i += 1;
      if (i % 4 === 0) throw new Error('every fourth fails');
    };
    expect(await functionProbe(flaky, { calls: 8, maxErrorRatio: 0.25 })).toMatchObject({ ok: true, errors: 2, errorRatio: 0.25 });
    expect(await functionProbe(flaky, { calls: 8, maxErrorRatio: 0.1 })).toMatchObject({ ok: false, lastError: 'every fourth fails' });
  });

  it('SLO probe fails on a firing alert, an overspent budget or a burn rate above the limit', async () => {
    const healthy = { budgetRemaining: 0.8, burnRates: { '5m': 1, '1h': 0.9 }, firing: false };
    expect(await sloProbe(() => healthy, { maxBurnRate: 14.4 })).toMatchObject({ ok: true, violations: [] });
    const burning = { status: () => ({ budgetRemaining: -0.1, burnRates: { '5m': 20 }, firing: true }) };
    const verdict = await sloProbe(burning, { maxBurnRate: 14.4 });
    expect(verdict.ok).toBe(false);
    expect(verdict.violations).toEqual(['budget remaining -0.1000 < 0', 'burn rate 20.00 over 5m > 14.4', 'burn-rate alert is firing']);
    await expect(sloProbe(() => ({}) as never)).rejects.toMatchObject({ code: 'CHAOS_SLO_STATUS_INVALID' });
  });

  it('SLO probe reads a @sightline/slo tracker directly: it holds, then a 20% error burst overspends the budget and then pages', async () => {
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const tracker = new SloTracker(parseSloSpec({ name: 'checkout', service: 'checkout', objective: 0.99, sli: { kind: 'availability' } }));
    for (let m = 0; m < 60; m++) tracker.record(100, 100, t0 + m * 60_000);
    const source = { status: () => tracker.status(t0 + 60 * 60_000 - 1) };
    expect(await sloProbe(source)).toMatchObject({ ok: true, budgetRemaining: 1, firing: false });
    // Then 20 minutes at 20% errors: the 1h window holds 400 bad of 6,000 (6.7x < 14.4) and the 6h
    // window all 80 minutes, 400 of 8,000 (5x < 6): no page yet; but 400 bad of 80 allowed is an
    // overspent budget.
    for (let m = 60; m < 80; m++) tracker.record(80, 100, t0 + m * 60_000);
    const mid = await sloProbe({ status: () => tracker.status(t0 + 80 * 60_000 - 1) });
    expect(mid).toMatchObject({ ok: false, firing: false });
    expect(mid.violations).toEqual([expect.stringMatching(/^budget remaining -\d+\.\d{4} < 0$/)]);
    for (let m = 80; m < 100; m++) tracker.record(80, 100, t0 + m * 60_000);
    // After 40 bad minutes the 6h window (800 bad of 10,000 = 8%) is over 6x and the 30m at 20x: page.
    expect(await sloProbe({ status: () => tracker.status(t0 + 100 * 60_000 - 1) })).toMatchObject({ ok: false, firing: true });
  });
});
