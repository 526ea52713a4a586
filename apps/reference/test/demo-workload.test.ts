import { describe, expect, it } from '@jest/globals';
import { demoExperiment } from '../src/demo/demo-chaos.js';
import { seedDemoCosts } from '../src/demo/demo-costs.js';
import { createDemoWorkload, faultActive } from '../src/demo/demo-workload.js';
import { useTestApp } from './test-app.js';

interface StoredSpan {
  name: string;
  service: string;
  kind: number;
  span_id: string;
  parent_span_id: string | null;
  status_code: number;
  attributes: Record<string, unknown>;
}

/** A repeating sequence: every value is used in turn, so the test knows which paths run. */
const sequence = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('the demo workload', () => {
  const t = useTestApp();

  it('keeps the first 16 minutes healthy, then turns the fault on for 2 minutes every 90 minutes', () => {
    // 16 min = 960,000 ms; 18 min = 1,080,000 ms; 16 + 90 = 106 min = 6,360,000 ms.
    expect([0, 45_000, 959_999, 960_000, 1_079_999, 1_080_000, 6_359_999, 6_360_000, 6_479_999, 6_480_000].map(faultActive)).toEqual([false, false, false, true, true, false, false, true, true, false]);
  });

  it('refuses a tick that starts no requests, with DEMO_OPTIONS_INVALID', () => {
    for (const requestsPerTick of [0, 1.5, -1]) {
      expect(() => createDemoWorkload(t.url, { requestsPerTick })).toThrow(expect.objectContaining({ code: 'DEMO_OPTIONS_INVALID' }));
    }
  });

  it('sends a checkout as commands across three services, with causation, attribution and the failure recorded', async () => {
    // random: customer 0.5 → second customer; 0.9 → POST /checkout; then pauses; 0.0 → the charge fails.
    const workload = createDemoWorkload(t.url, { random: sequence([0.5, 0.9, 0.5, 0.5, 0.5, 0.0]), pause: async () => {}, now: () => 0 });
    await workload.request();
    await workload.stop();

    const list = (await (await fetch(`${t.url}/api/v1/traces?since=1h&service=storefront`)).json()) as { traces: { trace_id: string }[] };
    expect(list.traces).toHaveLength(1);
    const { spans } = (await (await fetch(`${t.url}/api/v1/traces/${list.traces[0]!.trace_id}`)).json()) as { spans: StoredSpan[] };
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['POST /checkout', 'command ChargeCard', 'command PlaceOrder', 'send ChargeCard', 'send PlaceOrder']);
    const charge = byName.get('command ChargeCard')!;
    const place = byName.get('command PlaceOrder')!;
    expect(charge).toMatchObject({ service: 'payments', kind: 5, status_code: 2, parent_span_id: byName.get('send ChargeCard')!.span_id });
    expect(charge.attributes).toMatchObject({
      'error.type': 'ProcessorTimeout',
      'messaging.message.conversation_id': place.attributes['messaging.message.id'],
      'sightline.message.causation_id': place.attributes['messaging.message.id'],
      'user.id': 'u-2210',
      'sightline.tenant.id': 'globex',
    });
    expect(place).toMatchObject({ service: 'checkout', status_code: 2 });
    expect(byName.get('POST /checkout')).toMatchObject({ service: 'storefront', status_code: 2, attributes: expect.objectContaining({ 'http.response.status_code': 502 }) });

    // Logs come from @sightline/logging over OTLP: correlated with the span, the card number redacted.
    const logs = (await (await fetch(`${t.url}/api/v1/logs?since=1h&level=error`)).json()) as { logs: { service: string; trace_id: string; span_id: string; body: string; attributes: Record<string, unknown> }[] };
    expect(logs.logs).toEqual([expect.objectContaining({ service: 'payments', trace_id: list.traces[0]!.trace_id, span_id: charge.span_id, body: 'charge failed: card processor timeout' })]);
    expect(logs.logs[0]!.attributes).toMatchObject({ card: '[REDACTED]' });
    // The demo logs the test card 4111 1111 1111 1111; ids are random hex and may hold "4111".
    expect(JSON.stringify(logs.logs)).not.toMatch(/4111[ -]?1111[ -]?1111[ -]?1111/);
  });

  it('prices the LLM call of a product page and attributes it to the customer and team', async () => {
    // random: customer 0.5 → u-2210 (team consumer); 0.5 → GET /products; pause; 0.05 → ask the LLM; pause; 1,400 in, 250 out.
    const workload = createDemoWorkload(t.url, { random: sequence([0.5, 0.5, 0.5, 0.05, 0.5, 0.5, 0.5]), pause: async () => {}, now: () => 0 });
    await workload.request();
    await workload.stop();
    await t.app.costs.settled();
    const { records } = (await (await fetch(`${t.url}/api/v1/costs/records?limit=10`)).json()) as { records: { serviceName: string; billedCost: number; tags: Record<string, string> }[] };
    // claude-sonnet-4: 1,400 × 3 USD/M + 250 × 15 USD/M = 0.00795 USD.
    expect(records.filter((r) => r.serviceName === 'Generative AI')).toEqual([expect.objectContaining({ billedCost: 7_950, tags: expect.objectContaining({ user: 'u-2210', team: 'consumer', model: 'claude-sonnet-4-20250514' }) })]);
  });

  it('seeds a 35-day bill once, whose spike is raised as a cost alert', async () => {
    const now = Date.UTC(2026, 10, 25, 12);
    await seedDemoCosts(t.app, now);
    await seedDemoCosts(t.app, now);
    const imports = (await t.app.costs.listImports(10)).filter((i) => i.source === 'focus-csv');
    expect(imports).toEqual([expect.objectContaining({ status: 'completed', rejected: 0, accepted: expect.any(Number) })]);
    const { alerts } = (await (await fetch(`${t.url}/api/v1/alerts?status=firing`)).json()) as { alerts: { source: string; labels: Record<string, string> }[] };
    expect(alerts).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'finops', labels: expect.objectContaining({ value: 'Amazon EC2', day: '2026-11-22' }) })]));
  });

  it('its scheduled experiment deviates under the latency fault and rolls the fault back', async () => {
    const { listen } = await t.app.chaos.openProxy('demo-api', new URL(t.url).host);
    const { id } = await t.app.chaos.start(demoExperiment(listen));
    await t.app.chaos.settled(id);
    const run = await t.app.chaos.get(id);
    expect(run).toMatchObject({ status: 'deviated', journal: { steadyStateBefore: { met: true }, steadyStateAfter: { met: false } } });
    expect(t.app.chaos.proxies.get('demo-api')!.toxics()).toEqual([]);
  });
});
