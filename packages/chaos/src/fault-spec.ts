import { IssueCollector } from '@sightline/core';
import type { IssuePath } from '@sightline/core';

/**
 * A fault described as data, so one description can be injected locally and exported to Chaos
 * Mesh. `target` names what it hits: a proxy, a process, or (on export) a label selector.
 */
export type FaultSpec =
  | {
      readonly kind: 'network';
      readonly target: string;
      readonly action: 'latency' | 'bandwidth' | 'loss' | 'timeout' | 'reset' | 'slicer' | 'limit-data' | 'slow-close';
      /** `downstream` = responses towards the caller (default), `upstream` = requests. */
      readonly stream?: 'upstream' | 'downstream';
      readonly latencyMs?: number;
      readonly jitterMs?: number;
      /** Bandwidth, KB/s. */
      readonly rateKBps?: number;
      /** Share 0..1 of connections affected (`loss`: share of connections dropped). */
      readonly probability?: number;
      /** For timeout/reset/slow-close: ms; for limit-data: bytes. */
      readonly amount?: number;
    }
  | { readonly kind: 'cpu'; readonly target?: string; readonly workers: number; readonly load: number }
  | { readonly kind: 'memory'; readonly target?: string; readonly bytes: number }
  | { readonly kind: 'process-kill'; readonly target: string; readonly signal?: 'SIGKILL' | 'SIGTERM' }
  | { readonly kind: 'dns'; readonly target?: string; readonly hostnames: readonly string[]; readonly error?: 'ENOTFOUND' | 'EAI_AGAIN' }
  | { readonly kind: 'time'; readonly target?: string; readonly offsetMs: number }
  | { readonly kind: 'io'; readonly target?: string; readonly path: string; readonly action: 'latency' | 'fault'; readonly delayMs?: number; readonly errno?: number; readonly probability?: number }
  | { readonly kind: 'event-loop-block'; readonly blockMs: number; readonly everyMs: number }
  | { readonly kind: 'disk'; readonly maxBytes: number };

const KINDS = ['network', 'cpu', 'memory', 'process-kill', 'dns', 'time', 'io', 'event-loop-block', 'disk'];
const NETWORK_ACTIONS = ['latency', 'bandwidth', 'loss', 'timeout', 'reset', 'slicer', 'limit-data', 'slow-close'];

/** Checks a fault spec; every problem is reported with its path (code `CHAOS_FAULT_SPEC_INVALID`). */
export function validateFaultSpec(input: unknown, path: IssuePath = []): FaultSpec {
  const issues = new IssueCollector();
  collectFaultSpecIssues(input, path, issues);
  issues.throwIfAny('CHAOS_FAULT_SPEC_INVALID', 'fault spec');
  return input as FaultSpec;
}

export function collectFaultSpecIssues(input: unknown, path: IssuePath, issues: IssueCollector): void {
  if (typeof input !== 'object' || input === null) return issues.add(path, 'must be an object with a kind', 'CHAOS_FAULT_KIND');
  const f = input as Record<string, unknown>;
  if (typeof f.kind !== 'string' || !KINDS.includes(f.kind)) return issues.add([...path, 'kind'], `must be one of ${KINDS.join(', ')}`, 'CHAOS_FAULT_KIND');
  const num = (key: string, min: number, max = Number.POSITIVE_INFINITY, required = false): void => {
    const v = f[key];
    if (v === undefined) {
      if (required) issues.add([...path, key], 'is required', 'CHAOS_FAULT_FIELD_REQUIRED');
      return;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) issues.add([...path, key], `must be a number in [${min}, ${max}]`, 'CHAOS_FAULT_FIELD_RANGE');
  };
  const str = (key: string): void => {
    if (typeof f[key] !== 'string' || f[key] === '') issues.add([...path, key], 'must be a non-empty string', 'CHAOS_FAULT_FIELD_REQUIRED');
  };
  switch (f.kind) {
    case 'network':
      str('target');
      if (typeof f.action !== 'string' || !NETWORK_ACTIONS.includes(f.action)) issues.add([...path, 'action'], `must be one of ${NETWORK_ACTIONS.join(', ')}`, 'CHAOS_FAULT_ACTION');
      if (f.stream !== undefined && f.stream !== 'upstream' && f.stream !== 'downstream') issues.add([...path, 'stream'], 'must be upstream or downstream', 'CHAOS_FAULT_FIELD_RANGE');
      num('latencyMs', 0, Infinity, f.action === 'latency');
      num('jitterMs', 0);
      num('rateKBps', 1, Infinity, f.action === 'bandwidth');
      num('probability', 0, 1, f.action === 'loss');
      num('amount', 0);
      break;
    case 'cpu':
      num('workers', 1, 1024, true);
      num('load', 0.01, 1, true);
      break;
    case 'memory':
      num('bytes', 1, Infinity, true);
      break;
    case 'process-kill':
      str('target');
      break;
    case 'dns':
      if (!Array.isArray(f.hostnames) || f.hostnames.length === 0 || !f.hostnames.every((h) => typeof h === 'string')) issues.add([...path, 'hostnames'], 'must be a non-empty array of hostnames', 'CHAOS_FAULT_FIELD_REQUIRED');
      break;
    case 'time':
      num('offsetMs', Number.NEGATIVE_INFINITY, Infinity, true);
      break;
    case 'io':
      str('path');
      if (f.action !== 'latency' && f.action !== 'fault') issues.add([...path, 'action'], 'must be latency or fault', 'CHAOS_FAULT_ACTION');
      num('delayMs', 0, Infinity, f.action === 'latency');
      num('errno', 1, 200, f.action === 'fault');
      num('probability', 0, 1);
      break;
    case 'event-loop-block':
      num('blockMs', 1, Infinity, true);
      num('everyMs', 1, Infinity, true);
      break;
    case 'disk':
      num('maxBytes', 1, Infinity, true);
      break;
  }
}
