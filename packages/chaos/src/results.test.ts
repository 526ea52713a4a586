import { describe, expect, it } from '@jest/globals';
import type { ActivityRun, Journal } from './journal.js';
import { recommend } from './recommendations.js';
import { resilienceScore } from './resilience-score.js';

function probe(name: string, toleranceMet: boolean, extra: Partial<ActivityRun> = {}): ActivityRun {
  return { name, type: 'probe', phase: 'steady-state-after', start: 0, end: 10, durationMs: 10, status: 'succeeded', toleranceMet, ...extra };
}

function journal(title: string, status: Journal['status'], extra: Partial<Journal> = {}): Journal {
  return { title, status, start: 0, end: 1, durationMs: 1, run: [], rollbacks: [], faults: [], weight: 1, ...extra };
}

describe('resilienceScore', () => {
  it('scores completed 1, deviated half the held share, aborted 0, and skips failed', () => {
    const result = resilienceScore([
      journal('a', 'completed', { weight: 2 }),
      journal('b', 'deviated', { steadyStateAfter: { met: false, probes: [probe('p1', true), probe('p2', false)] } }),
      journal('c', 'aborted'),
      journal('d', 'failed'),
    ]);
    // (2×1 + 1×0.25 + 1×0) / (2 + 1 + 1) × 100 = 56.25
    expect(result.score).toBe(56.25);
    expect(result.experiments.map((e) => e.points)).toEqual([1, 0.25, 0, null]);
    expect(resilienceScore([journal('x', 'failed')]).score).toBeNull();
  });
});

describe('recommend', () => {
  it('points at the evidence for missing timeouts, retry amplification and missing circuit breaking', () => {
    const fault = 'fault on method query';
    const recs = recommend([
      journal('db faults', 'deviated', {
        steadyStateAfter: { met: false, probes: [probe('checkout-slo', false, { activeFaults: [fault], output: { latencyMs: 950, calls: 5 } })] },
        faults: [{ description: fault, activity: 'break-db', stats: { matched: 15, injectedErrors: 12, injectedDelays: 15, callsAfterErrorStreak: 4, maxInjectedDelayMs: 900 } }],
        rollbacks: [{ name: 'revert', type: 'rollback', phase: 'rollbacks', start: 0, end: 0, durationMs: 0, status: 'failed', error: { code: 'X', message: 'stuck' } }],
      }),
    ]);
    expect(recs.map((r) => r.id)).toEqual(['no-timeout', 'retries-amplify-load', 'no-circuit-breaker', 'steady-state-not-held', 'rollback-failed']);
    expect(recs[0]?.evidence[0]).toMatchObject({ activity: 'checkout-slo', observedLatencyMs: 950, injectedDelayMs: 900 });
    expect(recs[1]?.evidence[0]).toMatchObject({ dependencyCalls: 15, probeCalls: 5, amplification: 3 });
  });

  it('says nothing when probes were faster than the delay and calls were not amplified', () => {
    const fault = 'latency';
    expect(
      recommend([
        journal('ok', 'completed', {
          steadyStateAfter: { met: true, probes: [probe('p', true, { activeFaults: [fault], output: { latencyMs: 100, calls: 10 } })] },
          faults: [{ description: fault, activity: 'a', stats: { matched: 10, injectedErrors: 0, injectedDelays: 10, callsAfterErrorStreak: 0, maxInjectedDelayMs: 500 } }],
        }),
      ]),
    ).toEqual([]);
  });
});
