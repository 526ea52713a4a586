import { systemClock, type Clock } from '@sightline/core';
import { ConsoleSink, createLogger } from '@sightline/logging';
import { loadSloSpecs, registerSloMetrics, type SloSpec } from '@sightline/slo';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { AccessControl, LOCAL_PRINCIPAL } from './access/access-control.js';
import { AlertPipeline } from './alerts/alert-pipeline.js';
import { logSink, webhookSink, type NotificationSink } from './alerts/alert-sinks.js';
import { alertmanagerSink } from './alerts/alertmanager-sink.js';
import { sloLiveValues } from './alerts/live-values.js';
import { DEFAULT_CONFIG, type Config } from './config.js';
import { registerAccessRoutes } from './http/access-routes.js';
import { registerAlertRoutes } from './http/alert-routes.js';
import { registerAnomalyRoutes } from './http/anomaly-routes.js';
import { registerApiRoutes } from './http/api-routes.js';
import { LeaderLease } from './cluster/leader-lease.js';
import { ChaosRuns } from './chaos/chaos-runs.js';
import { registerChaosRoutes } from './http/chaos-routes.js';
import { Costs } from './costs/costs.js';
import { registerCostRoutes } from './http/cost-routes.js';
import { registerIncidentRoutes } from './http/incident-routes.js';
import { registerServiceMapRoutes } from './http/service-map-routes.js';
import { registerSloRoutes } from './http/slo-routes.js';
import { registerViewRoutes } from './http/view-routes.js';
import { registerMetricsRoute } from './http/metrics-route.js';
import { registerWebRoute } from './http/web-route.js';
import { buildServer } from './http/server.js';
import { IngestBuffer } from './ingest/ingest-buffer.js';
import { IngestGate } from './ingest/ingest-gate.js';
import type { MetricRow } from './ingest/otlp-metrics.js';
import type { SpanRow } from './ingest/otlp-traces.js';
import { OtlpGrpcServer } from './ingest/otlp-grpc.js';
import { registerOtlpRoutes } from './ingest/otlp-routes.js';
import { openDatabase, type Database, type DatabaseOptions } from './storage/database.js';
import { migrate } from './storage/migrations.js';
import { ensurePartitions } from './storage/partitions.js';
import { errorTraceIds } from './storage/span-store.js';
import { enforceRetention } from './storage/retention.js';
import { ROLLUP_REFRESH_INTERVAL_MS, refreshRollups } from './storage/service-stats.js';
import { AnomalyWatch } from './signals/anomaly-watch.js';
import { RequestSeries } from './signals/request-series.js';
import { HealthIndicators } from './health/health-indicators.js';
import { SloWatch } from './slo/slo-watch.js';
import { startSelfTelemetry, type SelfTelemetry } from './telemetry/self-telemetry.js';
import { APP_VERSION } from './version.js';

/** Everything `createApp` needs; every part has a default so tests pass only what they vary. */
export interface AppOptions {
  config?: Partial<Config>;
  /** Storage override for tests (`{}` is in-memory PGlite); defaults to `config.storage`. */
  storage?: DatabaseOptions;
  clock?: Clock;
  /** Where the app's own log lines go (the log alert sink among them). */
  log?: (line: Record<string, unknown>) => void;
  /** Start the background loops (alert dispatch, retention). Tests drive them by hand. */
  background?: boolean;
  /** Start the OpenTelemetry SDK and trace the app's own requests into its storage. */
  selfTelemetry?: boolean;
  /**
   * Set false to serve the API without the access-control hook: for the overhead bench, or when
   * embedding the app behind a gateway that already authorises. Never a config setting.
   */
  authorize?: boolean;
  /** SLOs loaded like the SLO file's (the demo's, or a test's), after the file's. */
  slos?: readonly SloSpec[];
}

/** A running Sightline app: its server, storage and capabilities, and one way to stop them. */
export interface App {
  readonly server: FastifyInstance;
  readonly db: Database;
  readonly alerts: AlertPipeline;
  readonly metrics: Registry;
  readonly requestSeries: RequestSeries;
  readonly anomalies: AnomalyWatch;
  readonly slos: SloWatch;
  readonly access: AccessControl;
  readonly chaos: ChaosRuns;
  readonly costs: Costs;
  /** Present when started with `selfTelemetry`. */
  readonly telemetry: SelfTelemetry | undefined;
  readonly config: Config;
  /**
   * Present when started with `background`: whether this replica runs the leader-only loops
   * (always, on embedded PGlite; on PostgreSQL, the holder of the advisory lock).
   */
  readonly lease: LeaderLease | undefined;
  /** Starts listening; returns the base URL (port 0 picks a free port). */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Starts the OTLP/gRPC receiver on `port` (default `config.server.grpcPort`; 0 picks a free
   * port) and returns its `host:port`. Stopped by `close()`.
   */
  listenGrpc(port?: number, host?: string): Promise<string>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * The app's own log lines through `@sightline/logging`: JSON on stdout (pretty in a terminal),
 * redacted, and carrying the trace of the app's own span when one is active.
 */
function appLogger(clock: Clock): (line: Record<string, unknown>) => void {
  const logger = createLogger({ service: 'sightline', level: 'info', clock, sinks: [new ConsoleSink()] });
  return ({ level, msg, ...fields }) => {
    const method = level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'info';
    logger[method](typeof msg === 'string' ? msg : 'event', fields);
  };
}

/** Metric attributes as detector labels (strings); arrays and objects as JSON. */
function stringLabels(attributes: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Opens storage, applies migrations and wires every capability: the one place they meet. */
export async function createApp(options: AppOptions = {}): Promise<App> {
  const config: Config = { ...DEFAULT_CONFIG, ...options.config };
  const clock = options.clock ?? systemClock;
  const log = options.log ?? appLogger(clock);
  const db = await openDatabase(options.storage ?? config.storage);
  await migrate(db);
  await ensurePartitions(db, clock.now());
  // The optional JetStream ingest buffer, connected before anything else needs closing but storage.
  const buffer = config.ingest.buffer === undefined ? undefined : await IngestBuffer.connect(config.ingest.buffer).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });

  // Health indicators read the ingest gate, created with the OTLP routes below.
  const health = new HealthIndicators({ db, ...(config.storage.databaseUrl === undefined ? { dataDir: config.storage.dataDir } : {}), ingest: () => ({ inFlight: gate.inFlight, limit: gate.limit }), health: config.health });
  const server = buildServer({ db, bodyLimitBytes: config.server.bodyLimitBytes, health, log });
  const telemetry = options.selfTelemetry === true ? startSelfTelemetry(server, { db, version: APP_VERSION }) : undefined;
  // Access control first: its hook guards every /api/v1 route (and, in token mode, OTLP ingest) registered below.
  const access = await AccessControl.create({ db, clock, config: config.access, onRefusedClaim: (claim) => log({ level: 'warn', msg: `ignored a claim on service ${claim.service} for team ${claim.claimedFor}: team ${claim.owner} owns it${claim.dataRefused ? ' (its data was refused)' : ''}`, claimedService: claim.service, owner: claim.owner, claimedFor: claim.claimedFor, dataRefused: claim.dataRefused }) });
  if (options.authorize !== false) access.register(server);
  registerAccessRoutes(server, { access, now: () => clock.now() });
  // Per-service reads are scoped to the reader's team's services (see AccessControl.serviceScope).
  const scopeOf = (request: FastifyRequest) => access.serviceScope(request.principal ?? LOCAL_PRINCIPAL);
  const metrics = registerMetricsRoute(server);
  await registerWebRoute(server);

  // Alerts: one pipeline for every source.
  const sinks: NotificationSink[] = [logSink(log), ...config.alerts.webhooks.map((w) => webhookSink(w.name, w.url, { format: w.format ?? 'generic', ...(w.routingKey === undefined ? {} : { routingKey: w.routingKey }) }))];
  const externalUrl = config.alerts.externalUrl ?? `http://${config.server.host}:${config.server.port}`;
  for (const am of config.alerts.alertmanagers ?? []) sinks.push(alertmanagerSink(am.name, am.url, { clock, externalUrl, ...(am.resendIntervalMs === undefined ? {} : { resendIntervalMs: am.resendIntervalMs }) }));
  const alerts = new AlertPipeline({
    db,
    clock,
    sinks,
    ...(config.alerts.resolveHoldDownMs === undefined ? {} : { resolveHoldDownMs: config.alerts.resolveHoldDownMs }),
    ...(config.alerts.escalation === undefined ? {} : { escalation: config.alerts.escalation }),
    // An alert on a service carries its recent error traces: incidents join alerts that share them.
    exemplars: async (alert, tx) => (alert.labels.service === undefined ? [] : errorTraceIds(tx, alert.labels.service, alert.startsAt - 5 * 60_000, Math.max(alert.startsAt, clock.now()))),
  });
  registerAlertRoutes(server, { pipeline: alerts, clock, scopeOf });
  registerIncidentRoutes(server, { db, alerts, clock, scopeOf });
  new Gauge({ name: 'sightline_alert_deliveries_pending', help: 'Alert notifications queued and not yet delivered', registers: [metrics], collect: async function () { this.set(await alerts.pendingDeliveries()); } });

  const report = (what: string) => (error: unknown) => log({ level: 'error', msg: `${what} failed`, error: (error as Error).message });

  // Anomaly detection on derived request series; anomalies raise alerts through the pipeline.
  // Replicas are possible only on PostgreSQL with the background loops (and so the leader lease) on:
  // then followers hand what only the leader computes to it (cluster/leader-handoff.ts).
  const databaseUrl = (options.storage ?? config.storage).databaseUrl;
  const sharedWithReplicas = options.background === true && databaseUrl !== undefined;
  const anomalies = new AnomalyWatch({ db, alerts, clock, onError: report('anomaly detection'), shared: sharedWithReplicas });
  registerAnomalyRoutes(server, { db, clock, scopeOf });

  // SLOs: specs from the SLO file (and the caller), evaluated from ingested spans; burn-rate alerts
  // go through the pipeline.
  const slos = new SloWatch({ db, alerts, clock });
  // SLO alerts show (and re-send) the burn rates of now beside the ones they fired with.
  alerts.useLiveValues('slo', sloLiveValues((name, at) => slos.status(name, at)));
  const fileSpecs = config.slos.file === undefined ? [] : loadSloSpecs(readFileSync(config.slos.file, 'utf8'), config.slos.file);
  await slos.load([...fileSpecs, ...(options.slos ?? [])]);
  slos.counter = registerSloMetrics(metrics, slos.engine);
  registerSloRoutes(server, { slos, alerts, clock, scopeOf });

  // Chaos experiments against what the app can reach, with its SLOs as steady-state probes.
  const chaos = new ChaosRuns({ db, slos, clock });
  registerChaosRoutes(server, { chaos, now: () => clock.now() });

  // Cost: FOCUS uploads, breakdowns, chargeback, anomalies into the alert pipeline, token cost of GenAI spans.
  const costs = new Costs({ db, alerts, clock, anomalies: { minAbsoluteImpact: config.costs.anomalyMinImpact, minRelativeImpact: config.costs.anomalyMinRelativeImpact }, onError: report('GenAI cost') });
  registerCostRoutes(server, { costs, access, now: () => clock.now() });

  // Request rate, error ratio and p95 per service and operation, derived from spans.
  const requestSeries = new RequestSeries({
    db,
    clock,
    shared: sharedWithReplicas,
    onError: report('derived series'),
    onPoints: (points) => void anomalies.observe(points.map((p) => ({ name: p.name, labels: p.labels, timestamp: p.timestamp, value: p.value }))),
  });

  // Ingest and the read API.
  const gate = new IngestGate(config.server.ingestConcurrency);
  const storedHooks = {
    onSpansStored: (spans: readonly SpanRow[]) => {
      requestSeries.observe(spans);
      slos.observe(spans);
      costs.observeSpans(spans);
    },
    onMetricsStored: (points: readonly MetricRow[]) => {
      slos.observeMetrics(points);
      costs.observeMetrics(points);
      // Gauges are watched as they are; counters and histograms through the derived series.
      const gauges = points.filter((p) => p.kind === 'gauge');
      if (gauges.length > 0) void anomalies.observe(gauges.map((p) => ({ name: p.name, labels: { service: p.service, ...stringLabels(p.labels) }, timestamp: p.time_ms, value: p.value })));
    },
  };
  // With the buffer, receivers publish and this replica's writer (unless receive-only) stores and calls the hooks.
  const ingest = registerOtlpRoutes(server, { db, clock, gate, owners: access.owners, ...(buffer === undefined ? storedHooks : { buffer }) });
  if (buffer?.config.writer === true) buffer.startWriter({ db, ...storedHooks, log });
  buffer?.registerMetrics(metrics);
  const grpc = new OtlpGrpcServer({ ingest, access: options.authorize === false ? undefined : access, maxMessageBytes: config.server.bodyLimitBytes, log });
  registerApiRoutes(server, { db, clock, scopeOf });
  registerViewRoutes(server, { db, clock, scopeOf });
  registerServiceMapRoutes(server, { db, clock, scopeOf });
  new Gauge({ name: 'sightline_ingest_in_flight', help: 'OTLP writes in progress', registers: [metrics], collect() { this.set(gate.inFlight); } });
  new Gauge({ name: 'sightline_ingest_refused', help: 'OTLP requests refused with 503 since start', registers: [metrics], collect() { this.set(gate.refused); } });

  // Leadership among replicas of one database: the loops that must run once per database run on
  // the leader only; per-replica work (flushing what this replica ingested, sealing its audit
  // decisions) runs everywhere. Embedded PGlite: always the leader.
  // Only an app that runs the background loops competes (a CLI or test app must not hold the lock).
  let closing: Promise<void> | undefined;
  const timers: NodeJS.Timeout[] = [];
  const leaderTimers: NodeJS.Timeout[] = [];
  const lease = options.background !== true ? undefined : await LeaderLease.start({
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    intervalMs: config.cluster.leaderCheckIntervalMs,
    onChange: (isLeader) => {
      // Closing steps down too; that is no news. On PGlite there is only ever this process.
      if (closing !== undefined) return;
      if (databaseUrl !== undefined) log({ level: 'info', msg: isLeader ? 'this replica is now the leader: running SLO evaluation, alert dispatch and retention' : 'this replica is no longer the leader: leader-only loops stopped' });
      if (isLeader) startLeaderWork();
      else stopLeaderWork();
    },
    onError: (error) => log({ level: 'warn', msg: 'leader lease', error: (error as Error).message }),
  });
  new Gauge({ name: 'sightline_leader', help: '1 on the replica that runs the leader-only loops (SLO evaluation, alert dispatch, retention), else 0', registers: [metrics], collect() { this.set(lease?.isLeader === true ? 1 : 0); } });
  if (lease !== undefined) health.leader = () => lease.isLeader;

  function startLeaderWork(): void {
    if (leaderTimers.length > 0) return;
    alerts.start(config.alerts.dispatchIntervalMs, report('alert dispatch'));
    // Each evaluation first takes the followers' handed-off events and saves the buckets (slo-watch.ts).
    const takingOver = slos.setLeading(true).catch(report('SLO take-over'));
    requestSeries.setLeading(true);
    anomalies.setLeading(true);
    const evaluateSlos = setInterval(() => void takingOver.then(() => slos.evaluate()).catch(report('SLO evaluation')), config.slos.evaluationIntervalMs);
    // Tomorrow's partitions are made ahead, before retention drops the expired ones.
    const retention = setInterval(() => void ensurePartitions(db, clock.now()).then(() => enforceRetention(db, config.retention, clock.now())).catch(report('retention')), 60_000);
    // The service map's calls per minute and the hourly rollups: one refresh at a time (a slow one is not stacked).
    let refreshing = false;
    const rollups = setInterval(() => {
      if (refreshing) return;
      refreshing = true;
      void refreshRollups(db, clock.now()).catch(report('rollups')).finally(() => (refreshing = false));
    }, ROLLUP_REFRESH_INTERVAL_MS);
    for (const timer of [evaluateSlos, retention, rollups]) {
      timer.unref();
      leaderTimers.push(timer);
    }
  }
  function stopLeaderWork(): void {
    for (const timer of leaderTimers.splice(0)) clearInterval(timer);
    void slos.setLeading(false).catch(report('SLO hand-off'));
    requestSeries.setLeading(false);
    anomalies.setLeading(false);
    // Stops new dispatches at once; one already running finishes the deliveries it claimed (they
    // are leased to it, so the new leader does not send them again).
    void alerts.close().catch(report('alert dispatch'));
  }
  if (options.background === true) {
    const flushSeries = setInterval(() => {
      void requestSeries.flush().catch(report('derived series')).then(() => anomalies.flush()).catch(report('anomaly detection'));
      anomalies.evictIdle();
    }, 15_000);
    flushSeries.unref();
    timers.push(flushSeries);
    // Audit blocks seal every 256 decisions; a quiet server still writes them within 5 s.
    const sealAudit = setInterval(() => void access.audit.flush().catch(report('audit flush')), 5_000);
    sealAudit.unref();
    timers.push(sealAudit);
    // A follower hands its SLI events to the leader and takes the leader's buckets (slo-watch.ts).
    const handOffSlos = setInterval(() => void slos.handOff().catch(report('SLO hand-off')), config.slos.evaluationIntervalMs);
    handOffSlos.unref();
    timers.push(handOffSlos);
    if (lease?.isLeader === true) startLeaderWork();
    else {
      await slos.setLeading(false);
      requestSeries.setLeading(false);
      anomalies.setLeading(false);
    }
  }

  return {
    server,
    db,
    alerts,
    metrics,
    requestSeries,
    anomalies,
    slos,
    access,
    chaos,
    costs,
    telemetry,
    config,
    lease,
    async listen(port = config.server.port, host = config.server.host) {
      await server.listen({ port, host });
      const address = server.server.address();
      const actualPort = typeof address === 'object' && address !== null ? address.port : port;
      return `http://${host}:${actualPort}`;
    },
    async listenGrpc(port, host = config.server.host) {
      const wanted = port ?? config.server.grpcPort;
      if (wanted === false) throw new Error('the OTLP/gRPC receiver is disabled (server.grpcPort: false)');
      return `${host}:${await grpc.listen(wanted, host)}`;
    },
    close() {
      closing ??= (async () => {
        for (const timer of [...timers, ...leaderTimers]) clearInterval(timer);
        // Without background loops the app evaluated SLOs by hand and owns its state, as before.
        const wasLeader = lease === undefined || lease.isLeader;
        await lease?.close();
        await server.close();
        await grpc.close();
        // No receiver publishes any more; the writer finishes the batch in hand before storage closes.
        await buffer?.close();
        await chaos.close();
        await requestSeries.settled();
        await costs.settled();
        // Only the leader's evaluator state is the database's; a follower's would overwrite it, and
        // hands off the events it has not handed off yet instead.
        if (wasLeader) await slos.saveState().catch(report('SLO state save'));
        else await slos.handOff().catch(report('SLO hand-off'));
        await access.audit.flush().catch(report('audit flush'));
        await alerts.close();
        await telemetry?.shutdown();
        health.close();
        await db.close();
      })();
      return closing;
    },
  };
}
