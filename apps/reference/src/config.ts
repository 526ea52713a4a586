import type { PolicySet } from '@sightline/abac';
import { IssueCollector, parseDuration, parsePrincipal } from '@sightline/core';
import { parseMicros } from '@sightline/finops';
import type { AccessConfig } from './access/access-control.js';
import type { ChannelFormat } from './alerts/alert-sinks.js';
import type { HealthOptions } from './health/health-indicators.js';
import { DEFAULT_INGEST_BUFFER, type IngestBufferConfig } from './ingest/ingest-buffer.js';
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DEFAULT_RESOLVE_HOLD_DOWN_MS } from './alerts/alert-pipeline.js';

/** The app's whole configuration, after defaults, file and environment are merged and validated. */
export interface Config {
  /** `grpcPort`: the OTLP/gRPC port (0 picks a free one), or `false` for no gRPC receiver. */
  server: { host: string; port: number; grpcPort: number | false; bodyLimitBytes: number; ingestConcurrency: number };
  storage: { databaseUrl?: string; dataDir: string };
  /** How long each signal is kept, in ms. */
  retention: { spans: number; logs: number; metrics: number; alerts: number };
  alerts: {
    webhooks: { name: string; url: string; format?: ChannelFormat; routingKey?: string }[];
    dispatchIntervalMs: number;
    /** Which channels hear of a firing alert after how long unacknowledged; default: all at once. */
    escalation?: { afterMs: number; sinks: string[] }[];
    /**
     * Prometheus Alertmanagers (v2 API) the alerts are sent to, re-sent every `resendIntervalMs`
     * while firing (default 1 minute); each is a channel named `name` (default `alertmanager`).
     */
    alertmanagers?: { name: string; url: string; resendIntervalMs?: number }[];
    /** How long a cleared condition is held before its alert resolves (ms, default 5 minutes). */
    resolveHoldDownMs?: number;
    /** The app's URL as people reach it, for links in notifications (default `http://<host>:<port>`). */
    externalUrl?: string;
  };
  /** SLO specs file (`@sightline/slo` native form or OpenSLO, YAML/JSON), read at each start. */
  slos: { file?: string; evaluationIntervalMs: number };
  /** Who may do what on the app: `local` (no login, one admin user) or bearer tokens. */
  access: AccessConfig;
  /** Health indicators: aggregation and external HTTP dependencies (thresholds: see README). */
  health: Partial<HealthOptions>;
  /** Cost anomalies raised as alerts need both impacts (AWS Cost Anomaly Detection's rule). */
  costs: { anomalyMinImpact: number; anomalyMinRelativeImpact: number };
  /**
   * Several replicas on one PostgreSQL database: how often a follower tries for the leader lock
   * (and the leader checks its lock's connection), ms. A dead leader is replaced within about one interval.
   */
  cluster: { leaderCheckIntervalMs: number };
  /** `buffer`: receivers persist batches in NATS JetStream and writers store them (off when absent). */
  ingest: { buffer?: IngestBufferConfig };
}

export const DEFAULT_CONFIG: Config = {
  // 4318 is the OTLP/HTTP port: an SDK with default exporter settings reaches the app unconfigured.
  // 4317 is the OTLP/gRPC port, by the same reasoning.
  server: { host: '127.0.0.1', port: 4318, grpcPort: 4317, bodyLimitBytes: 8 * 1024 * 1024, ingestConcurrency: 16 },
  storage: { dataDir: '.sightline-data' },
  retention: { spans: parseDuration('7d'), logs: parseDuration('7d'), metrics: parseDuration('30d'), alerts: parseDuration('90d') },
  alerts: { webhooks: [], dispatchIntervalMs: 5_000, alertmanagers: [], resolveHoldDownMs: DEFAULT_RESOLVE_HOLD_DOWN_MS },
  slos: { evaluationIntervalMs: 15_000 },
  access: { mode: 'local', tokens: [] },
  health: {},
  // 100.00 of the billing currency (micro-units) and 15%: small services do not page.
  costs: { anomalyMinImpact: 100_000_000, anomalyMinRelativeImpact: 0.15 },
  cluster: { leaderCheckIntervalMs: 2_000 },
  ingest: {},
};

const KEYS: Record<string, readonly string[]> = {
  '': ['server', 'storage', 'retention', 'alerts', 'slos', 'access', 'health', 'costs', 'cluster', 'ingest'],
  server: ['host', 'port', 'grpcPort', 'bodyLimitBytes', 'ingestConcurrency'],
  storage: ['databaseUrl', 'dataDir'],
  retention: ['spans', 'logs', 'metrics', 'alerts'],
  alerts: ['webhooks', 'dispatchInterval', 'escalation', 'alertmanagers', 'resolveHoldDown', 'externalUrl'],
  slos: ['file', 'evaluationInterval'],
  access: ['mode', 'tokens', 'policiesFile', 'serviceOwners'],
  health: ['aggregation', 'dependencies'],
  costs: ['anomalyMinImpact', 'anomalyMinRelativeImpact'],
  cluster: ['leaderCheckInterval'],
  ingest: ['buffer'],
  'ingest.buffer': ['url', 'stream', 'subject', 'consumer', 'ackWait', 'maxDeliveries', 'writer'],
};

/**
 * Loads configuration: defaults, then the YAML/JSON file (if given), then the environment.
 * Every bad key or value is reported with its path in one `CONFIG_INVALID` error.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = options.env ?? process.env;
  const issues = new IssueCollector();
  let raw: unknown = {};
  if (options.file !== undefined) {
    try {
      raw = parseYaml(readFileSync(options.file, 'utf8')) ?? {};
    } catch (error) {
      issues.add(['(file)'], error instanceof YAMLParseError ? yamlSyntaxMessage(options.file, error) : `cannot read ${options.file}: ${(error as Error).message}`, 'CONFIG_FILE');
      issues.throwIfAny('CONFIG_INVALID', `Invalid configuration in ${options.file}`);
    }
  }
  const doc = asObject(raw, [], issues);
  const config = structuredClone(DEFAULT_CONFIG);
  checkKeys(doc, '', issues);

  const server = asObject(doc.server, ['server'], issues);
  checkKeys(server, 'server', issues);
  if (server.host !== undefined) config.server.host = str(server.host, ['server', 'host'], issues);
  if (server.port !== undefined) config.server.port = int(server.port, ['server', 'port'], 0, 65_535, issues);
  if (server.grpcPort !== undefined) config.server.grpcPort = server.grpcPort === false ? false : int(server.grpcPort, ['server', 'grpcPort'], 0, 65_535, issues);
  if (server.bodyLimitBytes !== undefined) config.server.bodyLimitBytes = int(server.bodyLimitBytes, ['server', 'bodyLimitBytes'], 1_024, 1 << 30, issues);
  if (server.ingestConcurrency !== undefined) config.server.ingestConcurrency = int(server.ingestConcurrency, ['server', 'ingestConcurrency'], 1, 1_024, issues);

  const storage = asObject(doc.storage, ['storage'], issues);
  checkKeys(storage, 'storage', issues);
  if (storage.databaseUrl !== undefined) config.storage.databaseUrl = str(storage.databaseUrl, ['storage', 'databaseUrl'], issues);
  if (storage.dataDir !== undefined) config.storage.dataDir = str(storage.dataDir, ['storage', 'dataDir'], issues);

  const retention = asObject(doc.retention, ['retention'], issues);
  checkKeys(retention, 'retention', issues);
  for (const signal of ['spans', 'logs', 'metrics', 'alerts'] as const) {
    if (retention[signal] !== undefined) config.retention[signal] = duration(retention[signal], ['retention', signal], issues);
  }

  const alerts = asObject(doc.alerts, ['alerts'], issues);
  checkKeys(alerts, 'alerts', issues);
  if (alerts.dispatchInterval !== undefined) config.alerts.dispatchIntervalMs = duration(alerts.dispatchInterval, ['alerts', 'dispatchInterval'], issues);
  if (alerts.webhooks !== undefined) {
    if (!Array.isArray(alerts.webhooks)) issues.add(['alerts', 'webhooks'], 'must be a list of { name, url }', 'CONFIG_TYPE');
    else
      config.alerts.webhooks = alerts.webhooks.map((hook: unknown, i) => {
        const h = asObject(hook, ['alerts', 'webhooks', i], issues);
        const format = h.format ?? 'generic';
        if (format !== 'generic' && format !== 'slack' && format !== 'pagerduty') issues.add(['alerts', 'webhooks', i, 'format'], 'must be generic, slack or pagerduty', 'CONFIG_VALUE');
        if (format === 'pagerduty' && typeof h.routingKey !== 'string') issues.add(['alerts', 'webhooks', i, 'routingKey'], 'a pagerduty channel needs its integration routingKey', 'CONFIG_VALUE');
        return {
          name: str(h.name, ['alerts', 'webhooks', i, 'name'], issues),
          url: httpUrl(h.url, ['alerts', 'webhooks', i, 'url'], issues),
          ...(h.format === undefined ? {} : { format: format as ChannelFormat }),
          ...(typeof h.routingKey === 'string' ? { routingKey: h.routingKey } : {}),
        };
      });
  }

  if (alerts.alertmanagers !== undefined) {
    if (!Array.isArray(alerts.alertmanagers)) issues.add(['alerts', 'alertmanagers'], 'must be a list of { url, name?, resendInterval? }', 'CONFIG_TYPE');
    else
      config.alerts.alertmanagers = alerts.alertmanagers.map((entry: unknown, i) => {
        const a = asObject(entry, ['alerts', 'alertmanagers', i], issues);
        for (const key of Object.keys(a)) if (!['name', 'url', 'resendInterval'].includes(key)) issues.add(['alerts', 'alertmanagers', i, key], 'unknown key; expected one of name, url, resendInterval', 'CONFIG_UNKNOWN_KEY');
        const resend = a.resendInterval === undefined ? undefined : duration(a.resendInterval, ['alerts', 'alertmanagers', i, 'resendInterval'], issues);
        if (resend !== undefined && resend <= 0) issues.add(['alerts', 'alertmanagers', i, 'resendInterval'], 'must be longer than 0', 'CONFIG_RANGE');
        return {
          name: a.name === undefined ? (i === 0 ? 'alertmanager' : `alertmanager-${i + 1}`) : str(a.name, ['alerts', 'alertmanagers', i, 'name'], issues),
          url: httpUrl(a.url, ['alerts', 'alertmanagers', i, 'url'], issues),
          ...(resend === undefined ? {} : { resendIntervalMs: resend }),
        };
      });
  }
  if (alerts.resolveHoldDown !== undefined) config.alerts.resolveHoldDownMs = duration(alerts.resolveHoldDown, ['alerts', 'resolveHoldDown'], issues);
  if (alerts.externalUrl !== undefined) config.alerts.externalUrl = httpUrl(alerts.externalUrl, ['alerts', 'externalUrl'], issues);

  if (alerts.escalation !== undefined) {
    if (!Array.isArray(alerts.escalation)) issues.add(['alerts', 'escalation'], 'must be a list of { after, channels }', 'CONFIG_TYPE');
    else
      config.alerts.escalation = alerts.escalation.map((step: unknown, i) => {
        const e = asObject(step, ['alerts', 'escalation', i], issues);
        const channels = Array.isArray(e.channels) && e.channels.every((c) => typeof c === 'string') ? (e.channels as string[]) : [];
        if (channels.length === 0) issues.add(['alerts', 'escalation', i, 'channels'], 'must list channel names (webhook names, or "log")', 'CONFIG_VALUE');
        return { afterMs: e.after === undefined ? 0 : duration(e.after, ['alerts', 'escalation', i, 'after'], issues), sinks: channels };
      });
  }

  const slos = asObject(doc.slos, ['slos'], issues);
  checkKeys(slos, 'slos', issues);
  if (slos.file !== undefined) config.slos.file = str(slos.file, ['slos', 'file'], issues);
  if (slos.evaluationInterval !== undefined) config.slos.evaluationIntervalMs = duration(slos.evaluationInterval, ['slos', 'evaluationInterval'], issues);

  const access = asObject(doc.access, ['access'], issues);
  checkKeys(access, 'access', issues);
  if (access.mode !== undefined) {
    if (access.mode === 'local' || access.mode === 'token') config.access.mode = access.mode;
    else issues.add(['access', 'mode'], 'must be "local" (no login) or "token"', 'CONFIG_VALUE');
  }
  if (access.tokens !== undefined) {
    if (!Array.isArray(access.tokens)) issues.add(['access', 'tokens'], 'must be a list of { sha256, principal }', 'CONFIG_TYPE');
    else
      config.access.tokens = access.tokens.flatMap((entry: unknown, i) => {
        const t = asObject(entry, ['access', 'tokens', i], issues);
        if (typeof t.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(t.sha256)) issues.add(['access', 'tokens', i, 'sha256'], 'must be the SHA-256 (64 hex digits) of the token, e.g. `printf %s "$TOKEN" | sha256sum`', 'CONFIG_VALUE');
        try {
          return [{ sha256: String(t.sha256), principal: parsePrincipal(t.principal) }];
        } catch (error) {
          issues.add(['access', 'tokens', i, 'principal'], (error as Error).message, 'CONFIG_VALUE');
          return [];
        }
      });
  }
  if (access.policiesFile !== undefined) {
    const file = str(access.policiesFile, ['access', 'policiesFile'], issues);
    try {
      config.access.policies = parseYaml(readFileSync(file, 'utf8')) as PolicySet;
    } catch (error) {
      issues.add(['access', 'policiesFile'], error instanceof YAMLParseError ? yamlSyntaxMessage(file, error) : `cannot read ${file}: ${(error as Error).message}`, 'CONFIG_FILE');
    }
  }
  if (access.serviceOwners !== undefined) {
    const owners = asObject(access.serviceOwners, ['access', 'serviceOwners'], issues);
    config.access.serviceOwners = Object.fromEntries(Object.entries(owners).map(([service, team]) => [service, str(team, ['access', 'serviceOwners', service], issues)]));
  }
  if (config.access.mode === 'token' && config.access.tokens.length === 0) issues.add(['access', 'tokens'], 'token mode needs at least one token', 'CONFIG_VALUE');

  const health = asObject(doc.health, ['health'], issues);
  checkKeys(health, 'health', issues);
  if (health.aggregation !== undefined) {
    if (health.aggregation === 'all' || health.aggregation === 'majority' || health.aggregation === 'any') config.health.aggregation = health.aggregation;
    else issues.add(['health', 'aggregation'], 'must be all, majority or any', 'CONFIG_VALUE');
  }
  if (health.dependencies !== undefined) {
    if (!Array.isArray(health.dependencies)) issues.add(['health', 'dependencies'], 'must be a list of { name, url, timeout }', 'CONFIG_TYPE');
    else
      config.health.dependencies = health.dependencies.map((dep: unknown, i) => {
        const d = asObject(dep, ['health', 'dependencies', i], issues);
        return { name: str(d.name, ['health', 'dependencies', i, 'name'], issues), url: httpUrl(d.url, ['health', 'dependencies', i, 'url'], issues), timeoutMs: d.timeout === undefined ? 2_000 : duration(d.timeout, ['health', 'dependencies', i, 'timeout'], issues) };
      });
  }

  const costs = asObject(doc.costs, ['costs'], issues);
  checkKeys(costs, 'costs', issues);
  if (costs.anomalyMinImpact !== undefined) {
    const micros = parseMicros(String(costs.anomalyMinImpact));
    if (micros === undefined || micros < 0) issues.add(['costs', 'anomalyMinImpact'], 'must be a non-negative amount of the billing currency, e.g. "100" or "25.50"', 'CONFIG_VALUE');
    else config.costs.anomalyMinImpact = micros;
  }
  if (costs.anomalyMinRelativeImpact !== undefined) {
    const ratio = costs.anomalyMinRelativeImpact;
    if (typeof ratio !== 'number' || !(ratio >= 0)) issues.add(['costs', 'anomalyMinRelativeImpact'], 'must be a ratio >= 0, e.g. 0.15 for 15%', 'CONFIG_VALUE');
    else config.costs.anomalyMinRelativeImpact = ratio;
  }

  const cluster = asObject(doc.cluster, ['cluster'], issues);
  checkKeys(cluster, 'cluster', issues);
  if (cluster.leaderCheckInterval !== undefined) {
    const interval = duration(cluster.leaderCheckInterval, ['cluster', 'leaderCheckInterval'], issues);
    if (interval > 0) config.cluster.leaderCheckIntervalMs = interval;
    // A bad duration was reported already; a good one of 0 is out of range.
    else if (typeof cluster.leaderCheckInterval === 'string' && isDuration(cluster.leaderCheckInterval)) issues.add(['cluster', 'leaderCheckInterval'], 'must be longer than 0', 'CONFIG_RANGE');
  }

  const ingest = asObject(doc.ingest, ['ingest'], issues);
  checkKeys(ingest, 'ingest', issues);
  if (ingest.buffer !== undefined) config.ingest.buffer = ingestBuffer(asObject(ingest.buffer, ['ingest', 'buffer'], issues), issues);

  // The environment wins over the file.
  if (env.SIGHTLINE_HOST) config.server.host = env.SIGHTLINE_HOST;
  if (env.SIGHTLINE_PORT) config.server.port = int(env.SIGHTLINE_PORT, ['env', 'SIGHTLINE_PORT'], 0, 65_535, issues);
  if (env.SIGHTLINE_GRPC_PORT) config.server.grpcPort = env.SIGHTLINE_GRPC_PORT === 'off' ? false : int(env.SIGHTLINE_GRPC_PORT, ['env', 'SIGHTLINE_GRPC_PORT'], 0, 65_535, issues);
  if (env.DATABASE_URL) config.storage.databaseUrl = env.DATABASE_URL;
  if (env.SIGHTLINE_NATS_URL) config.ingest.buffer = { ...DEFAULT_INGEST_BUFFER, ...config.ingest.buffer, url: natsUrl(env.SIGHTLINE_NATS_URL, ['env', 'SIGHTLINE_NATS_URL'], issues) };
  if (env.SIGHTLINE_DATA_DIR) config.storage.dataDir = env.SIGHTLINE_DATA_DIR;
  if (env.SIGHTLINE_SLO_FILE) config.slos.file = env.SIGHTLINE_SLO_FILE;
  if (env.SIGHTLINE_WEBHOOK_URL) config.alerts.webhooks.push({ name: 'default', url: httpUrl(env.SIGHTLINE_WEBHOOK_URL, ['env', 'SIGHTLINE_WEBHOOK_URL'], issues) });
  const alertmanagers = (config.alerts.alertmanagers ??= []);
  if (env.SIGHTLINE_ALERTMANAGER_URL) alertmanagers.push({ name: alertmanagers.length === 0 ? 'alertmanager' : `alertmanager-${alertmanagers.length + 1}`, url: httpUrl(env.SIGHTLINE_ALERTMANAGER_URL, ['env', 'SIGHTLINE_ALERTMANAGER_URL'], issues) });
  const channelNames = new Set(['log', ...config.alerts.webhooks.map((w) => w.name), ...alertmanagers.map((a) => a.name)]);
  config.alerts.escalation?.forEach((step, i) => step.sinks.forEach((sink) => channelNames.has(sink) || issues.add(['alerts', 'escalation', i, 'channels'], `unknown channel ${JSON.stringify(sink)}`, 'CONFIG_VALUE')));
  const names = config.alerts.webhooks.map((w) => w.name);
  names.forEach((name, i) => names.indexOf(name) !== i && issues.add(['alerts', 'webhooks', i, 'name'], `duplicate webhook name ${JSON.stringify(name)}`, 'CONFIG_DUPLICATE'));
  alertmanagers.forEach((a, i) => (a.name === 'log' || names.includes(a.name) || alertmanagers.findIndex((b) => b.name === a.name) !== i) && issues.add(['alerts', 'alertmanagers', i, 'name'], `duplicate channel name ${JSON.stringify(a.name)}`, 'CONFIG_DUPLICATE'));

  issues.throwIfAny('CONFIG_INVALID', `Invalid configuration${options.file === undefined ? '' : ` in ${options.file}`}`);
  return config;
}

type Path = (string | number)[];

/** `ingest.buffer`: JetStream names are restricted (no dots in a stream name, no wildcards in a subject). */
function ingestBuffer(buffer: Record<string, unknown>, issues: IssueCollector): IngestBufferConfig {
  const path = (key: string): Path => ['ingest', 'buffer', key];
  checkKeys(buffer, 'ingest.buffer', issues);
  const config = { ...DEFAULT_INGEST_BUFFER, url: natsUrl(buffer.url, path('url'), issues) };
  if (buffer.stream !== undefined) config.stream = name(buffer.stream, path('stream'), /^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (a JetStream stream name)', issues);
  if (buffer.consumer !== undefined) config.consumer = name(buffer.consumer, path('consumer'), /^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (a JetStream consumer name)', issues);
  if (buffer.subject !== undefined) config.subject = name(buffer.subject, path('subject'), /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens of letters, digits, _ and -, without wildcards', issues);
  if (buffer.ackWait !== undefined) {
    config.ackWaitMs = duration(buffer.ackWait, path('ackWait'), issues);
    if (typeof buffer.ackWait === 'string' && isDuration(buffer.ackWait) && config.ackWaitMs < 1_000) issues.add(path('ackWait'), 'must be at least 1s', 'CONFIG_RANGE');
  }
  if (buffer.maxDeliveries !== undefined) config.maxDeliveries = int(buffer.maxDeliveries, path('maxDeliveries'), 1, 1_000, issues);
  if (buffer.writer !== undefined) {
    if (typeof buffer.writer === 'boolean') config.writer = buffer.writer;
    else issues.add(path('writer'), 'must be true or false', 'CONFIG_TYPE');
  }
  return config;
}

function natsUrl(value: unknown, path: Path, issues: IssueCollector): string {
  const text = str(value, path, issues);
  if (text !== '' && !text.split(',').every((url) => /^(nats|tls):\/\/[^\s,]+$/.test(url))) issues.add(path, 'must be nats:// or tls:// URLs, comma-separated, e.g. nats://127.0.0.1:4222', 'CONFIG_URL');
  return text;
}

function name(value: unknown, path: Path, pattern: RegExp, what: string, issues: IssueCollector): string {
  const text = str(value, path, issues);
  if (text !== '' && !pattern.test(text)) issues.add(path, `must be ${what}, got ${JSON.stringify(text)}`, 'CONFIG_VALUE');
  return text;
}

/** One line for a YAML syntax error in `file`: where it is and the parser's cause, without its code excerpt. */
function yamlSyntaxMessage(file: string, error: YAMLParseError): string {
  const cause = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const position = error.linePos?.[0];
  return `${file}${position === undefined ? '' : ` line ${position.line}, column ${position.col}`}: YAML syntax error: ${cause}`;
}

function asObject(value: unknown, path: Path, issues: IssueCollector): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.add(path, 'must be a mapping', 'CONFIG_TYPE');
    return {};
  }
  return value as Record<string, unknown>;
}

function checkKeys(value: Record<string, unknown>, section: string, issues: IssueCollector): void {
  const allowed = KEYS[section] ?? [];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.add(section === '' ? [key] : [...section.split('.'), key], `unknown key; expected one of ${allowed.join(', ')}`, 'CONFIG_UNKNOWN_KEY');
  }
}

function str(value: unknown, path: Path, issues: IssueCollector): string {
  if (typeof value === 'string' && value !== '') return value;
  issues.add(path, 'must be a non-empty string', 'CONFIG_TYPE');
  return '';
}

function int(value: unknown, path: Path, min: number, max: number, issues: IssueCollector): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
  issues.add(path, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, 'CONFIG_RANGE');
  return min;
}

function duration(value: unknown, path: Path, issues: IssueCollector): number {
  try {
    if (typeof value !== 'string') throw new Error('not a string');
    return parseDuration(value);
  } catch {
    issues.add(path, `must be a duration such as "7d" or "30s", got ${JSON.stringify(value)}`, 'CONFIG_DURATION');
    return 0;
  }
}

function isDuration(value: string): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

function httpUrl(value: unknown, path: Path, issues: IssueCollector): string {
  const text = str(value, path, issues);
  if (text !== '' && !/^https?:\/\/[^\s]+$/.test(text)) issues.add(path, 'must be an http(s) URL', 'CONFIG_URL');
  return text;
}
