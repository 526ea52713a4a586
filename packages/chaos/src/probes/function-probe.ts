import { realScheduler } from '../scheduler.js';
import type { Scheduler } from '../scheduler.js';
import { percentileOf } from './http-probe.js';

/** What a function probe saw over its calls. */
export interface FunctionProbeResult {
  readonly ok: boolean;
  readonly calls: number;
  readonly errors: number;
  readonly errorRatio: number;
  /** Latency at `percentile`, ms. */
  readonly latencyMs: number;
  readonly lastError?: string;
}

/**
 * Calls `fn` `calls` times and judges it: `ok` when the error ratio is at most `maxErrorRatio`
 * (default 0) and the percentile latency at most `maxLatencyMs` (default unbounded).
 */
export async function functionProbe(
  fn: () => unknown,
  options: { calls?: number; percentile?: number; maxErrorRatio?: number; maxLatencyMs?: number; scheduler?: Scheduler } = {},
): Promise<FunctionProbeResult> {
  const calls = options.calls ?? 1;
  const scheduler = options.scheduler ?? realScheduler;
  const latencies: number[] = [];
  let errors = 0;
  let lastError: string | undefined;
  for (let i = 0; i < calls; i += 1) {
    const start = scheduler.now();
    try {
      await fn();
    } catch (error) {
      errors += 1;
      lastError = (error as Error).message;
    }
    latencies.push(scheduler.now() - start);
  }
  const latencyMs = percentileOf(latencies, options.percentile ?? 95);
  const errorRatio = errors / calls;
  const ok = errorRatio <= (options.maxErrorRatio ?? 0) && (options.maxLatencyMs === undefined || latencyMs <= options.maxLatencyMs);
  return { ok, calls, errors, errorRatio, latencyMs, ...(lastError !== undefined ? { lastError } : {}) };
}
