// The page's one way to reach the server: typed GET/POST/DELETE against /api/v1, with API errors
// ({ error: { code, message, issues? } }) turned into ApiError so views can show them as they are.

/** One problem the API found in a request (a bad query parameter or body field). */
export interface ApiIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** An error the API answered with (or a network failure, code `NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly ApiIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: ApiIssue[] };
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    // In token mode the page sends the token this browser was given (stored under sightline.token).
    const token = localStorage.getItem('sightline.token');
    const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
    response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', `The server did not answer ${method} ${path}: ${(error as Error).message}`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${path} answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const error = (parsed as ErrorBody | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `${method} ${path} answered ${response.status}`, error?.issues ?? []);
  }
  return parsed as T;
}

/** GET `path` with the defined entries of `query` as its query string. */
export function get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}, signal?: AbortSignal): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return call<T>('GET', qs === '' ? path : `${path}?${qs}`, undefined, signal);
}

export const post = <T>(path: string, body: unknown): Promise<T> => call<T>('POST', path, body);
export const del = (path: string): Promise<void> => call<void>('DELETE', path);

/** Shapes the API returns (see src/http/*-routes.ts and src/storage/*.ts). */
export interface SparkPoint {
  t: number;
  v: number;
}
export interface ServiceOverview {
  service: string;
  spans: number;
  errors: number;
  rate: number;
  errorRatio: number;
  p95_ms: number;
  rateSeries: SparkPoint[];
  p95Series: SparkPoint[];
}
export type Attributes = Record<string, unknown>;
export interface TraceSummary {
  trace_id: string;
  root_service: string;
  root_name: string;
  start_ms: number;
  duration_ms: number;
  span_count: number;
  error_count: number;
}
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
export interface Silence {
  id: string;
  matchers: Record<string, string>;
  comment: string;
  createdBy: string;
  startsAt: number;
  endsAt: number;
}
export interface Anomaly {
  id: number;
  seriesKey: string;
  severity: string;
  score: number;
  startsAt: number;
  endsAt?: number;
  reason: string;
}
/** A page of a list and the cursor for the next one (`null` on the last page). */
export type Page<K extends string, T, C = number> = { [P in K]: T[] } & { nextBefore: C | null };

/** One watched series with its points and anomalies (`GET /api/v1/views/anomalies`). */
export interface AnomalyTimeline {
  seriesKey: string;
  labels: Record<string, string>;
  points: SparkPoint[];
  anomalies: { id: number; startsAt: number; endsAt: number | null; score: number; severity: string; reason: string }[];
}

/** One burn-rate condition of an SLO. */
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

/** `GET /api/v1/incidents` rows and `GET /api/v1/incidents/:id`. */
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
export interface IncidentDetail {
  incident: Omit<IncidentSummary, 'alertCount'> & { alerts: Alert[] };
  timeline: { at: number; kind: string; text: string; traceId?: string }[];
}

/** `GET /api/v1/chaos/runs` rows and one run with its journal. */
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

/** Money is in integer micro-units of `currency` (1 USD = 1,000,000) throughout the cost API. */
export interface CostBreakdown {
  currency: string;
  by: string[];
  rows: { period: string; group: Record<string, string>; cost: number; records: number }[];
  total: number;
  changes: { group: Record<string, string>; previous: number; current: number; change: number; changeRatio: number | null }[];
}
export interface CostChargeback {
  currency: string;
  total: number;
  sharedTotal: number;
  untaggedTotal: number;
  teams: { team: string; direct: number; shared: number; untagged: number; total: number; share: number }[];
}
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
export interface CostRecommendation {
  kind: string;
  target: string;
  monthlySavings: number;
  effort: string;
  roi: number;
  paybackMonths: number;
  detail: string;
}
export interface CostImportReport {
  id: string;
  status: string;
  rows_read: number;
  accepted: number;
  rejected: number;
  rejects: { rowNumber: number; issues: { column: string; code: string; message: string }[] }[];
}

/** Uploads a FOCUS CSV file as it is (the server streams it); errors as {@link get}. */
export async function uploadCsv(file: File, filename: string): Promise<CostImportReport> {
  const token = localStorage.getItem('sightline.token');
  const path = `/api/v1/costs/imports?filename=${encodeURIComponent(filename)}`;
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', body: file, headers: { 'content-type': 'text/csv', ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `The server did not answer POST ${path}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as (CostImportReport & ErrorBody) | undefined;
  if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? `POST ${path} answered ${response.status}`, body?.error?.issues ?? []);
  return body as CostImportReport;
}
