import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LOGGING_FILTER_INVALID } from './log-filter.js';
import { logStatistics, searchLogs } from './log-search.js';

const START = Date.parse('2026-03-01T00:00:00.000Z');
const LINES = 100_000;
const SERVICES = ['api', 'worker', 'billing'] as const;
const SPIKE_FROM = 50_000; // minute 500 is all errors
const SPIKE_TO = 50_100;

function uuidOf(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `3f2c1a9e-1b2c-4d5e-8f90-${hex}`;
}
function traceIdOf(i: number): string {
  return (i % 1000).toString(16).padStart(32, '0');
}
/** Line i of the generated file: one line every 600 ms, so 100 lines per minute over 1000 minutes. */
function recordAt(i: number): Record<string, unknown> {
  const spike = i >= SPIKE_FROM && i < SPIKE_TO;
  const level = spike || i % 10 === 0 ? 'error' : i % 10 === 5 ? 'warn' : 'info';
  let message: string;
  if (spike) message = `timeout after ${i % 1000} ms calling 0x${i.toString(16)}`;
  else if (level === 'error') message = Math.floor(i / 10) % 2 === 0 ? `payment ${i} failed for user "u-${i % 97}"` : `order ${uuidOf(i)} not found on 10.0.${i % 256}.7`;
  else if (level === 'warn') message = `slow query took ${i % 900} ms`;
  else message = `GET /orders/${i} 200 in ${i % 50}ms`;
  return {
    timestamp: new Date(START + i * 600).toISOString(),
    level,
    message,
    service: SERVICES[i % 3],
    trace_id: traceIdOf(i),
    span_id: i.toString(16).padStart(16, '0'),
    http: { status: i % 10 === 0 ? 500 : 200 },
  };
}

let dir = '';
let file = '';
let billingWarnOrWorse = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sightline-search-'));
  file = join(dir, 'app.log');
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    if (i % 25_000 === 0) lines.push(`garbage line ${i}`, '');
    const record = recordAt(i);
    if (record.service === 'billing' && record.level !== 'info') billingWarnOrWorse++;
    lines.push(JSON.stringify(record));
  }
  await writeFile(file, `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('searchLogs on a 100k-line file', () => {
  it('filters by trace id', async () => {
    const found = await collect(searchLogs(file, { traceId: traceIdOf(7) }));
    // i = 7, 1007, 2007, … 99007: one line per thousand.
    expect(found).toHaveLength(100);
    expect(found.every((r) => r.trace_id === traceIdOf(7))).toBe(true);
    expect(found[1]!.span_id).toBe((1007).toString(16).padStart(16, '0'));
  });

  it('filters by level and time range together (from inclusive, to exclusive)', async () => {
    const found = await collect(searchLogs(file, { level: 'error', from: START + 10 * 60_000, to: new Date(START + 20 * 60_000) }));
    // Minutes 10..19 hold lines 1000..1999; every tenth is an error.
    expect(found).toHaveLength(100);
    expect(found[0]!.timestamp).toBe(new Date(START + 1000 * 600).toISOString());
  });

  it('filters by service and minimum level', async () => {
    const found = await collect(searchLogs(file, { service: 'billing', minLevel: 'warn' }));
    expect(found).toHaveLength(billingWarnOrWorse);
    expect(found.every((r) => r.service === 'billing' && r.level !== 'info')).toBe(true);
  });

  it('filters by nested field equality and by message text, case-insensitively', async () => {
    expect(await collect(searchLogs(file, { fields: { 'http.status': 500 } }))).toHaveLength(LINES / 10);
    // warn lines: i % 10 === 5, except the 10 of them inside the spike minute.
    expect(await collect(searchLogs(file, { text: 'SLOW QUERY' }))).toHaveLength(LINES / 10 - 10);
  });

  it('reads a Readable stream and an async iterable of lines as well as a path', async () => {
    const lines = [JSON.stringify(recordAt(0)), 'not json', JSON.stringify(recordAt(1))];
    const fromStream = await collect(searchLogs(Readable.from([`${lines.join('\n')}\n`]), {}));
    async function* iterable() {
      yield* lines;
    }
    const fromIterable = await collect(searchLogs(iterable(), { level: 'info' }));
    expect(fromStream.map((r) => r.message)).toEqual([recordAt(0).message, recordAt(1).message]);
    expect(fromIterable.map((r) => r.message)).toEqual([recordAt(1).message]);
  });

  it('rejects an invalid filter with LOGGING_FILTER_INVALID, listing every problem', async () => {
    await expect(collect(searchLogs(file, { level: 'loud' as never, from: 'yesterday', to: 5 }))).rejects.toMatchObject({
      code: LOGGING_FILTER_INVALID,
      issues: [expect.objectContaining({ path: ['level'] }), expect.objectContaining({ path: ['from'] })],
    });
  });
});

describe('logStatistics on a 100k-line file', () => {
  it('counts by level and service, groups errors by template and computes the error rate per minute', async () => {
    const stats = await logStatistics(file, { top: 5 });
    expect(stats.total).toBe(LINES);
    expect(stats.invalidLines).toBe(4);
    // The spike minute turns its 10 warn and 80 info lines into errors.
    expect(stats.byLevel).toEqual({ error: 10_000 + 90, warn: 10_000 - 10, info: 80_000 - 80 });
    expect(stats.byService).toEqual({ api: 33_334, worker: 33_333, billing: 33_333 });
    // 10,000 error lines at i % 10 === 0, minus 10 inside the spike, split evenly by floor(i / 10) parity.
    expect(stats.topErrors.map((g) => [g.template, g.count])).toEqual([
      ['order <uuid> not found on <ip>', 4_995],
      ['payment <num> failed for user <str>', 4_995],
      ['timeout after <num> ms calling <hex>', 100],
    ]);
    expect(stats.topErrors[2]!.example).toBe(`timeout after 0 ms calling 0x${SPIKE_FROM.toString(16)}`);
    expect(stats.errorRatePerMinute).toHaveLength(1_000);
    expect(stats.errorRatePerMinute[0]).toEqual({ minute: '2026-03-01T00:00:00.000Z', total: 100, errors: 10, rate: 0.1 });
    expect(stats.errorRatePerMinute[500]).toEqual({ minute: new Date(START + 500 * 60_000).toISOString(), total: 100, errors: 100, rate: 1 });
  });

  it('applies a filter before counting', async () => {
    const stats = await logStatistics(file, { filter: { service: 'api', from: START, to: START + 60_000 } });
    // Minute 0 is lines 0..99; api is i % 3 === 0: 0, 3, … 99 → 34 lines, errors at i % 30 === 0 → 4.
    expect(stats.total).toBe(34);
    expect(stats.byLevel.error).toBe(4);
    expect(stats.errorRatePerMinute).toEqual([{ minute: '2026-03-01T00:00:00.000Z', total: 34, errors: 4, rate: 4 / 34 }]);
  });
});
