import type { Writable } from 'node:stream';
import { IssueCollector, SightlineError } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { CsvScanner, DEFAULT_MAX_RECORD_LENGTH, fieldTexts, type CsvRowSink } from './csv-parser.js';
import type { ColumnMapping, FocusConformance } from './focus-columns.js';
import { DEFAULT_NULL_VALUES, FocusRowValidator, indexColumns, type CellIssue } from './focus-row-validator.js';

/** A row that failed validation: where it is, and every reason. */
export interface RejectedRow {
  /** 1-based line in the source file where the row starts (header is line 1). */
  readonly rowNumber: number;
  readonly issues: readonly CellIssue[];
}

/** What an import read: `accepted + rejected === rowsRead`, always. */
export interface ImportReport {
  /** Data rows read (header and blank lines excluded). */
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  /** The first `maxRejectsKept` rejected rows; all of them go to `rejectsTo` when given. */
  readonly rejects: readonly RejectedRow[];
  /** Count of rejects per error code. */
  readonly rejectsByCode: Readonly<Record<string, number>>;
}

/** Options of {@link importFocusCsv}. */
export interface ImportOptions {
  /** FOCUS column → source column, for non-FOCUS exports. */
  readonly columnMapping?: ColumnMapping;
  /**
   * Where rejected rows are written as CSV: `row,errors,` followed by the original fields, so the
   * file can be fixed and re-imported. Not closed by the import.
   */
  readonly rejectsTo?: Writable;
  /** Rejected rows kept in memory in the report. Default 1,000 (memory stays flat on any file). */
  readonly maxRejectsKept?: number;
  /**
   * How strictly FOCUS rules are checked. Default `lenient`: the columns the analyses need.
   * `focus-1.0` / `focus-1.1`: every Mandatory column, nullability, type and allowed value of that
   * FOCUS version (see the README's column rules).
   */
  readonly conformance?: FocusConformance;
  /**
   * Unquoted cell texts read as null, besides the empty cell (always null). Default `['NULL']`,
   * as the FinOps Foundation's FOCUS 1.0 sample data writes nulls; `[]` reads only empty cells as
   * null. Case-sensitive; a quoted `"NULL"` stays the text NULL. A null in a column that must have
   * a value is `FINOPS_VALUE_MISSING`, as an empty cell is.
   */
  readonly nullValues?: readonly string[];
  /**
   * Longest CSV record accepted, in characters of the decoded text (never more than its UTF-8
   * bytes). Default 1,048,576 (1 Mi). A longer record, most often a quote that never closes,
   * throws `FINOPS_CSV_RECORD_TOO_LARGE` with the line it starts on as soon as the limit is
   * passed, instead of buffering the rest of the file.
   */
  readonly maxRecordLength?: number;
}

/** Checks the options a caller can get wrong, listing every problem: `FINOPS_IMPORT_OPTIONS_INVALID`. */
function checkImportOptions(options: ImportOptions): void {
  const issues = new IssueCollector();
  const { nullValues, maxRecordLength } = options;
  if (nullValues !== undefined) {
    if (!Array.isArray(nullValues)) issues.add(['nullValues'], 'must be an array of strings, like ["NULL"]', 'FINOPS_NULL_VALUES_INVALID');
    else {
      (nullValues as readonly unknown[]).forEach((value, i) => {
        // A token with a quote, comma or line break could only match a quoted cell, and quoted cells are never null.
        if (typeof value !== 'string' || /[",\r\n]/.test(value)) issues.add(['nullValues', i], `must be a string without quotes, commas or line breaks; got ${JSON.stringify(value)}`, 'FINOPS_NULL_VALUES_INVALID');
      });
    }
  }
  if (maxRecordLength !== undefined && !(Number.isSafeInteger(maxRecordLength) && maxRecordLength >= 1)) {
    issues.add(['maxRecordLength'], `must be a whole number of characters >= 1 (default ${DEFAULT_MAX_RECORD_LENGTH}); got ${String(maxRecordLength)}`, 'FINOPS_MAX_RECORD_LENGTH_INVALID');
  }
  issues.throwIfAny('FINOPS_IMPORT_OPTIONS_INVALID', 'importFocusCsv options');
}

type Source = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** The import state machine shared by {@link importFocusCsv} and {@link readFocusCsv}. */
class FocusImporter implements CsvRowSink {
  readonly #options: ImportOptions;
  readonly #onRecord: (record: CostRecord) => void;
  readonly #scanner: CsvScanner;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  readonly #rejects: RejectedRow[] = [];
  readonly #rejectsByCode: Record<string, number> = {};
  readonly #maxRejectsKept: number;
  #header: string[] | undefined;
  #validator: FocusRowValidator | undefined;
  #rowsRead = 0;
  #accepted = 0;
  #rejected = 0;
  #pendingRejects: string[] = [];
  #wroteRejectsHeader = false;

  constructor(options: ImportOptions, onRecord: (record: CostRecord) => void) {
    checkImportOptions(options);
    this.#options = options;
    this.#onRecord = onRecord;
    this.#maxRejectsKept = options.maxRejectsKept ?? 1_000;
    this.#scanner = new CsvScanner(this, { maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH });
  }

  write(chunk: string | Uint8Array): void {
    try {
      this.#scanner.write(typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true }));
    } catch (error) {
      throw this.#wrap(error);
    }
  }

  async end(): Promise<ImportReport> {
    try {
      this.#scanner.write(this.#decoder.decode());
    } catch (error) {
      throw this.#wrap(error);
    }
    this.#scanner.end();
    if (this.#header === undefined) throw new SightlineError('FINOPS_HEADER_INVALID', 'FOCUS CSV is empty: it needs a header row naming the FOCUS columns', {});
    await this.flushRejects();
    return { rowsRead: this.#rowsRead, accepted: this.#accepted, rejected: this.#rejected, rejects: this.#rejects, rejectsByCode: this.#rejectsByCode };
  }

  /** Writes the rejects gathered so far, honouring back-pressure. */
  async flushRejects(): Promise<void> {
    const out = this.#options.rejectsTo;
    if (!out || this.#pendingRejects.length === 0) return;
    if (!this.#wroteRejectsHeader) {
      this.#pendingRejects.unshift(toCsvLine(['row', 'errors', ...(this.#header ?? [])]));
      this.#wroteRejectsHeader = true;
    }
    const text = `${this.#pendingRejects.join('\n')}\n`;
    this.#pendingRejects = [];
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }

  onRow(text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number, line: number): void {
    const validator = this.#validator;
    if (validator === undefined) {
      const header = fieldTexts(text, starts, ends, flags, count);
      const index = indexColumns(header, this.#options.columnMapping, this.#options.conformance);
      this.#header = header;
      this.#validator = new FocusRowValidator(index, header.length, this.#options.conformance, this.#options.nullValues ?? DEFAULT_NULL_VALUES);
      return;
    }
    this.#rowsRead++;
    const result = validator.validate(text, starts, ends, flags, count, line);
    if (Array.isArray(result)) this.#reject(result, text, starts, ends, flags, count, line);
    else {
      this.#accepted++;
      this.#onRecord(result);
    }
  }

  #reject(issues: CellIssue[], text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number, line: number): void {
    this.#rejected++;
    for (const issue of issues) this.#rejectsByCode[issue.code] = (this.#rejectsByCode[issue.code] ?? 0) + 1;
    if (this.#rejects.length < this.#maxRejectsKept) this.#rejects.push({ rowNumber: line, issues });
    if (this.#options.rejectsTo) this.#pendingRejects.push(toCsvLine([String(line), issues.map((i) => `${i.column}: ${i.code}: ${i.message}`).join('; '), ...fieldTexts(text, starts, ends, flags, count)]));
  }

  #wrap(error: unknown): unknown {
    // Node's TextDecoder throws a TypeError with this code on invalid bytes (the class differs across vm contexts).
    if ((error as { code?: unknown } | null)?.code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return new SightlineError('FINOPS_CSV_ENCODING', `FOCUS CSV is not valid UTF-8 near row ${this.#rowsRead + 2}; FOCUS requires UTF-8`, { rowsRead: this.#rowsRead }, { cause: error });
    return error;
  }
}

/**
 * Streams a FOCUS CSV (any size, constant memory), validates every row and calls `onRecord` for
 * each accepted one. Rejected rows are reported with row number, column and reason and, when
 * `rejectsTo` is given, written there; nothing is dropped silently. A bad header throws
 * `FINOPS_HEADER_INVALID`; malformed CSV quoting throws `FINOPS_CSV_MALFORMED`; a record longer
 * than `maxRecordLength` (an unclosed quote) throws `FINOPS_CSV_RECORD_TOO_LARGE`; bad options
 * throw `FINOPS_IMPORT_OPTIONS_INVALID`. Cells written `NULL` (see `nullValues`) are null.
 * @example
 * const report = await importFocusCsv(fs.createReadStream('bill.csv'), (r) => rows.push(r));
 */
export async function importFocusCsv(source: Source, onRecord: (record: CostRecord) => void, options: ImportOptions = {}): Promise<ImportReport> {
  const importer = new FocusImporter(options, onRecord);
  for await (const chunk of source) {
    importer.write(chunk);
    await importer.flushRejects();
  }
  return importer.end();
}

/**
 * Like {@link importFocusCsv}, but yields accepted records as an async iterable; `report()` gives
 * the report once iteration has finished. Records are buffered one source chunk at a time.
 * @example
 * const { records, report } = readFocusCsv(fs.createReadStream('bill.csv'));
 * for await (const r of records) total += r.billedCost;
 * console.log(report().rejected);
 */
export function readFocusCsv(source: Source, options: ImportOptions = {}): { records: AsyncIterable<CostRecord>; report: () => ImportReport } {
  let finalReport: ImportReport | undefined;
  async function* records(): AsyncGenerator<CostRecord> {
    let batch: CostRecord[] = [];
    const importer = new FocusImporter(options, (record) => batch.push(record));
    for await (const chunk of source) {
      importer.write(chunk);
      await importer.flushRejects();
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        yield* out;
      }
    }
    finalReport = await importer.end();
    yield* batch;
  }
  return {
    records: records(),
    report: () => {
      if (!finalReport) throw new SightlineError('FINOPS_IMPORT_UNFINISHED', 'report() is available after the records have been fully iterated', {});
      return finalReport;
    },
  };
}

function toCsvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}
