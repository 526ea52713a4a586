import { execFile } from 'node:child_process';
import { SightlineError } from '@sightline/core';
import type { ProcessProvider } from '../experiment.js';

/** What a `process` provider returns (Chaos Toolkit's shape): the exit code and the output text. */
export interface ProcessResult {
  /** Exit code; `null` when the process was ended by a signal. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended it, if one did. */
  readonly signal?: string;
}

/**
 * Runs a `process` provider's command and resolves with `{ status, stdout, stderr }` — a
 * non-zero exit is a result for the tolerance to judge, not an error. Rejects with
 * `CHAOS_PROCESS_TIMEOUT` when it outlives `timeout` (seconds; it is killed) and
 * `CHAOS_PROCESS_START` when the command cannot be started.
 */
export function runProcess(provider: Omit<ProcessProvider, 'type'>, options: { readonly signal?: AbortSignal; readonly env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  const args = provider.arguments;
  // Chaos Toolkit: a string of arguments goes through the shell, a list does not, a mapping is key/value pairs.
  const shell = typeof args === 'string';
  const argv = shell ? [] : Array.isArray(args) ? args.map(String) : Object.entries(args ?? {}).flatMap(([k, v]) => (v === null || v === undefined || v === '' ? [k] : [k, String(v)]));
  const command = shell ? `${provider.path} ${args}` : provider.path;
  const timeoutMs = provider.timeout === undefined ? 0 : provider.timeout * 1000;
  return new Promise((resolve, reject) => {
    execFile(command, argv, { shell, timeout: timeoutMs, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', ...(options.signal ? { signal: options.signal } : {}) }, (error, stdout, stderr) => {
      if (!error) return resolve({ status: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number | null };
      if (options.signal?.aborted) return reject(options.signal.reason as Error);
      if (typeof e.code === 'string') {
        return reject(new SightlineError('CHAOS_PROCESS_START', `process provider could not start "${provider.path}": ${e.message}`, { path: provider.path, cause: e.code }));
      }
      if (e.killed && timeoutMs > 0 && !options.signal?.aborted) {
        return reject(new SightlineError('CHAOS_PROCESS_TIMEOUT', `process "${provider.path}" took longer than its timeout of ${provider.timeout} s and was killed`, { path: provider.path, timeoutSeconds: provider.timeout }));
      }
      if (typeof e.code === 'number') return resolve({ status: e.code, stdout, stderr });
      return resolve({ status: null, stdout, stderr, ...(e.signal ? { signal: e.signal } : {}) });
    });
  });
}
