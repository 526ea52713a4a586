import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Experiment } from '../src/experiment.js';
import { injectFault } from '../src/fault-actions.js';
import type { FaultSpec } from '../src/fault-spec.js';
import type { ActiveFault } from '../src/faults/fault.js';
import { injectMethodFault } from '../src/faults/function-fault.js';
import { exchange, startEchoServer } from './support/sockets.js';
import { TcpProxy } from '../src/proxy/tcp-proxy.js';
import type { CpuStress } from '../src/resources/cpu-stress.js';
import type { MemoryPressure } from '../src/resources/memory-pressure.js';
import { SupervisedProcess } from '../src/resources/supervised-process.js';
import { runExperiment } from '../src/runner.js';
import { VirtualScheduler } from '../src/scheduler.js';

let echo: Awaited<ReturnType<typeof startEchoServer>>;
let proxy: TcpProxy;
let proc: SupervisedProcess;

beforeAll(async () => {
  echo = await startEchoServer();
  proxy = await TcpProxy.start({ name: 'kv', upstream: echo.address });
  proc = new SupervisedProcess({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] });
  await proc.start();
});

afterAll(async () => {
  await proc.stop();
  await proxy.close();
  await echo.close();
});

type Outcome = 'completed' | 'deviated' | 'failed' | 'aborted';

/** One experiment injecting every kind of local fault, ending the way `outcome` says. */
async function runWith(outcome: Outcome) {
  const dependency = { async call(): Promise<string> { return 'ok'; } };
  const originalCall = dependency.call;
  const injected: ActiveFault[] = [];
  const env = { proxies: { kv: proxy }, processes: { api: proc } };
  const inject = async (spec: FaultSpec) => {
    const fault = await injectFault(spec, env);
    injected.push(fault);
    return fault;
  };
  const experiment: Experiment = {
    title: `rollback on ${outcome}`,
    steadyStateHypothesis: { title: 'healthy', probes: [{ type: 'probe', name: 'healthy', provider: { type: 'function', name: 'healthy' }, tolerance: true }] },
    method: [
      { type: 'action', name: 'latency', provider: { type: 'function', name: 'injectFault', arguments: { kind: 'network', target: 'kv', action: 'latency', latencyMs: 50 } } },
      { type: 'action', name: 'cpu', provider: { type: 'function', name: 'injectFault', arguments: { kind: 'cpu', workers: 1, load: 0.2 } } },
      { type: 'action', name: 'memory', provider: { type: 'function', name: 'injectFault', arguments: { kind: 'memory', bytes: 8 * 1024 * 1024 } } },
      { type: 'action', name: 'kill', provider: { type: 'function', name: 'injectFault', arguments: { kind: 'process-kill', target: 'api' } } },
      { type: 'action', name: 'wrap', provider: { type: 'function', name: 'wrap' } },
      ...(outcome === 'failed' ? [{ type: 'action' as const, name: 'throw', provider: { type: 'function' as const, name: 'throws' } }] : []),
      { type: 'probe', name: 'look', provider: { type: 'function', name: 'look' }, pauses: { after: '2m' } },
    ],
    ...(outcome === 'aborted' ? { stopConditions: [{ name: 'proc alive', provider: { type: 'function', name: 'procAlive' }, tolerance: true, every: '30s' }] } : {}),
  };
  let phase = 0;
  const journal = await runExperiment(experiment, {
    scheduler: new VirtualScheduler(),
    registry: {
      injectFault: (args) => inject(args as unknown as FaultSpec),
      wrap: () => injectMethodFault(dependency, 'call', { errorRate: 1 }),
      throws: () => {
        throw new Error('action exploded');
      },
      look: () => ({ toxics: proxy.toxics().length, running: proc.running }),
      procAlive: () => proc.running,
      healthy: () => {
        phase += 1;
        return outcome === 'deviated' && phase > 1 ? false : true;
      },
    },
  });
  return { journal, injected, dependency, originalCall };
}

describe('rollbacks leave no fault behind', () => {
  for (const outcome of ['completed', 'deviated', 'failed', 'aborted'] as const) {
    it(`after a run that ends ${outcome}: toxics cleared, workers ended, memory released, process back, wrapper restored`, async () => {
      const { journal, injected, dependency, originalCall } = await runWith(outcome);
      expect(journal.status).toBe(outcome);
      expect(injected).toHaveLength(4);
      expect(proxy.toxics()).toEqual([]);
      expect((injected[1] as CpuStress).workers()).toBe(0);
      expect((injected[2] as MemoryPressure).heldBytes()).toBe(0);
      expect(proc.running).toBe(true);
      expect(dependency.call).toBe(originalCall);
      expect(injected.every((f) => !f.active)).toBe(true);
      expect(journal.rollbacks.every((r) => r.status === 'succeeded')).toBe(true);
      // the link is clean again: a round trip through the proxy works
      expect((await exchange(proxy.port, 'ok', 2)).received.toString()).toBe('ok');
    });
  }
});
