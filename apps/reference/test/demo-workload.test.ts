import { describe, expect, it } from '@jest/globals';
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

  it('turns the fault on for 60 s of every 180 s, from 45 s in', () => {
    expect([0, 44_999, 45_000, 104_999, 105_000, 224_999, 225_000].map(faultActive)).toEqual([false, false, true, true, false, false, true]);
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
    expect(JSON.stringify(logs.logs)).not.toContain('4111');
  });
});
