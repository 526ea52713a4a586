import type { Clock } from '@sightline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OWNER_ATTRIBUTE, type Admitted, type ServiceOwners } from '../access/service-owners.js';
import type { Database } from '../storage/database.js';
import { insertLogs } from '../storage/log-store.js';
import { insertMetricPoints } from '../storage/metric-store.js';
import { insertSpans } from '../storage/span-store.js';
import type { IngestGate } from './ingest-gate.js';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics, type MetricRow } from './otlp-metrics.js';
import { decodeTraces, type SpanRow } from './otlp-traces.js';
import { OtlpDecodeError, type Attributes, type Decoded } from './otlp-values.js';

/** Seconds a refused exporter should wait; OTLP exporters honour Retry-After. */
const RETRY_AFTER_SECONDS = 1;

export interface OtlpRouteOptions {
  db: Database;
  clock: Clock;
  gate: IngestGate;
  /** Service ownership: claimed and checked before a batch is stored. */
  owners: ServiceOwners;
  /** Called with each batch of spans once it is stored, for derived signals (SLIs, series). */
  onSpansStored?: (spans: readonly SpanRow[]) => void;
  /** Called with each batch of metric points once stored (metric SLIs, anomaly detection). */
  onMetricsStored?: (points: readonly MetricRow[]) => void;
}

/**
 * OTLP/HTTP receivers (`POST /v1/traces|metrics|logs`, JSON encoding), following the OTLP spec:
 * 200 with `partialSuccess` when some items are rejected, 400 for malformed requests, 415 for
 * other encodings, 413 above the body limit, 503 with Retry-After under overload. Items of a
 * service owned by another team than the ingest credential's are rejected (partial success).
 */
export function registerOtlpRoutes(app: FastifyInstance, options: OtlpRouteOptions): void {
  const { db, clock, gate, owners } = options;

  app.post('/v1/traces', async (request, reply) => {
    const decoded = decodeOr400(reply, () => decodeTraces(request.body));
    if (decoded === undefined) return reply;
    return store(reply, request, decoded, resourceTeam, (spans) => insertSpans(db, spans), (spans, rejected, errors) => {
      options.onSpansStored?.(spans);
      return partial('rejectedSpans', rejected, errors);
    });
  });

  app.post('/v1/logs', async (request, reply) => {
    const decoded = decodeOr400(reply, () => decodeLogs(request.body, clock.now()));
    if (decoded === undefined) return reply;
    return store(reply, request, decoded, resourceTeam, (logs) => insertLogs(db, logs), (_logs, rejected, errors) => partial('rejectedLogRecords', rejected, errors));
  });

  app.post('/v1/metrics', async (request, reply) => {
    const decoded = decodeOr400(reply, () => decodeMetrics(request.body));
    if (decoded === undefined) return reply;
    // Metric points keep no resource: only an ingest credential's team claims their services.
    return store(reply, request, decoded, () => undefined, (points) => insertMetricPoints(db, points), (points, rejected, errors) => {
      options.onMetricsStored?.(points);
      return partial('rejectedDataPoints', rejected, errors);
    });
  });

  async function store<T extends { service: string }>(
    reply: FastifyReply,
    request: FastifyRequest,
    decoded: Decoded<T>,
    declaredTeam: (item: T) => string | undefined,
    insert: (items: T[]) => Promise<void>,
    answer: (stored: T[], rejected: number, errors: string[]) => object,
  ): Promise<FastifyReply> {
    const credentialTeam = request.principal?.team;
    let admitted: Admitted<T> | undefined;
    const outcome = await gate.run(async () => {
      admitted = await owners.admit(decoded.items, { credentialTeam, declaredTeam, now: clock.now() });
      // The credential's team wins over a declared `sightline.team`: stored data never contradicts the owner.
      if (credentialTeam !== undefined) for (const item of admitted.accepted) claimFor(item, credentialTeam);
      await insert(admitted.accepted);
    });
    if (outcome === undefined) {
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ code: 14, message: `ingest is at its limit of ${gate.limit} concurrent writes; retry after ${RETRY_AFTER_SECONDS}s` });
    }
    const { accepted, refused, errors } = admitted!;
    return reply.code(200).send(answer(accepted, decoded.rejected + refused, [...decoded.errors, ...errors].slice(0, 10)));
  }
}

/** The team a span or log record's resource declares (`sightline.team`). */
function resourceTeam<T extends { resource: Attributes }>(item: T): string | undefined {
  const team = item.resource[OWNER_ATTRIBUTE];
  return typeof team === 'string' ? team : undefined;
}

/** Sets the declared team of a span or log record to its credential's (metric points carry none). */
function claimFor(item: object, team: string): void {
  const resource = (item as { resource?: Attributes }).resource;
  if (resource !== undefined && resource[OWNER_ATTRIBUTE] !== team) resource[OWNER_ATTRIBUTE] = team;
}

function decodeOr400<T>(reply: FastifyReply, decode: () => T): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw error;
    // google.rpc.Status shape, as the OTLP spec asks for error bodies (3 = INVALID_ARGUMENT).
    void reply.code(400).send({ code: 3, message: `malformed OTLP request: ${error.message}` });
    return undefined;
  }
}

function partial(field: string, rejected: number, errors: readonly string[]): object {
  if (rejected === 0) return {};
  return { partialSuccess: { [field]: rejected, errorMessage: errors.join('; ') } };
}
