import { describe, expect, it } from '@jest/globals';
import { ManualClock, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('moves only when told to', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.advance(500)).toBe(1_500);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
  });

  it('refuses to go backwards and keeps the time it had', () => {
    const clock = new ManualClock(5_000);
    expect(() => clock.set(4_999)).toThrow(expect.objectContaining({ code: 'CLOCK_BACKWARDS' }));
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ code: 'CLOCK_BACKWARDS' }));
    expect(clock.now()).toBe(5_000);
  });

  it('rejects non-finite times', () => {
    expect(() => new ManualClock(Number.NaN)).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID_TIME' }));
    expect(() => new ManualClock().advance(Number.POSITIVE_INFINITY)).toThrow(expect.objectContaining({ code: 'CLOCK_BACKWARDS' }));
  });
});

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
