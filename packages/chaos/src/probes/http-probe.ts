import { SightlineError } from '@sightline/core';
import { realScheduler } from '../scheduler.js';
import type { Scheduler } from '../scheduler.js';

/** Options for {@link httpProbe}. */
export interface HttpProbeOptions {
  readonly url: string;
  readonly method?: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Chaos Toolkit `arguments`: query parameters for GET; otherwise the body, as JSON when the
   * `content-type` header says JSON, else form-encoded.
   */
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Chaos Toolkit timeout per call, seconds, or `[connect, read]` seconds (bounded by their sum); overrides `timeoutMs`. */
  readonly timeout?: number | readonly [number, number];
  /** Retries of a call that fails to connect or times out (Chaos Toolkit `max_retries`, default 0). */
  readonly retries?: number;
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
  /** The last call's status (0 when it failed to connect or timed out), as Chaos Toolkit reports it. */
  readonly status: number;
  /** The last call's response headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** The last call's body: parsed when the response is JSON, text otherwise (`null` if the call failed). */
  readonly body: unknown;
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
  const { url, init } = buildRequest(options);
  const timeoutMs = options.timeout === undefined ? (options.timeoutMs ?? 5000) : (typeof options.timeout === 'number' ? options.timeout : options.timeout[0] + options.timeout[1]) * 1000;
  let headers: Record<string, string> = {};
  let body: unknown = null;
  const latencies: number[] = [];
  const statuses: number[] = [];
  let errors = 0;
  for (let i = 0; i < calls; i += 1) {
    const started = scheduler.now();
    try {
      const response = await fetchWithRetries(doFetch, url, init, timeoutMs, options.retries ?? 0);
      const text = await response.text();
      statuses.push(response.status);
      headers = Object.fromEntries(response.headers.entries());
      body = parseBody(text, response.headers.get('content-type'));
      const expected = options.expectStatus ? options.expectStatus.includes(response.status) : response.status >= 200 && response.status < 300;
      if (!expected) errors += 1;
    } catch {
      // A failed call is data for the verdict, not an error of the probe itself.
      statuses.push(0);
      errors += 1;
      headers = {};
      body = null;
    }
    latencies.push(scheduler.now() - started);
  }
  const latencyMs = percentileOf(latencies, percentile);
  const withinLatency = options.maxLatencyMs === undefined || latencyMs <= options.maxLatencyMs;
  return { ok: errors === 0 && withinLatency, calls, errors, errorRatio: errors / calls, statuses, latencyMs, percentile, status: statuses[statuses.length - 1] ?? 0, headers, body };
}

async function fetchWithRetries(doFetch: typeof fetch, url: string, init: RequestInit, timeoutMs: number, retries: number): Promise<Response> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // Only a call that got no response is retried; a response of any status is an answer.
      if (attempt >= retries) throw error;
    }
  }
}

function buildRequest(options: HttpProbeOptions): { url: string; init: RequestInit } {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = { ...(options.headers ?? {}) };
  const args = options.arguments;
  if (args === undefined) return { url: options.url, init: { method, headers } };
  if (method === 'GET') {
    const url = new URL(options.url);
    for (const [key, value] of Object.entries(args)) for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
    return { url: url.toString(), init: { method, headers } };
  }
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (/json/i.test(contentType)) return { url: options.url, init: { method, headers, body: JSON.stringify(args) } };
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) for (const v of Array.isArray(value) ? value : [value]) form.append(key, String(v));
  return { url: options.url, init: { method, headers, body: form } };
}

function parseBody(text: string, contentType: string | null): unknown {
  if (contentType !== null && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Nearest-rank percentile (p in (0,100]) of a non-empty sample. */
export function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}
