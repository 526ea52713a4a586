// The web page reads the API through the types of src/http/api-types.ts. These tests hold the
// server to them: at compile time (`pnpm typecheck`), what each route returns must be assignable to
// the type the page reads; at run time, real answers carry every field the page reads, as JSON.
import { describe, expect, it } from '@jest/globals';
import type { Breakdown, ChargebackReport, CostAnomaly, PeriodChange, Recommendation } from '@sightline/finops';
import type { SloStatus } from '@sightline/slo';
import type { StoredAlert } from '../src/alerts/alert-pipeline.js';
import type { Silence } from '../src/alerts/silence.js';
import type { ChaosRunRow } from '../src/chaos/chaos-runs.js';
import type { CostImport } from '../src/costs/costs.js';
import type * as Api from '../src/http/api-types.js';
import type { ApiErrorBody } from '../src/http/api-error.js';
import type { ServiceEdge } from '../src/http/service-map-routes.js';
import type { AnomalyTimeline, ServiceOverview, SparkPoint } from '../src/http/view-routes.js';
import type { Incident, TimelineEvent } from '../src/incidents/incidents.js';
import type { SpanRow } from '../src/ingest/otlp-traces.js';
import type { StoredAnomaly } from '../src/storage/anomaly-store.js';
import type { StoredLog } from '../src/storage/log-store.js';
import type { TraceSummary } from '../src/storage/span-store.js';
import { CHECKOUT_TRACE_ID, checkoutTrace, logsBody, postOtlp, tracesBody } from './browser-seed.js';
import { useTestApp } from './test-app.js';

/** What a server value of type `T` is once sent as JSON and parsed: `readonly` does not travel. */
type Wire<T> = T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { -readonly [K in keyof T]: Wire<T[K]> } : T;

/**
 * Compiles only when a server value of type `Server`, sent as JSON, can be used where the page
 * expects `PageType`: `conforms<PageType>()<Server>()`. (The server may send more fields than the page reads.)
 */
const conforms = <PageType>() => <Server extends object>(..._proof: Wire<Server> extends PageType ? [] : [never]): true => true;

/** The keys of `T`, listed in full: the compiler rejects a missing or unknown key. */
const keysOf = <T>() => <const K extends readonly (keyof T)[]>(...keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : never)): readonly string[] => keys as readonly string[];

describe('the API types shared by server and page', () => {
  it('hold every server answer the page reads (checked when this file compiles)', () => {
    const checks = [
      conforms<Api.SparkPoint>()<SparkPoint>(),
      conforms<Api.ServiceOverview>()<ServiceOverview>(),
      conforms<Api.AnomalyTimeline>()<AnomalyTimeline>(),
      conforms<Api.TraceSummary>()<TraceSummary>(),
      conforms<Api.Span>()<SpanRow>(),
      conforms<Api.LogRecord>()<StoredLog>(),
      conforms<Api.Alert>()<StoredAlert>(),
      conforms<Api.Silence>()<Silence>(),
      conforms<Api.Anomaly>()<StoredAnomaly>(),
      conforms<Api.SloStatus>()<SloStatus>(),
      conforms<Api.ServiceMap['edges'][number]>()<ServiceEdge>(),
      conforms<Api.IncidentSummary>()<Omit<Incident, 'alerts'> & { alertCount: number }>(),
      conforms<Api.IncidentDetail['incident']>()<Incident>(),
      conforms<Api.IncidentDetail['timeline'][number]>()<TimelineEvent>(),
      conforms<Api.ChaosRun>()<ChaosRunRow>(),
      conforms<Api.CostBreakdown>()<Breakdown & { changes: PeriodChange[] }>(),
      conforms<Api.CostChargeback>()<ChargebackReport>(),
      conforms<Api.CostAnomaly>()<CostAnomaly>(),
      conforms<Api.CostRecommendation>()<Recommendation>(),
      conforms<Api.CostImportReport>()<CostImport>(),
      conforms<Api.ApiErrorBody>()<ApiErrorBody>(),
    ];
    expect(checks.every(Boolean)).toBe(true);
  });

  describe('real answers, as JSON', () => {
    const t = useTestApp();

    it('a trace list row, a span and a log record carry every field of their types', async () => {
      await postOtlp(t.url, '/v1/traces', tracesBody([{ traceId: CHECKOUT_TRACE_ID, spans: checkoutTrace(Date.now() - 60_000) }]));
      await postOtlp(t.url, '/v1/logs', logsBody([{ service: 'catalog', timeMs: Date.now() - 30_000, severity: 17, severityText: 'ERROR', body: 'items query timed out', traceId: CHECKOUT_TRACE_ID }]));
      const traces = (await (await fetch(`${t.url}/api/v1/traces?since=1h`)).json()) as Api.Page<'traces', Api.TraceSummary>;
      expect(Object.keys(traces.traces[0]!).sort()).toEqual(expect.arrayContaining([...keysOf<Api.TraceSummary>()('trace_id', 'root_service', 'root_name', 'start_ms', 'duration_ms', 'span_count', 'error_count')].sort()));
      expect(typeof traces.traces[0]!.start_ms).toBe('number');
      const trace = (await (await fetch(`${t.url}/api/v1/traces/${CHECKOUT_TRACE_ID}`)).json()) as { spans: Api.Span[] };
      const spanKeys = keysOf<Api.Span>()('trace_id', 'span_id', 'parent_span_id', 'service', 'name', 'kind', 'start_ms', 'duration_ms', 'status_code', 'status_message', 'attributes', 'resource', 'events', 'scope');
      for (const span of trace.spans) expect(Object.keys(span)).toEqual(expect.arrayContaining([...spanKeys]));
      expect(trace.spans.filter((s) => s.status_code === 2)).toHaveLength(2);
      const logs = (await (await fetch(`${t.url}/api/v1/logs?since=1h`)).json()) as Api.Page<'logs', Api.LogRecord>;
      const logKeys = keysOf<Api.LogRecord>()('id', 'time_ms', 'service', 'severity_number', 'severity_text', 'body', 'trace_id', 'span_id', 'attributes');
      expect(Object.keys(logs.logs[0]!)).toEqual(expect.arrayContaining([...logKeys]));
      expect(typeof logs.logs[0]!.id).toBe('number'); // the pagination cursor, not a bigint string
    });

    it('an API error has the ApiErrorBody shape the page turns into ApiError', async () => {
      const bad = (await (await fetch(`${t.url}/api/v1/traces?limit=nope`)).json()) as Api.ApiErrorBody;
      expect(bad).toEqual({ error: expect.objectContaining({ code: 'QUERY_INVALID', message: expect.any(String), issues: [expect.objectContaining({ path: ['limit'], message: expect.any(String) })] }) });
    });
  });
});
