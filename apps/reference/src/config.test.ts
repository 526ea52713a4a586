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
    expect(config.alerts).toEqual({ dispatchIntervalMs: 10_000, webhooks: [{ name: 'ops', url: 'http://hooks.local/ops' }] });
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

  it('names an unreadable file', () => {
    expect(() => loadConfig({ file: '/nonexistent/sightline.yaml', env: {} })).toThrow(/cannot read \/nonexistent\/sightline.yaml/);
  });
});
