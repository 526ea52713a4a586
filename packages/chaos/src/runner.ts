import { writeFile } from 'node:fs/promises';
import { IssueCollector, SightlineError } from '@sightline/core';
import { resolveConfiguration, substitute, valuesFor } from './configuration.js';
import type { ResolvedConfiguration } from './configuration.js';
import type { Action, Activity, Experiment, Probe, Provider, StopCondition, Tolerance } from './experiment.js';
import { validateExperiment } from './experiment.js';
import { isActiveFault } from './faults/fault.js';
import type { ActiveFault } from './faults/fault.js';
import { toMs } from './internal/duration.js';
import type { ActivityRun, ExperimentStatus, Journal } from './journal.js';
import { httpProbe } from './probes/http-probe.js';
import { runProcess } from './probes/process-provider.js';
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
  /**
   * Functions referenced by `{ type: 'function', name }` providers, and by Chaos Toolkit
   * `{ type: 'python', module, func }` providers under `"<module>.<func>"`.
   */
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
  /** Where `{ type: env }` configuration and secrets are read, and `process` providers' environment (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
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

/**
 * Like {@link runExperiment}, but returns a handle to heartbeat or abort the run. Throws before
 * anything runs when the experiment is invalid (`CHAOS_EXPERIMENT_INVALID`), its configuration
 * cannot be read from the environment (`CHAOS_CONFIGURATION_INVALID`), or it needs what this
 * runner does not do (`CHAOS_UNSUPPORTED`: unregistered Python providers, controls, background
 * activities, runtime strategies, non-env secret stores).
 */
export function startExperiment(input: Experiment | unknown, options: RunOptions = {}): ExperimentRun {
  const experiment = validateExperiment(input);
  checkSupported(experiment, options);
  const resolved = resolveConfiguration(experiment, options.env ?? process.env);
  const runner = new Runner(experiment, options, resolved);
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
  readonly #resolved: ResolvedConfiguration;
  readonly #scheduler: Scheduler;
  readonly #controller = new AbortController();
  #deadMan: ReturnType<typeof setTimeout> | undefined;

  constructor(experiment: Experiment, options: RunOptions, resolved: ResolvedConfiguration) {
    this.#experiment = experiment;
    this.#options = options;
    this.#resolved = resolved;
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
      const p = activity.provider;
      const output = await this.#call(p, activity.timeout ?? (p.type === 'function' || p.type === 'python' ? p.timeout : undefined));
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
      const toleranceMet = judged ? await this.#judge(probe.tolerance, output) : undefined;
      return {
        ...base,
        end,
        durationMs: end - start,
        status: 'succeeded',
        output: toJson(output),
        ...(toleranceMet !== undefined ? { toleranceMet } : {}),
      };
    } catch (error) {
      if (error instanceof AbortRun) throw error;
      const end = this.#scheduler.now();
      return { ...base, end, durationMs: end - start, status: 'failed', error: describeError(error) };
    }
  }

  /** Chaos Toolkit tolerances, with `probe` tolerances called with the output as `value`. */
  async #judge(tolerance: Tolerance | undefined, output: unknown): Promise<boolean> {
    if (typeof tolerance === 'object' && tolerance !== null && !Array.isArray(tolerance) && 'type' in tolerance && tolerance.type === 'probe') {
      const provider = tolerance.provider;
      const withValue = { ...provider, arguments: { ...(('arguments' in provider && typeof provider.arguments === 'object' ? provider.arguments : {}) as object), value: output } } as Provider;
      try {
        return Boolean(await this.#call(withValue));
      } catch (error) {
        if (error instanceof AbortRun) throw error;
        return false; // Chaos Toolkit: a tolerance probe that fails means out of tolerance
      }
    }
    const values = this.#resolved.configuration;
    return isWithinTolerance(tolerance === undefined ? undefined : substitute(tolerance, values), output);
  }

  /** Runs one provider once, with `${name}` placeholders filled from configuration and secrets. */
  async #invoke(raw: Provider, signal: AbortSignal): Promise<unknown> {
    const provider = substitute(raw, valuesFor(raw, this.#resolved));
    switch (provider.type) {
      case 'http': {
        const { type: _type, secrets: _secrets, verify_tls: _verify, max_retries: retries, ...rest } = provider;
        return httpProbe({ ...rest, ...(retries !== undefined ? { retries } : {}), scheduler: this.#scheduler, ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}) });
      }
      case 'process':
        return runProcess(provider, { signal, ...(this.#options.env ? { env: this.#options.env } : {}) });
      case 'python': {
        const name = `${provider.module}.${provider.func}`;
        const fn = this.#options.registry?.[name];
        if (!fn) throw new SightlineError('CHAOS_UNSUPPORTED', `python provider ${name} is not supported: register a function under "${name}"`, { module: provider.module, func: provider.func });
        return fn(provider.arguments ?? {}, { signal, scheduler: this.#scheduler });
      }
      case 'function': {
        const fn = this.#options.registry?.[provider.name];
        if (!fn) throw new SightlineError('CHAOS_PROVIDER_UNKNOWN', `no function named "${provider.name}" in the registry; pass it in options.registry`, { name: provider.name });
        return fn(provider.arguments ?? {}, { signal, scheduler: this.#scheduler });
      }
    }
  }

  /**
   * Runs a provider, but gives up (throws AbortRun) as soon as the run is aborted, and fails with
   * `CHAOS_ACTIVITY_TIMEOUT` after `timeoutSeconds` of real time (a hung call cannot be waited out
   * on a virtual clock).
   */
  async #call(provider: Provider, timeoutSeconds?: number): Promise<unknown> {
    const signal = this.#controller.signal;
    if (signal.aborted) throw signal.reason;
    const work = this.#invoke(provider, signal);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      const timer =
        timeoutSeconds === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              signal.removeEventListener('abort', onAbort);
              reject(new SightlineError('CHAOS_ACTIVITY_TIMEOUT', `the activity took longer than its timeout of ${timeoutSeconds} s`, { timeoutSeconds }));
            }, timeoutSeconds * 1000);
      work.then(
        (value) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          // A fault that arrives after the abort or the timeout is tracked by no one: revert it at once.
          if ((signal.aborted || timedOut) && isActiveFault(value)) void value.revert();
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  async #pause(duration: number | string | undefined, runs: ActivityRun[]): Promise<void> {
    if (duration === undefined) return;
    // Chaos Toolkit pauses are seconds; strings carry their own unit.
    let remaining = typeof duration === 'number' ? toMs(duration * 1000, 'pause') : toMs(duration, 'pause');
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
      const output = await this.#invoke(action.provider, signal);
      if (isActiveFault(output)) this.faults.push({ fault: output, activity: action.name });
      const end = this.#scheduler.now();
      return { ...base, end, durationMs: end - start, status: 'succeeded', output: toJson(output) };
    } catch (error) {
      const end = this.#scheduler.now();
      return { ...base, end, durationMs: end - start, status: 'failed', error: describeError(error) };
    }
  }
}

/** Reports, with paths, everything in the experiment this runner cannot do, before anything runs. */
function checkSupported(experiment: Experiment, options: RunOptions): void {
  const issues = new IssueCollector();
  const registry = options.registry ?? {};
  const provider = (p: Provider, path: (string | number)[]): void => {
    if (p.type === 'python' && registry[`${p.module}.${p.func}`] === undefined) {
      issues.add([...path, 'provider'], `python provider ${p.module}.${p.func} is not supported (Python is not run here); register a function under "${p.module}.${p.func}" in options.registry`, 'CHAOS_PROVIDER_UNSUPPORTED');
    }
    if (p.type === 'http' && p.verify_tls === false) issues.add([...path, 'provider', 'verify_tls'], 'verify_tls: false is not supported; TLS certificates are always verified', 'CHAOS_PROVIDER_UNSUPPORTED');
  };
  const activity = (a: Activity, path: (string | number)[]): void => {
    provider(a.provider, path);
    if (a.background === true) issues.add([...path, 'background'], 'background activities are not supported; activities run one after another', 'CHAOS_BACKGROUND_UNSUPPORTED');
    if (a.controls !== undefined && a.controls.length > 0) issues.add([...path, 'controls'], 'Chaos Toolkit controls (Python extensions) are not supported', 'CHAOS_CONTROLS_UNSUPPORTED');
    const t = (a as Probe).tolerance;
    if (typeof t === 'object' && t !== null && !Array.isArray(t) && 'type' in t && t.type === 'probe') provider(t.provider, [...path, 'tolerance']);
  };
  const ssh = experiment.steadyStateHypothesis as (Experiment['steadyStateHypothesis'] & { controls?: readonly unknown[] }) | undefined;
  ssh?.probes.forEach((p, i) => activity(p, ['steadyStateHypothesis', 'probes', i]));
  if (ssh?.controls !== undefined && ssh.controls.length > 0) issues.add(['steadyStateHypothesis', 'controls'], 'Chaos Toolkit controls (Python extensions) are not supported', 'CHAOS_CONTROLS_UNSUPPORTED');
  experiment.method.forEach((a, i) => activity(a, ['method', i]));
  experiment.rollbacks?.forEach((a, i) => activity(a, ['rollbacks', i]));
  experiment.stopConditions?.forEach((c, i) => provider(c.provider, ['stopConditions', i]));
  if (experiment.controls !== undefined && experiment.controls.length > 0) issues.add(['controls'], 'Chaos Toolkit controls (Python extensions) are not supported', 'CHAOS_CONTROLS_UNSUPPORTED');
  if (experiment.runtime !== undefined) issues.add(['runtime'], 'Chaos Toolkit runtime strategies are not supported: the hypothesis runs before and after the method, rollbacks always run', 'CHAOS_RUNTIME_UNSUPPORTED');
  const typed = (value: unknown): string | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string' ? (value as { type: string }).type : undefined);
  for (const [key, value] of Object.entries(experiment.configuration ?? {})) {
    const type = typed(value);
    if (type !== undefined && type !== 'env') issues.add(['configuration', key], `configuration of type "${type}" is not supported (only literals and { type: env })`, 'CHAOS_CONFIGURATION_UNSUPPORTED');
  }
  for (const [scope, entries] of Object.entries(experiment.secrets ?? {})) {
    for (const [key, value] of Object.entries(entries)) {
      const type = typed(value);
      if (type !== undefined && type !== 'env') issues.add(['secrets', scope, key], `secrets of type "${type}" are not supported (only literals and { type: env })`, 'CHAOS_CONFIGURATION_UNSUPPORTED');
    }
  }
  issues.throwIfAny('CHAOS_UNSUPPORTED', `experiment "${experiment.title}"`);
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
