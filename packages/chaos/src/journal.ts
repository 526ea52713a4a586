/** How an experiment ended (Chaos Toolkit's statuses). */
export type ExperimentStatus = 'completed' | 'deviated' | 'aborted' | 'failed';

/** One activity as it ran: when, how it went, and what it returned. */
export interface ActivityRun {
  readonly name: string;
  readonly type: 'action' | 'probe' | 'rollback' | 'stop-condition';
  readonly phase: 'steady-state-before' | 'method' | 'steady-state-after' | 'rollbacks' | 'stop-condition';
  /** Epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly durationMs: number;
  readonly status: 'succeeded' | 'failed';
  readonly output?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  /** For probes with a tolerance (or an `ok` output): whether it held. */
  readonly toleranceMet?: boolean;
  /** Descriptions of the faults active while this activity ran. */
  readonly activeFaults?: readonly string[];
}

/** The record of one run, written as JSON. */
export interface Journal {
  readonly title: string;
  readonly status: ExperimentStatus;
  /** Why the run is not `completed`, in words. */
  readonly reason?: string;
  readonly start: number;
  readonly end: number;
  readonly durationMs: number;
  readonly steadyStateBefore?: { readonly met: boolean; readonly probes: readonly ActivityRun[] };
  readonly steadyStateAfter?: { readonly met: boolean; readonly probes: readonly ActivityRun[] };
  readonly run: readonly ActivityRun[];
  readonly rollbacks: readonly ActivityRun[];
  /** Every fault injected, with its final counters. */
  readonly faults: readonly { readonly description: string; readonly activity: string; readonly stats: unknown }[];
  readonly weight: number;
}
