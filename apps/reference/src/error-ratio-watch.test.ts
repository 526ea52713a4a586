import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { ErrorRatioWatch } from './error-ratio-watch.js';

describe('ErrorRatioWatch', () => {
  it('fires once when the ratio crosses the threshold and resolves after recovery', () => {
    const clock = new ManualClock(0);
    const watch = new ErrorRatioWatch({ service: 'checkout', clock, windowMs: 10_000, threshold: 0.1 });
    for (let i = 0; i < 10; i++) {
      watch.record(true);
      clock.advance(100);
    }
    expect(watch.check()).toBeUndefined();
    // 5 failures out of 15 in the window: 33% > 10%
    for (let i = 0; i < 5; i++) watch.record(false);
    const fired = watch.check();
    expect(fired?.status).toBe('firing');
    expect(watch.check()).toBeUndefined();
    // 11 s later the bad events have left the 10 s window
    clock.advance(11_000);
    watch.record(true);
    const resolved = watch.check();
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.fingerprint).toBe(fired?.fingerprint);
  });

  it('reports a zero error ratio, not NaN, without traffic', () => {
    const watch = new ErrorRatioWatch({ service: 'idle', clock: new ManualClock(0), windowMs: 1_000, threshold: 0.1 });
    expect(watch.errorRatio()).toBe(0);
  });
});
