import { writeFile } from 'node:fs/promises';
import { SightlineError } from '@sightline/core';
import type { Action, Activity, Experiment, Probe, Provider, StopCondition } from './experiment.js';
import { validateExperiment } from './experiment.js';
import { isActiveFault } from './faults/fault.js';
import type { ActiveFault } from './faults/fault.js';
import { toMs } from './internal/duration.js';
import type { ActivityRun, ExperimentStatus, Journal } from './journal.js';
import { httpProbe } from './probes/http-probe.js';
import { realScheduler } from './scheduler.js';
import type { Scheduler } from './scheduler.js';
import { isWithinTolerance } from './tolerance.js';

/** What a registered function receives besides its arguments. */
export interface ActivityContext {
  /** Aborted when the run is aborted; long actions should stop on it. */
  readonly signal: AbortSignal;
  readonly scheduler: Scheduler;
}

/** A function an experiment references by name. Actions may return an `ActiveFault` to have it reverted. */
export type ActivityFunction = (args: Readonly<Record<string, unknown>>, context: ActivityContext) => unknown;

/** Options for {@link startExperiment}. */
export interface RunOptions {
  /** Functions referenced by `{ type: 'function', name }` providers. */
  readonly registry?: Readonly<Record<string, ActivityFunction>>;
  /** Pauses and timestamps (default real time; use `VirtualScheduler` in tests). */
  readonly scheduler?: Scheduler;
  /** Aborting it aborts the run (rollbacks still run). */
  readonly signal?: AbortSignal;
  /** Abort on SIGINT/SIGTERM, then roll back (default false; CLIs set it). */
  readonly handleProcessSignals?: boolean;
  /**
   * Dead-man timer, ms of real time: unless `heartbeat()` is called at least this often, every
   * fault is reverted and the run aborted. Guards against a caller that hangs.
   */
  readonly deadManMs?: number;
  /** Write the journal here as JSON when the run ends. */
  readonly journalPath?: string;
  /** At most this many faults active at once (blast radius); more fails the action. */
  readonly maxConcurrentFaults?: number;
  /** The fetch `http` providers use (default global fetch). */
  readonly fetch?: typeof fetch;
}

/** A run in progress. */
export interface ExperimentRun {
  /** Resolves with the journal once rollbacks are done; never rejects for experiment failures. */
  readonly journal: Promise<Journal>;
  /** Keeps the dead-man timer from firing. */
  heartbeat(): void;
  /** Aborts the run; faults are reverted and the journal status is `aborted`. */
  abort(reason?: string): void;
  /** Faults currently in effect. */
  activeFaults(): readonly ActiveFault[];
}

const DEFAULT_MAX_DURATION_MS = 10 * 60_000;

class AbortRun extends Error {}

/**
 * Runs an experiment: steady state before (refuses to inject into an unhealthy system), the
 * method, steady state after, then rollbacks — always, whatever happened — and a journal.
 * @example
 * const journal = await runExperiment(experiment, { registry: { addLatency } });
 * if (journal.status !== 'completed') console.log(journal.reason);
 */
export async function runExperiment(experiment: Experiment | unknown, options: RunOptions = {}): Promise<Journal> {
  return startExperiment(experiment, options).journal;
}

/** Like {@link runExperiment}, but returns a handle to heartbeat or abort the run. */
export function startExperiment(input: Experiment | unknown, options: RunOptions = {}): ExperimentRun {
  const experiment = validateExperiment(input);
  const runner = new Runner(experiment, options);
  return {
    journal: runner.run(),
    heartbeat: () => runner.heartbeat(),
    abort: (reason) => runner.abort(reason ?? 'aborted by caller'),
    activeFaults: () => runner.faults.map((f) => f.fault).filter((f) => f.active),
  };
}

class Runner {
  readonly faults: { fault: ActiveFault; activity: string }[] = [];
  readonly #experiment: Experiment;
  readonly #options: RunOptions;
  readonly #scheduler: Scheduler;
  readonly #controller = new AbortController();
  #deadMan: ReturnType<typeof setTimeout> | undefined;

  constructor(experiment: Experiment, options: RunOptions) {
    this.#experiment = experiment;
    this.#options = options;
    this.#scheduler = options.scheduler ?? realScheduler;
  }

  heartbeat(): void {
    if (this.#options.deadManMs === undefined || this.#controller.signal.aborted) return;
    clearTimeout(this.#deadMan);
    this.#deadMan = setTimeout(() => this.#emergencyStop(`dead-man timer: no heartbeat for ${this.#options.deadManMs} ms`), this.#options.deadManMs);
    this.#deadMan.unref();
  }

  abort(reason: string): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(new AbortRun(reason));
  }

  /** Reverts every fault now, without waiting for the run loop (which may be stuck in a hung call). */
  #emergencyStop(reason: string): void {
    this.abort(reason);
    for (const { fault } of this.faults) void fault.revert().catch(() => undefined);
  }

  async run(): Promise<Journal> {
    const e = this.#experiment;
    const start = this.#scheduler.now();
    const runs: ActivityRun[] = [];
    const rollbacks: ActivityRun[] = [];
    let status: ExperimentStatus = 'completed';
    let reason: string | undefined;
    let before: Journal['steadyStateBefore'];
    let after: Journal['steadyStateAfter'];
    const cleanups = this.#arm();
    try {
      if (e.steadyStateHypothesis) {
        before = await this.#steadyState('steady-state-before');
        if (!before.met) {
          status = 'failed';
          reason = 'steady state was not met before the method: refusing to inject faults into an unhealthy system';
        }
      }
      if (status === 'completed') {
        for (const activity of e.method) {
          await this.#checkStopConditions(runs);
          await this.#pause(activity.pauses?.before, runs);
          const result = await this.#activity(activity, 'method');
          runs.push(result);
          if (result.status === 'failed') {
            status = 'failed';
            reason = `activity "${activity.name}" failed: ${result.error?.message ?? 'unknown error'}`;
            break;
          }
          await this.#pause(activity.pauses?.after, runs);
        }
      }
      if (status === 'completed') await this.#checkStopConditions(runs);
      if (status === 'completed' && e.steadyStateHypothesis) {
        after = await this.#steadyState('steady-state-after');
        if (!after.met) {
          status = 'deviated';
          reason = `steady state deviated: ${after.probes.filter((p) => p.toleranceMet === false || p.status === 'failed').map((p) => p.name).join(', ')} out of tolerance`;
        }
      }
    } catch (error) {
      if (error instanceof AbortRun) {
        status = 'aborted';
        reason = error.message;
      } else {
        status = 'failed';
        reason = (error as Error).message;
      }
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
    if (this.#controller.signal.aborted && status !== 'aborted') {
      status = 'aborted';
      reason = (this.#controller.signal.reason as Error).message;
    }
    await this.#rollback(rollbacks);
    const end = this.#scheduler.now();
    const journal: Journal = {
      title: e.title,
      status,
      ...(reason !== undefined ? { reason } : {}),
      start,
      end,
      durationMs: end - start,
      ...(before ? { steadyStateBefore: before } : {}),
      ...(after ? { steadyStateAfter: after } : {}),
      run: runs,
      rollbacks,
      faults: this.faults.map(({ fault, activity }) => ({ description: fault.description, activity, stats: fault.stats() })),
      weight: e.weight ?? 1,
    };
    if (this.#options.journalPath) await writeFile(this.#options.journalPath, `${JSON.stringify(journal, null, 2)}\n`);
    return journal;
  }

  /** Installs the abort sources: caller signal, process signals, max duration, dead-man. */
  #arm(): (() => void)[] {
    const cleanups: (() => void)[] = [];
    const external = this.#options.signal;
    if (external) {
      const onAbort = (): void => this.abort(`aborted by signal: ${String(external.reason)}`);
      if (external.aborted) onAbort();
      external.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => external.removeEventListener('abort', onAbort));
    }
    if (this.#options.handleProcessSignals) {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        const onSignal = (): void => this.abort(`received ${sig}`);
        process.on(sig, onSignal);
        cleanups.push(() => process.off(sig, onSignal));
      }
    }
    // Real timers on purpose: a virtual scheduler cannot fire while an activity hangs.
    const maxMs = this.#experiment.maxDuration === undefined ? DEFAULT_MAX_DURATION_MS : toMs(this.#experiment.maxDuration, 'maxDuration');
    const hardStop = setTimeout(() => this.#emergencyStop(`maximum duration of ${maxMs} ms reached`), maxMs);
    hardStop.unref();
    cleanups.push(() => clearTimeout(hardStop));
    this.heartbeat();
    cleanups.push(() => clearTimeout(this.#deadMan));
    return cleanups;
  }

  async #steadyState(phase: 'steady-state-before' | 'steady-state-after'): Promise<{ met: boolean; probes: ActivityRun[] }> {
    const probes: ActivityRun[] = [];
    for (const probe of this.#experiment.steadyStateHypothesis?.probes ?? []) probes.push(await this.#activity(probe, phase));
    return { met: probes.every((p) => p.status === 'succeeded' && p.toleranceMet !== false), probes };
  }

  async #activity(activity: Activity, phase: ActivityRun['phase']): Promise<ActivityRun> {
    const start = this.#scheduler.now();
    const activeFaults = this.faults.filter((f) => f.fault.active).map((f) => f.fault.description);
    const base = { name: activity.name, type: activity.type, phase, start, ...(activeFaults.length > 0 ? { activeFaults } : {}) };
    try {
      const output = await this.#call(activity.provider);
      const end = this.#scheduler.now();
      if (activity.type === 'action' && isActiveFault(output)) {
        const cap = this.#options.maxConcurrentFaults;
        if (cap !== undefined && this.faults.filter((f) => f.fault.active).length >= cap) {
          await output.revert();
          throw new SightlineError('CHAOS_BLAST_RADIUS_EXCEEDED', `action "${activity.name}" would exceed the cap of ${cap} concurrent faults; it was reverted`, { cap });
        }
        this.faults.push({ fault: output, activity: activity.name });
        return { ...base, end, durationMs: end - start, status: 'succeeded', output: { fault: output.description } };
      }
      const probe = activity as Probe;
      const judged = activity.type === 'probe' && (probe.tolerance !== undefined || hasOk(output));
      return {
        ...base,
        end,
        durationMs: end - start,
        status: 'succeeded',
        output: toJson(output),
        ...(judged ? { toleranceMet: isWithinTolerance(probe.tolerance, output) } : {}),
      };
    } catch (error) {
      if (error instanceof AbortRun) throw error;
      const end = this.#scheduler.now();
      return { ...base, end, durationMs: end - start, status: 'failed', error: describeError(error) };
    }
  }

  /** Runs a provider, but gives up (throws AbortRun) as soon as the run is aborted. */
  async #call(provider: Provider): Promise<unknown> {
    const signal = this.#controller.signal;
    if (signal.aborted) throw signal.reason;
    const work = (async () => {
      if (provider.type === 'http') {
        const { type: _type, ...rest } = provider;
        return httpProbe({ ...rest, scheduler: this.#scheduler, ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}) });
      }
      const fn = this.#options.registry?.[provider.name];
      if (!fn) throw new SightlineError('CHAOS_PROVIDER_UNKNOWN', `no function named "${provider.name}" in the registry; pass it in options.registry`, { name: provider.name });
      return fn(provider.arguments ?? {}, { signal, scheduler: this.#scheduler });
    })();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          // An action that completes after the abort still had its fault registered for revert.
          if (signal.aborted && isActiveFault(value)) void value.revert();
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  async #pause(duration: number | string | undefined, runs: ActivityRun[]): Promise<void> {
    if (duration === undefined) return;
    let remaining = toMs(duration, 'pause');
    const step = this.#stopEvery();
    // Pauses are cut into stop-condition intervals so a long pause cannot hide a breach.
    while (remaining > 0) {
      const ms = Math.min(remaining, step);
      await this.#scheduler.sleep(ms, this.#controller.signal);
      remaining -= ms;
      if (remaining > 0) await this.#checkStopConditions(runs);
    }
  }

  #stopEvery(): number {
    const conditions = this.#experiment.stopConditions ?? [];
    if (conditions.length === 0) return Number.POSITIVE_INFINITY;
    return Math.min(...conditions.map((c) => (c.every === undefined ? 1000 : Math.max(1, toMs(c.every, 'every')))));
  }

  async #checkStopConditions(runs: ActivityRun[]): Promise<void> {
    for (const condition of this.#experiment.stopConditions ?? []) {
      const result = await this.#activity(asProbe(condition), 'stop-condition');
      const record: ActivityRun = { ...result, type: 'stop-condition' };
      runs.push(record);
      if (result.status === 'failed' || result.toleranceMet === false) {
        this.abort(`stop condition "${condition.name}" tripped`);
        throw this.#controller.signal.reason;
      }
    }
  }

  async #rollback(rollbacks: ActivityRun[]): Promise<void> {
    const rollbackController = new AbortController();
    for (const action of this.#experiment.rollbacks ?? []) {
      rollbacks.push(await this.#rollbackAction(action, rollbackController.signal));
    }
    // Auto-revert every fault the method injected, newest first, even if explicit rollbacks failed.
    for (const { fault } of [...this.faults].reverse()) {
      const start = this.#scheduler.now();
      try {
        await fault.revert();
        const end = this.#scheduler.now();
        rollbacks.push({ name: `revert ${fault.description}`, type: 'rollback', phase: 'rollbacks', start, end, durationMs: end - start, status: 'succeeded', output: fault.stats() });
      } catch (error) {
        const end = this.#scheduler.now();
        rollbacks.push({ name: `revert ${fault.description}`, type: 'rollback', phase: 'rollbacks', start, end, durationMs: end - start, status: 'failed', error: describeError(error) });
      }
    }
  }

  async #rollbackAction(action: Action, signal: AbortSignal): Promise<ActivityRun> {
    const start = this.#scheduler.now();
    const base = { name: action.name, type: 'rollback' as const, phase: 'rollbacks' as const, start };
    try {
      let output: unknown;
      if (action.provider.type === 'function') {
        const fn = this.#options.registry?.[action.provider.name];
        if (!fn) throw new SightlineError('CHAOS_PROVIDER_UNKNOWN', `no function named "${action.provider.name}" in the registry`, { name: action.provider.name });
        output = await fn(action.provider.arguments ?? {}, { signal, scheduler: this.#scheduler });
      } else {
        const { type: _type, ...rest } = action.provider;
        output = await httpProbe({ ...rest, scheduler: this.#scheduler });
      }
      if (isActiveFault(output)) this.faults.push({ fault: output, activity: action.name });
      const end = this.#scheduler.now();
      return { ...base, end, durationMs: end - start, status: 'succeeded', output: toJson(output) };
    } catch (error) {
      const end = this.#scheduler.now();
      return { ...base, end, durationMs: end - start, status: 'failed', error: describeError(error) };
    }
  }
}

function asProbe(condition: StopCondition): Probe {
  return { type: 'probe', name: condition.name, provider: condition.provider, ...(condition.tolerance !== undefined ? { tolerance: condition.tolerance } : {}) };
}

function hasOk(output: unknown): boolean {
  return typeof output === 'object' && output !== null && 'ok' in output;
}

function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof SightlineError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: (error as { code?: string }).code ?? error.name, message: error.message };
  return { code: 'UNKNOWN', message: String(error) };
}

/** Keeps journal outputs JSON-safe (faults and functions become descriptions). */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (isActiveFault(value)) return { fault: value.description };
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}
