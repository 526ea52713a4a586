import { SightlineError } from '@sightline/core';
import type { ActiveFault } from './faults/fault.js';
import type { SkewableClock } from './faults/clock-skew.js';
import { validateFaultSpec } from './fault-spec.js';
import type { FaultSpec } from './fault-spec.js';
import type { TcpProxy } from './proxy/tcp-proxy.js';
import type { ToxicInput } from './proxy/toxic.js';
import { startCpuStress } from './resources/cpu-stress.js';
import { startDiskStress } from './resources/disk-stress.js';
import { startEventLoopBlock } from './resources/event-loop-block.js';
import { startMemoryPressure } from './resources/memory-pressure.js';
import type { SupervisedProcess } from './resources/supervised-process.js';
import type { ActivityFunction } from './runner.js';

/** What data-described faults act on locally, by target name. */
export interface LocalFaultEnvironment {
  readonly proxies?: Readonly<Record<string, TcpProxy>>;
  readonly processes?: Readonly<Record<string, SupervisedProcess>>;
  /** The clock `time` faults skew. */
  readonly clock?: SkewableClock;
}

/**
 * Injects a {@link FaultSpec} on this machine and returns the active fault. Network faults become
 * toxics on the named proxy; `loss` is emulated by resetting that share of connections, because
 * dropping single packets needs the kernel (tc netem), which a user-space proxy cannot do.
 */
export async function injectFault(spec: FaultSpec, env: LocalFaultEnvironment): Promise<ActiveFault> {
  validateFaultSpec(spec);
  switch (spec.kind) {
    case 'network': {
      const proxy = env.proxies?.[spec.target];
      if (!proxy) throw missing('proxy', spec.target);
      return proxy.injectToxic(toToxic(spec));
    }
    case 'cpu':
      return startCpuStress({ workers: spec.workers, load: spec.load });
    case 'memory':
      return startMemoryPressure({ bytes: spec.bytes });
    case 'process-kill': {
      const proc = env.processes?.[spec.target];
      if (!proc) throw missing('process', spec.target);
      return proc.injectKill(spec.signal ?? 'SIGKILL');
    }
    case 'time':
      if (!env.clock) throw missing('clock', 'clock');
      return env.clock.skew(spec.offsetMs);
    case 'event-loop-block':
      return startEventLoopBlock({ blockMs: spec.blockMs, everyMs: spec.everyMs });
    case 'disk':
      return startDiskStress({ maxBytes: spec.maxBytes, blockBytes: Math.min(spec.maxBytes, 1024 * 1024) });
    case 'dns':
    case 'io':
      throw new SightlineError(
        'CHAOS_FAULT_UNSUPPORTED_LOCALLY',
        `${spec.kind} faults have no process-wide hook in Node.js; use ${spec.kind === 'dns' ? 'createDnsFault() and pass its lookup' : 'injectMethodFault() on your fs module'} in code, or export the spec to Chaos Mesh`,
        { kind: spec.kind },
      );
  }
}

/** A registry entry `injectFault` so experiments can describe faults as data. */
export function createFaultActions(env: LocalFaultEnvironment): { injectFault: ActivityFunction } {
  return { injectFault: (args) => injectFault(args as unknown as FaultSpec, env) };
}

let toxicCounter = 0;

function toToxic(spec: Extract<FaultSpec, { kind: 'network' }>): ToxicInput {
  const stream = spec.stream ?? 'downstream';
  const base = { name: `${spec.action}_${stream}_${(toxicCounter += 1)}`, stream, toxicity: spec.action === 'loss' ? (spec.probability ?? 0) : (spec.probability ?? 1) };
  switch (spec.action) {
    case 'latency':
      return { ...base, type: 'latency', attributes: { latency: spec.latencyMs ?? 0, jitter: spec.jitterMs ?? 0 } };
    case 'bandwidth':
      return { ...base, type: 'bandwidth', attributes: { rate: spec.rateKBps ?? 1 } };
    case 'loss':
      return { ...base, type: 'reset_peer', attributes: { timeout: 0 } };
    case 'timeout':
      return { ...base, type: 'timeout', attributes: { timeout: spec.amount ?? 0 } };
    case 'reset':
      return { ...base, type: 'reset_peer', attributes: { timeout: spec.amount ?? 0 } };
    case 'slicer':
      return { ...base, type: 'slicer', attributes: { average_size: spec.amount ?? 64, size_variation: 0, delay: 1000 } };
    case 'limit-data':
      return { ...base, type: 'limit_data', attributes: { bytes: spec.amount ?? 0 } };
    case 'slow-close':
      return { ...base, type: 'slow_close', attributes: { delay: spec.amount ?? 0 } };
  }
}

function missing(what: string, name: string): SightlineError {
  return new SightlineError('CHAOS_TARGET_NOT_FOUND', `no ${what} named "${name}" in the local fault environment`, { what, name });
}
