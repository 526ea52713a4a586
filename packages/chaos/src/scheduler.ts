import type { Clock } from '@sightline/core';

/**
 * Time for the runner and the faults: what time it is and how to wait. Injected so that tests
 * run an experiment with minutes of pauses in milliseconds of real time.
 */
export interface Scheduler extends Clock {
  /** Resolves after `ms` milliseconds, or rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real scheduler: `Date.now()` and `setTimeout`. */
export const realScheduler: Scheduler = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
});

/**
 * A scheduler whose time jumps instead of passing: `sleep(ms)` advances the virtual clock by `ms`
 * and resolves on the next microtask. Pauses of "5m" cost nothing in tests; ordering is kept.
 */
export class VirtualScheduler implements Scheduler {
  #now: number;

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves virtual time forward by `ms` (used by tests to simulate time spent elsewhere). */
  advance(ms: number): void {
    this.#now += Math.max(0, ms);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    await Promise.resolve();
    if (signal?.aborted) throw signal.reason;
    this.#now += Math.max(0, ms);
  }
}
