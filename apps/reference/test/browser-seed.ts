// Seed data for the browser tests and the page-load bench, sent over OTLP/HTTP JSON like any
// exporter would: a known seven-span checkout trace, filler traces across services spread over
// the last hour (oldest first, so the derived per-minute series close in order), and logs.

/** OTLP SpanKind numbers. */
const KIND = { internal: 1, server: 2, client: 3 } as const;

interface SeedSpan {
  service: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startMs: number;
  durationMs: number;
  failed?: boolean;
  attributes?: Record<string, string | number>;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The id of the seeded checkout trace. */
export const CHECKOUT_TRACE_ID = 'c0ffee00000000000000000000000001';
/** Number of spans, and of failed spans, in the checkout trace. */
export const CHECKOUT_SPANS = 7;
export const CHECKOUT_ERRORS = 2;

/** A checkout request through frontend → cart and frontend → catalog → db; the catalog call fails. */
export function checkoutTrace(startMs: number): SeedSpan[] {
  const at = (offsetMs: number) => startMs + offsetMs;
  return [
    { service: 'frontend', spanId: 'f000000000000001', name: 'GET /checkout', kind: KIND.server, startMs: at(0), durationMs: 120, failed: true, attributes: { 'http.route': '/checkout', 'http.response.status_code': 500 } },
    { service: 'frontend', spanId: 'f000000000000002', parentSpanId: 'f000000000000001', name: 'POST cart', kind: KIND.client, startMs: at(5), durationMs: 40 },
    { service: 'cart', spanId: 'ca00000000000003', parentSpanId: 'f000000000000002', name: 'POST /cart', kind: KIND.server, startMs: at(8), durationMs: 34, attributes: { 'http.route': '/cart' } },
    { service: 'cart', spanId: 'ca00000000000004', parentSpanId: 'ca00000000000003', name: 'redis GET', kind: KIND.client, startMs: at(10), durationMs: 4, attributes: { 'db.system.name': 'redis' } },
    { service: 'frontend', spanId: 'f000000000000005', parentSpanId: 'f000000000000001', name: 'GET catalog', kind: KIND.client, startMs: at(50), durationMs: 60 },
    { service: 'catalog', spanId: 'c100000000000006', parentSpanId: 'f000000000000005', name: 'GET /items', kind: KIND.server, startMs: at(52), durationMs: 56, failed: true, attributes: { 'http.route': '/items', 'http.response.status_code': 503 } },
    { service: 'catalog', spanId: 'c100000000000007', parentSpanId: 'c100000000000006', name: 'db.query', kind: KIND.internal, startMs: at(55), durationMs: 45, attributes: { 'db.query.text': 'select * from items where id = $1' } },
  ];
}

const FILLER_SERVICES = ['cart', 'catalog', 'frontend', 'payments', 'search'] as const;

/**
 * `count` filler traces of `spansPerTrace` spans (a SERVER root and children), spread evenly over
 * [fromMs, toMs), oldest first; every 7th trace has a failed root.
 */
export function fillerTraces(count: number, spansPerTrace: number, fromMs: number, toMs: number): { traceId: string; spans: SeedSpan[] }[] {
  const traces = [];
  const step = (toMs - fromMs) / count;
  for (let i = 0; i < count; i++) {
    const service = FILLER_SERVICES[i % FILLER_SERVICES.length]!;
    const startMs = Math.floor(fromMs + i * step);
    const rootId = hex(i * 64 + 1, 16);
    const spans: SeedSpan[] = [{ service, spanId: rootId, name: `GET /${service}/${i % 3}`, kind: KIND.server, startMs, durationMs: 20 + (i % 17) * 3, failed: i % 7 === 0, attributes: { 'http.route': `/${service}/${i % 3}` } }];
    for (let j = 1; j < spansPerTrace; j++) spans.push({ service, spanId: hex(i * 64 + 1 + j, 16), parentSpanId: rootId, name: `step ${j}`, kind: KIND.internal, startMs: startMs + j, durationMs: 3 + (j % 5) });
    traces.push({ traceId: hex(i + 1, 32), spans });
  }
  return traces;
}

/** OTLP/JSON body of `traces` (each span's trace id given beside it), grouped by service. */
export function tracesBody(traces: readonly { traceId: string; spans: readonly SeedSpan[] }[]): string {
  const byService = new Map<string, object[]>();
  for (const { traceId, spans } of traces) {
    for (const s of spans) {
      const list = byService.get(s.service) ?? [];
      list.push({
        traceId,
        spanId: s.spanId,
        ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: `${Math.round(s.startMs * 1000)}000`,
        endTimeUnixNano: `${Math.round((s.startMs + s.durationMs) * 1000)}000`,
        attributes: Object.entries(s.attributes ?? {}).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } })),
        status: { code: s.failed === true ? 2 : 0, ...(s.failed === true ? { message: 'upstream failed' } : {}) },
      });
      byService.set(s.service, list);
    }
  }
  return JSON.stringify({ resourceSpans: [...byService].map(([service, spans]) => ({ resource: resource(service), scopeSpans: [{ scope: { name: 'seed' }, spans }] })) });
}

/** A log record to seed. */
export interface SeedLog {
  service: string;
  timeMs: number;
  severity: number;
  severityText: string;
  body: string;
  traceId?: string;
}

/** OTLP/JSON body of `logs`, grouped by service. */
export function logsBody(logs: readonly SeedLog[]): string {
  const byService = new Map<string, object[]>();
  for (const l of logs) {
    const list = byService.get(l.service) ?? [];
    list.push({ timeUnixNano: `${l.timeMs}000000`, severityNumber: l.severity, severityText: l.severityText, body: { stringValue: l.body }, ...(l.traceId === undefined ? {} : { traceId: l.traceId }) });
    byService.set(l.service, list);
  }
  return JSON.stringify({ resourceLogs: [...byService].map(([service, logRecords]) => ({ resource: resource(service), scopeLogs: [{ logRecords }] })) });
}

function resource(service: string) {
  return { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
}

/** POSTs an OTLP/JSON body and fails loudly on anything but a full success. */
export async function postOtlp(baseUrl: string, path: '/v1/traces' | '/v1/logs', body: string): Promise<void> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (!response.ok || text.includes('partialSuccess')) throw new Error(`${path} answered ${response.status}: ${text}`);
}
