import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SightlineError } from '@sightline/core';
import { emptyStats } from '../faults/fault.js';
import type { ActiveFault } from '../faults/fault.js';

/** Options for {@link SupervisedProcess}. */
export interface SupervisedProcessOptions {
  readonly command: string;
  readonly args?: readonly string[];
  /** Restart automatically after an unexpected exit, after this many ms (default: no auto-restart). */
  readonly restartDelayMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A child process under supervision, the local stand-in for a pod: start it, kill it as a
 * fault, and have it back (by auto-restart or by the fault's revert).
 */
export class SupervisedProcess {
  readonly #options: SupervisedProcessOptions;
  #child: ChildProcess | undefined;
  #stopping = false;
  #restarts = 0;

  constructor(options: SupervisedProcessOptions) {
    this.#options = options;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** How many times the supervisor restarted the process. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Starts the process (idempotent) and resolves once it is spawned. */
  async start(): Promise<void> {
    if (this.running) return;
    this.#stopping = false;
    const child = spawn(this.#options.command, [...(this.#options.args ?? [])], { stdio: 'ignore', env: this.#options.env ?? process.env });
    this.#child = child;
    child.once('exit', () => {
      if (this.#stopping || this.#child !== child || this.#options.restartDelayMs === undefined) return;
      setTimeout(() => {
        if (this.#stopping || this.running) return;
        this.#restarts += 1;
        void this.start();
      }, this.#options.restartDelayMs);
    });
    try {
      // events.once rejects if 'error' comes first (e.g. ENOENT)
      await once(child, 'spawn');
    } catch (error) {
      this.#child = undefined;
      throw new SightlineError('CHAOS_PROCESS_START', `cannot start ${this.#options.command}: ${(error as Error).message}`, { command: this.#options.command }, { cause: error });
    }
  }

  /** Kills the process with `signal` and resolves when it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** Kills the process as a fault; `revert()` makes sure it runs again. */
  async injectKill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ActiveFault> {
    const killedPid = this.pid;
    await this.kill(signal);
    let active = true;
    return {
      description: `kill process ${this.#options.command} (pid ${killedPid ?? '?'}) with ${signal}`,
      get active() {
        return active;
      },
      stats: () => ({ ...emptyStats(), matched: 1, injectedErrors: 1 }),
      revert: async () => {
        active = false;
        await this.start();
      },
    };
  }

  /** Stops the process for good (no restart); idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.kill('SIGTERM');
  }
}
