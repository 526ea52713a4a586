import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SightlineError } from '@sightline/core';
import { emptyStats } from '../faults/fault.js';
import type { ActiveFault } from '../faults/fault.js';

/** A running disk stress. */
export interface DiskStress extends ActiveFault {
  /** The temp directory written to (removed on revert). */
  readonly dir: string;
  /** Bytes written so far (the file never grows beyond `maxBytes`). */
  bytesWritten(): number;
}

/**
 * Writes and fsyncs a file in a fresh temp dir in a loop, never beyond `maxBytes` on disk
 * (it wraps around and rewrites), so I/O is busy but the disk cannot fill. Revert stops the loop
 * and deletes the directory.
 */
export async function startDiskStress(options: { maxBytes: number; blockBytes?: number; parentDir?: string }): Promise<DiskStress> {
  const block = options.blockBytes ?? 1024 * 1024;
  if (!(options.maxBytes > 0) || !(block > 0) || block > options.maxBytes) {
    throw new SightlineError('CHAOS_FAULT_INVALID', 'disk stress needs maxBytes > 0 and 0 < blockBytes <= maxBytes', { maxBytes: options.maxBytes, blockBytes: block });
  }
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'sightline-chaos-disk-'));
  const file = await open(join(dir, 'stress.bin'), 'w');
  const data = Buffer.alloc(block, 7);
  let written = 0;
  let running = true;
  const stats = emptyStats();
  const loop = (async () => {
    let offset = 0;
    while (running) {
      await file.write(data, 0, block, offset);
      await file.sync();
      written += block;
      stats.matched += 1;
      offset = offset + 2 * block > options.maxBytes ? 0 : offset + block;
    }
  })();
  return {
    dir,
    description: `disk stress in ${dir} capped at ${options.maxBytes} bytes`,
    get active() {
      return running;
    },
    stats: () => ({ ...stats }),
    bytesWritten: () => written,
    revert: async () => {
      if (!running) return;
      running = false;
      await loop.catch(() => undefined);
      await file.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Size of the stress file, bytes (for checking the cap). */
export async function diskStressFileSize(stress: DiskStress): Promise<number> {
  return (await stat(join(stress.dir, 'stress.bin'))).size;
}
