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

  it('scores every point of a real export with repeated, late, blank and NaN rows, exits 0 and says what it merged and skipped', () => {
    // As exporters write it: CRLF, quoted fields, a repeated timestamp, a row that arrives late,
    // a blank value and a NaN. 40 clean minutes first so the detector is past its warm-up.
    const clean = Array.from({ length: 40 }, (_, i) => `${i * 60_000},${10 + (i % 3)}`);
    const quirks = ['2400000,11', '2400000,13', '2340000,99', '"2460000",""', '2520000,NaN', '2580000,"500"'];
    const result = cli([], ['time,cpu', ...clean, ...quirks].join('\r\n'));
    expect(result.status).toBe(0);
    const scores = result.stdout.trim().split('\n').map(Number);
    // 46 rows: 40 clean + 2400000 (two rows merged) + 2580000 = 42 points
    expect(scores).toHaveLength(42);
    expect(scores.every((s) => s >= 0 && s < 1)).toBe(true);
    expect(scores[41]).toBeGreaterThan(0.9); // 500 after 10..12
    expect(result.stderr).toBe(
      'sightline-anomaly: 46 rows read, 42 points scored; 1 row with a repeated timestamp merged (mean), 1 row older than the previous point skipped, 2 rows with a blank or non-numeric value skipped\n',
    );
  });

  it('merges duplicates by --duplicates and scores a counter\'s rate across a reset with --counter', () => {
    const rows = ['t,requests_total', '0,100', '60000,160', '60000,170', '120000,230', '180000,20', '240000,80'];
    const result = cli(['--detector', 'threshold', '--max', '2', '--counter', '--duplicates', 'last', '--format', 'json'], rows.join('\n'));
    expect(result.status).toBe(0);
    // last of 160/170 = 170: rates (170-100)/60, (230-170)/60 = 1, reset: 20/60, (80-20)/60 = 1
    expect(result.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { value: number }).value)).toEqual([70 / 60, 1, 20 / 60, 1]);
    expect(result.stderr).toMatch(/6 rows read, 4 points scored; 1 row with a repeated timestamp merged \(last\), 1 counter reset/);
  });

  it('with --once reports a lasting excursion as one event, and --likelihood writes likelihoods', () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${i * 60_000},${(i >= 60 && i < 70 ? 80 : 10) + (i % 3)}`);
    const once = cli(['--detector', 'threshold', '--max', '50', '--once', '--reset-after', '5', '--format', 'json'], rows.join('\n'));
    expect(once.status).toBe(0);
    const results = once.stdout.trim().split('\n').map((l) => JSON.parse(l) as { anomalous: boolean; reason: string });
    // the threshold flags all 10 rows of the excursion; only the first is an event
    expect(results.filter((r) => r.anomalous)).toHaveLength(1);
    expect(results.filter((r) => r.reason.startsWith('held back'))).toHaveLength(9);
    expect(once.stderr).toMatch(/; 1 event, 9 repeated flags held back\n$/);
    const chance = cli(['--likelihood'], rows.join('\n'));
    const likelihoods = chance.stdout.trim().split('\n').map(Number);
    expect(likelihoods).toHaveLength(120);
    expect(likelihoods.every((l) => l >= 0 && l <= 1)).toBe(true);
    expect(cli(['--reset-after', '3'], '').status).toBe(2);
  });

  it('with --strict exits 1 naming the line of a refused point; exits 2 on usage errors', () => {
    const refused = cli(['--strict'], '1,1\n2,x\n');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/line 2: .*not a finite number/);
    const duplicate = cli(['--strict'], '1,1\n1,2\n');
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toMatch(/line 2: .*duplicates the last accepted point/);
    expect(cli([], '1,1\n2,x\n').status).toBe(0);
    expect(cli(['--detector', 'prophet'], '').status).toBe(2);
    expect(cli(['--duplicates', 'median'], '').status).toBe(2);
    expect(cli(['--strict', '--counter'], '').status).toBe(2);
    expect(cli(['--bogus'], '').status).toBe(2);
  });
});
