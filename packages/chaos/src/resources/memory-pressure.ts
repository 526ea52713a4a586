import { SightlineError } from '@sightline/core';
import { emptyStats } from '../faults/fault.js';
import type { ActiveFault } from '../faults/fault.js';

/** A running memory pressure; `heldBytes()` is what is currently allocated for it. */
export interface MemoryPressure extends ActiveFault {
  heldBytes(): number;
}

/**
 * Allocates `bytes` of memory and holds it until reverted. Buffers are filled, so pages are
 * really committed (an untouched allocation may cost no RSS). The memory is outside the JS heap,
 * so this pressures the process and machine, not V8's heap limit.
 */
export function startMemoryPressure(options: { bytes: number; chunkBytes?: number }): MemoryPressure {
  const chunk = options.chunkBytes ?? 16 * 1024 * 1024;
  if (!(Number.isInteger(options.bytes) && options.bytes > 0) || !(chunk > 0)) {
    throw new SightlineError('CHAOS_FAULT_INVALID', `memory pressure needs bytes > 0 (got ${options.bytes})`, { bytes: options.bytes });
  }
  let held: Buffer[] = [];
  let total = 0;
  while (total < options.bytes) {
    const size = Math.min(chunk, options.bytes - total);
    held.push(Buffer.alloc(size, 1));
    total += size;
  }
  return {
    description: `memory pressure ${options.bytes} bytes`,
    get active() {
      return held.length > 0;
    },
    stats: () => ({ ...emptyStats(), matched: 1 }),
    heldBytes: () => held.reduce((sum, b) => sum + b.length, 0),
    revert: async () => {
      // Dropping the references is the release; the GC returns the memory on its schedule.
      held = [];
    },
  };
}
