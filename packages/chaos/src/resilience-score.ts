import type { Journal } from './journal.js';

/** A suite's score: 0..100, or `null` when no experiment was conclusive. */
export interface ResilienceScore {
  readonly score: number | null;
  readonly experiments: readonly { readonly title: string; readonly status: Journal['status']; readonly weight: number; readonly points: number | null }[];
}

/**
 * Scores a suite of runs. Per experiment, points are
 * `completed` → 1; `deviated` → 0.5 × (share of steady-state probes that still held);
 * `aborted` (a stop condition or time limit tripped) → 0; `failed` → excluded (the experiment
 * could not judge resilience: the system was unhealthy before, or an action broke).
 * Score = 100 × Σ(weight × points) / Σ(weight) over the included experiments.
 */
export function resilienceScore(journals: readonly Journal[]): ResilienceScore {
  let weighted = 0;
  let weights = 0;
  const experiments = journals.map((j) => {
    const points = pointsFor(j);
    if (points !== null) {
      weighted += j.weight * points;
      weights += j.weight;
    }
    return { title: j.title, status: j.status, weight: j.weight, points };
  });
  return { score: weights === 0 ? null : (100 * weighted) / weights, experiments };
}

function pointsFor(journal: Journal): number | null {
  switch (journal.status) {
    case 'completed':
      return 1;
    case 'aborted':
      return 0;
    case 'failed':
      return null;
    case 'deviated': {
      const probes = journal.steadyStateAfter?.probes ?? [];
      const held = probes.filter((p) => p.status === 'succeeded' && p.toleranceMet !== false).length;
      return probes.length === 0 ? 0 : 0.5 * (held / probes.length);
    }
  }
}
