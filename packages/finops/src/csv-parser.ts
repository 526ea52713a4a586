import { SightlineError } from '@sightline/core';

/** One parsed CSV record with the 1-based line on which it started (header is line 1). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** Field flag: the field was quoted. */
export const FIELD_QUOTED = 1;
/** Field flag: the quoted field contains doubled quotes (`""`), so its range is not its value. */
export const FIELD_ESCAPED = 2;

/**
 * Receives each record of a {@link CsvScanner} as ranges into `text`: field `i` is
 * `text[starts[i], ends[i])`, quoted fields without the quotes, with `flags[i]` telling whether
 * doubled quotes still need unescaping ({@link fieldText}). The arrays are reused for the next
 * record: read them, do not keep them.
 */
export interface CsvRowSink {
  onRow(text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number, line: number): void;
}

/** Default {@link CsvScannerOptions.maxRecordLength}: 1 Mi characters (1,048,576). */
export const DEFAULT_MAX_RECORD_LENGTH = 1 << 20;

/** Options of {@link CsvScanner} and {@link CsvParser}. */
export interface CsvScannerOptions {
  /**
   * Longest record accepted, in characters of the decoded text (UTF-16 code units; never more than
   * its UTF-8 bytes). A record still open past this length throws `FINOPS_CSV_RECORD_TOO_LARGE`
   * with the line it started on, as soon as it is seen: a quoted field that never closes would
   * otherwise be buffered to the end of the file. Default {@link DEFAULT_MAX_RECORD_LENGTH}.
   */
  readonly maxRecordLength?: number;
}

/** Character the incomplete record waits for before it can end; -1 when any further text may end it. */
const NEED_ANY = -1;
const NEED_QUOTE = 34;
const NEED_NEWLINE = 10;

/**
 * Streaming RFC 4180 scanner. It finds field boundaries in each chunk of text and hands the
 * record to the sink as offsets, so a field is never copied into a string unless the reader
 * needs it. Only the incomplete last record of a chunk is kept between chunks, so memory is flat
 * whatever the file size, and a record longer than `maxRecordLength` fails fast. Handles quoted
 * fields with commas, CR/LF and doubled quotes; accepts LF or CRLF line ends; a blank line is not a
 * record.
 */
export class CsvScanner {
  readonly #sink: CsvRowSink;
  readonly #maxRecordLength: number;
  #starts = new Int32Array(64);
  #ends = new Int32Array(64);
  #flags = new Uint8Array(64);
  #rest = '';
  /** Line on which the next record starts. */
  #line = 1;
  /** What the incomplete record in `#rest` needs to see before it can end (`NEED_*`). */
  #need = NEED_ANY;

  constructor(sink: CsvRowSink, options: CsvScannerOptions = {}) {
    const max = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
    if (!(Number.isSafeInteger(max) && max >= 1)) {
      throw new SightlineError('FINOPS_CSV_OPTIONS_INVALID', `CSV maxRecordLength must be a whole number of characters >= 1; got ${String(max)}`, { maxRecordLength: max });
    }
    this.#sink = sink;
    this.#maxRecordLength = max;
  }

  /** Feeds the next chunk; records completed by it are emitted synchronously. */
  write(chunk: string): void {
    let offset = 0;
    const rest = this.#rest;
    if (rest.length > 0) {
      // A chunk that cannot end the open record is appended without rescanning it, so an unclosed
      // quote costs linear time: an open quoted field needs a quote, and every record needs a line
      // feed after its last field (only the end of the input ends one otherwise).
      if (this.#need === NEED_QUOTE && chunk.indexOf('"') < 0) {
        this.#keep(rest + chunk);
        return;
      }
      if (chunk.indexOf('\n') < 0) {
        this.#need = NEED_NEWLINE;
        this.#keep(rest + chunk);
        return;
      }
      // Finish the record that began in the previous chunk on a short joined string, then scan
      // the new chunk itself: a flat string scans faster than one concatenated megabyte.
      const take = Math.min(chunk.length, 1 << 16);
      const joined = rest + chunk.slice(0, take);
      const consumed = this.#scan(joined, 0, false);
      if (consumed < rest.length) {
        // One record longer than the window: scan the whole remainder as one string.
        const text = joined.slice(consumed) + chunk.slice(take);
        const done = this.#scan(text, 0, false);
        this.#keep(done === text.length ? '' : text.slice(done));
        return;
      }
      offset = consumed - rest.length;
      this.#rest = '';
    }
    const consumed = this.#scan(chunk, offset, false);
    this.#keep(consumed === chunk.length ? '' : chunk.slice(consumed));
  }

  /** Keeps the incomplete record for the next chunk; throws once it is longer than the limit. */
  #keep(rest: string): void {
    // A CR at the end may be the start of the record's CRLF, which does not count.
    if (rest.length > this.#maxRecordLength && rest.length - (rest.charCodeAt(rest.length - 1) === 13 ? 1 : 0) > this.#maxRecordLength) {
      throw this.#tooLarge(rest.length, false);
    }
    this.#rest = rest;
  }

  #tooLarge(length: number, complete: boolean): SightlineError {
    const max = this.#maxRecordLength;
    const what = complete ? `is ${length} characters long` : `is still open after ${length} characters`;
    const hint = this.#need === NEED_QUOTE && !complete ? ' inside a quoted field: a quote that never closes?' : '';
    return new SightlineError(
      'FINOPS_CSV_RECORD_TOO_LARGE',
      `CSV line ${this.#line}: the record starting on this line ${what}${hint}; the limit is ${max} (maxRecordLength). Close the quote, or raise maxRecordLength if such records are real`,
      { line: this.#line, length, maxRecordLength: max },
    );
  }

  /** Flushes the last record (a file need not end with a newline); throws on an unterminated quote. */
  end(): void {
    const text = this.#rest;
    this.#rest = '';
    if (text.length > 0) this.#scan(text, 0, true);
  }

  /** Emits every complete record of `text` from `from`; returns where the incomplete remainder starts. */
  #scan(text: string, from: number, final: boolean): number {
    const n = text.length;
    let starts = this.#starts;
    let ends = this.#ends;
    let flags = this.#flags;
    let pos = from;
    records: while (pos < n) {
      // Fields are found with indexOf (a native memchr-like search) rather than a loop per character.
      let newline = text.indexOf('\n', pos);
      let count = 0;
      let newlines = 0;
      let i = pos;
      let recordEnd = -1;
      while (recordEnd < 0) {
        if (count === starts.length) {
          this.#grow();
          starts = this.#starts;
          ends = this.#ends;
          flags = this.#flags;
        }
        if (i < n && text.charCodeAt(i) === 34 /* " */) {
          let j = i + 1;
          let flag = FIELD_QUOTED;
          for (;;) {
            j = text.indexOf('"', j);
            if (j < 0) {
              if (final) throw malformed(`CSV line ${this.#line}: quoted field never closed before end of file`, this.#line);
              this.#need = NEED_QUOTE;
              break records;
            }
            if (j + 1 < n && text.charCodeAt(j + 1) === 34) {
              flag = FIELD_QUOTED | FIELD_ESCAPED;
              j += 2;
              continue;
            }
            // A quote at the very end of the chunk may be the first of a doubled pair.
            if (j + 1 >= n && !final) {
              this.#need = NEED_ANY;
              break records;
            }
            break;
          }
          if (newline >= 0 && newline < j) {
            for (let k = newline; k >= 0 && k < j; k = text.indexOf('\n', k + 1)) newlines++;
            newline = text.indexOf('\n', j + 1);
          }
          starts[count] = i + 1;
          ends[count] = j;
          flags[count] = flag;
          count++;
          i = j + 1;
          if (i >= n) {
            recordEnd = n;
            break;
          }
          const next = text.charCodeAt(i);
          if (next === 44 /* , */) {
            i++;
            if (i >= n) {
              if (!final) {
                this.#need = NEED_ANY;
                break records;
              }
              // A comma ending the input: the record's last field is empty.
              this.#appendEmptyField(count++, n);
              starts = this.#starts;
              ends = this.#ends;
              flags = this.#flags;
              recordEnd = n;
            }
          } else if (next === 10 /* \n */) recordEnd = i + 1;
          else if (next === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10) recordEnd = i + 2;
          else if (next === 13 && i + 1 >= n) {
            if (!final) {
              this.#need = NEED_ANY;
              break records;
            }
            recordEnd = n;
          } else throw malformed(`CSV line ${this.#line + newlines}: text after a closing quote; quote the whole field and double inner quotes`, this.#line + newlines);
        } else {
          const comma = text.indexOf(',', i);
          if (newline >= 0 && (comma < 0 || newline < comma)) {
            let end = newline;
            if (end > i && text.charCodeAt(end - 1) === 13) end--;
            starts[count] = i;
            ends[count] = end;
            flags[count] = 0;
            count++;
            recordEnd = newline + 1;
          } else if (comma >= 0) {
            starts[count] = i;
            ends[count] = comma;
            flags[count] = 0;
            count++;
            i = comma + 1;
            if (i >= n) {
              if (!final) {
                this.#need = NEED_ANY;
                break records;
              }
              // A comma ending the input: the record's last field is empty.
              this.#appendEmptyField(count++, n);
              starts = this.#starts;
              ends = this.#ends;
              flags = this.#flags;
              recordEnd = n;
            }
          } else {
            if (!final) {
              this.#need = NEED_NEWLINE;
              break records;
            }
            let end = n;
            if (end > i && text.charCodeAt(end - 1) === 13) end--;
            starts[count] = i;
            ends[count] = end;
            flags[count] = 0;
            count++;
            recordEnd = n;
          }
        }
      }
      if (recordEnd - pos > this.#maxRecordLength) {
        // The limit is on the record's text; its line end does not count.
        let length = recordEnd - pos;
        if (text.charCodeAt(recordEnd - 1) === 10) length -= length > 1 && text.charCodeAt(recordEnd - 2) === 13 ? 2 : 1;
        if (length > this.#maxRecordLength) throw this.#tooLarge(length, true);
      }
      const line = this.#line;
      this.#line += newlines + (text.charCodeAt(recordEnd - 1) === 10 ? 1 : 0);
      pos = recordEnd;
      // A blank line is not a record (RFC 4180 does not define one; exports end with one).
      if (count === 1 && starts[0] === ends[0]) continue;
      this.#sink.onRow(text, starts, ends, flags, count, line);
    }
    return pos;
  }

  /** Writes an empty field at `at` (the end of the input) into slot `index`, growing the slots if full. */
  #appendEmptyField(index: number, at: number): void {
    if (index === this.#starts.length) this.#grow();
    this.#starts[index] = at;
    this.#ends[index] = at;
    this.#flags[index] = 0;
  }

  #grow(): void {
    const size = this.#starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const flags = new Uint8Array(size);
    starts.set(this.#starts);
    ends.set(this.#ends);
    flags.set(this.#flags);
    this.#starts = starts;
    this.#ends = ends;
    this.#flags = flags;
  }
}

function malformed(message: string, line: number): SightlineError {
  return new SightlineError('FINOPS_CSV_MALFORMED', message, { line });
}

/** The value of field `i` of a scanned record, unescaping doubled quotes. */
export function fieldText(text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, i: number): string {
  const value = text.slice(starts[i], ends[i]);
  return (flags[i] ?? 0) & FIELD_ESCAPED ? value.replace(/""/g, '"') : value;
}

/** Every field of a scanned record as strings. */
export function fieldTexts(text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number): string[] {
  const fields = new Array<string>(count);
  for (let i = 0; i < count; i++) fields[i] = fieldText(text, starts, ends, flags, i);
  return fields;
}

/**
 * Streaming RFC 4180 parser that hands each record over as an array of strings: the convenient
 * form of {@link CsvScanner}, for callers that want every field anyway.
 */
export class CsvParser implements CsvRowSink {
  readonly #onRecord: (record: CsvRecord) => void;
  readonly #scanner: CsvScanner;

  constructor(onRecord: (record: CsvRecord) => void, options: CsvScannerOptions = {}) {
    this.#onRecord = onRecord;
    this.#scanner = new CsvScanner(this, options);
  }

  /** Feeds the next chunk; records completed by it are emitted synchronously. */
  write(chunk: string): void {
    this.#scanner.write(chunk);
  }

  /** Flushes the last record; throws `FINOPS_CSV_MALFORMED` on an unterminated quote. */
  end(): void {
    this.#scanner.end();
  }

  onRow(text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number, line: number): void {
    this.#onRecord({ fields: fieldTexts(text, starts, ends, flags, count), line });
  }
}
