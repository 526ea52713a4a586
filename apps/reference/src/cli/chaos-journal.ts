import type { ActivityRun, Journal } from '@sightline/chaos';
import { isoTime, renderTable } from './output.js';

/** A stored chaos run as `/api/v1/chaos/runs/:id` returns it (the journal is null while it runs). */
export interface ChaosRunBody {
  id: string;
  title: string;
  status: string;
  started_at: number;
  journal: Journal | null;
}

/**
 * `chaos show` in words: the verdict and why, whether the steady state held before and after,
 * then every probe, action and rollback in the order they ran with its result.
 */
export function renderChaosRun(run: ChaosRunBody): string {
  const lines = [run.title, `verdict: ${run.status}${run.journal?.reason === undefined ? '' : ` — ${run.journal.reason}`}`, `started: ${isoTime(run.started_at)}`];
  const journal = run.journal;
  if (journal === null) return [...lines, 'no journal yet: the experiment is still running'].join('\n');
  lines.push(`took: ${(journal.durationMs / 1000).toFixed(1)} s`);
  const held = (state: { met: boolean } | undefined) => (state === undefined ? 'not checked' : state.met ? 'met' : 'NOT met');
  lines.push(`steady state before: ${held(journal.steadyStateBefore)}`, `steady state after: ${held(journal.steadyStateAfter)}`);
  const activities: ActivityRun[] = [...(journal.steadyStateBefore?.probes ?? []), ...journal.run, ...(journal.steadyStateAfter?.probes ?? []), ...journal.rollbacks];
  const rows = activities.map((a) => ({
    phase: a.phase,
    type: a.type,
    name: a.name,
    result: a.status,
    tolerance: a.toleranceMet === undefined ? '-' : a.toleranceMet ? 'met' : 'NOT met',
    duration_ms: a.durationMs.toFixed(0),
    error: a.error === undefined ? undefined : `${a.error.code}: ${a.error.message}`,
  }));
  lines.push('', renderTable(rows, ['phase', 'type', 'name', 'result', 'tolerance', 'duration_ms', 'error']));
  if (journal.faults.length > 0) lines.push('', 'faults:', ...journal.faults.map((f) => `  ${f.description} (by ${f.activity})`));
  return lines.join('\n');
}
