import { parseDuration, type Clock } from '@sightline/core';
import { deployGate, serializeSloSpec, sloReport, toGrafanaDashboard, toPrometheusRules } from '@sightline/slo';
import type { FastifyInstance } from 'fastify';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import { budgetOverspend } from '../slo/budget-exhaustion.js';
import type { SloWatch } from '../slo/slo-watch.js';
import { inScope, type ScopeOf } from '../access/service-owners.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

const MIN = 60_000;

/**
 * The SLO API: list with live status, one SLO with its budget, report, deploy gate and alert
 * history, its burn-rate history for charts, create/replace/delete, an events endpoint for SLIs
 * spans cannot give, and the Prometheus rule and Grafana exports of every SLO.
 */
export function registerSloRoutes(app: FastifyInstance, options: { slos: SloWatch; alerts: AlertPipeline; clock: Clock; scopeOf: ScopeOf }): void {
  const { slos, alerts, clock } = options;
  const found = (name: string) => {
    const status = slos.status(name);
    if (status === undefined) throw new HttpError(404, 'SLO_NOT_FOUND', `No SLO named ${JSON.stringify(name)}`);
    return status;
  };

  app.get('/api/v1/slos', async (request) => {
    const scope = await options.scopeOf(request);
    const now = clock.now();
    return {
      slos: slos.specs().filter((spec) => inScope(scope, spec.service)).map((spec) => ({ spec: serializeSloSpec(spec), source: slos.source(spec.name), status: slos.status(spec.name, now), overspend: budgetOverspend(slos.engine.get(spec.name)!, now) })),
    };
  });

  app.get('/api/v1/slos/rules', async (_request, reply) => reply.type('application/yaml').send(toPrometheusRules(slos.specs())));
  app.get('/api/v1/slos/dashboard', async () => toGrafanaDashboard(slos.specs()));

  app.get<{ Params: { name: string } }>('/api/v1/slos/:name', async (request) => {
    const now = clock.now();
    const status = slos.status(request.params.name, now) ?? found(request.params.name);
    const tracker = slos.engine.get(request.params.name)!;
    const history = (await alerts.listAlerts({ limit: 500 })).filter((a) => a.source === 'slo' && a.labels.slo === status.name).slice(0, 50);
    return {
      spec: serializeSloSpec(tracker.spec),
      source: slos.source(status.name),
      status,
      overspend: budgetOverspend(tracker, now),
      gate: deployGate(status),
      report: sloReport(tracker, { period: 'day' }),
      alerts: history,
    };
  });

  app.get<{ Params: { name: string } }>('/api/v1/slos/:name/burn', async (request) => {
    found(request.params.name);
    const tracker = slos.engine.get(request.params.name)!;
    const now = clock.now();
    const q = parseQuery(request.query, { since: { type: 'time' }, step: { type: 'string', pattern: /^\d+[mh]$/ } }, now);
    // Minute buckets reach 6 hours back: that bounds the chart. Windows longer than that (1d,
    // 3d) are summed from hour buckets and charted too.
    const since = Math.max(q.since ?? now - 6 * 3_600_000, now - 6 * 3_600_000);
    const step = Math.max(q.step === undefined ? 5 * MIN : parseDuration(q.step), MIN);
    const windows = [...new Set(tracker.spec.alerting.burnWindows.flatMap((w) => [w.shortWindow, w.longWindow]))];
    const lengths = windows.map((w) => parseDuration(w));
    // A window with no events has no burn rate: null, drawn as a gap, never as 0x.
    const points: { t: number; burn: Record<string, number | null> }[] = [];
    for (let t = Math.ceil(since / step) * step; t <= now; t += step) {
      points.push({ t, burn: Object.fromEntries(windows.map((w, i) => [w, tracker.counts(lengths[i]!, t).total === 0 ? null : tracker.burnRate(lengths[i]!, t)])) });
    }
    return { windows, thresholds: tracker.spec.alerting.burnWindows, points };
  });

  app.put<{ Params: { name: string } }>('/api/v1/slos/:name', async (request, reply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'SLO_SPEC_INVALID', 'The body must be one SLO spec (a JSON object)');
    const named = { ...(body as Record<string, unknown>) };
    named.name ??= request.params.name;
    if (named.name !== request.params.name) throw new HttpError(400, 'SLO_NAME_MISMATCH', `The body names ${JSON.stringify(named.name)} but the URL ${JSON.stringify(request.params.name)}`);
    const { spec, created } = await slos.put(named);
    return reply.code(created ? 201 : 200).send({ spec: serializeSloSpec(spec), status: slos.status(spec.name) });
  });

  app.delete<{ Params: { name: string } }>('/api/v1/slos/:name', async (request, reply) => {
    if (!(await slos.remove(request.params.name))) throw new HttpError(404, 'SLO_NOT_FOUND', `No SLO named ${JSON.stringify(request.params.name)}`);
    return reply.code(204).send();
  });

  app.post<{ Params: { name: string } }>('/api/v1/slos/:name/events', async (request, reply) => {
    found(request.params.name);
    const body = request.body as Record<string, unknown> | null;
    const good = body?.good;
    const total = body?.total;
    const time = body?.time ?? clock.now();
    if (typeof good !== 'number' || typeof total !== 'number' || !(good >= 0 && total >= good && Number.isFinite(total)) || typeof time !== 'number') {
      throw new HttpError(400, 'SLO_EVENTS_INVALID', 'Expected { good, total, time? } with 0 <= good <= total (time in epoch ms)');
    }
    slos.record(request.params.name, good, total, time);
    return reply.code(202).send({ accepted: total });
  });
}
