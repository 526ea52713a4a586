import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { codeOf } from '../../test/support/codes.js';
import { startCpuStress } from './cpu-stress.js';
import { diskStressFileSize, startDiskStress } from './disk-stress.js';
import { startEventLoopBlock } from './event-loop-block.js';
import { startMemoryPressure } from './memory-pressure.js';

describe('resource faults', () => {
  it('cpu stress runs the requested workers and ends them all on revert', async () => {
    const stress = await startCpuStress({ workers: 2, load: 0.5, periodMs: 20 });
    try {
      expect(stress.workers()).toBe(2);
      // The workers burn CPU (they count in process CPU time). On a busy shared machine they may
      // wait to be scheduled, so wait — up to 10 s — until 40 ms of CPU has been used: a lower
      // bound, never a timing upper bound.
      const before = process.cpuUsage();
      const burnt = () => process.cpuUsage(before).user + process.cpuUsage(before).system;
      const deadline = Date.now() + 10_000;
      while (burnt() <= 40_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(burnt()).toBeGreaterThan(40_000);
    } finally {
      await stress.revert(); // even when an assertion fails, or jest would wait on the workers forever
    }
    expect(stress.workers()).toBe(0);
    await expect(startCpuStress({ load: 2 })).rejects.toMatchObject({ code: 'CHAOS_FAULT_INVALID' });
  });

  it('memory pressure holds the target bytes and releases them', async () => {
    const pressure = startMemoryPressure({ bytes: 32 * 1024 * 1024, chunkBytes: 8 * 1024 * 1024 });
    expect(pressure.heldBytes()).toBe(32 * 1024 * 1024);
    await pressure.revert();
    expect(pressure.heldBytes()).toBe(0);
    expect(pressure.active).toBe(false);
    expect(codeOf(() => startMemoryPressure({ bytes: -1 }))).toBe('CHAOS_FAULT_INVALID');
  });

  it('event-loop block delays timers by at least the block time', async () => {
    const block = startEventLoopBlock({ blockMs: 60, everyMs: 10 });
    await new Promise((r) => setTimeout(r, 15));
    const start = performance.now();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
    const lag = performance.now() - start;
    await block.revert();
    expect(block.stats().matched).toBeGreaterThanOrEqual(1);
    expect(lag).toBeGreaterThanOrEqual(55);
  });

  it('disk stress writes within its cap and removes its directory', async () => {
    const stress = await startDiskStress({ maxBytes: 256 * 1024, blockBytes: 64 * 1024 });
    while (stress.bytesWritten() < 512 * 1024) await new Promise((r) => setTimeout(r, 5));
    expect(await diskStressFileSize(stress)).toBeLessThanOrEqual(256 * 1024);
    await stress.revert();
    expect(existsSync(stress.dir)).toBe(false);
  });
});
