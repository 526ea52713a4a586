import { describe, expect, it } from '@jest/globals';
import { SightlineError } from '@sightline/core';
import fc from 'fast-check';
import type { CostRecord } from './cost-record.js';
import { importFocusCsv, type ImportReport } from './focus-import.js';
import { TEST_HEADER } from './test-fixtures.js';

// Cases per property per run (stated in the README's "Property tests" line); seeded, so a
// failure reproduces.
const RUNS = 100;
const SEED = 20_261_203;
/** What an import may throw: the documented whole-file errors. Anything else (TypeError...) fails. */
const FATAL_CODES = ['FINOPS_CSV_MALFORMED', 'FINOPS_HEADER_INVALID', 'FINOPS_CSV_ENCODING'];

type Column = (typeof TEST_HEADER)[number];
const encoder = new TextEncoder();

/** Splits `text` at the given cut points, as strings or as UTF-8 bytes (cutting inside characters). */
function chunksOf(text: string, cuts: readonly number[], bytes: boolean): (string | Uint8Array)[] {
  const whole = bytes ? encoder.encode(text) : text;
  const points = [...new Set(cuts.map((c) => Math.floor(c * whole.length)))].sort((a, b) => a - b);
  const out: (string | Uint8Array)[] = [];
  let from = 0;
  for (const p of [...points, whole.length]) {
    if (p <= from) continue;
    out.push(whole.slice(from, p));
    from = p;
  }
  return out;
}

async function importChunks(chunks: (string | Uint8Array)[]): Promise<{ records: CostRecord[]; report?: ImportReport; error?: unknown }> {
  const records: CostRecord[] = [];
  try {
    const report = await importFocusCsv(chunks, (r) => records.push(r));
    return { records, report };
  } catch (error) {
    return { records, error };
  }
}

/** Every import ends in a consistent report or one documented error. */
function expectDocumentedOutcome(outcome: { records: CostRecord[]; report?: ImportReport; error?: unknown }): void {
  if (outcome.error !== undefined) {
    expect(outcome.error).toBeInstanceOf(SightlineError);
    expect(FATAL_CODES).toContain((outcome.error as SightlineError).code);
    return;
  }
  const report = outcome.report!;
  expect(report.accepted + report.rejected).toBe(report.rowsRead);
  expect(outcome.records).toHaveLength(report.accepted);
  for (const reject of report.rejects) {
    expect(reject.issues.length).toBeGreaterThan(0);
    for (const issue of reject.issues) expect(issue.code).toMatch(/^FINOPS_[A-Z_]+$/);
  }
  for (const r of outcome.records) for (const money of [r.billedCost, r.effectiveCost, r.listCost, r.contractedCost]) expect(Number.isSafeInteger(money)).toBe(true);
}

/** Micro-units of a plain decimal, rounded half away from zero at the 6th place, in BigInt (independent of money.ts). */
function expectedMicros(decimal: string): bigint {
  const negative = decimal.startsWith('-');
  const [whole = '', fraction = ''] = decimal.replace(/^[+-]/, '').split('.');
  const padded = `${fraction}0000000`;
  let micros = BigInt(whole || '0') * 1_000_000n + BigInt(padded.slice(0, 6));
  if (Number(padded[6]) >= 5) micros += 1n;
  return negative && micros !== 0n ? -micros : micros;
}

/** A CSV cell: quoted (quotes doubled) when it must be, or when asked. */
function cell(value: string, quote: boolean): string {
  return quote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const decimal = fc.tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^\d{1,9}$/), fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined })).map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const day = fc.integer({ min: Date.UTC(2020, 0, 1) / 86_400_000, max: Date.UTC(2030, 0, 1) / 86_400_000 });
const validRow = fc.record({
  BilledCost: decimal, EffectiveCost: decimal, ListCost: decimal, ContractedCost: decimal,
  BillingAccountId: text, ProviderName: text, ServiceName: text,
  // Embedded newlines, quotes, commas, and sometimes a huge field.
  ResourceId: fc.oneof({ weight: 30, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }).map((k) => `"line\r\n${'x'.repeat(k * 20_000)}`) }),
  start: day, length: fc.integer({ min: 1, max: 31 }),
  quote: fc.boolean(),
});
type ValidRow = typeof validRow extends fc.Arbitrary<infer T> ? T : never;

function validCells(row: ValidRow): Record<Column, string> {
  const iso = (d: number) => new Date(d * 86_400_000).toISOString().replace('.000Z', 'Z');
  return {
    BilledCost: row.BilledCost, EffectiveCost: row.EffectiveCost, ListCost: row.ListCost, ContractedCost: row.ContractedCost, BillingCurrency: 'USD',
    BillingAccountId: row.BillingAccountId, ChargePeriodStart: iso(row.start), ChargePeriodEnd: iso(row.start + row.length), ChargeCategory: 'Usage', ChargeClass: '',
    ProviderName: row.ProviderName, ServiceName: row.ServiceName, RegionId: 'us-east-1', ResourceId: row.ResourceId, ConsumedQuantity: '24', Tags: '{"team":"web"}',
  };
}

/** One way of breaking a valid row, each a documented per-row reject. */
const breakage = fc.oneof(
  fc.record({ column: fc.constantFrom<Column>('BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'), value: fc.constantFrom('abc', '1e3', '1,000', '$5', '', '-', '.', '1.2.3', '99999999999.5', 'NaN', 'Infinity', '0x10') }),
  fc.record({ column: fc.constantFrom<Column>('ChargePeriodStart', 'ChargePeriodEnd'), value: fc.constantFrom('2026-13-45', 'yesterday', '2026-01-01T00:00:00+01:00', '', '2026-02-30T25:00:00Z', '1e12') }),
  fc.record({ column: fc.constant<Column>('BillingCurrency'), value: fc.constantFrom('usd', 'US', '€', '') }),
  fc.record({ column: fc.constant<Column>('ConsumedQuantity'), value: fc.constantFrom('lots', '1..2', '--1') }),
  fc.record({ column: fc.constant<Column>('Tags'), value: fc.constantFrom('{', '[]', 'null', '"x"') }),
  fc.constantFrom('extra-field', 'missing-field'),
);

const rowModel = fc.oneof({ weight: 3, arbitrary: validRow.map((row) => ({ kind: 'valid' as const, row })) }, { weight: 1, arbitrary: fc.tuple(validRow, breakage).map(([row, broken]) => ({ kind: 'bad' as const, row, broken })) });

function rowText(model: { kind: 'valid' | 'bad'; row: ValidRow; broken?: unknown }): string {
  const cells = validCells(model.row);
  const broken = model.broken as { column: Column; value: string } | 'extra-field' | 'missing-field' | undefined;
  if (typeof broken === 'object') cells[broken.column] = broken.value;
  let fields = TEST_HEADER.map((column) => cell(cells[column], model.row.quote));
  if (broken === 'extra-field') fields = [...fields, 'surplus'];
  if (broken === 'missing-field') fields = fields.slice(0, -1);
  return fields.join(',');
}

describe('FOCUS CSV import, property-based', () => {
  it('arbitrary CSV text ends in a consistent report or a documented error, never a TypeError', async () => {
    const csvish = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.stringMatching(/^[a-z0-9",\r\n.\- {}:\uFEFF]{0,300}$/),
      fc.array(fc.oneof(fc.constantFrom(',', '"', '""', '\n', '\r\n', '\r', '\uFEFF', '1.5', '-', '2026-01-01', 'USD', 'Usage', '{}', 'x'.repeat(70_000)), fc.string({ maxLength: 8 })), { maxLength: 40 }).map((parts) => `${TEST_HEADER.join(',')}\n${parts.join('')}`),
    );
    await fc.assert(
      fc.asyncProperty(csvish, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), fc.boolean(), async (csv, cuts, bytes) => {
        expectDocumentedOutcome(await importChunks(chunksOf(csv, cuts, bytes)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('valid rows are all accepted whatever bad rows surround them, bad rows are rejected with a reason, and money sums exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowModel, { minLength: 1, maxLength: 25 }),
        fc.boolean(), // BOM
        fc.boolean(), // CRLF
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        fc.boolean(),
        async (rows, bom, crlf, cuts, bytes) => {
          const eol = crlf ? '\r\n' : '\n';
          const csv = `${bom ? '\uFEFF' : ''}${TEST_HEADER.join(',')}${eol}${rows.map(rowText).join(eol)}${eol}`;
          const outcome = await importChunks(chunksOf(csv, cuts, bytes));
          expectDocumentedOutcome(outcome);
          expect(outcome.error).toBeUndefined();
          const valid = rows.filter((r) => r.kind === 'valid');
          expect(outcome.report).toMatchObject({ rowsRead: rows.length, accepted: valid.length, rejected: rows.length - valid.length });
          // In order, each with the costs of its own row: nothing lost, nothing from a bad row.
          expect(outcome.records.map((r) => [r.billedCost, r.effectiveCost])).toEqual(valid.map((v) => [Number(expectedMicros(v.row.BilledCost)), Number(expectedMicros(v.row.EffectiveCost))]));
          expect(outcome.records.map((r) => r.resourceId)).toEqual(valid.map((v) => (v.row.ResourceId === '' ? null : v.row.ResourceId)));
          const sum = outcome.records.reduce((total, r) => total + BigInt(r.billedCost), 0n);
          expect(sum).toBe(valid.reduce((total, v) => total + expectedMicros(v.row.BilledCost), 0n));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a fatal quoting error after good rows: every row before it was delivered whole, and the error is FINOPS_CSV_MALFORMED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validRow, { minLength: 1, maxLength: 10 }), fc.constantFrom('"unterminated', '"closed"junk'), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), async (rows, fatal, cuts) => {
        const csv = `${TEST_HEADER.join(',')}\n${rows.map((row) => rowText({ kind: 'valid', row })).join('\n')}\n${fatal},x\n`;
        const outcome = await importChunks(chunksOf(csv, cuts, false));
        expect(outcome.error).toMatchObject({ code: 'FINOPS_CSV_MALFORMED' });
        expect(outcome.records.map((r) => r.billedCost)).toEqual(rows.map((row) => Number(expectedMicros(row.BilledCost))));
      }),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });
});
