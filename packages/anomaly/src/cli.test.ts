import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = (args: string[], input: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args], { input, encoding: 'utf8' });

describe('sightline-anomaly CLI', () => {
  it('writes one score per point, skipping a header', () => {
    const lines = ['timestamp,value', ...Array.from({ length: 12 }, (_, i) => `${i * 60_000},${i === 11 ? 50 : 10 + (i % 2)}`)];
    const result = cli(['--detector', 'iqr', '--window', '8'], lines.join('\n'));
    expect(result.status).toBe(0);
    const scores = result.stdout.trim().split('\n').map(Number);
    expect(scores).toHaveLength(12);
    expect(scores.slice(0, 8).every((s) => s === 0)).toBe(true);
    expect(scores[11]).toBeGreaterThan(0.5);
  });

  it('prints whole results with --format json and accepts ISO times', () => {
    const result = cli(['--detector', 'threshold', '--max', '5', '--format', 'json'], '2026-01-01T00:00:00Z,7\n');
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ timestamp: Date.parse('2026-01-01T00:00:00Z'), anomalous: true, reason: 'value 7 is above the limit 5' }));
  });

  it('exits 1 naming the line of a refused point, and 2 on usage errors', () => {
    const refused = cli([], '1,1\n2,x\n');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/line 2: .*not a finite number/);
    expect(cli(['--detector', 'prophet'], '').status).toBe(2);
    expect(cli(['--bogus'], '').status).toBe(2);
  });
});
