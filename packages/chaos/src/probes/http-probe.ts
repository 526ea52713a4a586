import { SightlineError } from '@sightline/core';
import { realScheduler } from '../scheduler.js';
import type { Scheduler } from '../scheduler.js';

/** Options for {@link httpProbe}. */
export interface HttpProbeOptions {
  readonly url: string;
  readonly method?: string;
  /** Number of sequential calls (default 1). */
  readonly calls?: number;
  /** Latency percentile reported and judged, 0..100 (default 95). */
  readonly percentile?: number;
  /** Per-call timeout, ms (default 5000); a timed-out call counts as an error. */
  readonly timeoutMs?: number;
  /** Statuses that count as success (default any 2xx). */
  readonly expectStatus?: readonly number[];
  /** The probe is `ok` only if the percentile latency is at most this, ms. */
  readonly maxLatencyMs?: number;
  /** The fetch to use (default the global one, so fetch faults apply). */
  readonly fetch?: typeof fetch;
  readonly scheduler?: Scheduler;
}

/** What an HTTP probe saw. `latencyMs` is the configured percentile over all calls, ms. */
export interface HttpProbeResult {
  readonly ok: boolean;
  readonly calls: number;
  readonly errors: number;
  /** Fraction 0..1 of calls that failed or had an unexpected status. */
  readonly errorRatio: number;
  readonly statuses: readonly number[];
  readonly latencyMs: number;
  readonly percentile: number;
}

/**
 * Calls a URL `calls` times and reports status and latency percentile; `ok` means every call
 * had an expected status and the percentile latency is within `maxLatencyMs`.
 */
export async function httpProbe(options: HttpProbeOptions): Promise<HttpProbeResult> {
  const calls = options.calls ?? 1;
  const percentile = options.percentile ?? 95;
  if (!Number.isInteger(calls) || calls < 1 || !(percentile > 0 && percentile <= 100)) {
    throw new SightlineError('CHAOS_PROBE_INVALID', `httpProbe: calls must be an integer >= 1 and percentile in (0, 100] (got ${calls}, ${percentile})`, { calls, percentile });
  }
  const doFetch = options.fetch ?? fetch;
  const scheduler = options.scheduler ?? realScheduler;
  const latencies: number[] = [];
  const statuses: number[] = [];
  let errors = 0;
  for (let i = 0; i < calls; i += 1) {
    const started = scheduler.now();
    try {
      const response = await doFetch(options.url, { method: options.method ?? 'GET', signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      await response.arrayBuffer();
      statuses.push(response.status);
      const expected = options.expectStatus ? options.expectStatus.includes(response.status) : response.status >= 200 && response.status < 300;
      if (!expected) errors += 1;
    } catch {
      // A failed call is data for the verdict, not an error of the probe itself.
      statuses.push(0);
      errors += 1;
    }
    latencies.push(scheduler.now() - started);
  }
  const latencyMs = percentileOf(latencies, percentile);
  const withinLatency = options.maxLatencyMs === undefined || latencyMs <= options.maxLatencyMs;
  return { ok: errors === 0 && withinLatency, calls, errors, errorRatio: errors / calls, statuses, latencyMs, percentile };
}

/** Nearest-rank percentile (p in (0,100]) of a non-empty sample. */
export function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}
