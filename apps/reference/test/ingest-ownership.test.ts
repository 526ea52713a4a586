// Service ownership cannot be taken over through OTLP ingest: in token mode ingest needs a
// credential (an ingest token bound to a team), the first claim (or the config) decides who owns a
// service, and a later claim by another team — even one that sets `sightline.team` — moves nothing
// and gains no access. In local mode ingest stays open, but ownership still never moves.
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@sightline/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createDemoWorkload } from '../src/demo/demo-workload.js';
import { testDatabases } from './databases.js';
import { getAs, tokenAccess, useTestApp } from './test-app.js';

const TOKENS = {
  shippingIngest: 'shipping-ingest-token',
  paymentsIngest: 'payments-ingest-token',
  sam: 'shipping-viewer-token',
  pat: 'payments-viewer-token',
};
const SHIPPING_TRACE = 'cccc0000000000000000000000000001';
const TAKEOVER_TRACE = 'dddd0000000000000000000000000002';

/** One OTLP/JSON span of `service`, declaring `team` with `sightline.team` when given. */
function oneSpan(service: string, traceId: string, team?: string) {
  const attributes = [{ key: 'service.name', value: { stringValue: service } }, ...(team === undefined ? [] : [{ key: 'sightline.team', value: { stringValue: team } }])];
  const startNanos = `${Date.now() - 30_000}000000`;
  const endNanos = `${Date.now() - 29_990}000000`;
  return { resourceSpans: [{ resource: { attributes }, scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId, spanId: 'e000000000000001', name: 'GET /', kind: 2, startTimeUnixNano: startNanos, endTimeUnixNano: endNanos, attributes: [], status: {} }] }] }] };
}

const ingest = (url: string, token: string | undefined, body: unknown) =>
  fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });

describe.each(testDatabases.map((db) => [db.name, db] as const))('ingest ownership in token mode (%s)', (_name, database) => {
  const t = useTestApp(
    {
      config: {
        access: {
          ...tokenAccess({
            [TOKENS.shippingIngest]: { id: 'shipping-collector', kind: 'service', team: 'shipping', roles: ['ingest'] },
            [TOKENS.paymentsIngest]: { id: 'payments-collector', kind: 'service', team: 'payments', roles: ['ingest'] },
            [TOKENS.sam]: { id: 'sam', kind: 'user', team: 'shipping', roles: ['viewer'] },
            [TOKENS.pat]: { id: 'pat', kind: 'user', team: 'payments', roles: ['viewer'] },
          }),
          serviceOwners: { 'ledger-api': 'payments' },
        },
      },
    },
    database,
  );
  const services = async (token: string) => (await getAs<{ services: { service: string }[] }>(t.url, token, '/api/v1/services')).body.services.map((s) => s.service);
  const storedSpans = async (traceId: string) => (await t.app.db.query<{ n: number }>(`select count(*)::int as n from spans where trace_id = $1`, [traceId]))[0]!.n;

  it('refuses tokenless ingest with 401 and a non-ingest principal with 403, in the OTLP error shape, storing nothing', async () => {
    const tokenless = await ingest(t.url, undefined, oneSpan('shipping-api', TAKEOVER_TRACE, 'payments'));
    expect(tokenless.status).toBe(401);
    expect(tokenless.headers.get('www-authenticate')).toBe('Bearer');
    expect(await tokenless.json()).toEqual({ code: 16, message: expect.stringContaining('send Authorization: Bearer <token>') });
    expect((await ingest(t.url, 'guessed-token', oneSpan('shipping-api', TAKEOVER_TRACE))).status).toBe(401);
    const viewer = await ingest(t.url, TOKENS.pat, oneSpan('shipping-api', TAKEOVER_TRACE, 'payments'));
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toEqual({ code: 7, message: 'pat may not ingest traces: no policy allows it' });
    const logs = await fetch(`${t.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceLogs: [] }) });
    expect(logs.status).toBe(401);
    expect(await storedSpans(TAKEOVER_TRACE)).toBe(0);
  });

  it('keeps a service with its first claimer: another team setting sightline.team gains nothing and moves nothing', async () => {
    expect((await ingest(t.url, TOKENS.shippingIngest, oneSpan('shipping-api', SHIPPING_TRACE))).status).toBe(200);
    expect(await services(TOKENS.sam)).toEqual(['shipping-api']);
    const refusedBefore = t.app.access.owners.refusedClaims;

    // The takeover: the payments team's credential sends a span of shipping-api claiming it for payments.
    const takeover = await ingest(t.url, TOKENS.paymentsIngest, oneSpan('shipping-api', TAKEOVER_TRACE, 'payments'));
    expect(takeover.status).toBe(200);
    expect(await takeover.json()).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: 'service "shipping-api" belongs to team "shipping"; a credential of team "payments" may not write to it' } });
    expect(t.app.access.owners.refusedClaims).toBe(refusedBefore + 1);
    expect(await storedSpans(TAKEOVER_TRACE)).toBe(0);

    // The owner keeps its service and traces; the other team cannot read them.
    expect(await services(TOKENS.sam)).toEqual(['shipping-api']);
    expect((await getAs(t.url, TOKENS.sam, `/api/v1/traces/${SHIPPING_TRACE}`)).status).toBe(200);
    expect(await services(TOKENS.pat)).toEqual([]);
    expect((await getAs(t.url, TOKENS.pat, `/api/v1/traces/${SHIPPING_TRACE}`)).status).toBe(404);
    expect(await t.app.access.owners.servicesOf('payments')).toEqual(['ledger-api']);
  });

  it("claims a new service for the credential's team, whatever sightline.team the data declares", async () => {
    const trace = 'cccc0000000000000000000000000003';
    expect(await (await ingest(t.url, TOKENS.shippingIngest, oneSpan('shipping-worker', trace, 'payments'))).json()).toEqual({});
    expect(await services(TOKENS.sam)).toEqual(['shipping-api', 'shipping-worker']);
    expect(await services(TOKENS.pat)).toEqual([]);
    const [stored] = await t.app.db.query<{ resource: Record<string, unknown> }>(`select resource from spans where trace_id = $1`, [trace]);
    expect(stored!.resource['sightline.team']).toBe('shipping');
  });

  it('gives a service named in access.serviceOwners to its configured team before any data arrives', async () => {
    const trace = 'cccc0000000000000000000000000004';
    const refused = await ingest(t.url, TOKENS.shippingIngest, oneSpan('ledger-api', trace, 'shipping'));
    expect(((await refused.json()) as { partialSuccess: { rejectedSpans: number } }).partialSuccess.rejectedSpans).toBe(1);
    expect((await ingest(t.url, TOKENS.paymentsIngest, oneSpan('ledger-api', trace))).status).toBe(200);
    expect(await services(TOKENS.pat)).toEqual(['ledger-api']);
    expect(await services(TOKENS.sam)).toEqual(['shipping-api', 'shipping-worker']);
  });
});

describe('ingest ownership in local mode', () => {
  const t = useTestApp({});

  it('still ingests without a credential, but a later sightline.team never moves the service', async () => {
    expect((await ingest(t.url, undefined, oneSpan('shipping-api', SHIPPING_TRACE, 'shipping'))).status).toBe(200);
    const takeover = await ingest(t.url, undefined, oneSpan('shipping-api', TAKEOVER_TRACE, 'payments'));
    expect(takeover.status).toBe(200);
    expect(await takeover.json()).toEqual({});
    expect(await t.app.access.owners.servicesOf('shipping')).toEqual(['shipping-api']);
    expect(await t.app.access.owners.servicesOf('payments')).toEqual([]);
    expect(t.app.access.owners.refusedClaims).toBe(1);
  });
});

describe('the demo workload against a server in token mode', () => {
  const t = useTestApp({ config: { access: tokenAccess({ 'demo-ingest': { id: 'demo', kind: 'service', team: 'demo', roles: ['ingest'] }, 'demo-viewer': { id: 'dee', kind: 'user', team: 'demo', roles: ['viewer'] } }) } });

  it("sends its telemetry with its ingest token, and the token's team owns the demo services", async () => {
    const workload = createDemoWorkload(t.url, { ingestToken: 'demo-ingest', random: () => 0.5, pause: async () => {}, now: () => 0 });
    await workload.request();
    await workload.stop();
    expect(await services(t.url, 'demo-viewer')).toContain('storefront');
  });
});

async function services(url: string, token: string): Promise<string[]> {
  return (await getAs<{ services: { service: string }[] }>(url, token, '/api/v1/services')).body.services.map((s) => s.service);
}

describe('access.serviceOwners in the config file', () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'sightline-owners-')), 'config.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('reads service → team, and rejects a team that is not a non-empty string with its path', () => {
    expect(loadConfig({ file: write('access:\n  serviceOwners:\n    shipping-api: shipping\n'), env: {} }).access.serviceOwners).toEqual({ 'shipping-api': 'shipping' });
    let error: unknown;
    try {
      loadConfig({ file: write('access:\n  serviceOwners:\n    shipping-api: [shipping]\n'), env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: ['access', 'serviceOwners', 'shipping-api'] })]);
  });
});
