import type { App } from '../app.js';

/**
 * The demo's small scheduled chaos experiment: through a proxy the app opens in front of its own
 * API, "the API answers /healthz within 150 ms" is the steady state; the method adds 300 ms of
 * latency on the proxy, so the hypothesis deviates and the fault is rolled back. Newcomers find a
 * verdict and its journal in the Chaos view within a minute of starting the demo.
 */
export function demoExperiment(proxy: string): Record<string, unknown> {
  const probe = { type: 'probe', name: 'healthz-fast', provider: { type: 'http', url: `http://${proxy}/healthz`, calls: 3, percentile: 95, maxLatencyMs: 150 } };
  return {
    title: 'demo: the API stays fast when its network is slow',
    description: 'Scheduled by the demo every 15 minutes; a 300 ms latency fault on the proxy in front of the API.',
    steadyStateHypothesis: { title: 'the API answers /healthz within 150 ms (p95)', probes: [probe] },
    method: [{ type: 'action', name: 'slow-network', provider: { type: 'function', name: 'injectFault', arguments: { kind: 'network', target: 'demo-api', action: 'latency', latencyMs: 300 } } }],
  };
}

/** Opens the proxy and runs the experiment after `firstAfterMs`, then every `everyMs`; returns a stop. */
export async function scheduleDemoChaos(app: App, apiHostPort: string, options: { firstAfterMs?: number; everyMs?: number; onError: (error: unknown) => void }): Promise<() => void> {
  const { listen } = await app.chaos.openProxy('demo-api', apiHostPort);
  const run = () => void app.chaos.start(demoExperiment(listen)).catch(options.onError);
  const first = setTimeout(run, options.firstAfterMs ?? 30_000);
  const every = setInterval(run, options.everyMs ?? 15 * 60_000);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
