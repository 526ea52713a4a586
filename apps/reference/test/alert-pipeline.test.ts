import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert } from '@sightline/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertPipeline } from '../src/alerts/alert-pipeline.js';
import { webhookSink, type AlertNotification } from '../src/alerts/alert-sinks.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { testDatabases } from './databases.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const burn = (clock: ManualClock, service = 'checkout') =>
  createAlert({ source: 'slo', severity: 'critical', title: `${service} burning budget`, labels: { slo: `${service}-availability`, service }, annotations: { burnRate: '15' }, startsAt: clock.now() });

describe.each(testDatabases.map((d) => [d.name, d] as const))('AlertPipeline (%s)', (_name, database) => {
  let db: Database;
  let drop: () => Promise<void>;
  let receiver: WebhookReceiver;
  let clock: ManualClock;
  let pipeline: AlertPipeline;

  beforeEach(async () => {
    const created = await database.create();
    drop = created.drop;
    db = await openDatabase(created.options);
    await migrate(db);
    receiver = await startWebhookReceiver();
    clock = new ManualClock(T0);
    pipeline = new AlertPipeline({ db, clock, sinks: [webhookSink('hook', receiver.url)], retry: { initialMs: 1_000, maxMs: 8_000, maxAttempts: 4 } });
  });

  afterEach(async () => {
    await pipeline.close();
    await db.close();
    await receiver.close();
    await drop();
  });

  it('delivers a new alert once, dedups repeats by fingerprint, and delivers the resolution', async () => {
    const alert = burn(clock);
    expect(await pipeline.submit(alert)).toBe('opened');
    clock.advance(60_000);
    expect(await pipeline.submit(createAlert({ ...alert, annotations: { burnRate: '20' }, startsAt: clock.now() }))).toBe('updated');
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    clock.advance(60_000);
    // Resolved once the condition stayed clear for the hold-down (default 5 minutes).
    expect(await pipeline.submit(resolveAlert(alert, clock.now()))).toBe('clearing');
    clock.advance(5 * 60_000);
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 1, retrying: 0, failed: 0 });

    const notes = receiver.received as AlertNotification[];
    expect(notes.map((n) => n.status)).toEqual(['firing', 'resolved']);
    expect(notes[0]?.groupKey).toBe('slo/checkout');
    expect(notes[1]?.alert.endsAt).toBe(T0 + 120_000);
    const stored = await pipeline.listAlerts({ limit: 10 });
    expect(stored).toEqual([expect.objectContaining({ status: 'resolved', annotations: { burnRate: '20' }, silenced: false })]);
    expect(await pipeline.submit(resolveAlert(alert, clock.now()))).toBe('ignored');
  });

  it('retries a failing webhook with exponential backoff and gives up after maxAttempts', async () => {
    receiver.failNext(2);
    await pipeline.submit(burn(clock));
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    // not due before the 1 s backoff has passed
    clock.advance(999);
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    clock.advance(1);
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    clock.advance(2_000); // second backoff is 2 s
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);

    receiver.failNext(100);
    await pipeline.submit(burn(clock, 'search'));
    for (let i = 0; i < 4; i++) {
      await pipeline.dispatchDue();
      clock.advance(8_000);
    }
    expect(await pipeline.pendingDeliveries()).toBe(0);
    const failed = await db.query<{ attempts: number; last_error: string }>('select attempts, last_error from alert_deliveries where failed_at is not null');
    expect(failed).toEqual([{ attempts: 4, last_error: 'webhook hook answered 503' }]);
  });

  it('stores but does not deliver alerts matched by an active silence, and delivers again once it expires', async () => {
    const silence = await pipeline.createSilence({ matchers: { service: 'checkout' }, comment: 'deploy', createdBy: 'ada', endsAt: T0 + 3_600_000 });
    await pipeline.submit(burn(clock));
    await pipeline.submit(burn(clock, 'search'));
    await pipeline.dispatchDue();
    expect((receiver.received as AlertNotification[]).map((n) => n.alert.labels.service)).toEqual(['search']);
    expect((await pipeline.listAlerts({ status: 'firing', limit: 10 })).find((a) => a.labels.service === 'checkout')?.silenced).toBe(true);

    expect(await pipeline.expireSilence(silence.id)).toBe(true);
    expect(await pipeline.expireSilence(silence.id)).toBe(false);
    expect(await pipeline.listSilences(true)).toEqual([]);
    clock.advance(1_000);
    await pipeline.submit(resolveAlert(burn(clock, 'billing'), clock.now()));
    await pipeline.submit(burn(clock, 'billing'));
    await pipeline.dispatchDue();
    expect((receiver.received as AlertNotification[]).map((n) => n.alert.labels.service)).toEqual(['search', 'billing']);
  });
});

describe('AlertPipeline across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alerts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers, after a restart, a notification that was queued but not sent', async () => {
    const clock = new ManualClock(T0);
    const receiver = await startWebhookReceiver();
    let db = await openDatabase({ dataDir: dir });
    await migrate(db);
    let pipeline = new AlertPipeline({ db, clock, sinks: [webhookSink('hook', receiver.url)] });
    await pipeline.submit(burn(clock));
    await pipeline.close();
    await db.close(); // the process stops before dispatching

    db = await openDatabase({ dataDir: dir });
    await migrate(db);
    pipeline = new AlertPipeline({ db, clock, sinks: [webhookSink('hook', receiver.url)] });
    expect(await pipeline.pendingDeliveries()).toBe(1);
    expect(await pipeline.dispatchDue()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    await pipeline.close();
    await db.close();
    await receiver.close();
  });
});
