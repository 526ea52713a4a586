// A latency SLO loaded from OpenSLO with `op: lt` counts a request that takes exactly the
// threshold as bad, and `lte` as good: the app applies the SLI's comparison, not always "<=".
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { parseSloSpec } from '@sightline/slo';
import { createApp, type App } from '../src/app.js';
import type { SpanRow } from '../src/ingest/otlp-traces.js';
import { testDatabases } from './databases.js';

const database = testDatabases[0]!;
const at = Date.parse('2026-12-01T12:00:00Z');
const latency = (name: string, op: 'lt' | 'lte') => parseSloSpec({ name, service: 'checkout', objective: 0.99, window: '30d', sli: { kind: 'latency', thresholdMs: 500, op } });
const span = (durationMs: number, i: number): SpanRow => ({
  trace_id: `${'a'.repeat(30)}${String(i).padStart(2, '0')}`,
  span_id: `${'b'.repeat(14)}${String(i).padStart(2, '0')}`,
  parent_span_id: null,
  service: 'checkout',
  name: 'POST /checkout',
  kind: 2,
  start_ms: at - 60_000 + i,
  duration_ms: durationMs,
  status_code: 0,
  status_message: null,
  attributes: { 'http.route': '/checkout' },
  resource: { 'service.name': 'checkout' },
  events: [],
  links: [],
  scope: null,
});

describe('latency SLO threshold operators', () => {
  let app: App;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    app = await createApp({ storage: created.options, clock: new ManualClock(at), slos: [latency('under-500', 'lt'), latency('at-most-500', 'lte')], log: () => undefined });
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('counts a request of exactly the threshold as bad under lt and good under lte', () => {
    app.slos.observe([span(500, 1), span(499.9, 2), span(500.1, 3)]);
    expect(app.slos.status('under-500')!.events).toEqual({ good: 1, bad: 2, total: 3 });
    expect(app.slos.status('at-most-500')!.events).toEqual({ good: 2, bad: 1, total: 3 });
  });
});
