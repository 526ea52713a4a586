import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration, toMilliseconds } from './duration.js';
import { SightlineError } from './errors.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 86_400_000 + 7_200_000 + 180_000 + 4_000 + 5],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['0s', 0],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '5M', '-5m', '1m1h', '1h1h', '5min', 'abc', '1h 30m', '1e3s'])(
    'rejects %j with DURATION_INVALID naming the string',
    (text) => {
      let caught: unknown;
      try {
        parseDuration(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SightlineError);
      expect((caught as SightlineError).code).toBe('DURATION_INVALID');
      expect((caught as SightlineError).message).toContain(JSON.stringify(text));
    },
  );

  it('rejects non-strings from untyped callers', () => {
    expect(() => parseDuration(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'DURATION_INVALID' }));
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [30 * 86_400_000, '4w2d'],
    [86_400_000 + 1, '1d1ms'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_001, 3_599_999, 86_400_000 * 400 + 17]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(expect.objectContaining({ code: 'DURATION_INVALID' }));
  });
});

describe('toMilliseconds', () => {
  it('accepts numbers and strings', () => {
    expect(toMilliseconds(1_500)).toBe(1_500);
    expect(toMilliseconds('2s')).toBe(2_000);
  });

  it('names the option in the error', () => {
    expect(() => toMilliseconds(-1, 'window')).toThrow(/window/);
  });
});
