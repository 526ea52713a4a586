import { SightlineError } from '@sightline/core';
import { emptyStats } from '../faults/fault.js';
import type { ActiveFault } from '../faults/fault.js';

/**
 * Blocks this process's event loop for `blockMs` every `everyMs` with a synchronous spin: every
 * timer, socket and request in the process waits, as under a slow synchronous call.
 */
export function startEventLoopBlock(options: { blockMs: number; everyMs: number }): ActiveFault {
  const { blockMs, everyMs } = options;
  if (!(blockMs > 0 && everyMs > 0)) throw new SightlineError('CHAOS_FAULT_INVALID', 'event-loop block needs blockMs > 0 and everyMs > 0', { blockMs, everyMs });
  const stats = emptyStats();
  const timer = setInterval(() => {
    const start = performance.now();
    while (performance.now() - start < blockMs) {
      // spin on purpose
    }
    stats.matched += 1;
    stats.injectedDelays += 1;
    stats.maxInjectedDelayMs = blockMs;
  }, everyMs);
  let active = true;
  return {
    description: `event-loop block ${blockMs} ms every ${everyMs} ms`,
    get active() {
      return active;
    },
    stats: () => ({ ...stats }),
    revert: async () => {
      active = false;
      clearInterval(timer);
    },
  };
}
