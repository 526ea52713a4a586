import type { Clock } from '@sightline/core';
import { systemClock } from '@sightline/core';
import type { ActiveFault } from './fault.js';
import { emptyStats } from './fault.js';

/**
 * A clock that reads as `base` plus an injectable offset. Give it to code that takes a `Clock`
 * (every Sightline package does) and skew time without touching the system clock.
 */
export class SkewableClock implements Clock {
  readonly #base: Clock;
  #offsetMs = 0;

  constructor(base: Clock = systemClock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  /** Current skew, ms (negative = behind). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Skews the clock by `offsetMs` (added to any skew already in effect) until reverted. */
  skew(offsetMs: number): ActiveFault {
    this.#offsetMs += offsetMs;
    let active = true;
    return {
      description: `clock skew ${offsetMs >= 0 ? '+' : ''}${offsetMs} ms`,
      get active() {
        return active;
      },
      stats: emptyStats,
      revert: async () => {
        if (!active) return;
        active = false;
        this.#offsetMs -= offsetMs;
      },
    };
  }
}
