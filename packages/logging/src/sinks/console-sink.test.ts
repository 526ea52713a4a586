import { describe, it, expect } from '@jest/globals';
import { Writable } from 'node:stream';
import { ManualClock } from '@sightline/core';
import { createLogger } from '../index.js';
import { ConsoleSink } from './console-sink.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));

describe('ConsoleSink', () => {
  it('writes JSON lines when the stream is not a terminal', () => {
    const stream = new Capture(false);
    createLogger({ service: 'api', sinks: [new ConsoleSink({ stream })], clock }).info('ready', { port: 8080 });
    expect(JSON.parse(stream.text)).toEqual({ timestamp: '2026-03-01T12:00:00.000Z', level: 'info', message: 'ready', service: 'api', port: 8080 });
    expect(stream.text.endsWith('\n')).toBe(true);
  });

  it('writes pretty, coloured lines in a terminal, with the redacted fields', () => {
    const stream = new Capture(true);
    createLogger({ service: 'api', sinks: [new ConsoleSink({ stream })], clock }).warn('login', { user: 'ada', password: 'x' });
    const plain = stream.text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
    expect(plain).toBe('12:00:00.000 WARN  api login user=ada password=[REDACTED]\n');
    expect(stream.text).toContain('\x1b[33m');
  });
});
