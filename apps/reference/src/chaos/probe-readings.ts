import type { ActivityRun, Experiment, Journal, Probe, Tolerance } from '@sightline/chaos';

/** One value a probe measured, with its unit (`ms`, `ratio` 0..1, `x` burn rate, or none). */
export interface ProbeValue {
  readonly label: string;
  readonly value: number | string | boolean | null;
  readonly unit?: 'ms' | 'ratio' | 'x';
}

/** What one steady-state probe measured in one phase, and whether that was within tolerance. */
export interface ProbeMeasurement {
  readonly status: 'succeeded' | 'failed';
  /** Within tolerance: the probe succeeded and its tolerance (or its `ok` output) held. */
  readonly met: boolean;
  readonly values: readonly ProbeValue[];
  /** Why the probe failed to run, when it did. */
  readonly error?: string;
}

/** A steady-state probe: its tolerance in words, and what it measured before and after the method. */
export interface ProbeReading {
  readonly name: string;
  readonly tolerance: string;
  readonly before?: ProbeMeasurement;
  readonly after?: ProbeMeasurement;
}

/**
 * The steady-state probes of a run, read from the experiment (its tolerances) and the journal
 * (each probe's output in the before and after phases): the numbers the verdict was judged on.
 * Probes are matched by position, as the runner runs them in order.
 */
export function probeReadings(experiment: Experiment | null, journal: Journal | null): ProbeReading[] {
  const probes = experiment?.steadyStateHypothesis?.probes ?? [];
  return probes.map((probe, i) => {
    const before = journal?.steadyStateBefore?.probes[i];
    const after = journal?.steadyStateAfter?.probes[i];
    return {
      name: probe.name,
      tolerance: describeTolerance(probe),
      ...(before === undefined ? {} : { before: measurement(probe, before) }),
      ...(after === undefined ? {} : { after: measurement(probe, after) }),
    };
  });
}

function measurement(probe: Probe, run: ActivityRun): ProbeMeasurement {
  return {
    status: run.status,
    met: run.status === 'succeeded' && run.toleranceMet !== false,
    values: run.status === 'succeeded' ? measuredValues(probe, run.output) : [],
    ...(run.error === undefined ? {} : { error: `${run.error.code}: ${run.error.message}` }),
  };
}

/** The tolerance as a reader checks it: `p95 latency ≤ 150 ms, no failed calls`, `status = 200`, ... */
function describeTolerance(probe: Probe): string {
  const t = probe.tolerance;
  const provider = probe.provider;
  if (t === undefined) {
    if (provider.type === 'http') {
      const latency = provider.maxLatencyMs === undefined ? '' : `p${provider.percentile ?? 95} latency ≤ ${provider.maxLatencyMs} ms, `;
      return `${latency}no failed calls${provider.expectStatus === undefined ? '' : ` (status ${provider.expectStatus.join(' or ')})`}`;
    }
    if (provider.type === 'function' && provider.name.startsWith('slo:')) return 'error budget left ≥ 0%, page alert not firing';
    return 'the probe succeeds (and its output\'s ok is true, when it has one)';
  }
  return toleranceText(t, provider.type === 'http' || provider.type === 'process');
}

function toleranceText(t: Tolerance, hasStatus: boolean): string {
  if (typeof t === 'number') return hasStatus ? `status = ${t}` : `= ${t}`;
  if (typeof t === 'boolean' || typeof t === 'string') return `= ${JSON.stringify(t)}`;
  if (Array.isArray(t)) {
    const list = t as readonly (boolean | number | string)[];
    if (hasStatus) return `status in ${list.join(', ')}`;
    if (list.length === 2 && typeof list[0] === 'number' && typeof list[1] === 'number') return `in [${list[0]}, ${list[1]}]`;
    return `one of ${list.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  const o = t as Exclude<Tolerance, boolean | number | string | readonly unknown[]>;
  switch (o.type) {
    case 'range':
      return `${o.path ?? o.target ?? 'output'} in [${o.range[0]}, ${o.range[1]}]`;
    case 'equals':
      return `${o.path} = ${JSON.stringify(o.value)}`;
    case 'regex':
      return `${o.target ?? 'output'} matches /${o.pattern}/`;
    case 'jsonpath':
      return `${o.target === undefined ? '' : `${o.target}: `}${o.path} ${o.expect !== undefined ? `= ${JSON.stringify(o.expect)}` : o.count !== undefined ? `matches ${o.count} times` : 'matches'}`;
    case 'probe':
      return `probe ${o.name} accepts the value`;
  }
}

/** The values the tolerance reads from `output`, then the usual measurements of known probe kinds. */
function measuredValues(probe: Probe, output: unknown): ProbeValue[] {
  const values: ProbeValue[] = [];
  const t = probe.tolerance;
  if (typeof t === 'object' && t !== null && !Array.isArray(t)) {
    const o = t as Exclude<Tolerance, boolean | number | string | readonly unknown[]>;
    if ((o.type === 'range' || o.type === 'equals') && o.path !== undefined) values.push({ label: o.path, value: scalar(readPath(output, o.path)) });
    else if ((o.type === 'range' || o.type === 'regex' || o.type === 'jsonpath') && o.target !== undefined && isRecord(output)) values.push({ label: o.target, value: scalar(output[o.target]) });
  }
  if (isRecord(output) && typeof output.latencyMs === 'number' && typeof output.calls === 'number') {
    // An HTTP probe's output (@sightline/chaos httpProbe).
    values.push({ label: `p${typeof output.percentile === 'number' ? output.percentile : 95} latency`, value: output.latencyMs, unit: 'ms' });
    values.push({ label: 'failed calls', value: `${typeof output.errors === 'number' ? output.errors : 0} of ${output.calls}` });
    if (typeof output.status === 'number') values.push({ label: 'status', value: output.status });
  } else if (isRecord(output) && typeof output.budgetRemaining === 'number' && isRecord(output.burnRates)) {
    // An SLO probe's output (@sightline/chaos sloProbe).
    values.push({ label: 'budget left', value: output.budgetRemaining, unit: 'ratio' });
    for (const [window, rate] of Object.entries(output.burnRates)) if (typeof rate === 'number') values.push({ label: `burn ${window}`, value: rate, unit: 'x' });
    if (typeof output.firing === 'boolean') values.push({ label: 'page alert', value: output.firing ? 'firing' : 'not firing' });
  } else if (isRecord(output) && 'status' in output && values.length === 0) {
    values.push({ label: 'status', value: scalar(output.status) });
  } else if (values.length === 0 && output !== undefined) {
    values.push({ label: 'output', value: scalar(output) });
  }
  return values;
}

/** A value as it can be shown in one cell: objects as JSON, cut at 120 characters. */
function scalar(value: unknown): number | string | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
