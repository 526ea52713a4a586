import type { FaultStats } from './faults/fault.js';
import type { ActivityRun, Journal } from './journal.js';

/** One finding, with the journal entries that show it. */
export interface Recommendation {
  readonly id: 'no-timeout' | 'retries-amplify-load' | 'no-circuit-breaker' | 'steady-state-not-held' | 'rollback-failed';
  readonly severity: 'critical' | 'warning' | 'info';
  readonly title: string;
  readonly advice: string;
  /** Where in which journal: `experiment`, `phase`, `activity`, and the numbers that matter. */
  readonly evidence: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Draws recommendations from journals. Rules (all from fault counters and probe timings):
 * - no-timeout: a probe under a delaying fault took at least the largest injected delay, so the
 *   caller waited it out instead of timing out earlier;
 * - retries-amplify-load: a failing dependency saw ≥ 2 calls per probe call made while it failed;
 * - no-circuit-breaker: calls kept reaching a dependency after 5 consecutive injected failures;
 * - steady-state-not-held: a probe went out of tolerance under faults;
 * - rollback-failed: a rollback or revert failed, so a fault may remain.
 */
export function recommend(journals: readonly Journal[]): Recommendation[] {
  const out: Recommendation[] = [];
  for (const journal of journals) {
    const faults = journal.faults.map((f) => ({ ...f, stats: f.stats as FaultStats }));
    const probes = [...journal.run, ...(journal.steadyStateAfter?.probes ?? [])].filter((r) => r.type === 'probe' && (r.activeFaults?.length ?? 0) > 0);
    for (const fault of faults) {
      const under = probes.filter((p) => p.activeFaults?.includes(fault.description));
      const delay = fault.stats.maxInjectedDelayMs;
      if (delay > 0) {
        const slow = under.filter((p) => observedLatency(p) >= delay);
        if (slow.length > 0) {
          out.push({
            id: 'no-timeout',
            severity: 'warning',
            title: `No timeout shorter than the injected delay on "${fault.description}"`,
            advice: 'Set a timeout on this dependency call below your latency objective, and fail fast or fall back when it expires.',
            evidence: slow.map((p) => ({ experiment: journal.title, phase: p.phase, activity: p.name, observedLatencyMs: observedLatency(p), injectedDelayMs: delay })),
          });
        }
      }
      const probeCalls = under.reduce((sum, p) => sum + callsOf(p), 0);
      if (fault.stats.injectedErrors > 0 && probeCalls > 0 && fault.stats.matched >= 2 * probeCalls) {
        out.push({
          id: 'retries-amplify-load',
          severity: 'warning',
          title: `Retries multiply load on "${fault.description}"`,
          advice: 'Cap retries (one, with jittered backoff), use a retry budget, and do not retry at several layers.',
          evidence: [{ experiment: journal.title, fault: fault.description, dependencyCalls: fault.stats.matched, probeCalls, amplification: fault.stats.matched / probeCalls }],
        });
      }
      if (fault.stats.callsAfterErrorStreak > 0) {
        out.push({
          id: 'no-circuit-breaker',
          severity: 'warning',
          title: `No circuit breaking in front of "${fault.description}"`,
          advice: 'Open a circuit breaker after consecutive failures so a failing dependency gets time to recover and callers fail fast.',
          evidence: [{ experiment: journal.title, fault: fault.description, callsAfterFiveConsecutiveFailures: fault.stats.callsAfterErrorStreak }],
        });
      }
    }
    const broken = (journal.steadyStateAfter?.probes ?? []).filter((p) => p.toleranceMet === false || p.status === 'failed');
    if (journal.status === 'deviated' && broken.length > 0) {
      out.push({
        id: 'steady-state-not-held',
        severity: 'critical',
        title: `"${journal.title}": steady state not held under faults`,
        advice: 'Make the service degrade gracefully under this fault (timeouts, fallbacks, caching, load shedding), then re-run.',
        evidence: broken.map((p) => ({ experiment: journal.title, phase: p.phase, activity: p.name, activeFaults: p.activeFaults ?? [], output: p.output ?? p.error })),
      });
    }
    const failedRollbacks = journal.rollbacks.filter((r) => r.status === 'failed');
    if (failedRollbacks.length > 0) {
      out.push({
        id: 'rollback-failed',
        severity: 'critical',
        title: `"${journal.title}": a rollback failed`,
        advice: 'Check the system by hand: a fault may still be in effect. Fix the rollback before the next run.',
        evidence: failedRollbacks.map((r) => ({ experiment: journal.title, phase: r.phase, activity: r.name, error: r.error })),
      });
    }
  }
  return out;
}

function observedLatency(run: ActivityRun): number {
  const output = run.output as { latencyMs?: unknown } | undefined;
  return typeof output?.latencyMs === 'number' ? output.latencyMs : run.durationMs;
}

function callsOf(run: ActivityRun): number {
  const output = run.output as { calls?: unknown } | undefined;
  return typeof output?.calls === 'number' ? output.calls : 1;
}
