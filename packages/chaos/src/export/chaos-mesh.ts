import { IssueCollector } from '@sightline/core';
import { stringify } from 'yaml';
import type { Experiment } from '../experiment.js';
import { collectFaultSpecIssues } from '../fault-spec.js';
import type { FaultSpec } from '../fault-spec.js';

/** A Kubernetes label selector for Chaos Mesh's `spec.selector`. */
export interface ChaosMeshSelector {
  readonly namespaces?: readonly string[];
  readonly labelSelectors?: Readonly<Record<string, string>>;
}

/**
 * The other side of a NetworkChaos (`spec.target`): the pods whose traffic with the selected pods
 * is affected. Chaos Mesh's admission webhook refuses netem actions (delay, loss, bandwidth) with
 * direction `from` or `both` unless a target is given.
 */
export interface ChaosMeshNetworkTarget {
  readonly selector: ChaosMeshSelector;
  /** Chaos Mesh pod mode for the target side (default `all`). */
  readonly mode?: 'one' | 'all' | 'fixed' | 'fixed-percent' | 'random-max-percent';
  /** Required by Chaos Mesh for `fixed`, `fixed-percent` and `random-max-percent`. */
  readonly value?: string;
}

/** Options for {@link exportToChaosMesh}. */
export interface ChaosMeshExportOptions {
  /** Namespace of the chaos objects (default `default`). */
  readonly namespace?: string;
  /** Selector per fault `target`; faults without a matching entry use `defaultSelector`. */
  readonly targets?: Readonly<Record<string, ChaosMeshSelector>>;
  readonly defaultSelector?: ChaosMeshSelector;
  /**
   * NetworkChaos `target` per fault `target` (the peer side). With one, the direction follows the
   * fault's stream (`upstream` → `to`, `downstream` → `from`, none → `both`); without one, the
   * direction is `to`, the only one Chaos Mesh admits for netem actions without a target.
   */
  readonly networkTargets?: Readonly<Record<string, ChaosMeshNetworkTarget>>;
  /** Blast radius as Chaos Mesh modes: a percentage becomes `fixed-percent` (default `all`). */
  readonly percentage?: number;
  /** How long each fault lasts in the cluster, e.g. `"60s"` (default `"60s"`). */
  readonly duration?: string;
  /** Prefix of metadata.name (default `sightline`). */
  readonly namePrefix?: string;
  /** Volume mount path for IOChaos (required by the CRD; default `/data`). */
  readonly volumePath?: string;
}

/** A fault that has no Chaos Mesh equivalent, and why. */
export interface UntranslatedFault {
  readonly index: number;
  readonly kind: string;
  readonly reason: string;
}

/** The export: manifests as objects, the same as multi-document YAML, and what was left out. */
export interface ChaosMeshExport {
  readonly manifests: readonly Record<string, unknown>[];
  readonly yaml: string;
  readonly untranslated: readonly UntranslatedFault[];
}

const API_VERSION = 'chaos-mesh.org/v1alpha1';

/**
 * Translates faults (or the `injectFault` actions of an experiment) into Chaos Mesh manifests:
 * NetworkChaos, StressChaos, PodChaos, DNSChaos, IOChaos, TimeChaos. Faults with no equivalent
 * are listed in `untranslated` with the reason, never dropped silently.
 * @example
 * const { yaml, untranslated } = exportToChaosMesh(faults, { targets: { db: { labelSelectors: { app: 'postgres' } } } });
 */
export function exportToChaosMesh(faults: readonly FaultSpec[] | Experiment, options: ChaosMeshExportOptions = {}): ChaosMeshExport {
  const list = Array.isArray(faults) ? (faults as readonly FaultSpec[]) : faultsOfExperiment(faults as Experiment);
  const issues = new IssueCollector();
  list.forEach((f, i) => collectFaultSpecIssues(f, [i], issues));
  if (options.percentage !== undefined && !(options.percentage > 0 && options.percentage <= 100)) issues.add(['options', 'percentage'], 'must be in (0, 100]', 'CHAOS_BLAST_RADIUS_INVALID');
  issues.throwIfAny('CHAOS_EXPORT_INVALID', 'Chaos Mesh export');
  const manifests: Record<string, unknown>[] = [];
  const untranslated: UntranslatedFault[] = [];
  list.forEach((fault, index) => {
    const result = translate(fault, index, options);
    if ('reason' in result) untranslated.push({ index, kind: fault.kind, reason: result.reason });
    else manifests.push(result.manifest);
  });
  const yaml = manifests.map((m) => stringify(m)).join('---\n');
  return { manifests, yaml, untranslated };
}

/** Fault specs in an experiment: arguments of method actions whose provider is `injectFault`. */
export function faultsOfExperiment(experiment: Experiment): FaultSpec[] {
  return experiment.method
    .filter((a) => a.type === 'action' && a.provider.type === 'function' && a.provider.name === 'injectFault')
    .map((a) => (a.provider.type === 'function' ? a.provider.arguments : undefined) as unknown as FaultSpec);
}

function translate(fault: FaultSpec, index: number, o: ChaosMeshExportOptions): { manifest: Record<string, unknown> } | { reason: string } {
  const target = 'target' in fault ? fault.target : undefined;
  const selector = (target !== undefined ? o.targets?.[target] : undefined) ?? o.defaultSelector ?? { namespaces: [o.namespace ?? 'default'] };
  const common = {
    selector: { ...selector },
    ...(o.percentage !== undefined && o.percentage < 100 ? { mode: 'fixed-percent', value: String(o.percentage) } : { mode: 'all' }),
  };
  const duration = o.duration ?? '60s';
  const make = (kind: string, spec: Record<string, unknown>): { manifest: Record<string, unknown> } => ({
    manifest: {
      apiVersion: API_VERSION,
      kind,
      metadata: { name: `${o.namePrefix ?? 'sightline'}-${index}-${fault.kind}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'), namespace: o.namespace ?? 'default', labels: { 'app.kubernetes.io/managed-by': 'sightline-chaos' } },
      spec: { ...common, ...spec },
    },
  });
  switch (fault.kind) {
    case 'network': {
      const peer = o.networkTargets?.[fault.target];
      // Chaos Mesh's webhook: `from`/`both` need a `target` for netem actions, so without a peer
      // only `to` (traffic leaving the selected pods) is admitted.
      const direction = peer === undefined ? 'to' : fault.stream === 'upstream' ? 'to' : fault.stream === 'downstream' ? 'from' : 'both';
      const peerSpec = peer === undefined ? {} : { target: { selector: { ...peer.selector }, mode: peer.mode ?? 'all', ...(peer.value !== undefined ? { value: peer.value } : {}) } };
      switch (fault.action) {
        case 'latency':
          return make('NetworkChaos', { action: 'delay', direction, ...peerSpec, duration, delay: { latency: `${fault.latencyMs ?? 0}ms`, jitter: `${fault.jitterMs ?? 0}ms`, correlation: '0' } });
        case 'loss':
          return make('NetworkChaos', { action: 'loss', direction, ...peerSpec, duration, loss: { loss: String(Math.round((fault.probability ?? 0) * 100)), correlation: '0' } });
        case 'bandwidth':
          // tc tbf: rate in kbps (KB/s × 8); limit/buffer are the queue and bucket sizes in bytes.
          return make('NetworkChaos', { action: 'bandwidth', direction, ...peerSpec, duration, bandwidth: { rate: `${Math.max(1, Math.round((fault.rateKBps ?? 1) * 8))}kbps`, limit: 20_971_520, buffer: 10_000 } });
        case 'timeout':
          // A black hole: packets vanish and connections stall, as toxiproxy's timeout does.
          return make('NetworkChaos', { action: 'partition', direction, ...peerSpec, duration });
        default:
          return { reason: `network ${fault.action} is a TCP-stream toxic (toxiproxy); Chaos Mesh's tc/iptables faults have no equivalent — run it through a toxiproxy sidecar instead` };
      }
    }
    case 'cpu':
      return make('StressChaos', { duration, stressors: { cpu: { workers: fault.workers, load: Math.round(fault.load * 100) } } });
    case 'memory':
      return make('StressChaos', { duration, stressors: { memory: { workers: 1, size: `${Math.ceil(fault.bytes / (1024 * 1024))}MB` } } });
    case 'process-kill':
      return make('PodChaos', { action: 'pod-kill', gracePeriod: fault.signal === 'SIGTERM' ? 30 : 0 });
    case 'dns':
      return make('DNSChaos', { action: 'error', patterns: [...fault.hostnames], duration });
    case 'time':
      return make('TimeChaos', { timeOffset: `${fault.offsetMs}ms`, duration });
    case 'io': {
      const percent = Math.round((fault.probability ?? 1) * 100);
      const spec = fault.action === 'latency' ? { action: 'latency', delay: `${fault.delayMs ?? 0}ms` } : { action: 'fault', errno: fault.errno ?? 5 };
      return make('IOChaos', { ...spec, volumePath: o.volumePath ?? '/data', path: fault.path, percent, duration });
    }
    case 'event-loop-block':
      return { reason: 'event-loop blocking is specific to one Node.js process; Chaos Mesh has no fault inside a runtime (use StressChaos cpu for contention)' };
    case 'disk':
      return { reason: 'disk I/O stress has no Chaos Mesh kind (IOChaos injects latency/errors, it does not generate load); use an io fault for latency instead' };
  }
}
