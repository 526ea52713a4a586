import { createAlert, SightlineError, type Clock } from '@sightline/core';
import {
  breakdownCosts,
  chargeback,
  comparePeriods,
  detectCostAnomalies,
  readFocusCsv,
  recommend,
  tokenUsageToCostRecord,
  type Breakdown,
  type BreakdownOptions,
  type ChargebackOptions,
  type ChargebackReport,
  type ColumnMapping,
  type CostAnomaly,
  type CostAnomalyOptions,
  type CostRecord,
  type FocusConformance,
  type ImportReport,
  type LlmPriceTable,
  type PeriodChange,
  type Recommendation,
  type TokenUsage,
} from '@sightline/finops';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AlertPipeline } from '../alerts/alert-pipeline.js';
import type { MetricRow } from '../ingest/otlp-metrics.js';
import type { SpanRow } from '../ingest/otlp-traces.js';
import type { Database } from '../storage/database.js';
import { spanTokenUsage, TokenMetricReader } from './genai-usage.js';
import { insertCostRecords, listCostRecords, readCostRecords, type CostFilter } from './cost-store.js';

/** A stored import: what was read, accepted and rejected (`accepted + rejected === rowsRead`). */
export interface CostImport {
  id: string;
  source: string;
  filename: string | null;
  uploaded_by: string;
  started_at: number;
  status: 'importing' | 'completed' | 'failed';
  rows_read: number;
  accepted: number;
  rejected: number;
  rejects_by_code: Record<string, number>;
  /** The first rejected rows with every reason; the whole list is the rejects file. */
  rejects: ImportReport['rejects'];
  error: string | null;
}

/** The pseudo-import holding token cost priced from GenAI spans. */
const GENAI_IMPORT = 'otlp-genai';
const INSERT_BATCH = 2_000;
const REJECTS_IN_REPORT = 100;

/**
 * Cost in the app with `@sightline/finops`: FOCUS uploads streamed into the database (good rows
 * stored, bad rows reported and kept as a rejects file), breakdowns, chargeback, cost anomalies
 * raised through the alert pipeline, and recommendations, all over the rows the reader's scope
 * allows. GenAI spans arriving over OTLP are priced with the LLM price table and stored as cost
 * rows attributed to their user and team.
 */
export class Costs {
  readonly #db: Database;
  readonly #alerts: AlertPipeline;
  readonly #clock: Clock;
  readonly #prices: LlmPriceTable | undefined;
  readonly #anomalyOptions: CostAnomalyOptions;
  readonly #onError: (error: unknown) => void;
  #genaiImport: Promise<void> | undefined;
  #pending = new Set<Promise<void>>();
  /** GenAI usage (spans, metric points) whose model has no price or whose usage is malformed, by error code. */
  readonly unpriced = new Map<string, number>();
  readonly #tokenMetrics = new TokenMetricReader();

  constructor(options: { db: Database; alerts: AlertPipeline; clock: Clock; prices?: LlmPriceTable; anomalies?: CostAnomalyOptions; onError: (error: unknown) => void }) {
    this.#anomalyOptions = options.anomalies ?? {};
    this.#db = options.db;
    this.#alerts = options.alerts;
    this.#clock = options.clock;
    this.#prices = options.prices;
    this.#onError = options.onError;
  }

  /**
   * Streams a FOCUS CSV into storage. Accepted rows are inserted in batches as they are read
   * (memory stays flat); rejected rows go to the import's rejects file. The rows become visible
   * when the import completes; a malformed file (`FINOPS_CSV_MALFORMED`, bad header) marks the
   * import failed and removes its rows, so no half file is ever counted.
   */
  async import(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, meta: { filename?: string; uploadedBy: string; columnMapping?: ColumnMapping; conformance?: FocusConformance }): Promise<CostImport> {
    const id = randomUUID();
    await this.#db.query(`insert into cost_imports (id, source, filename, uploaded_by, started_at, status) values ($1, 'focus-csv', $2, $3, $4, 'importing')`, [id, meta.filename ?? null, meta.uploadedBy, this.#clock.now()]);
    const rejectsFile = this.#rejectsWriter(id);
    try {
      const { records, report } = readFocusCsv(source, {
        rejectsTo: rejectsFile,
        maxRejectsKept: REJECTS_IN_REPORT,
        ...(meta.columnMapping === undefined ? {} : { columnMapping: meta.columnMapping }),
        ...(meta.conformance === undefined ? {} : { conformance: meta.conformance }),
      });
      let batch: CostRecord[] = [];
      for await (const record of records) {
        batch.push(record);
        if (batch.length >= INSERT_BATCH) {
          await insertCostRecords(this.#db, id, batch);
          batch = [];
        }
      }
      await insertCostRecords(this.#db, id, batch);
      await new Promise<void>((resolve, reject) => rejectsFile.end((error?: Error | null) => (error ? reject(error) : resolve())));
      const done = report();
      await this.#db.query(
        `update cost_imports set status = 'completed', rows_read = $2, accepted = $3, rejected = $4, rejects_by_code = $5::jsonb, rejects = $6::jsonb where id = $1`,
        [id, done.rowsRead, done.accepted, done.rejected, JSON.stringify(done.rejectsByCode), JSON.stringify(done.rejects)],
      );
    } catch (error) {
      rejectsFile.destroy();
      await this.#db.query(`delete from cost_records where import_id = $1`, [id]);
      await this.#db.query(`update cost_imports set status = 'failed', error = $2 where id = $1`, [id, (error as Error).message]);
      throw error;
    }
    return (await this.getImport(id))!;
  }

  /** The rejects file (CSV) of an import, as written: `row,errors,` then the original fields. */
  async *rejectsFile(id: string): AsyncGenerator<string> {
    let seq = -1;
    for (;;) {
      const chunks = await this.#db.query<{ seq: number; chunk: string }>(`select seq, chunk from cost_import_rejects where import_id = $1 and seq > $2 order by seq limit 200`, [id, seq]);
      for (const c of chunks) yield c.chunk;
      if (chunks.length < 200) return;
      seq = chunks[chunks.length - 1]!.seq;
    }
  }

  async getImport(id: string): Promise<CostImport | undefined> {
    return (await this.#db.query<CostImport>(`select * from cost_imports where id = $1`, [id]))[0];
  }

  async listImports(limit: number): Promise<Omit<CostImport, 'rejects'>[]> {
    return this.#db.query(`select id, source, filename, uploaded_by, started_at, status, rows_read, accepted, rejected, rejects_by_code, error from cost_imports order by started_at desc limit $1`, [limit]);
  }

  records(filter: CostFilter, limit: number) {
    return listCostRecords(this.#db, filter, limit);
  }

  /** Breakdown plus the change between its last two periods. */
  async breakdown(filter: CostFilter, options: BreakdownOptions): Promise<Breakdown & { changes: PeriodChange[] }> {
    const result = await breakdownCosts(readCostRecords(this.#db, filter), options);
    return { ...result, changes: comparePeriods(result).slice(0, 20) };
  }

  chargeback(filter: CostFilter, options: ChargebackOptions): Promise<ChargebackReport> {
    return chargeback(readCostRecords(this.#db, filter), options);
  }

  /** Cost anomalies with the configured impact thresholds unless `options` overrides them. */
  anomalies(filter: CostFilter, options: CostAnomalyOptions = {}): Promise<CostAnomaly[]> {
    return detectCostAnomalies(readCostRecords(this.#db, filter), { ...this.#anomalyOptions, ...options });
  }

  recommendations(filter: CostFilter): Promise<Recommendation[]> {
    return recommend(readCostRecords(this.#db, filter));
  }

  /**
   * Scores every cost series over all rows and submits each anomaly to the pipeline as a firing
   * alert per series and day (finops describes the anomaly as a closed day; here it is a finding
   * someone must look at, so it fires until acknowledged or resolved). The pipeline deduplicates by
   * fingerprint, so a re-scan after the next upload does not page twice.
   */
  async raiseAnomalyAlerts(options: CostAnomalyOptions = {}): Promise<CostAnomaly[]> {
    const found = await this.anomalies({ scope: { all: true } }, options);
    for (const { alert, day } of found) {
      await this.#alerts.submit(createAlert({ source: alert.source, severity: alert.severity, title: alert.title, labels: { ...alert.labels, day }, annotations: alert.annotations, startsAt: alert.startsAt }));
    }
    return found;
  }

  /**
   * Prices the GenAI spans among `spans` (those with `gen_ai.usage.*` attributes) and stores them
   * as cost rows tagged with the caller's user (`user.id`), team (`sightline.team`) and session.
   */
  observeSpans(spans: readonly SpanRow[]): void {
    const usage: TokenUsage[] = [];
    for (const span of spans) {
      try {
        const one = spanTokenUsage(span);
        if (one !== undefined) usage.push(one);
      } catch (error) {
        this.#countUnpriced(error);
      }
    }
    this.#store(usage);
  }

  /** Prices token metrics (`gen_ai.client.token.usage`, `claude_code.token.usage`) the same way. */
  observeMetrics(points: readonly MetricRow[]): void {
    this.#store(this.#tokenMetrics.usage(points));
  }

  /** Prices usage and stores it; usage of a model the price table lacks is counted in {@link unpriced}, not stored. */
  #store(usage: readonly TokenUsage[]): void {
    const records: CostRecord[] = [];
    for (const one of usage) {
      try {
        records.push(tokenUsageToCostRecord(one, this.#prices));
      } catch (error) {
        this.#countUnpriced(error);
      }
    }
    if (records.length === 0) return;
    const write = this.#ensureGenaiImport()
      .then(() => insertCostRecords(this.#db, GENAI_IMPORT, records))
      .catch(this.#onError)
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }

  #countUnpriced(error: unknown): void {
    const code = error instanceof SightlineError ? error.code : 'UNKNOWN';
    this.unpriced.set(code, (this.unpriced.get(code) ?? 0) + 1);
  }

  /** Resolves when the GenAI cost rows observed so far are stored. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  #ensureGenaiImport(): Promise<void> {
    this.#genaiImport ??= this.#db
      .query(`insert into cost_imports (id, source, uploaded_by, started_at, status) values ($1, 'otlp-genai', 'sightline', $2, 'completed') on conflict (id) do nothing`, [GENAI_IMPORT, this.#clock.now()])
      .then(() => undefined);
    return this.#genaiImport;
  }

  /** A Writable storing the importer's rejects text in order; back-pressure is the insert. */
  #rejectsWriter(id: string): Writable {
    let seq = 0;
    const db = this.#db;
    return new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, callback) {
        db.query(`insert into cost_import_rejects (import_id, seq, chunk) values ($1, $2, $3)`, [id, seq++, chunk.toString()]).then(() => callback(), callback);
      },
    });
  }
}

