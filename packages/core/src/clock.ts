import { SightlineError } from './errors.js';

/**
 * A source of the current time, in epoch milliseconds. Every time-based rule in Sightline takes
 * a `Clock`, so tests move time with a {@link ManualClock} instead of sleeping.
 */
export interface Clock {
  /** Current time in milliseconds since the Unix epoch. */
  now(): number;
}

/** The real wall clock (`Date.now()`). */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/**
 * A clock that only moves when told to. Time never goes backwards: `advance` takes a
 * non-negative step and `set` refuses an earlier time (code `CLOCK_BACKWARDS`), because rules
 * built on a clock (rate limits, windows) assume monotonic time.
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.advance(parseDuration('5m'));
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(startMs = 0) {
    assertFiniteTime(startMs, 'ManualClock start');
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds (>= 0) and returns the new time. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new SightlineError('CLOCK_BACKWARDS', `ManualClock.advance(${ms}): the step must be a finite number of ms >= 0`, { ms });
    }
    this.#now += ms;
    return this.#now;
  }

  /** Sets the time to `epochMs`, which must not be earlier than the current time. */
  set(epochMs: number): void {
    assertFiniteTime(epochMs, 'ManualClock.set');
    if (epochMs < this.#now) {
      throw new SightlineError(
        'CLOCK_BACKWARDS',
        `ManualClock.set(${epochMs}): time may not go backwards (now is ${this.#now})`,
        { requested: epochMs, now: this.#now },
      );
    }
    this.#now = epochMs;
  }
}

function assertFiniteTime(ms: number, where: string): void {
  if (!Number.isFinite(ms)) {
    throw new SightlineError('CLOCK_INVALID_TIME', `${where}: ${ms} is not a finite epoch-ms time`, { value: ms });
  }
}
