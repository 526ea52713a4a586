import type { Clock } from '@sightline/core';
import { OWNER_ATTRIBUTE, type Admitted, type ServiceOwners } from '../access/service-owners.js';
import type { Database } from '../storage/database.js';
import { insertLogs } from '../storage/log-store.js';
import { insertMetricPoints } from '../storage/metric-store.js';
import { SpanWriter } from '../storage/span-writer.js';
import type { IngestBuffer } from './ingest-buffer.js';
import type { IngestGate } from './ingest-gate.js';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics, type MetricRow } from './otlp-metrics.js';
import type { OtlpSignal } from './otlp-protobuf.js';
import { decodeTraces, type SpanRow } from './otlp-traces.js';
import { OtlpDecodeError, type Attributes, type Decoded } from './otlp-values.js';

/** Seconds a refused exporter should wait; OTLP exporters honour Retry-After (and gRPC retries UNAVAILABLE). */
export const RETRY_AFTER_SECONDS = 1;

export interface OtlpIngestOptions {
  db: Database;
  clock: Clock;
  gate: IngestGate;
  /** Service ownership: claimed and checked before a batch is stored. */
  owners: ServiceOwners;
  /** Called with each batch of spans once it is stored, for derived signals (SLIs, series). */
  onSpansStored?: (spans: readonly SpanRow[]) => void;
  /** Called with each batch of metric points once stored (metric SLIs, anomaly detection). */
  onMetricsStored?: (points: readonly MetricRow[]) => void;
  /**
   * When given, accepted batches are persisted in this JetStream buffer instead of stored (a 200
   * means persisted there); its writers store them and call the stored hooks, not this path.
   */
  buffer?: IngestBuffer;
}

/**
 * What became of one export request, whatever its transport: `stored` (with the count and first
 * reasons of rejected items: OTLP partial success), `invalid` (malformed request: HTTP 400, gRPC
 * INVALID_ARGUMENT) or `overloaded` (ingest at its write limit: HTTP 503 + Retry-After, gRPC UNAVAILABLE).
 */
export type IngestOutcome = { status: 'stored'; rejected: number; errorMessage: string } | { status: 'invalid'; message: string } | { status: 'overloaded'; message: string };

/** Decodes one request body (in the OTLP/JSON shape) and stores what is valid: the path every transport shares. */
export type OtlpIngest = (signal: OtlpSignal, body: unknown, credentialTeam: string | undefined) => Promise<IngestOutcome>;

/** Builds the shared decode-and-store path over the app's storage, gate and service owners. */
export function createOtlpIngest(options: OtlpIngestOptions): OtlpIngest {
  const { db, clock, gate, owners, buffer } = options;
  // Concurrent requests' spans share transactions (see SpanWriter); a 200 still waits for the commit.
  const spanWriter = new SpanWriter(db);

  async function store<T extends { service: string }>(decoded: Decoded<T>, credentialTeam: string | undefined, declaredTeam: (item: T) => string | undefined, insert: (items: T[]) => Promise<void>, stored: (items: T[]) => void): Promise<IngestOutcome> {
    let admitted: Admitted<T> | undefined;
    const outcome = await gate.run(async () => {
      admitted = await owners.admit(decoded.items, { credentialTeam, declaredTeam, now: clock.now() });
      // The credential's team wins over a declared `sightline.team`: stored data never contradicts the owner.
      if (credentialTeam !== undefined) for (const item of admitted.accepted) claimFor(item, credentialTeam);
      await insert(admitted.accepted);
    });
    if (outcome === undefined) return { status: 'overloaded', message: `ingest is at its limit of ${gate.limit} concurrent writes; retry after ${RETRY_AFTER_SECONDS}s` };
    const { accepted, refused, errors } = admitted!;
    stored(accepted);
    return { status: 'stored', rejected: decoded.rejected + refused, errorMessage: [...decoded.errors, ...errors].slice(0, 10).join('; ') };
  }

  return async (signal, body, credentialTeam) => {
    // With the buffer a batch is published instead of stored: its writer stores it and calls the hooks.
    const persist = <T extends object>(insert: (items: T[]) => Promise<void>) => (buffer === undefined ? insert : (items: T[]) => buffer.publish(signal, items));
    const afterStored = <T>(hook: (items: T[]) => void) => (buffer === undefined ? hook : () => undefined);
    try {
      if (signal === 'traces') return await store(decodeTraces(body), credentialTeam, resourceTeam, persist((spans) => spanWriter.write(spans)), afterStored((spans) => options.onSpansStored?.(spans)));
      if (signal === 'logs') return await store(decodeLogs(body, clock.now()), credentialTeam, resourceTeam, persist((logs) => insertLogs(db, logs)), () => undefined);
      // Metric points keep no resource: only an ingest credential's team claims their services.
      return await store(decodeMetrics(body), credentialTeam, () => undefined, persist((points) => insertMetricPoints(db, points)), afterStored((points) => options.onMetricsStored?.(points)));
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      return { status: 'invalid', message: `malformed OTLP request: ${error.message}` };
    }
  };
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
