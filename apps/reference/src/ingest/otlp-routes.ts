import type { Clock } from '@sightline/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Database } from '../storage/database.js';
import { insertLogs } from '../storage/log-store.js';
import { insertMetricPoints } from '../storage/metric-store.js';
import { insertSpans } from '../storage/span-store.js';
import type { IngestGate } from './ingest-gate.js';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics, type MetricRow } from './otlp-metrics.js';
import { decodeTraces, type SpanRow } from './otlp-traces.js';
import { OtlpDecodeError } from './otlp-values.js';

/** Seconds a refused exporter should wait; OTLP exporters honour Retry-After. */
const RETRY_AFTER_SECONDS = 1;

export interface OtlpRouteOptions {
  db: Database;
  clock: Clock;
  gate: IngestGate;
  /** Called with each batch of spans once it is stored, for derived signals (SLIs, series). */
  onSpansStored?: (spans: readonly SpanRow[]) => void;
  /** Called with each batch of metric points once stored (metric SLIs, anomaly detection). */
  onMetricsStored?: (points: readonly MetricRow[]) => void;
}

/**
 * OTLP/HTTP receivers (`POST /v1/traces|metrics|logs`, JSON encoding), following the OTLP spec:
 * 200 with `partialSuccess` when some items are rejected, 400 for malformed requests, 415 for
 * other encodings, 413 above the body limit, 503 with Retry-After under overload.
 */
export function registerOtlpRoutes(app: FastifyInstance, options: OtlpRouteOptions): void {
  const { db, clock, gate } = options;

  app.post('/v1/traces', async (request, reply) => {
    const decoded = decodeOr400(reply, () => decodeTraces(request.body));
    if (decoded === undefined) return reply;
    return store(reply, () => insertSpans(db, decoded.items), () => {
      options.onSpansStored?.(decoded.items);
      return partial('rejectedSpans', decoded.rejected, decoded.errors);
    });
  });

  app.post('/v1/logs', async (request, reply) => {
    const decoded = decodeOr400(reply, () => decodeLogs(request.body, clock.now()));
    if (decoded === undefined) return reply;
    return store(reply, () => insertLogs(db, decoded.items), () => {
      return partial('rejectedLogRecords', decoded.rejected, decoded.errors);
    });
  });

  app.post('/v1/metrics', async (request, reply) => {
    const decoded = decodeOr400(reply, () => decodeMetrics(request.body));
    if (decoded === undefined) return reply;
    return store(reply, () => insertMetricPoints(db, decoded.items), () => {
      options.onMetricsStored?.(decoded.items);
      return partial('rejectedDataPoints', decoded.rejected, decoded.errors);
    });
  });

  async function store(reply: FastifyReply, write: () => Promise<void>, answer: () => object): Promise<FastifyReply> {
    const outcome = await gate.run(write);
    if (outcome === undefined) {
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ code: 14, message: `ingest is at its limit of ${gate.limit} concurrent writes; retry after ${RETRY_AFTER_SECONDS}s` });
    }
    return reply.code(200).send(answer());
  }
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
