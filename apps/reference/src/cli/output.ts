/** Output format chosen with `--format`. */
export type Format = 'table' | 'json';

/** Renders rows as an aligned text table with the given columns (missing values print as -). */
export function renderTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Epoch ms as an ISO time without milliseconds, for tables. */
export function isoTime(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}
