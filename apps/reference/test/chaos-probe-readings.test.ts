// Each steady-state probe of a chaos run against its tolerance (src/chaos/probe-readings.ts), as
// `GET /api/v1/chaos/runs/:id` answers it in `probes`: read from the stored experiment and journal.
import { describe, expect, it } from '@jest/globals';
import { validateExperiment, type ActivityRun, type Journal } from '@sightline/chaos';
import { probeReadings } from '../src/chaos/probe-readings.js';

const run = (name: string, phase: ActivityRun['phase'], output: unknown, extra: Partial<ActivityRun> = {}): ActivityRun => ({ name, type: 'probe', phase, start: 0, end: 5, durationMs: 5, status: 'succeeded', output, ...extra });

function journal(before: ActivityRun[], after?: ActivityRun[]): Journal {
  return {
    title: 't',
    status: after === undefined ? 'failed' : 'completed',
    start: 0,
    end: 10,
    durationMs: 10,
    steadyStateBefore: { met: before.every((p) => p.toleranceMet !== false && p.status === 'succeeded'), probes: before },
    ...(after === undefined ? {} : { steadyStateAfter: { met: true, probes: after } }),
    run: [],
    rollbacks: [],
    faults: [],
    weight: 1,
  };
}

const experiment = validateExperiment({
  title: 'checkout holds',
  steadyStateHypothesis: {
    title: 'healthy',
    probes: [
      { type: 'probe', name: 'api-fast', provider: { type: 'http', url: 'http://127.0.0.1:1/healthz', calls: 4, percentile: 99, maxLatencyMs: 150 } },
      { type: 'probe', name: 'api-200', provider: { type: 'http', url: 'http://127.0.0.1:1/healthz' }, tolerance: 200 },
      { type: 'probe', name: 'slo', provider: { type: 'function', name: 'slo:checkout' } },
      { type: 'probe', name: 'queue-depth', provider: { type: 'function', name: 'depth' }, tolerance: { type: 'range', path: 'queue.depth', range: [0, 100] } },
    ],
  },
  method: [{ type: 'action', name: 'noop', provider: { type: 'function', name: 'noop' } }],
});

describe('probeReadings', () => {
  it('gives each probe its tolerance in words and its measured values before and after, pass or fail', () => {
    const http = { ok: true, calls: 4, errors: 0, errorRatio: 0, statuses: [200, 200, 200, 200], latencyMs: 12.5, percentile: 99, status: 200, headers: {}, body: 'ok' };
    const slow = { ...http, ok: false, latencyMs: 312 };
    const slo = { budgetRemaining: -0.5, burnRates: { '5m': 20, '1h': 15.5 }, firing: true, ok: false, violations: ['burn-rate alert is firing'] };
    const readings = probeReadings(
      experiment,
      journal(
        [run('api-fast', 'steady-state-before', http, { toleranceMet: true }), run('api-200', 'steady-state-before', http, { toleranceMet: true }), run('slo', 'steady-state-before', slo, { toleranceMet: false }), run('queue-depth', 'steady-state-before', { queue: { depth: 250 } }, { toleranceMet: false })],
        [run('api-fast', 'steady-state-after', slow, { toleranceMet: false }), run('api-200', 'steady-state-after', undefined, { status: 'failed', error: { code: 'CHAOS_HTTP', message: 'connection refused' } })],
      ),
    );
    expect(readings.map((r) => [r.name, r.tolerance])).toEqual([
      ['api-fast', 'p99 latency ≤ 150 ms, no failed calls'],
      ['api-200', 'status = 200'],
      ['slo', 'error budget left ≥ 0%, page alert not firing'],
      ['queue-depth', 'queue.depth in [0, 100]'],
    ]);
    expect(readings[0]!.before).toEqual({ status: 'succeeded', met: true, values: [{ label: 'p99 latency', value: 12.5, unit: 'ms' }, { label: 'failed calls', value: '0 of 4' }, { label: 'status', value: 200 }] });
    expect(readings[0]!.after).toMatchObject({ met: false, values: [{ label: 'p99 latency', value: 312, unit: 'ms' }, { label: 'failed calls', value: '0 of 4' }, { label: 'status', value: 200 }] });
    expect(readings[1]!.after).toEqual({ status: 'failed', met: false, values: [], error: 'CHAOS_HTTP: connection refused' });
    expect(readings[2]!.before).toEqual({
      status: 'succeeded',
      met: false,
      values: [{ label: 'budget left', value: -0.5, unit: 'ratio' }, { label: 'burn 5m', value: 20, unit: 'x' }, { label: 'burn 1h', value: 15.5, unit: 'x' }, { label: 'page alert', value: 'firing' }],
    });
    // Probes that did not run in a phase (the after phase stopped early) have no measurement there.
    expect(readings[2]!.after).toBeUndefined();
    expect(readings[3]!.before).toEqual({ status: 'succeeded', met: false, values: [{ label: 'queue.depth', value: 250 }] });
  });

  it('has no readings without a steady-state hypothesis, and only tolerances while the run has no journal', () => {
    const bare = validateExperiment({ title: 'no hypothesis', method: [{ type: 'action', name: 'noop', provider: { type: 'function', name: 'noop' } }] });
    expect(probeReadings(bare, journal([]))).toEqual([]);
    expect(probeReadings(experiment, null).map((r) => Object.keys(r))).toEqual(Array(4).fill(['name', 'tolerance']));
  });
});
