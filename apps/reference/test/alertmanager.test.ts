// The Alertmanager sink against a real Prometheus Alertmanager (Debian's `prometheus-alertmanager`,
// v0.25), started here on a free port with a temp storage dir and a minimal config whose one
// receiver is a webhook receiver of this test: the app's alert is in Alertmanager's
// GET /api/v2/alerts with its labels, is re-sent while firing, and is resolved (gone from the
// active alerts, and Alertmanager notifies its receiver of the resolution).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, createAlert, resolveAlert } from '@sightline/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerSink, toPostableAlert } from '../src/alerts/alertmanager-sink.js';
import { loadConfig } from '../src/config.js';
import { createApp, type App } from '../src/app.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

// As the promtool tests do: required in CI (.ci/run installs it); elsewhere, without it, this
// one suite is left out with a warning, so `pnpm test` still runs on a machine with only Node.
const ALERTMANAGER = [process.env.SIGHTLINE_ALERTMANAGER_BIN, '/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager', '/usr/local/bin/alertmanager'].find((p) => p !== undefined && p !== '' && existsSync(p));
if (ALERTMANAGER === undefined) {
  if (process.env.CI) throw new Error('Alertmanager is required in CI (Debian package "prometheus-alertmanager"); .ci/run installs it');
  console.warn('\n*** Alertmanager not found: the test against a real Alertmanager is SKIPPED. Install it: apt-get install -y prometheus-alertmanager (or set SIGHTLINE_ALERTMANAGER_BIN) ***\n');
}
const withAlertmanager = ALERTMANAGER === undefined ? describe.skip : describe;
const MIN = 60_000;

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}
interface AlertmanagerWebhook {
  status: string;
  alerts: { status: string; labels: Record<string, string>; endsAt: string }[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Polls `check` every 100 ms (Alertmanager is a separate process in real time) until it returns a value or `what` times out. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${(last as Error).message}`}`);
}

withAlertmanager('alerts delivered to a Prometheus Alertmanager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alertmanager-'));
  let alertmanager: ChildProcess | undefined;
  let amUrl = '';
  let amLog = '';
  let receiver: WebhookReceiver;
  let app: App;
  // Minute 0 is two minutes ago: the firing alert's endsAt (4 re-send intervals ahead) is in
  // Alertmanager's future, its resolution's endsAt in its past.
  const t0 = Date.now() - 2 * MIN;
  const clock = new ManualClock(t0);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: sightline-test',
        '  group_by: [alertname, slo]',
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: sightline-test',
        '    webhook_configs:',
        `      - url: ${receiver.url}`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    alertmanager = spawn(ALERTMANAGER!, [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    alertmanager.stdout?.on('data', (chunk: Buffer) => (amLog += chunk.toString()));
    alertmanager.stderr?.on('data', (chunk: Buffer) => (amLog += chunk.toString()));
    await eventually(`Alertmanager to be ready at ${amUrl}`, async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined)).catch((error: Error) => {
      throw new Error(`${error.message}\n${amLog}`);
    });

    const config = loadConfig({ env: {} });
    app = await createApp({
      storage: {},
      clock,
      log: () => undefined,
      config: { alerts: { ...config.alerts, alertmanagers: [{ name: 'alertmanager', url: amUrl }], externalUrl: 'http://sightline.test' } },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    if (alertmanager !== undefined && alertmanager.exitCode === null) {
      const exited = new Promise((resolve) => alertmanager!.once('exit', resolve));
      alertmanager.kill('SIGTERM');
      await exited;
    }
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const activeAlerts = async () => (await (await fetch(`${amUrl}/api/v2/alerts?filter=${encodeURIComponent('slo="checkout-latency"')}`)).json()) as GettableAlert[];

  it('sends a firing alert with its labels, re-sends it while it fires, and sends its resolution', async () => {
    const alert = createAlert({
      source: 'slo',
      severity: 'critical',
      title: 'checkout-latency: error budget burning 15.2x over 1h (page)',
      labels: { slo: 'checkout-latency', service: 'checkout', class: 'page' },
      annotations: { burn_rates: '15.20/16.00', traceIds: '4bf92f3577b34da6a3ce929d0e0e4736' },
      startsAt: t0,
    });
    await app.alerts.submit(alert);
    expect(await app.alerts.dispatchDue()).toEqual({ delivered: 2, retrying: 0, failed: 0 }); // the log and Alertmanager

    const [received] = await eventually('the alert in GET /api/v2/alerts', async () => {
      const list = await activeAlerts();
      return list.length > 0 ? list : undefined;
    });
    expect(received?.labels).toEqual({ alertname: 'SloErrorBudgetBurn', severity: 'critical', slo: 'checkout-latency', service: 'checkout', class: 'page' });
    expect(received?.annotations).toMatchObject({
      summary: 'checkout-latency: error budget burning 15.2x over 1h (page)',
      burn_rates: '15.20/16.00',
      cause_url: 'http://sightline.test/slos/checkout-latency',
      trace_url: 'http://sightline.test/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      logs_url: 'http://sightline.test/logs?traceId=4bf92f3577b34da6a3ce929d0e0e4736&since=all',
      sightline_id: alert.id,
    });
    expect(received?.generatorURL).toBe('http://sightline.test/slos/checkout-latency');
    expect(received?.status.state).toBe('active');
    expect(Date.parse(received!.startsAt)).toBe(t0);
    // Firing: valid for 4 re-send intervals (1 minute each) from the send.
    expect(Date.parse(received!.endsAt)).toBe(t0 + 4 * MIN);

    // A minute later the pipeline re-sends it (as Prometheus does), pushing endsAt on.
    clock.advance(MIN);
    expect(await app.alerts.dispatchDue()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    await eventually('the re-sent endsAt', async () => ((await activeAlerts()).some((a) => Date.parse(a.endsAt) === t0 + 5 * MIN) ? true : undefined));

    // The condition clears; after the 5-minute hold-down the resolution goes out with endsAt = when it cleared.
    const clearedAt = clock.now();
    await app.alerts.submit(resolveAlert(alert, clearedAt));
    clock.advance(5 * MIN);
    expect(await app.alerts.dispatchDue()).toEqual({ delivered: 2, retrying: 0, failed: 0 });
    await eventually('the alert to leave the active alerts', async () => ((await activeAlerts()).length === 0 ? true : undefined));
    const resolvedNote = await eventually('Alertmanager to notify its receiver of the resolution', async () =>
      (receiver.received as AlertmanagerWebhook[]).find((n) => n.status === 'resolved' && n.alerts.some((a) => a.labels.slo === 'checkout-latency')),
    );
    expect(resolvedNote.alerts[0]).toMatchObject({ status: 'resolved', labels: { alertname: 'SloErrorBudgetBurn', slo: 'checkout-latency' } });
    expect(Date.parse(resolvedNote.alerts[0]!.endsAt)).toBe(clearedAt);
    // It had told the receiver it fired first.
    expect((receiver.received as AlertmanagerWebhook[])[0]).toMatchObject({ status: 'firing' });
  });

});

describe('the Alertmanager sink without an Alertmanager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alertmanager-config-'));
  const t0 = Date.parse('2026-03-01T12:00:00Z');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shapes names Alertmanager would refuse: label names made valid, empty values left out', () => {
    const alert = createAlert({ source: 'anomaly', severity: 'warning', title: 'p95 anomalous', labels: { 'service.name': 'checkout', '9lives': 'x', empty: '' }, startsAt: t0 });
    const postable = toPostableAlert({ version: '1', status: 'firing', groupKey: 'anomaly/-', alert }, { now: t0 + MIN, resendIntervalMs: MIN, externalUrl: 'http://sightline.test' });
    expect(postable.labels).toEqual({ alertname: 'SeriesAnomaly', severity: 'warning', service_name: 'checkout', _9lives: 'x' });
    expect(postable.endsAt).toBe(new Date(t0 + 5 * MIN).toISOString());
    expect(postable.generatorURL).toBe(`http://sightline.test/anomalies?since=${t0 - 60 * MIN}`); // no series label: every series
  });

  it('fails a delivery Alertmanager does not accept, so the pipeline retries it', async () => {
    const refusing = await startWebhookReceiver();
    try {
      refusing.failNext(1);
      const sink = alertmanagerSink('am', refusing.url, { clock: new ManualClock(t0) });
      const alert = createAlert({ source: 'slo', severity: 'critical', title: 'checkout burning budget', labels: { slo: 'checkout-latency' }, startsAt: t0 });
      const notification = { version: '1', status: 'firing', groupKey: 'slo/-', alert } as const;
      await expect(sink.send(notification)).rejects.toThrow('alertmanager am answered 503');
      await sink.send(notification);
      expect(refusing.received).toEqual([[expect.objectContaining({ labels: { alertname: 'SloErrorBudgetBurn', severity: 'critical', slo: 'checkout-latency' }, endsAt: new Date(t0 + 4 * MIN).toISOString() })]]);
      expect(() => alertmanagerSink('am', refusing.url, { resendIntervalMs: 0 })).toThrow(expect.objectContaining({ code: 'ALERTMANAGER_INVALID' }));
    } finally {
      await refusing.close();
    }
  });

  it('reads Alertmanagers from the config file and the environment, and rejects a bad one with its path', () => {
    const file = join(dir, 'sightline.yml');
    writeFileSync(file, 'alerts:\n  alertmanagers: [{ url: "http://am.local:9093", resendInterval: 30s }]\n  resolveHoldDown: 10m\n  externalUrl: "https://sightline.example.com"\n  escalation: [{ channels: [log, alertmanager, alertmanager-2] }]\n');
    const config = loadConfig({ file, env: { SIGHTLINE_ALERTMANAGER_URL: 'http://am2.local:9093' } });
    expect(config.alerts.alertmanagers).toEqual([{ name: 'alertmanager', url: 'http://am.local:9093', resendIntervalMs: 30_000 }, { name: 'alertmanager-2', url: 'http://am2.local:9093' }]);
    expect(config.alerts.resolveHoldDownMs).toBe(10 * MIN);
    expect(config.alerts.externalUrl).toBe('https://sightline.example.com');
    expect(config.alerts.escalation?.[0]?.sinks).toEqual(['log', 'alertmanager', 'alertmanager-2']);

    writeFileSync(file, 'alerts:\n  alertmanagers: [{ url: "am.local:9093", port: 1 }, { name: log, url: "http://x" }]\n  resolveHoldDown: soon\n');
    let issues: { path: (string | number)[]; code: string }[] = [];
    try {
      loadConfig({ file, env: {} });
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      issues = (error as { issues: typeof issues }).issues;
    }
    expect(issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['alerts.alertmanagers.0.port', 'CONFIG_UNKNOWN_KEY'],
      ['alerts.alertmanagers.0.url', 'CONFIG_URL'],
      ['alerts.resolveHoldDown', 'CONFIG_DURATION'],
      ['alerts.alertmanagers.1.name', 'CONFIG_DUPLICATE'],
    ]);
  });
});
