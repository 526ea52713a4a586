/**
 * Values in PostgreSQL's COPY text format: columns separated by tabs, rows by newlines, null as
 * `\N`, and backslash, tab, newline and carriage return written as backslash escapes so that no
 * value can end its column or row early.
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A text or number column; `null` is SQL NULL, and so is a missing value, which the column's
 * constraint then refuses by name (a row from outside the decoder, such as a buffered batch).
 */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPED[c]!) : value;
}

/** A json/jsonb column holding `value` as JSON (null or missing: SQL NULL). */
export function copyJson(value: unknown): string {
  return value === null || value === undefined ? '\\N' : copyField(JSON.stringify(value));
}
