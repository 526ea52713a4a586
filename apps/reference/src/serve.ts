import { createApp } from './app.js';
import { loadConfig } from './config.js';

export interface ServeOptions {
  configFile?: string;
  port?: string;
  host?: string;
  dataDir?: string;
  demo: boolean;
}

/** Loads and validates the configuration, starts the app, and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<void> {
  const configFile = options.configFile ?? process.env.SIGHTLINE_CONFIG;
  const env = { ...process.env };
  if (options.port !== undefined) env.SIGHTLINE_PORT = options.port;
  if (options.host !== undefined) env.SIGHTLINE_HOST = options.host;
  if (options.dataDir !== undefined) env.SIGHTLINE_DATA_DIR = options.dataDir;
  const config = loadConfig({ ...(configFile === undefined ? {} : { file: configFile }), env });
  const demoSlos = options.demo ? (await import('./demo/demo-slos.js')).DEMO_SLOS : [];
  const app = await createApp({ config, background: true, selfTelemetry: true, slos: demoSlos });
  const url = await app.listen();
  const storage = config.storage.databaseUrl === undefined ? `embedded PGlite in ${config.storage.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  process.stdout.write(`Sightline is listening on ${url} (storage: ${storage})\n  OTLP/HTTP: ${url}/v1/traces, ${url}/v1/metrics, ${url}/v1/logs\n  API: ${url}/api/v1   metrics: ${url}/metrics\n`);
  process.stdout.write(
    config.access.mode === 'local'
      ? '  access: LOCAL MODE — no login; every request acts as user "local" with the admin role (set access.mode: token to require tokens)\n'
      : `  access: bearer tokens (${config.access.tokens.length} configured); every API decision is in the audit trail\n`,
  );

  let stopDemo: (() => Promise<void>) | undefined;
  if (options.demo) {
    const { startDemo } = await import('./demo/demo-workload.js');
    const { seedDemoCosts } = await import('./demo/demo-costs.js');
    const { scheduleDemoChaos } = await import('./demo/demo-chaos.js');
    const stopWorkload = await startDemo(url);
    await seedDemoCosts(app, Date.now());
    const stopChaos = await scheduleDemoChaos(app, new URL(url).host, { onError: (error) => process.stderr.write(`demo chaos experiment: ${(error as Error).message}\n`) });
    stopDemo = async () => {
      stopChaos();
      await stopWorkload();
    };
    process.stdout.write('  demo workload: services "storefront", "checkout" and "payments" are sending telemetry (with LLM token cost)\n');
    process.stdout.write('  demo costs: a 35-day FOCUS bill with a cost spike; demo chaos: a small experiment in 30 s, then every 15 min\n');
  }

  const stop = async (signal: string) => {
    process.stdout.write(`\n${signal}: stopping\n`);
    await stopDemo?.();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
