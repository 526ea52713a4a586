import { SightlineError } from '@sightline/core';

/** One parsed CSV record with the 1-based line on which it started (header is line 1). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/**
 * Streaming RFC 4180 parser: accepts chunks of text and calls `onRecord` per record. Holds only
 * the current partial record between chunks, so memory is flat whatever the file size. Handles
 * quoted fields with commas, CR/LF and doubled quotes; accepts LF or CRLF line ends.
 */
export class CsvParser {
  readonly #onRecord: (record: CsvRecord) => void;
  #fields: string[] = [];
  #field = '';
  #inQuotes = false;
  #quoteClosed = false;
  #line = 1;
  #recordLine = 1;
  #pendingCr = false;
  #hasData = false;

  constructor(onRecord: (record: CsvRecord) => void) {
    this.#onRecord = onRecord;
  }

  /** Feeds the next chunk; records completed by it are emitted synchronously. */
  write(chunk: string): void {
    let start = 0;
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      const code = chunk.charCodeAt(i);
      if (this.#inQuotes) {
        if (code === 34 /* " */) {
          this.#field += chunk.slice(start, i);
          if (i + 1 < length) {
            if (chunk.charCodeAt(i + 1) === 34) {
              this.#field += '"';
              i += 2;
              start = i;
              continue;
            }
            this.#inQuotes = false;
            this.#quoteClosed = true;
            i++;
            start = i;
            continue;
          }
          // Quote at the end of the chunk: it may be the first of a doubled pair.
          this.#inQuotes = false;
          this.#quoteClosed = true;
          this.#pendingQuote = true;
          i++;
          start = i;
          continue;
        }
        if (code === 10) this.#line++;
        i++;
        continue;
      }
      if (this.#pendingQuote) {
        this.#pendingQuote = false;
        if (code === 34) {
          this.#field += '"';
          this.#inQuotes = true;
          this.#quoteClosed = false;
          i++;
          start = i;
          continue;
        }
      }
      if (code === 44 /* , */) {
        this.#fields.push(this.#field + chunk.slice(start, i));
        this.#field = '';
        this.#quoteClosed = false;
        this.#hasData = true;
        i++;
        start = i;
      } else if (code === 10 /* \n */) {
        let end = i;
        if (end > start && chunk.charCodeAt(end - 1) === 13) end--;
        else if (end === start && this.#pendingCr) this.#field = this.#field.slice(0, -1);
        this.#field += chunk.slice(start, end);
        this.#endRecord();
        this.#line++;
        this.#recordLine = this.#line;
        i++;
        start = i;
      } else if (code === 34 && !this.#quoteClosed && this.#field === '' && i === start) {
        this.#inQuotes = true;
        this.#hasData = true;
        i++;
        start = i;
      } else if (this.#quoteClosed && code !== 13) {
        throw new SightlineError('FINOPS_CSV_MALFORMED', `CSV line ${this.#line}: text after a closing quote; quote the whole field and double inner quotes`, { line: this.#line });
      } else {
        i++;
      }
    }
    this.#field += chunk.slice(start, length);
    this.#pendingCr = length > 0 && chunk.charCodeAt(length - 1) === 13 && !this.#inQuotes;
  }

  #pendingQuote = false;

  /** Flushes the last record (a file need not end with a newline); throws on an unterminated quote. */
  end(): void {
    if (this.#inQuotes) throw new SightlineError('FINOPS_CSV_MALFORMED', `CSV line ${this.#recordLine}: quoted field never closed before end of file`, { line: this.#recordLine });
    if (this.#pendingCr) this.#field = this.#field.slice(0, -1);
    if (this.#field !== '' || this.#fields.length > 0 || this.#hasData) this.#endRecord();
  }

  #endRecord(): void {
    this.#fields.push(this.#field);
    const fields = this.#fields;
    this.#fields = [];
    this.#field = '';
    this.#quoteClosed = false;
    this.#pendingQuote = false;
    this.#hasData = false;
    // A blank line is not a record (RFC 4180 does not define one; exports end with one).
    if (fields.length === 1 && fields[0] === '') return;
    this.#onRecord({ fields, line: this.#recordLine });
  }
}
