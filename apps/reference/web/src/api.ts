// The page's one way to reach the server: typed GET/POST/DELETE against /api/v1, with API errors
// ({ error: { code, message, issues? } }) turned into ApiError so views can show them as they are.
// The shapes of the answers are the server's own (src/http/api-types.ts), re-exported type-only:
// nothing of the server is bundled into the page.
import type { ApiIssue, CostImportReport } from '../../src/http/api-types.js';

export type {
  Alert,
  Anomaly,
  AnomalyTimeline,
  ApiIssue,
  Attributes,
  ChaosRun,
  CostAnomaly,
  CostBreakdown,
  CostChargeback,
  CostImportReport,
  CostRecommendation,
  IncidentDetail,
  IncidentSummary,
  LogRecord,
  Page,
  ServiceMap,
  ServiceOverview,
  Silence,
  SloCondition,
  SloStatus,
  SloSummary,
  Span,
  SparkPoint,
  TraceSummary,
} from '../../src/http/api-types.js';

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
