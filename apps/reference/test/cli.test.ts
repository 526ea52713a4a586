import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, FileSink } from '@sightline/logging';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../src/app.js';
import { runCli } from '../src/cli/main.js';
import { upsertAnomaly } from '../src/storage/anomaly-store.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('sightline CLI against a running server', () => {
  let app: App;
  let url: string;

  beforeAll(async () => {
    app = await createApp({ storage: {}, log: () => undefined });
    url = await app.listen(0);
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
    const nanos = (ms: number) => `${ms}000000`;
    const now = Date.now();
    await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: [
        { traceId, spanId: '00f067aa0ba902b7', name: 'POST /orders', kind: 2, startTimeUnixNano: nanos(now), endTimeUnixNano: nanos(now + 40), status: { code: 2 } },
        { traceId, spanId: '00f067aa0ba902b8', parentSpanId: '00f067aa0ba902b7', name: 'charge card', kind: 3, startTimeUnixNano: nanos(now + 5), endTimeUnixNano: nanos(now + 30) },
      ] }] }] }),
    });
    await fetch(`${url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [
        { timeUnixNano: nanos(now), severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'payment declined' }, traceId },
        { timeUnixNano: nanos(now), severityNumber: 9, severityText: 'INFO', body: { stringValue: 'order received' } },
      ] }] }] }),
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('health exits 0 when the server is ready and prints each check', async () => {
    const result = await cli('health', '--url', url);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/storage\s+ok/);
  });

  it('logs filters by level and prints JSON with --format json', async () => {
    const result = await cli('logs', '--url', url, '--level', 'error', '--since', '1h', '--format', 'json');
    expect(result.code).toBe(0);
    const logs = JSON.parse(result.out) as { body: string; trace_id: string }[];
    expect(logs.map((l) => l.body)).toEqual(['payment declined']);
    expect(logs[0]?.trace_id).toBe(traceId);
  });

  it('log-stats counts by level and service', async () => {
    const result = await cli('log-stats', '--url', url, '--format', 'json');
    expect(JSON.parse(result.out)).toEqual({ total: 2, byLevel: { error: 1, info: 1 }, byService: { checkout: 2 } });
  });

  it('traces <id> prints the spans of one trace as a table, parent first', async () => {
    const result = await cli('traces', traceId, '--url', url);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toMatch(/^OFFSET_MS\s+DURATION_MS\s+SERVICE\s+NAME/);
    expect(lines[1]).toMatch(/^0\.0\s+40\.0\s+checkout\s+POST \/orders\s+ERROR/);
    expect(lines[2]).toMatch(/^5\.0\s+25\.0\s+checkout\s+charge card\s+ok/);
  });

  it('anomalies lists stored anomalies with the minimum severity filter', async () => {
    await upsertAnomaly(app.db, { seriesKey: 'sightline.request.error_ratio{service="checkout"}', detector: 'zscore', startsAt: Date.now() - 60_000, score: 0.9, severity: 'critical', value: 0.4, reason: 'error ratio 40% vs 1% expected', labels: { service: 'checkout' } });
    const table = await cli('anomalies', '--url', url, '--severity', 'error');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/critical\s+0\.90\s+sightline\.request\.error_ratio/);
    expect(JSON.parse((await cli('anomalies', '--url', url, '--severity', 'critical', '--format', 'json')).out)).toHaveLength(1);
    expect((await cli('anomalies', '--url', url, '--severity', 'loud')).code).toBe(1);
  });

  it('alerts prints (none) when nothing fired', async () => {
    expect((await cli('alerts', '--url', url)).out.trim()).toBe('(none)');
  });

  it('exits 1 with the API error for a trace that does not exist', async () => {
    const result = await cli('traces', 'f'.repeat(32), '--url', url);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/TRACE_NOT_FOUND/);
  });

  it('exits 2 on usage errors: unknown command, unknown option, bad format', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    const unknownOption = await cli('logs', '--colour', 'red');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.err).toMatch(/--colour/);
    expect((await cli('logs', '--format', 'xml', '--url', url)).code).toBe(2);
  });

  it('exits 3 when the server cannot be reached', async () => {
    const result = await cli('health', '--url', 'http://127.0.0.1:9');
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/cannot reach the Sightline server/);
  });

  it('has --help for the program and for every command', async () => {
    const main = await cli('--help');
    expect(main.code).toBe(0);
    for (const command of ['serve', 'health', 'logs', 'log-stats', 'alerts', 'anomalies', 'traces']) {
      expect(main.out).toContain(command);
      const help = await cli(command, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toContain(`sightline ${command}`);
    }
  });

  it('logs --file searches a @sightline/logging file with the same filters, without a server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-cli-logs-'));
    const file = join(dir, 'app.log');
    const logger = createLogger({ service: 'checkout', sinks: [new FileSink({ filename: file })] });
    logger.info('order placed', { orderId: 1 });
    logger.error('payment failed', { orderId: 2 });
    logger.warn('payment slow');
    await logger.close();
    const errors = await cli('logs', '--file', file, '--level', 'warn', '--format', 'json');
    expect(errors.code).toBe(0);
    expect((JSON.parse(errors.out) as { message: string }[]).map((r) => r.message)).toEqual(['payment failed', 'payment slow']);
    const text = await cli('logs', '--file', file, '--text', 'ORDER');
    expect(text.out).toContain('order placed');
    expect(text.out).not.toContain('payment');
    expect((await cli('logs', '--file', join(dir, 'missing.log'))).code).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });
});
