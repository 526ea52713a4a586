// The shapes of the JSON the HTTP API answers with, in one module read by both sides: the server
// (test/api-types.test.ts checks at compile time that what the routes return is assignable to
// these) and the web page (web/src/api.ts re-exports them, type-only). Types only, with no
// imports: the page's compiler (DOM lib, bundler resolution) and the server's both compile it.
// Times are epoch milliseconds, durations milliseconds, ratios 0..1, unless a field says otherwise.

/** Span, resource and log attributes as stored (OTLP values decoded to JSON). */
export type Attributes = Record<string, unknown>;

/** One problem the API found in a request (a bad query parameter or body field). */
export interface ApiIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** Every 4xx/5xx answer: a stable code, a message that says how to fix it, and each bad field. */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: ApiIssue[]; requestId?: string };
}

/** A page of a list and the cursor for the next one (`null` on the last page). */
export type Page<K extends string, T, C = number> = { [P in K]: T[] } & { nextBefore: C | null };

/** One point of a sparkline: the minute (epoch ms) and its value. */
export interface SparkPoint {
  t: number;
  v: number;
}

/**
 * One service on the overview (`GET /api/v1/views/overview`): its figures over the window and two
 * per-minute sparklines. Requests are counted by their entry spans (see `ServiceSummary` in
 * storage/span-store.ts), so a failed request with ten successful inner spans is one failure in
 * one request, not one in eleven.
 */
export interface ServiceOverview {
  service: string;
  /** Every span of the service in the window (inner spans included). */
  spans: number;
  /** Requests served (entry spans). */
  requests: number;
  /** Failed requests: error status or HTTP 5xx. */
  errors: number;
  /** Requests per second over the window. */
  rate: number;
  /** Share of requests that failed, 0..1. */
  errorRatio: number;
  /** p95 request duration, ms. */
  p95_ms: number;
  /**
   * Requests per second per minute (the derived `sightline.request.rate`, summed over operations);
   * windows over two hours are averaged into at most 120 steps of whole minutes.
   */
  rateSeries: SparkPoint[];
  /** p95 latency per minute (or step, as the rate), ms: the derived `sightline.request.duration.p95` of the slowest operation. */
  p95Series: SparkPoint[];
}

/** One row of `GET /api/v1/traces`: a trace's root (or earliest) span, newest first (a row of `trace_summaries`). */
export interface TraceSummary {
  trace_id: string;
  root_service: string;
  root_name: string;
  start_ms: number;
  duration_ms: number;
  span_count: number;
  error_count: number;
}

/** One span of `GET /api/v1/traces/:traceId`. `kind` and `status_code` are OTLP's numbers (2 = error). */
export interface Span {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: number;
  start_ms: number;
  duration_ms: number;
  status_code: number;
  status_message: string | null;
  attributes: Attributes;
  resource: Attributes;
  events: { name: string; time_ms: number; attributes: Attributes }[];
  scope: string | null;
}

/** One row of `GET /api/v1/logs`, newest first; `id` is the pagination cursor. */
export interface LogRecord {
  id: number;
  time_ms: number;
  service: string;
  severity_number: number;
  severity_text: string | null;
  body: string;
  trace_id: string | null;
  span_id: string | null;
  attributes: Attributes;
}

/** One alert of `GET /api/v1/alerts`. */
export interface Alert {
  id: string;
  source: string;
  severity: string;
  title: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: number;
  endsAt?: number;
  silenced: boolean;
  updatedAt: number;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
}

/**
 * One silence of `GET /api/v1/silences` and `/api/v1/views/silences`: mutes delivery of alerts
 * whose labels match every matcher, from `startsAt` to `endsAt`.
 */
export interface Silence {
  id: string;
  /** Label name → exact value; every matcher must match. */
  matchers: Record<string, string>;
  comment: string;
  createdBy: string;
  startsAt: number;
  endsAt: number;
}

/** One anomaly of `GET /api/v1/anomalies`; `score` is 0..1. */
export interface Anomaly {
  id: number;
  seriesKey: string;
  severity: string;
  score: number;
  startsAt: number;
  endsAt?: number;
  reason: string;
}

/** One watched series with its points and anomalies (`GET /api/v1/views/anomalies`). */
export interface AnomalyTimeline {
  seriesKey: string;
  labels: Record<string, string>;
  points: SparkPoint[];
  anomalies: { id: number; startsAt: number; endsAt: number | null; score: number; severity: string; reason: string }[];
}

/** One burn-rate condition of an SLO (rates are multiples of the budget's even spend). */
export interface SloCondition {
  severity: 'page' | 'ticket';
  longWindow: string;
  shortWindow: string;
  burnRate: number;
  longBurnRate: number;
  shortBurnRate: number;
  firing: boolean;
}

/** An SLO's live status (`@sightline/slo`'s SloStatus). */
export interface SloStatus {
  name: string;
  service: string;
  objective: number;
  at: number;
  window: { start: number; end: number };
  events: { good: number; bad: number; total: number };
  attainment: number;
  budget: { allowedBadFraction: number; allowedBadEvents: number; consumedFraction: number; remainingFraction: number; remainingEvents: number; timeToExhaustionMs: number | null };
  burnRates: Record<string, number>;
  conditions: SloCondition[];
  firing: { page: boolean; ticket: boolean };
}

/** One SLO of `GET /api/v1/slos`: its spec, where it came from, and its status. */
export interface SloSummary {
  spec: { name: string; service: string; description?: string; objective: number; window: unknown; sli: { kind: string; operation?: string; thresholdMs?: number } };
  source: 'file' | 'api';
  status: SloStatus;
}

/** `GET /api/v1/service-map`. */
export interface ServiceMap {
  since: number;
  nodes: { service: string; spans: number; errorRatio: number }[];
  edges: { from: string; to: string; calls: number; rate: number; errorRatio: number; p95_ms: number }[];
}

/** `GET /api/v1/incidents` rows. */
export interface IncidentSummary {
  id: string;
  service: string;
  services: string[];
  title: string;
  severity: string;
  status: 'open' | 'resolved';
  startsAt: number;
  endsAt: number | null;
  alertCount: number;
}

/** `GET /api/v1/incidents/:id`: the incident with its alerts, and its timeline. */
export interface IncidentDetail {
  incident: Omit<IncidentSummary, 'alertCount'> & { alerts: Alert[] };
  timeline: { at: number; kind: string; text: string; traceId?: string }[];
}

/** `GET /api/v1/chaos/runs` rows and one run with its journal (`GET /api/v1/chaos/runs/:id`). */
export interface ChaosRun {
  id: string;
  title: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  journal?: {
    status: string;
    reason?: string;
    durationMs: number;
    steadyStateBefore?: { met: boolean };
    steadyStateAfter?: { met: boolean };
    run: { name: string; type: string; status: string; start: number; end: number }[];
    rollbacks: unknown[];
    faults: { description: string; activity: string }[];
  } | null;
}

// Money is in integer micro-units of `currency` (1 USD = 1,000,000) throughout the cost API.

/** `GET /api/v1/costs/breakdown`. */
export interface CostBreakdown {
  currency: string;
  by: string[];
  rows: { period: string; group: Record<string, string>; cost: number; records: number }[];
  total: number;
  changes: { group: Record<string, string>; previous: number; current: number; change: number; changeRatio: number | null }[];
}

/** `GET /api/v1/costs/chargeback`; `share` is 0..1. */
export interface CostChargeback {
  currency: string;
  total: number;
  sharedTotal: number;
  untaggedTotal: number;
  teams: { team: string; direct: number; shared: number; untagged: number; total: number; share: number }[];
}

/** One row of `GET /api/v1/costs/anomalies`. */
export interface CostAnomaly {
  dimension: string;
  value: string;
  day: string;
  actual: number;
  expected: number;
  impact: number;
  relativeImpact: number;
  currency: string;
  rootCauses: { dimension: string; value: string; change: number; share: number }[];
}

/** One row of `GET /api/v1/costs/recommendations`. */
export interface CostRecommendation {
  kind: string;
  target: string;
  monthlySavings: number;
  effort: string;
  roi: number;
  paybackMonths: number;
  detail: string;
}

/** The report of `POST /api/v1/costs/imports`. */
export interface CostImportReport {
  id: string;
  status: string;
  rows_read: number;
  accepted: number;
  rejected: number;
  rejects: { rowNumber: number; issues: { column: string; code: string; message: string }[] }[];
}
