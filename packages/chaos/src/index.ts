// Experiments
export { validateExperiment, parseExperiment } from './experiment.js';
export type { Experiment, Activity, Action, Probe, Provider, FunctionProvider, HttpProvider, ProcessProvider, PythonProvider, SecretScopes, ConfigurationValue, Tolerance, Pauses, StopCondition, DurationInput } from './experiment.js';
export type { ProcessResult } from './probes/process-provider.js';
export { runExperiment, startExperiment } from './runner.js';
export type { RunOptions, ExperimentRun, ActivityFunction, ActivityContext } from './runner.js';
export type { Journal, ActivityRun, ExperimentStatus } from './journal.js';
export { isWithinTolerance } from './tolerance.js';
export { realScheduler, VirtualScheduler } from './scheduler.js';
export type { Scheduler } from './scheduler.js';

// Faults as data
export { validateFaultSpec } from './fault-spec.js';
export type { FaultSpec } from './fault-spec.js';
export { injectFault, createFaultActions } from './fault-actions.js';
export type { LocalFaultEnvironment } from './fault-actions.js';
export { isActiveFault } from './faults/fault.js';
export type { ActiveFault, FaultStats } from './faults/fault.js';

// In-process faults
export type { FaultPlanOptions, LatencySpec } from './faults/fault-plan.js';
export { wrapFunction, injectMethodFault } from './faults/function-fault.js';
export type { FaultyFunction } from './faults/function-fault.js';
export { injectFetchFault } from './faults/fetch-fault.js';
export type { FetchFault, FetchFaultOptions } from './faults/fetch-fault.js';
export { injectHttpFault } from './faults/http-fault.js';
export type { HttpFaultOptions } from './faults/http-fault.js';
export type { RequestMatch } from './faults/request-match.js';
export { createDnsFault } from './faults/dns-fault.js';
export type { DnsFault, DnsFaultRule, LookupFunction } from './faults/dns-fault.js';
export { SkewableClock } from './faults/clock-skew.js';

// Network
export { TcpProxy } from './proxy/tcp-proxy.js';
export type { TcpProxyOptions, ProxyJson } from './proxy/tcp-proxy.js';
export { ToxiproxyServer, TOXIPROXY_API_VERSION } from './proxy/toxiproxy-api.js';
export type { ProxyInput } from './proxy/toxiproxy-api.js';
export { TOXIC_TYPES } from './proxy/toxic.js';
export type { Toxic, ToxicInput, ToxicType, ToxicStream } from './proxy/toxic.js';

// Resources and processes
export { startCpuStress } from './resources/cpu-stress.js';
export type { CpuStress, CpuStressOptions } from './resources/cpu-stress.js';
export { startMemoryPressure } from './resources/memory-pressure.js';
export type { MemoryPressure } from './resources/memory-pressure.js';
export { startEventLoopBlock } from './resources/event-loop-block.js';
export { startDiskStress } from './resources/disk-stress.js';
export type { DiskStress } from './resources/disk-stress.js';
export { SupervisedProcess } from './resources/supervised-process.js';
export type { SupervisedProcessOptions } from './resources/supervised-process.js';

// Probes
export { httpProbe } from './probes/http-probe.js';
export type { HttpProbeOptions, HttpProbeResult } from './probes/http-probe.js';
export { functionProbe } from './probes/function-probe.js';
export type { FunctionProbeResult } from './probes/function-probe.js';
export { sloProbe, sloProbeFunction } from './probes/slo-probe.js';
export type { SloStatus, SloSource, SloProbeOptions, SloProbeResult } from './probes/slo-probe.js';

// Blast radius and results
export { selectTargets } from './blast-radius.js';
export type { Target, BlastRadius } from './blast-radius.js';
export { resilienceScore } from './resilience-score.js';
export type { ResilienceScore } from './resilience-score.js';
export { recommend } from './recommendations.js';
export type { Recommendation } from './recommendations.js';

// Chaos Mesh
export { exportToChaosMesh, faultsOfExperiment } from './export/chaos-mesh.js';
export type { ChaosMeshExport, ChaosMeshExportOptions, ChaosMeshNetworkTarget, ChaosMeshSelector, UntranslatedFault } from './export/chaos-mesh.js';
