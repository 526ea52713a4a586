import type { Principal } from '@sightline/core';
import type { ColumnMapping, Dimension, FocusConformance } from '@sightline/finops';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { LOCAL_PRINCIPAL, type AccessControl } from '../access/access-control.js';
import type { CostFilter } from '../costs/cost-store.js';
import type { Costs } from '../costs/costs.js';
import { HttpError } from './api-error.js';
import { parseQuery } from './query-params.js';

const ONE_DIMENSION = '(?:ServiceName|ServiceCategory|ProviderName|RegionId|ResourceId|ResourceType|SubAccountId|BillingAccountId|ChargeCategory|SkuId|CommitmentDiscountId|tag:[A-Za-z0-9_.:-]+)';
const DIMENSION = new RegExp(`^${ONE_DIMENSION}$`);
const DIMENSIONS = new RegExp(`^${ONE_DIMENSION}(?:,${ONE_DIMENSION})*$`);
const WINDOW = { since: { type: 'time' }, until: { type: 'time' } } as const;
const SPLIT = ['even', 'proportional'] as const;

/**
 * Costs over `/api/v1/costs` (money in integer micro-units of the billing currency; readers see
 * the rows their scope allows, see `AccessControl.costScope`):
 * `POST /imports` (a FOCUS CSV body, `text/csv`, streamed; `?filename`, `?mapping` = JSON of FOCUS
 * column → source column, `?conformance=focus-1.1` to enforce every Mandatory column) → 201 with
 * the import report; `GET /imports`, `GET /imports/:id`,
 * `GET /imports/:id/rejects` (the rejects file as CSV); `GET /records`, `GET /breakdown`,
 * `GET /chargeback`, `GET /anomalies`, `GET /recommendations`.
 */
export function registerCostRoutes(app: FastifyInstance, options: { costs: Costs; access: AccessControl; now: () => number }): void {
  const { costs, access } = options;
  // The body is handed over as the request stream: a bill is never buffered whole.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  const filterOf = (request: FastifyRequest, window: { since?: number; until?: number }): CostFilter => ({
    ...window,
    // Without the access hook (embedded behind a gateway) the app acts as the local user.
    scope: access.costScope(request.principal ?? LOCAL_PRINCIPAL),
  });

  app.post('/api/v1/costs/imports', async (request, reply) => {
    const q = parseQuery(request.query, { filename: { type: 'string', pattern: /^[^/\\]{1,200}$/ }, mapping: { type: 'string' }, conformance: { type: 'string', oneOf: ['focus-1.0', 'focus-1.1'] } }, options.now());
    if (!request.headers['content-type']?.startsWith('text/csv')) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the FOCUS CSV as text/csv');
    const columnMapping = q.mapping === undefined ? undefined : parseMapping(q.mapping);
    const principal: Principal = request.principal ?? LOCAL_PRINCIPAL;
    const result = await costs.import(request.body as Readable, {
      uploadedBy: principal.id,
      ...(q.filename === undefined ? {} : { filename: q.filename }),
      ...(columnMapping === undefined ? {} : { columnMapping }),
      ...(q.conformance === undefined ? {} : { conformance: q.conformance as FocusConformance }),
    });
    // A new bill may complete a spike: score it now so the alert does not wait for a schedule.
    await costs.raiseAnomalyAlerts();
    return reply.code(201).send(result);
  });
  app.get('/api/v1/costs/imports', async (request) => {
    const q = parseQuery(request.query, { limit: { type: 'integer', min: 1, max: 500 } }, options.now());
    return { imports: await costs.listImports(q.limit ?? 50) };
  });
  app.get<{ Params: { id: string } }>('/api/v1/costs/imports/:id', async (request) => {
    const found = await costs.getImport(request.params.id);
    if (found === undefined) throw new HttpError(404, 'COST_IMPORT_NOT_FOUND', `No cost import ${request.params.id}`);
    return found;
  });
  app.get<{ Params: { id: string } }>('/api/v1/costs/imports/:id/rejects', async (request, reply) => {
    if ((await costs.getImport(request.params.id)) === undefined) throw new HttpError(404, 'COST_IMPORT_NOT_FOUND', `No cost import ${request.params.id}`);
    reply.type('text/csv; charset=utf-8');
    let text = '';
    for await (const chunk of costs.rejectsFile(request.params.id)) text += chunk;
    return text;
  });

  app.get('/api/v1/costs/records', async (request) => {
    const q = parseQuery(request.query, { ...WINDOW, limit: { type: 'integer', min: 1, max: 1000 } }, options.now());
    return { records: await costs.records(filterOf(request, q), q.limit ?? 100) };
  });
  app.get('/api/v1/costs/breakdown', async (request) => {
    const q = parseQuery(request.query, {
      ...WINDOW,
      by: { type: 'string', pattern: DIMENSIONS },
      granularity: { type: 'string', oneOf: ['day', 'week', 'month'] },
      cost: { type: 'string', oneOf: ['billed', 'effective', 'list', 'contracted'] },
      top: { type: 'integer', min: 1, max: 1000 },
    }, options.now());
    const by = (q.by ?? 'ServiceName').split(',') as Dimension[];
    return costs.breakdown(filterOf(request, q), { by, granularity: (q.granularity ?? 'day') as 'day', cost: (q.cost ?? 'effective') as 'effective', ...(q.top === undefined ? {} : { top: q.top }) });
  });
  app.get('/api/v1/costs/chargeback', async (request) => {
    const q = parseQuery(request.query, {
      ...WINDOW,
      tag: { type: 'string', pattern: /^[A-Za-z0-9_.:-]+$/ },
      shared: { type: 'string', oneOf: SPLIT },
      untagged: { type: 'string', oneOf: SPLIT },
      cost: { type: 'string', oneOf: ['billed', 'effective'] },
    }, options.now());
    return costs.chargeback(filterOf(request, q), {
      tagKey: q.tag ?? 'team',
      sharedSplit: (q.shared ?? 'proportional') as 'proportional',
      untaggedSplit: (q.untagged ?? 'proportional') as 'proportional',
      cost: (q.cost ?? 'effective') as 'effective',
    });
  });
  app.get('/api/v1/costs/anomalies', async (request) => {
    const q = parseQuery(request.query, { ...WINDOW, dimension: { type: 'string', pattern: DIMENSION } }, options.now());
    const anomalies = await costs.anomalies(filterOf(request, q), { dimension: (q.dimension ?? 'ServiceName') as Dimension });
    // The alert object repeats the anomaly; its id is what a reader needs to find it in /alerts.
    return { anomalies: anomalies.map(({ alert, ...rest }) => ({ ...rest, alertFingerprint: alert.fingerprint })) };
  });
  app.get('/api/v1/costs/recommendations', async (request) => {
    const q = parseQuery(request.query, WINDOW, options.now());
    return { recommendations: await costs.recommendations(filterOf(request, q)) };
  });
}

/** `?mapping={"BilledCost":"cost",...}`: FOCUS column → the export's column. */
function parseMapping(text: string): ColumnMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'COST_MAPPING_INVALID', 'mapping must be a JSON object of FOCUS column → source column');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'COST_MAPPING_INVALID', 'mapping must be a JSON object of FOCUS column → source column');
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new HttpError(400, 'COST_MAPPING_INVALID', `mapping.${key} must be a string (the source column name)`);
  }
  return parsed as ColumnMapping;
}
