import { formatIssuePath, ValidationError } from '@sightline/core';
import { createHash, randomBytes } from 'node:crypto';
import { createApp } from './app.js';
import { CliError, EXIT } from './cli/api-client.js';
import { loadConfig, type Config } from './config.js';

export interface ServeOptions {
  configFile?: string;
  /** Listen port (0..65535), validated by the caller; wins over the file and SIGHTLINE_PORT. */
  port?: number;
  host?: string;
  dataDir?: string;
  demo: boolean;
}

/** Loads and validates the configuration, starts the app, and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<void> {
  const configFile = options.configFile ?? process.env.SIGHTLINE_CONFIG;
  const config = loadServeConfig(configFile);
  // Flags win over the file and the environment.
  if (options.port !== undefined) config.server.port = options.port;
  if (options.host !== undefined) config.server.host = options.host;
  if (options.dataDir !== undefined) config.storage.dataDir = options.dataDir;
  const configuredTokens = config.access.tokens.length;
  // In token mode the demo's services need a credential to send telemetry like any exporter: a
  // random ingest-only token that lives as long as this process.
  const demoIngestToken = options.demo && config.access.mode === 'token' ? addDemoIngestToken(config) : undefined;
  const demoSlos = options.demo ? (await import('./demo/demo-slos.js')).DEMO_SLOS : [];
  const app = await createApp({ config, background: true, selfTelemetry: true, slos: demoSlos });
  const url = await app.listen().catch(async (error: unknown) => {
    await app.close();
    throw listenError(error, config.server);
  });
  const storage = config.storage.databaseUrl === undefined ? `embedded PGlite in ${config.storage.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  process.stdout.write(`Sightline is listening on ${url} (storage: ${storage})\n  OTLP/HTTP: ${url}/v1/traces, ${url}/v1/metrics, ${url}/v1/logs\n  API: ${url}/api/v1   metrics: ${url}/metrics\n`);
  // gRPC is the second door: when its port is taken, HTTP ingest still serves, and the line says why.
  if (config.server.grpcPort !== false) {
    const grpcLine = await app.listenGrpc().then(
      (address) => `  OTLP/gRPC: ${address}\n`,
      (error: unknown) => `  OTLP/gRPC: not started, port ${String(config.server.grpcPort)} on ${config.server.host}: ${(error as Error).message} (set server.grpcPort or SIGHTLINE_GRPC_PORT; off disables it)\n`,
    );
    process.stdout.write(grpcLine);
  }
  process.stdout.write(
    config.access.mode === 'local'
      ? '  access: LOCAL MODE — no login; every request acts as user "local" with the admin role (set access.mode: token to require tokens)\n'
      : `  access: bearer tokens (${configuredTokens} configured${demoIngestToken === undefined ? '' : ', plus the demo services\' ingest token'}); every API decision is in the audit trail\n`,
  );

  let stopDemo: (() => Promise<void>) | undefined;
  if (options.demo) {
    const { startDemo } = await import('./demo/demo-workload.js');
    const { seedDemoCosts } = await import('./demo/demo-costs.js');
    const { scheduleDemoChaos } = await import('./demo/demo-chaos.js');
    const stopWorkload = await startDemo(url, demoIngestToken === undefined ? {} : { ingestToken: demoIngestToken });
    await seedDemoCosts(app, Date.now());
    // Scheduled chaos is leader-only work: with several replicas, one runs the experiments.
    const chaosOptions = { onError: (error: unknown) => process.stderr.write(`demo chaos experiment: ${(error as Error).message}\n`) };
    let stopChaos: (() => void) | undefined;
    const followLeadership = async (isLeader: boolean) => {
      if (isLeader && stopChaos === undefined) stopChaos = await scheduleDemoChaos(app, new URL(url).host, chaosOptions);
      if (!isLeader) {
        stopChaos?.();
        stopChaos = undefined;
      }
    };
    const unfollow = app.lease?.onChange((isLeader) => void followLeadership(isLeader).catch(chaosOptions.onError));
    await followLeadership(app.lease?.isLeader ?? true);
    stopDemo = async () => {
      unfollow?.();
      stopChaos?.();
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

/** `loadConfig` with its CONFIG_INVALID issues as a usage error: one line per issue, naming the file (or variable) and field. */
function loadServeConfig(file: string | undefined): Config {
  try {
    return loadConfig(file === undefined ? {} : { file });
  } catch (error) {
    if (!(error instanceof ValidationError) || error.code !== 'CONFIG_INVALID') throw error;
    const lines = error.issues.map((issue) => {
      const [section, name] = issue.path;
      if (section === 'env') return `environment variable ${String(name)}: ${issue.message}`;
      // Messages about the file itself (unreadable, YAML syntax) name it already.
      if (section === '(file)') return issue.message;
      return `${file ?? 'configuration'}: ${formatIssuePath(issue.path)}: ${issue.message}`;
    });
    const message = lines.length === 1 ? lines[0]! : `invalid configuration, ${lines.length} problems:\n  ${lines.join('\n  ')}`;
    throw new CliError(message, EXIT.usage);
  }
}

/** Why the server could not listen, in words, for the errors a user can fix; anything else as it is. */
function listenError(error: unknown, server: { host: string; port: number }): unknown {
  const code = (error as { code?: unknown }).code;
  const where = `port ${server.port} on ${server.host}`;
  if (code === 'EADDRINUSE') return new CliError(`${where} is already in use (EADDRINUSE); stop the other process or pass --port`, EXIT.failed);
  if (code === 'EACCES') return new CliError(`no permission to listen on ${where} (EACCES); pass a --port above 1023`, EXIT.failed);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new CliError(`cannot listen on ${where}: the address is not available here (${String(code)}); pass another --host`, EXIT.failed);
  return error;
}

/** Adds a random token for the demo's services (the `ingest` role only) and returns it. */
function addDemoIngestToken(config: Config): string {
  const token = randomBytes(24).toString('hex');
  config.access.tokens.push({ sha256: createHash('sha256').update(token).digest('hex'), principal: { id: 'sightline-demo', kind: 'service', roles: ['ingest'] } });
  return token;
}
