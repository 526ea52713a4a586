// Escalation along a policy of channels with a manual clock, and the channel formats (generic,
// Slack incoming webhook, PagerDuty Events v2) checked at local receivers.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert } from '@sightline/core';
import { AlertPipeline } from '../src/alerts/alert-pipeline.js';
import { webhookSink } from '../src/alerts/alert-sinks.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { testDatabases } from './databases.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;

describe.each(testDatabases.map((d) => [d.name, d] as const))('alert escalation and channel formats (%s)', (_name, database) => {
  let db: Database;
  let drop: () => Promise<void>;
  let clock: ManualClock;
  let chat: WebhookReceiver;
  let pager: WebhookReceiver;
  let pipeline: AlertPipeline;
  const alert = () => createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning budget', labels: { slo: 'checkout-availability', service: 'checkout' }, startsAt: clock.now() });

  beforeEach(async () => {
    const created = await database.create();
    drop = created.drop;
    db = await openDatabase(created.options);
    await migrate(db);
    clock = new ManualClock(T0);
    chat = await startWebhookReceiver();
    pager = await startWebhookReceiver();
    pipeline = new AlertPipeline({
      db,
      clock,
      sinks: [webhookSink('slack', chat.url, { format: 'slack' }), webhookSink('pagerduty', pager.url, { format: 'pagerduty', routingKey: 'R0UT1NGKEY' })],
      escalation: [{ afterMs: 0, sinks: ['slack'] }, { afterMs: 15 * MIN, sinks: ['pagerduty'] }],
      resolveHoldDownMs: 0, // these tests follow escalation, not the hold-down (test/alert-identity)
    });
  });
  afterEach(async () => {
    await pipeline.close();
    await db.close();
    await chat.close();
    await pager.close();
    await drop();
  });

  it('tells Slack at once and pages PagerDuty after 15 minutes unacknowledged; resolve goes to both', async () => {
    const fired = alert();
    await pipeline.submit(fired);
    await pipeline.dispatchDue();
    expect(chat.received).toEqual([
      { text: ':rotating_light: [FIRING] checkout burning budget', blocks: [expect.objectContaining({ type: 'section' }), expect.objectContaining({ type: 'context' })] },
    ]);
    clock.advance(14 * MIN);
    await pipeline.dispatchDue();
    expect(pager.received).toEqual([]); // not yet
    clock.advance(MIN);
    await pipeline.dispatchDue();
    expect(pager.received).toEqual([
      {
        routing_key: 'R0UT1NGKEY',
        dedup_key: fired.fingerprint,
        event_action: 'trigger',
        payload: expect.objectContaining({ summary: 'checkout burning budget', source: 'checkout', severity: 'critical', timestamp: new Date(T0).toISOString(), class: 'slo' }),
      },
    ]);
    clock.advance(MIN);
    await pipeline.submit(resolveAlert(fired, clock.now()));
    await pipeline.dispatchDue();
    expect(pager.received[1]).toEqual({ routing_key: 'R0UT1NGKEY', dedup_key: fired.fingerprint, event_action: 'resolve' });
    expect((chat.received[1] as { text: string }).text).toBe(':white_check_mark: [RESOLVED] checkout burning budget');
  });

  it('stops escalating once someone acknowledges; a resolve then reaches only the channels that were told', async () => {
    const fired = alert();
    await pipeline.submit(fired);
    await pipeline.dispatchDue();
    clock.advance(5 * MIN);
    expect(await pipeline.acknowledge(fired.id, 'omar')).toMatchObject({ acknowledgedBy: 'omar' });
    clock.advance(20 * MIN);
    await pipeline.dispatchDue();
    expect(pager.received).toEqual([]);
    await pipeline.submit(resolveAlert(fired, clock.now()));
    await pipeline.dispatchDue();
    expect(chat.received).toHaveLength(2);
    expect(pager.received).toEqual([]);
  });

  it('refuses an escalation step that names a channel that does not exist', () => {
    expect(() => new AlertPipeline({ db, clock, sinks: [webhookSink('slack', chat.url)], escalation: [{ afterMs: 0, sinks: ['teams'] }] })).toThrow(expect.objectContaining({ code: 'ALERT_ESCALATION_INVALID' }));
  });
});
