// Alert identity: a condition that flaps at its threshold continues one alert (its id, its
// acknowledgement) through the resolve hold-down; live values beside the stored alert; re-sends
// of firing alerts to sinks that want them. Manual clock, real webhook receiver.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert, type Alert } from '@sightline/core';
import { AlertPipeline } from '../src/alerts/alert-pipeline.js';
import { webhookSink, type AlertNotification, type NotificationSink } from '../src/alerts/alert-sinks.js';
import { alertLinks } from '../src/alerts/alert-links.js';
import { sloLiveValues } from '../src/alerts/live-values.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { testDatabases } from './databases.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;
const HOLD = 5 * MIN;

/** What the SLO engine submits each time the checkout-latency page starts holding: a new Alert object, new id. */
const page = (at: number, burn: string) =>
  createAlert({ source: 'slo', severity: 'critical', title: `checkout-latency: error budget burning ${burn}x over 6h (page)`, labels: { slo: 'checkout-latency', service: 'checkout', class: 'page' }, annotations: { burn_rates: `${burn}/7.00` }, startsAt: at });

describe.each(testDatabases.map((d) => [d.name, d] as const))('alert identity (%s)', (_name, database) => {
  let db: Database;
  let drop: () => Promise<void>;
  let receiver: WebhookReceiver;
  let clock: ManualClock;
  let pipeline: AlertPipeline;
  const received = () => receiver.received as AlertNotification[];

  beforeEach(async () => {
    const created = await database.create();
    drop = created.drop;
    db = await openDatabase(created.options);
    await migrate(db);
    receiver = await startWebhookReceiver();
    clock = new ManualClock(T0);
    pipeline = new AlertPipeline({ db, clock, sinks: [webhookSink('hook', receiver.url)], resolveHoldDownMs: HOLD });
  });

  afterEach(async () => {
    await pipeline.close();
    await db.close();
    await receiver.close();
    await drop();
  });

  it('keeps one alert and its acknowledgement while the condition flaps within the hold-down', async () => {
    // The incident of the issue: the page fired 4 times in 12 minutes.
    const first = page(clock.now(), '6.2');
    expect(await pipeline.submit(first)).toBe('opened');
    await pipeline.dispatchDue();
    clock.advance(MIN);
    expect(await pipeline.acknowledge(first.id, 'omar')).toMatchObject({ acknowledgedBy: 'omar' });
    for (const burn of ['6.4', '6.1', '6.3']) {
      clock.advance(2 * MIN);
      expect(await pipeline.submit(resolveAlert(first, clock.now()))).toBe('clearing');
      await pipeline.dispatchDue();
      clock.advance(2 * MIN); // back after 2 minutes: inside the 5-minute hold-down
      expect(await pipeline.submit(page(clock.now(), burn))).toBe('resumed');
      await pipeline.dispatchDue();
    }
    const alerts = await pipeline.listAlerts({ limit: 10 });
    expect(alerts).toHaveLength(1);
    // Same id, same start, acknowledgement kept; the title and annotations are those of the last re-fire.
    expect(alerts[0]).toMatchObject({ id: first.id, fingerprint: first.fingerprint, status: 'firing', startsAt: T0, acknowledgedBy: 'omar', acknowledgedAt: T0 + MIN, flaps: 3, annotations: { burn_rates: '6.3/7.00' } });
    expect(alerts[0]?.clearedAt).toBeUndefined();
    // The sinks heard of it once: no resolve, no re-fire.
    expect(received().map((n) => n.status)).toEqual(['firing']);
  });

  it('resolves once the condition stayed clear for the hold-down, with endsAt when it cleared; a later fire is a new occurrence of the same identity', async () => {
    const first = page(clock.now(), '6.2');
    await pipeline.submit(first);
    await pipeline.acknowledge(first.fingerprint, 'omar'); // by identity, as Alertmanager names alerts
    clock.advance(10 * MIN);
    const clearedAt = clock.now();
    expect(await pipeline.submit(resolveAlert(first, clearedAt))).toBe('clearing');
    // A repeated resolve keeps the first clear instant.
    clock.advance(MIN);
    expect(await pipeline.submit(resolveAlert(first, clock.now()))).toBe('clearing');
    expect((await pipeline.listAlerts({ limit: 1 }))[0]).toMatchObject({ status: 'firing', clearedAt, resolvesAt: clearedAt + HOLD });

    clock.set(clearedAt + HOLD - 1);
    await pipeline.dispatchDue();
    expect((await pipeline.listAlerts({ limit: 1 }))[0]?.status).toBe('firing');
    clock.set(clearedAt + HOLD);
    await pipeline.dispatchDue();
    expect(received().map((n) => [n.status, n.alert.endsAt])).toEqual([['firing', undefined], ['resolved', clearedAt]]);
    expect((await pipeline.listAlerts({ limit: 1 }))[0]).toMatchObject({ id: first.id, status: 'resolved', endsAt: clearedAt, acknowledgedBy: 'omar' });

    clock.advance(MIN);
    const again = page(clock.now(), '7.0');
    expect(await pipeline.submit(again)).toBe('opened');
    const occurrences = await pipeline.listAlerts({ limit: 10, fingerprint: first.fingerprint });
    expect(occurrences.map((a) => [a.id, a.status, a.acknowledgedBy])).toEqual([[again.id, 'firing', undefined], [first.id, 'resolved', 'omar']]);
  });

  it('resolves at once a resolve reported after the hold-down already passed (replayed data)', async () => {
    const old = page(T0 - 60 * MIN, '9.0');
    await pipeline.submit(old);
    expect(await pipeline.submit(resolveAlert(old, T0 - 30 * MIN))).toBe('resolved');
    expect((await pipeline.listAlerts({ limit: 1 }))[0]).toMatchObject({ status: 'resolved', endsAt: T0 - 30 * MIN });
  });

  it('resolves at once with a hold-down of 0, and refuses a negative one', async () => {
    const now = new AlertPipeline({ db, clock, sinks: [], resolveHoldDownMs: 0 });
    const alert = page(clock.now(), '6.2');
    await now.submit(alert);
    expect(await now.submit(resolveAlert(alert, clock.now()))).toBe('resolved');
    expect(() => new AlertPipeline({ db, clock, sinks: [], resolveHoldDownMs: -1 })).toThrow(expect.objectContaining({ code: 'ALERT_HOLD_DOWN_INVALID' }));
  });

  it('shows live values beside the alert and sends them with its notifications', async () => {
    let burn = 15.2;
    pipeline.useLiveValues('slo', (alert, at) => ({ at, summary: `burning ${burn}x now`, values: { burn: String(burn), slo: alert.labels.slo ?? '' } }));
    const alert = page(clock.now(), '15.2');
    await pipeline.submit(alert);
    await pipeline.dispatchDue();
    expect(received()[0]?.live).toEqual({ at: T0, summary: 'burning 15.2x now', values: { burn: '15.2', slo: 'checkout-latency' } });
    burn = 3.1;
    clock.advance(MIN);
    const [stored] = await pipeline.listAlerts({ limit: 1 });
    // The stored title is the one it fired with; the live values are read now.
    expect(stored?.title).toContain('15.2x');
    expect(pipeline.liveValuesOf(stored!)).toEqual({ at: T0 + MIN, summary: 'burning 3.1x now', values: { burn: '3.1', slo: 'checkout-latency' } });
    expect(pipeline.liveValuesOf({ ...stored!, status: 'resolved' })).toBeUndefined();
  });

  it('re-sends a firing alert to a sink that wants re-sends, with its state now, until it resolves', async () => {
    const sent: AlertNotification[] = [];
    const resending: NotificationSink = { name: 'am', resendIntervalMs: MIN, send: async (n) => void sent.push(n) };
    const twoSinks = new AlertPipeline({ db, clock, sinks: [webhookSink('hook', receiver.url), resending], resolveHoldDownMs: HOLD });
    const alert = page(clock.now(), '6.2');
    await twoSinks.submit(alert);
    await twoSinks.dispatchDue();
    clock.advance(MIN - 1);
    await twoSinks.dispatchDue();
    expect(sent).toHaveLength(1); // not yet a minute since it was sent
    clock.advance(1);
    await twoSinks.submit(page(clock.now(), '8.8')); // updated: the re-send carries the new annotations
    await twoSinks.dispatchDue();
    expect(sent.map((n) => [n.status, n.alert.id, n.alert.annotations.burn_rates])).toEqual([['firing', alert.id, '6.2/7.00'], ['firing', alert.id, '8.8/7.00']]);
    // Clearing is still firing for the sinks: re-sent while held.
    await twoSinks.submit(resolveAlert(alert, clock.now()));
    clock.advance(MIN);
    await twoSinks.dispatchDue();
    expect(sent.map((n) => n.status)).toEqual(['firing', 'firing', 'firing']);
    clock.advance(HOLD);
    await twoSinks.dispatchDue();
    clock.advance(10 * MIN);
    await twoSinks.dispatchDue();
    expect(sent.map((n) => n.status)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    // The plain webhook heard the state changes only.
    expect(received().map((n) => n.status)).toEqual(['firing', 'resolved']);
    await twoSinks.close();
  });
});

describe('alert links and SLO live values', () => {
  const base = { labels: {}, annotations: {}, startsAt: T0 } satisfies Partial<Alert>;

  it('links an SLO alert to its SLO and each example trace to the trace and its logs', () => {
    expect(alertLinks({ ...base, source: 'slo', labels: { slo: 'checkout-latency' }, annotations: { traceIds: 'aaaa1111bbbb2222,cccc3333dddd4444' } })).toEqual({
      cause: { href: '/slos/checkout-latency', label: 'SLO checkout-latency' },
      traces: [{ href: '/traces/aaaa1111bbbb2222', label: 'trace aaaa1111' }, { href: '/traces/cccc3333dddd4444', label: 'trace cccc3333' }],
      logs: [{ href: '/logs?traceId=aaaa1111bbbb2222&since=all', label: 'logs of trace aaaa1111' }, { href: '/logs?traceId=cccc3333dddd4444&since=all', label: 'logs of trace cccc3333' }],
    });
  });

  it('links an anomaly to its series\' timeline from an hour before it, and a cost anomaly to its breakdown', () => {
    expect(alertLinks({ ...base, source: 'anomaly', labels: { series: 'latency_p95{service="checkout"}', trace_id: 'feed' } })).toEqual({
      cause: { href: `/anomalies?${new URLSearchParams({ since: String(T0 - 60 * MIN), series: 'latency_p95{service="checkout"}' }).toString()}`, label: 'anomaly latency_p95{service="checkout"}' },
      traces: [{ href: '/traces/feed', label: 'trace feed' }],
      logs: [{ href: '/logs?traceId=feed&since=all', label: 'logs of trace feed' }],
    });
    expect(alertLinks({ ...base, source: 'finops', labels: { dimension: 'ServiceName', value: 'Amazon EC2' } }).cause).toEqual({ href: '/costs?by=ServiceName', label: 'costs by ServiceName (Amazon EC2)' });
  });

  it('reads an SLO alert\'s burn rates of its class now, and the budget left', () => {
    const condition = (severity: 'page' | 'ticket', longWindow: string, shortWindow: string, burnRate: number, longBurnRate: number, shortBurnRate: number) => ({ severity, longWindow, shortWindow, burnRate, longBurnRate, shortBurnRate, firing: longBurnRate > burnRate && shortBurnRate > burnRate });
    const status = {
      budget: { remainingFraction: 0.43 },
      conditions: [condition('page', '1h', '5m', 14.4, 2.1, 1.0), condition('page', '6h', '30m', 6, 6.5, 5.9), condition('ticket', '3d', '6h', 1, 1.5, 2.5)],
    };
    const read = sloLiveValues((name) => (name === 'checkout-latency' ? (status as never) : undefined));
    const alert = createAlert({ source: 'slo', severity: 'critical', title: 't', labels: { slo: 'checkout-latency', class: 'page' }, startsAt: T0 });
    expect(read(alert, T0 + MIN)).toEqual({
      at: T0 + MIN,
      summary: 'burning 6.5x over 6h/30m now (threshold 6x; short window 5.9x) · 43% of budget left',
      values: { windows: '1h/5m,6h/30m', burn_rates: '2.10/1.00,6.50/5.90', thresholds: '14.4,6', firing: 'false,false', budget_remaining: '0.4300' },
    });
    expect(read(createAlert({ source: 'slo', severity: 'critical', title: 't', labels: { slo: 'gone', class: 'page' }, startsAt: T0 }), T0)).toBeUndefined();
  });
});
