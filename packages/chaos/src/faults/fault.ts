/**
 * A fault that is currently in effect. `revert()` undoes it and is idempotent: the runner, the
 * dead-man timer and a user's `finally` may all call it, and only the first call does work.
 */
export interface ActiveFault {
  /** What this fault is, for the journal (e.g. `latency on fetch api.internal`). */
  readonly description: string;
  /** Whether the fault is still in effect. */
  readonly active: boolean;
  /** Counters the fault keeps while active (calls matched, errors injected, ...). */
  stats(): FaultStats;
  revert(): Promise<void>;
}

/** Counters every fault reports; recommendations are drawn from these. */
export interface FaultStats {
  /** Calls, requests or connections the fault saw. */
  matched: number;
  /** Of those, how many got an injected error, hang, reset or drop. */
  injectedErrors: number;
  /** Of those, how many were delayed. */
  injectedDelays: number;
  /** Calls that still arrived after 5 consecutive injected errors: a circuit breaker would have stopped them. */
  callsAfterErrorStreak: number;
  /** Largest delay injected, ms. */
  maxInjectedDelayMs: number;
}

export function emptyStats(): FaultStats {
  return { matched: 0, injectedErrors: 0, injectedDelays: 0, callsAfterErrorStreak: 0, maxInjectedDelayMs: 0 };
}

/** True when `value` looks like an {@link ActiveFault} (what actions return to be auto-reverted). */
export function isActiveFault(value: unknown): value is ActiveFault {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { revert?: unknown }).revert === 'function' &&
    typeof (value as { stats?: unknown }).stats === 'function'
  );
}
