import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { CostRecord } from './cost-record.js';
import { importFocusCsv, readFocusCsv } from './focus-import.js';
import { csvFile, csvRow, TEST_HEADER } from './test-fixtures.js';

async function importText(text: string, options = {}): Promise<{ records: CostRecord[]; report: Awaited<ReturnType<typeof importFocusCsv>> }> {
  const records: CostRecord[] = [];
  const report = await importFocusCsv([text], (r) => records.push(r), options);
  return { records, report };
}

async function rejectCodes(overrides: Parameters<typeof csvRow>[0]): Promise<string[]> {
  const { report } = await importText(csvFile([csvRow(overrides)]));
  expect(report.rejected).toBe(1);
  return (report.rejects[0]?.issues ?? []).map((i) => `${i.column}:${i.code}`);
}

describe('importFocusCsv', () => {
  it('accepts a valid row with exact money, UTC times and parsed tags', async () => {
    const { records, report } = await importText(csvFile([csvRow()]));
    expect(report).toMatchObject({ rowsRead: 1, accepted: 1, rejected: 0 });
    expect(records[0]).toMatchObject({
      rowNumber: 2, billedCost: 1_500_000, effectiveCost: 1_200_000, listCost: 2_000_000, contractedCost: 1_500_000,
      chargePeriodStart: Date.UTC(2026, 0, 1), chargePeriodEnd: Date.UTC(2026, 0, 2), chargeClass: null, consumedQuantity: 24, tags: { team: 'web' },
    });
  });

  it.each([
    ['BilledCost', 'FINOPS_COLUMN_MISSING'],
    ['EffectiveCost', 'FINOPS_COLUMN_MISSING'],
    ['BillingCurrency', 'FINOPS_COLUMN_MISSING'],
    ['ChargePeriodStart', 'FINOPS_COLUMN_MISSING'],
    ['ChargeCategory', 'FINOPS_COLUMN_MISSING'],
    ['ServiceName', 'FINOPS_COLUMN_MISSING'],
  ])('throws FINOPS_HEADER_INVALID when mandatory column %s is absent', async (column, code) => {
    const header = TEST_HEADER.filter((c) => c !== column);
    const error = await importFocusCsv([`${header.join(',')}\n`], () => undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FINOPS_HEADER_INVALID', issues: [expect.objectContaining({ code, path: ['header', column] })] });
  });

  it('reports a duplicate header column', async () => {
    const error = await importFocusCsv([`${TEST_HEADER.join(',')},BilledCost\n`], () => undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FINOPS_HEADER_INVALID', issues: [expect.objectContaining({ code: 'FINOPS_COLUMN_DUPLICATE' })] });
  });

  it('throws FINOPS_HEADER_INVALID for an empty file', async () => {
    await expect(importFocusCsv([''], () => undefined)).rejects.toMatchObject({ code: 'FINOPS_HEADER_INVALID' });
  });

  it.each([
    [{ BilledCost: '' }, 'BilledCost:FINOPS_VALUE_MISSING'],
    [{ ServiceName: '' }, 'ServiceName:FINOPS_VALUE_MISSING'],
    [{ BillingAccountId: '' }, 'BillingAccountId:FINOPS_VALUE_MISSING'],
    [{ EffectiveCost: '1.2.0' }, 'EffectiveCost:FINOPS_DECIMAL_INVALID'],
    [{ ListCost: '2e3' }, 'ListCost:FINOPS_DECIMAL_INVALID'],
    [{ ContractedCost: 'abc' }, 'ContractedCost:FINOPS_DECIMAL_INVALID'],
    [{ BillingCurrency: 'usd' }, 'BillingCurrency:FINOPS_CURRENCY_INVALID'],
    [{ ChargePeriodStart: '01/02/2026' }, 'ChargePeriodStart:FINOPS_DATETIME_INVALID'],
    [{ ChargePeriodEnd: '2026-01-01T00:00:00+02:00' }, 'ChargePeriodEnd:FINOPS_DATETIME_INVALID'],
    [{ ChargePeriodEnd: '2026-01-01T00:00:00Z' }, 'ChargePeriodEnd:FINOPS_PERIOD_INVALID'],
    [{ ChargeCategory: 'Fee' }, 'ChargeCategory:FINOPS_CHARGE_CATEGORY_INVALID'],
    [{ ChargeClass: 'Refund' }, 'ChargeClass:FINOPS_CHARGE_CLASS_INVALID'],
    [{ Tags: '"[1,2]"' }, 'Tags:FINOPS_TAGS_INVALID'],
    [{ Tags: '{team' }, 'Tags:FINOPS_TAGS_INVALID'],
    [{ ConsumedQuantity: 'lots' }, 'ConsumedQuantity:FINOPS_QUANTITY_INVALID'],
  ])('rejects %j with column and code %s', async (overrides, expected) => {
    expect(await rejectCodes(overrides)).toEqual([expected]);
  });

  it('reports every problem of a row, not just the first', async () => {
    expect(await rejectCodes({ BilledCost: 'x', BillingCurrency: 'US', ChargeCategory: 'Nope' })).toEqual([
      'BilledCost:FINOPS_DECIMAL_INVALID', 'BillingCurrency:FINOPS_CURRENCY_INVALID', 'ChargeCategory:FINOPS_CHARGE_CATEGORY_INVALID',
    ]);
  });

  it('rejects a row with the wrong number of fields as FINOPS_ROW_WIDTH', async () => {
    const { report } = await importText(csvFile(['1,2,3']));
    expect(report.rejects[0]).toEqual({ rowNumber: 2, issues: [expect.objectContaining({ column: '(row)', code: 'FINOPS_ROW_WIDTH' })] });
  });

  it('reconciles accepted + rejected with the rows in the file and writes every reject with its row number', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 1_000; i++) rows.push(i % 7 === 3 ? csvRow({ BilledCost: `bad${i}` }) : csvRow({ BilledCost: `${i}.01` }));
    const rejectsTo = new PassThrough();
    const chunks: Buffer[] = [];
    rejectsTo.on('data', (c: Buffer) => chunks.push(c));
    const { records, report } = await importText(csvFile(rows), { rejectsTo, maxRejectsKept: 5 });
    const expectedRejects = rows.filter((_, i) => i % 7 === 3).length; // i = 3, 10, ..., 997 → 143
    expect(expectedRejects).toBe(143);
    expect(report).toMatchObject({ rowsRead: 1_000, accepted: 857, rejected: 143, rejectsByCode: { FINOPS_DECIMAL_INVALID: 143 } });
    expect(report.accepted + report.rejected).toBe(report.rowsRead);
    expect(records).toHaveLength(857);
    expect(report.rejects).toHaveLength(5);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 143);
    expect(lines[0]?.startsWith('row,errors,BilledCost,')).toBe(true);
    // Row i is on file line i + 2 (header is line 1); the first bad row is i = 3.
    expect(lines[1]?.startsWith('5,"BilledCost: FINOPS_DECIMAL_INVALID:')).toBe(true);
  });

  it('reads a non-FOCUS export through a column mapping', async () => {
    const header = TEST_HEADER.map((c) => (c === 'BilledCost' ? 'cost' : c === 'ServiceName' ? 'product' : c));
    const records: CostRecord[] = [];
    const report = await importFocusCsv([`${header.join(',')}\n${csvRow({ BilledCost: '9.99', ServiceName: 'Lambda' })}\n`], (r) => records.push(r), { columnMapping: { BilledCost: 'cost', ServiceName: 'product' } });
    expect(report.accepted).toBe(1);
    expect(records[0]).toMatchObject({ billedCost: 9_990_000, serviceName: 'Lambda' });
    await expect(importFocusCsv([`${header.join(',')}\n`], () => undefined, { columnMapping: { BilledCost: 'amount' } })).rejects.toMatchObject({ code: 'FINOPS_HEADER_INVALID' });
  });

  it('decodes bytes split inside a UTF-8 character and refuses invalid UTF-8 with FINOPS_CSV_ENCODING', async () => {
    const bytes = Buffer.from(csvFile([csvRow({ ServiceName: 'Über-Service' })]), 'utf8');
    const at = bytes.indexOf(0xc3) + 1; // split between the two bytes of "Ü"
    const records: CostRecord[] = [];
    await importFocusCsv([bytes.subarray(0, at), bytes.subarray(at)], (r) => records.push(r));
    expect(records[0]?.serviceName).toBe('Über-Service');
    await expect(importFocusCsv([Buffer.from([0x42, 0xff, 0x0a])], () => undefined)).rejects.toMatchObject({ code: 'FINOPS_CSV_ENCODING' });
  });
});

describe('importFocusCsv on a quote that never closes', () => {
  const MiB = 1 << 20;

  it('stops with FINOPS_CSV_RECORD_TOO_LARGE and the row number soon after the 1 MiB default, not at the end of the file', async () => {
    // Row 3 opens a quoted ServiceName and 8 MiB more follow, with neither a quote nor a line end
    // (RFC 4180: a quoted field ends only at a lone closing quote). Fed as 64 KiB byte chunks.
    let pulled = 0;
    function* source(): Generator<Uint8Array> {
      yield Buffer.from(csvFile([csvRow()]), 'utf8');
      yield Buffer.from(`${csvRow().split(',').slice(0, 11).join(',')},"Amazon EC2 `, 'utf8');
      const filler = Buffer.alloc(64 * 1024, 'x');
      for (let i = 0; i < (8 * MiB) / filler.length; i++) {
        pulled++;
        yield filler;
      }
    }
    const records: CostRecord[] = [];
    const error = await importFocusCsv(source(), (r) => records.push(r)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FINOPS_CSV_RECORD_TOO_LARGE', details: { line: 3, maxRecordLength: MiB } });
    expect((error as Error).message).toContain('CSV line 3');
    expect(records.map((r) => r.rowNumber)).toEqual([2]);
    // 16 chunks of 64 KiB make 1 MiB: the 16th pushes the open record past the limit.
    expect(pulled).toBe(16);
  });

  it('takes maxRecordLength from the options', async () => {
    const text = csvFile([csvRow(), csvRow({ Tags: `"{""note"":""${'n'.repeat(500)}""}"` })]);
    const report = await importFocusCsv([text], () => undefined, { maxRecordLength: 1_000 });
    expect(report.accepted).toBe(2);
    await expect(importFocusCsv([text], () => undefined, { maxRecordLength: 400 })).rejects.toMatchObject({ code: 'FINOPS_CSV_RECORD_TOO_LARGE', details: { line: 3, maxRecordLength: 400 } });
  });
});

describe('readFocusCsv', () => {
  it('yields accepted records as an async iterable and reports after iteration', async () => {
    const { records, report } = readFocusCsv([csvFile([csvRow(), csvRow({ BilledCost: 'x' })]), csvRow({ BilledCost: '2.25' })]);
    expect(() => report()).toThrow(expect.objectContaining({ code: 'FINOPS_IMPORT_UNFINISHED' }));
    const seen: number[] = [];
    for await (const r of records) seen.push(r.billedCost);
    expect(seen).toEqual([1_500_000, 2_250_000]);
    expect(report()).toMatchObject({ rowsRead: 3, accepted: 2, rejected: 1 });
  });
});
