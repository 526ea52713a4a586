import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { SightlineError } from '@sightline/core';
import { emptyStats } from '../faults/fault.js';
import type { ActiveFault } from '../faults/fault.js';

/**
 * Worker body, evaluated from a string so it runs from both `dist/` and sources under jest.
 * Each period it spins for `load × period` ms, then sleeps (Atomics.wait) for the rest.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { load, periodMs } = workerData;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let running = true;
parentPort.on('message', (m) => { if (m === 'stop') { running = false; } });
function cycle() {
  if (!running) { process.exit(0); }
  const start = Date.now();
  while (Date.now() - start < load * periodMs) {}
  const rest = periodMs - (Date.now() - start);
  if (rest > 0) Atomics.wait(sleeper, 0, 0, rest);
  setImmediate(cycle);
}
parentPort.postMessage('started');
cycle();
`;

/** Options for {@link startCpuStress}. */
export interface CpuStressOptions {
  /** Worker threads to run, each able to load one core (default 1). */
  readonly workers?: number;
  /** Target load per worker, ratio 0..1 (default 1). */
  readonly load?: number;
  /** Duty-cycle period, ms (default 100). */
  readonly periodMs?: number;
}

/** A running CPU stress; `workers()` is how many threads are still alive. */
export interface CpuStress extends ActiveFault {
  workers(): number;
}

/**
 * Loads CPU cores with worker threads spinning on a duty cycle, like Chaos Mesh's StressChaos
 * cpu stressor. Resolves once every worker runs.
 */
export async function startCpuStress(options: CpuStressOptions = {}): Promise<CpuStress> {
  const count = options.workers ?? 1;
  const load = options.load ?? 1;
  const periodMs = options.periodMs ?? 100;
  if (!Number.isInteger(count) || count < 1 || count > availableParallelism() * 4 || !(load > 0 && load <= 1) || !(periodMs >= 1)) {
    throw new SightlineError('CHAOS_FAULT_INVALID', `cpu stress needs 1..${availableParallelism() * 4} workers, load in (0, 1] and periodMs >= 1`, { workers: count, load, periodMs });
  }
  const alive = new Set<Worker>();
  const started = Array.from({ length: count }, async () => {
    // execArgv: [] so a parent started with --input-type=module does not make the CommonJS body an ES module.
    const worker = new Worker(WORKER_CODE, { eval: true, execArgv: [], workerData: { load, periodMs } });
    alive.add(worker);
    worker.once('exit', () => alive.delete(worker));
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
  });
  let active = true;
  const revert = async (): Promise<void> => {
    active = false;
    await Promise.all([...alive].map((w) => w.terminate()));
  };
  try {
    await Promise.all(started);
  } catch (error) {
    await revert();
    throw new SightlineError('CHAOS_FAULT_START', `cpu stress workers failed to start: ${(error as Error).message}`, {}, { cause: error });
  }
  return {
    description: `cpu stress ${count} worker(s) at ${Math.round(load * 100)}%`,
    get active() {
      return active;
    },
    stats: () => ({ ...emptyStats(), matched: count }),
    workers: () => alive.size,
    revert,
  };
}
