import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@sightline/core';
import { createLogger, LOGGING_OPTIONS_INVALID, SINK_ERROR_EVENT, type SinkErrorEvent } from '../index.js';
import { FileSink } from './file-sink.js';

const START = Date.parse('2026-03-01T12:00:00.000Z');
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-file-sink-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function linesOf(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('FileSink', () => {
  it('appends one JSON line per call and creates the folder', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'nested', 'app.log');
    const sink = new FileSink({ filename });
    const logger = createLogger({ service: 'api', sinks: [sink], clock: new ManualClock(START) });
    logger.info('one', { n: 1 });
    logger.info('two', { n: 2 });
    await sink.flush();
    expect((await linesOf(filename)).map((l) => l.n)).toEqual([1, 2]);
    expect(sink.stats).toEqual({ written: 2, dropped: 0, failures: 0 });
    await logger.close();
  });

  it('delivers every line still buffered when the logger closes, and close is idempotent', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'app.log');
    const sink = new FileSink({ filename });
    const logger = createLogger({ service: 'api', sinks: [sink], clock: new ManualClock(START) });
    for (let i = 0; i < 1_000; i++) logger.info('burst', { i });
    await Promise.all([logger.close(), logger.close()]);
    const lines = await linesOf(filename);
    expect(lines).toHaveLength(1_000);
    expect(lines[999]!.i).toBe(999);
  });

  it('rotates before a line would push the file past maxBytes, keeping every line once and in order', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'app.log');
    const clock = new ManualClock(START);
    const sink = new FileSink({ filename, maxBytes: 300, clock });
    const logger = createLogger({ service: 'api', sinks: [sink], clock });
    for (let i = 0; i < 10; i++) {
      logger.info('request served', { i });
      clock.advance(1_000);
    }
    await sink.flush();
    const rotated = sink.rotatedFiles().reverse();
    expect(rotated.length).toBeGreaterThan(1);
    const all: number[] = [];
    for (const file of [...rotated.map((f) => f.path), filename]) {
      const text = await readFile(file, 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(300);
      for (const line of text.split('\n').filter((l) => l !== '')) all.push((JSON.parse(line) as { i: number }).i);
    }
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await logger.close();
  });

  it('rotates by age using the injected clock and names the file with the rotation time', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'app.log');
    const clock = new ManualClock(START);
    const sink = new FileSink({ filename, maxAge: '1h', clock });
    const logger = createLogger({ service: 'api', sinks: [sink], clock });
    logger.info('before');
    clock.advance(59 * 60_000);
    logger.info('still before');
    clock.advance(60_000);
    logger.info('after');
    await sink.flush();
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['app.log', 'app.2026-03-01T13-00-00-000Z.0.log']));
    expect((await linesOf(join(dir, 'app.2026-03-01T13-00-00-000Z.0.log'))).map((l) => l.message)).toEqual(['before', 'still before']);
    expect((await linesOf(filename)).map((l) => l.message)).toEqual(['after']);
    await logger.close();
  });

  it('keeps at most maxFiles rotated files, deleting the oldest', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'app.log');
    const clock = new ManualClock(START);
    const sink = new FileSink({ filename, maxFiles: 2, clock });
    const logger = createLogger({ service: 'api', sinks: [sink], clock });
    for (let i = 0; i < 5; i++) {
      logger.info('tick', { i });
      clock.advance(60_000);
      sink.rotate();
    }
    const rotated = sink.rotatedFiles();
    expect(rotated.map((f) => f.rotatedAt)).toEqual([START + 5 * 60_000, START + 4 * 60_000]);
    expect((await linesOf(rotated[1]!.path)).map((l) => l.i)).toEqual([3]);
    expect((await readdir(dir)).length).toBe(3);
    await logger.close();
  });

  it('deletes rotated files older than retainFor, by the injected clock', async () => {
    const dir = await tempDir();
    const filename = join(dir, 'app.log');
    const clock = new ManualClock(START);
    const sink = new FileSink({ filename, retainFor: '2d', maxFiles: 100, clock });
    const logger = createLogger({ service: 'api', sinks: [sink], clock });
    for (let day = 0; day < 5; day++) {
      logger.info('daily', { day });
      clock.advance(86_400_000);
      sink.rotate();
    }
    // Rotations at day 1..5; at day 5, those older than 2 days (day 1 and 2) are gone.
    expect(sink.rotatedFiles().map((f) => (f.rotatedAt - START) / 86_400_000)).toEqual([5, 4, 3]);
    await logger.close();
  });

  it('reports a failed write (disk full) through sink-error and a counter, and the call returns', async () => {
    const sink = new FileSink({ filename: '/dev/full' });
    const events: SinkErrorEvent[] = [];
    const logger = createLogger({ service: 'api', sinks: [sink] });
    logger.on(SINK_ERROR_EVENT, (event) => events.push(event));
    expect(() => logger.info('lost')).not.toThrow();
    await sink.flush();
    expect(events).toEqual([expect.objectContaining({ sink: 'file', records: 1, dropped: true })]);
    expect((events[0]!.error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(sink.stats).toEqual({ written: 0, dropped: 1, failures: 1 });
    await logger.close();
  });

  it('rejects invalid options with LOGGING_OPTIONS_INVALID', () => {
    expect(() => new FileSink({ filename: '', maxBytes: -1, maxAge: 'soon', maxFiles: 1.5 })).toThrow(
      expect.objectContaining({ code: LOGGING_OPTIONS_INVALID, issues: [expect.objectContaining({ path: ['filename'] }), expect.objectContaining({ path: ['maxBytes'] }), expect.objectContaining({ path: ['maxAge'] }), expect.objectContaining({ path: ['maxFiles'] })] }) as never,
    );
  });
});
