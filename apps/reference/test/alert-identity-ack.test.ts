// Who acknowledged: in token mode the acknowledgement names the token's principal (a different
// `by` is refused); the listed alert carries its identity, links and live values.
import { describe, expect, it } from '@jest/globals';
import { createAlert } from '@sightline/core';
import { tokenAccess, useTestApp } from './test-app.js';

const OPERATOR = 'operator-token';

describe('alert acknowledgement in token mode', () => {
  const t = useTestApp({ config: { access: tokenAccess({ [OPERATOR]: { id: 'omar', kind: 'user', roles: ['operator'] } }) } });
  const ack = (id: string, body: unknown) =>
    fetch(`${t.url}/api/v1/alerts/${id}/ack`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('names the principal of the token, and refuses a different name', async () => {
    const alert = createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning budget', labels: { slo: 'checkout-availability', service: 'checkout' }, annotations: { traceIds: 'abcdef0123456789abcdef0123456789' }, startsAt: Date.now() - 60_000 });
    await t.app.alerts.submit(alert);

    const refused = await ack(alert.id, { by: 'someone else' });
    expect(refused.status).toBe(400);
    await expect(refused.json()).resolves.toMatchObject({ error: { code: 'ACK_INVALID' } });

    const done = await ack(alert.id, {});
    expect(done.status).toBe(200);
    await expect(done.json()).resolves.toMatchObject({ id: alert.id, acknowledgedBy: 'omar' });
    expect((await ack(alert.id, { by: 'omar' })).status).toBe(200); // naming yourself is fine

    const listed = (await (await fetch(`${t.url}/api/v1/alerts?fingerprint=${alert.fingerprint}`, { headers: { authorization: `Bearer ${OPERATOR}` } })).json()) as { alerts: unknown[] };
    expect(listed.alerts).toEqual([
      expect.objectContaining({
        id: alert.id,
        fingerprint: alert.fingerprint,
        acknowledgedBy: 'omar',
        links: {
          cause: { href: '/slos/checkout-availability', label: 'SLO checkout-availability' },
          traces: [{ href: '/traces/abcdef0123456789abcdef0123456789', label: 'trace abcdef01' }],
          logs: [{ href: '/logs?traceId=abcdef0123456789abcdef0123456789&since=all', label: 'logs of trace abcdef01' }],
        },
      }),
    ]);
    const bad = await fetch(`${t.url}/api/v1/alerts?fingerprint=not-hex`, { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(bad.status).toBe(400);
  });
});
