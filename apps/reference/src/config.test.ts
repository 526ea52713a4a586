import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@sightline/core';
import { DEFAULT_CONFIG, loadConfig } from './config.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sightline-config-')), 'sightline.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('uses the defaults with no file and an empty environment', () => {
    expect(loadConfig({ env: {} })).toEqual(DEFAULT_CONFIG);
  });

  it('merges the file, then lets the environment win', () => {
    const path = file(`
server: { port: 9000, ingestConcurrency: 4 }
retention: { spans: 3d }
alerts:
  dispatchInterval: 10s
  webhooks: [{ name: ops, url: "http://hooks.local/ops" }]
`);
    const config = loadConfig({ file: path, env: { SIGHTLINE_PORT: '9100', DATABASE_URL: 'postgres://db/sightline' } });
    expect(config.server).toEqual({ ...DEFAULT_CONFIG.server, port: 9100, ingestConcurrency: 4 });
    expect(config.retention.spans).toBe(3 * 86_400_000);
    expect(config.alerts).toEqual({ dispatchIntervalMs: 10_000, webhooks: [{ name: 'ops', url: 'http://hooks.local/ops' }], alertmanagers: [], resolveHoldDownMs: 300_000 });
    expect(config.storage.databaseUrl).toBe('postgres://db/sightline');
  });

  it('reports every bad key and value with its path in one error', () => {
    const path = file(`
server: { port: 70000, colour: blue }
retention: { logs: forever }
alerts: { webhooks: [{ name: ops, url: "ftp://x" }, { name: ops, url: "http://y" }] }
extra: true
`);
    let caught: unknown;
    try {
      loadConfig({ file: path, env: { SIGHTLINE_PORT: 'abc' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['extra', 'CONFIG_UNKNOWN_KEY'],
      ['server.colour', 'CONFIG_UNKNOWN_KEY'],
      ['server.port', 'CONFIG_RANGE'],
      ['retention.logs', 'CONFIG_DURATION'],
      ['alerts.webhooks.0.url', 'CONFIG_URL'],
      ['env.SIGHTLINE_PORT', 'CONFIG_RANGE'],
      ['alerts.webhooks.1.name', 'CONFIG_DUPLICATE'],
    ]);
    expect(error.message).toContain(path);
  });

  it('reads channel formats, escalation, access and health, and reports their bad values by path', () => {
    const good = loadConfig({
      env: {},
      file: file(`
alerts:
  webhooks:
    - { name: chat, url: "http://hooks.local/slack", format: slack }
    - { name: pager, url: "http://events.local/v2/enqueue", format: pagerduty, routingKey: abc }
  escalation:
    - { after: 0s, channels: [log, chat] }
    - { after: 15m, channels: [pager] }
health: { aggregation: majority }
`),
    });
    expect(good.alerts.escalation).toEqual([{ afterMs: 0, sinks: ['log', 'chat'] }, { afterMs: 900_000, sinks: ['pager'] }]);
    expect(good.alerts.webhooks[1]).toEqual({ name: 'pager', url: 'http://events.local/v2/enqueue', format: 'pagerduty', routingKey: 'abc' });
    expect(good.health.aggregation).toBe('majority');
    try {
      loadConfig({
        env: {},
        file: file(`
alerts:
  webhooks: [{ name: pager, url: "http://x.local", format: pagerduty }]
  escalation: [{ after: 5m, channels: [teams] }]
access: { mode: token }
health: { aggregation: most }
`),
      });
      throw new Error('expected CONFIG_INVALID');
    } catch (error) {
      expect((error as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join('.'))).toEqual(['alerts.webhooks.0.routingKey', 'access.tokens', 'health.aggregation', 'alerts.escalation.0.channels']);
    }
  });

  it('names an unreadable file', () => {
    expect(() => loadConfig({ file: '/nonexistent/sightline.yaml', env: {} })).toThrow(/cannot read \/nonexistent\/sightline.yaml/);
  });
});
