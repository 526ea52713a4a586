import { describe, expect, it } from '@jest/globals';
import type { CostRecord } from './cost-record.js';
import { generateFocusBill } from './focus-bill-generator.js';
import { mandatoryFocusColumns } from './focus-columns.js';
import { importFocusCsv } from './focus-import.js';

/** A FOCUS 1.1 row with every Mandatory column and the conditional columns with allowed values. */
const VALID = {
  BilledCost: '1.50', BillingAccountId: 'acct-1', BillingAccountName: 'Acme', BillingCurrency: 'USD', BillingPeriodEnd: '2026-02-01T00:00:00Z', BillingPeriodStart: '2026-01-01T00:00:00Z',
  ChargeCategory: 'Usage', ChargeClass: '', ChargeDescription: 'EC2 usage', ChargeFrequency: 'Usage-Based', ChargePeriodEnd: '2026-01-02T00:00:00Z', ChargePeriodStart: '2026-01-01T00:00:00Z',
  ContractedCost: '1.50', EffectiveCost: '1.20', InvoiceIssuerName: 'AWS', ListCost: '2.00', PricingQuantity: '24', PricingUnit: 'Hours', ProviderName: 'AWS', PublisherName: 'AWS',
  ServiceCategory: 'Compute', ServiceName: 'Amazon EC2', ListUnitPrice: '0.0833', ContractedUnitPrice: '0.0625', CommitmentDiscountCategory: 'Spend', CommitmentDiscountStatus: 'Used',
  PricingCategory: 'Committed', CapacityReservationStatus: 'Used', CommitmentDiscountQuantity: '24', SkuPriceDetails: '"{""CoreCount"":2}"',
};
type Column = keyof typeof VALID;
const HEADER = Object.keys(VALID) as Column[];

async function codes(overrides: Partial<Record<Column, string>>, conformance: 'focus-1.0' | 'focus-1.1' = 'focus-1.1'): Promise<string[]> {
  const row = HEADER.map((c) => overrides[c] ?? VALID[c]).join(',');
  const report = await importFocusCsv([`${HEADER.join(',')}\n${row}\n`], () => undefined, { conformance });
  return (report.rejects[0]?.issues ?? []).map((i) => `${i.column}:${i.code}`);
}

describe("importFocusCsv with conformance 'focus-1.1' / 'focus-1.0'", () => {
  it('accepts a conformant row, and a generated bill row for row', async () => {
    expect(await codes({})).toEqual([]);
    const rows: CostRecord[] = [];
    const report = await importFocusCsv(generateFocusBill({ rows: 3_000, days: 31 }), (r) => rows.push(r), { conformance: 'focus-1.1' });
    expect(report).toMatchObject({ rejected: 0, accepted: rows.length });
  });

  it('lists the 21 Mandatory columns of FOCUS 1.0 and 1.1', () => {
    expect(mandatoryFocusColumns('1.1')).toEqual([
      'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart', 'ChargeCategory', 'ChargeClass', 'ChargeDescription',
      'ChargePeriodEnd', 'ChargePeriodStart', 'ContractedCost', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName',
      'ServiceCategory', 'ServiceName',
    ]);
    expect(mandatoryFocusColumns('1.0')).toEqual(mandatoryFocusColumns('1.1'));
  });

  it.each(mandatoryFocusColumns('1.1'))('throws FINOPS_HEADER_INVALID with FINOPS_COLUMN_MISSING when Mandatory column %s is absent', async (column) => {
    const header = HEADER.filter((c) => c !== column);
    const error = await importFocusCsv([`${header.join(',')}\n`], () => undefined, { conformance: 'focus-1.1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FINOPS_HEADER_INVALID', issues: [expect.objectContaining({ code: 'FINOPS_COLUMN_MISSING', path: ['header', column] })] });
  });

  it.each(['BilledCost', 'BillingAccountId', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart', 'ChargeCategory', 'ChargePeriodEnd', 'ChargePeriodStart', 'ContractedCost', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ProviderName', 'PublisherName', 'ServiceCategory', 'ServiceName', 'ChargeFrequency'] as const)(
    'rejects an empty %s (not nullable) with FINOPS_VALUE_MISSING',
    async (column) => {
      expect(await codes({ [column]: '' })).toEqual([`${column}:FINOPS_VALUE_MISSING`]);
    },
  );

  it.each([
    [{ BillingAccountName: '', ChargeClass: '', ChargeDescription: '' }, []],
    [{ BillingPeriodStart: '2026-01-01T00:00:00+01:00' }, ['BillingPeriodStart:FINOPS_DATETIME_INVALID']],
    [{ BillingPeriodEnd: 'February' }, ['BillingPeriodEnd:FINOPS_DATETIME_INVALID']],
    [{ BillingPeriodEnd: '2026-01-01T00:00:00Z' }, ['BillingPeriodEnd:FINOPS_PERIOD_INVALID']],
    [{ ServiceCategory: 'Compute Stuff' }, ['ServiceCategory:FINOPS_SERVICE_CATEGORY_INVALID']],
    [{ ChargeFrequency: 'Monthly' }, ['ChargeFrequency:FINOPS_CHARGE_FREQUENCY_INVALID']],
    [{ ChargeCategory: 'Purchase', ChargeFrequency: 'Usage-Based' }, ['ChargeFrequency:FINOPS_CHARGE_FREQUENCY_INVALID']],
    [{ CommitmentDiscountCategory: 'Hours' }, ['CommitmentDiscountCategory:FINOPS_VALUE_NOT_ALLOWED']],
    [{ CommitmentDiscountStatus: 'Partly' }, ['CommitmentDiscountStatus:FINOPS_VALUE_NOT_ALLOWED']],
    [{ PricingCategory: 'Spot' }, ['PricingCategory:FINOPS_VALUE_NOT_ALLOWED']],
    [{ CapacityReservationStatus: 'Maybe' }, ['CapacityReservationStatus:FINOPS_VALUE_NOT_ALLOWED']],
    [{ ListUnitPrice: '$0.08' }, ['ListUnitPrice:FINOPS_DECIMAL_INVALID']],
    [{ ContractedUnitPrice: 'n/a' }, ['ContractedUnitPrice:FINOPS_DECIMAL_INVALID']],
    [{ CommitmentDiscountQuantity: 'many' }, ['CommitmentDiscountQuantity:FINOPS_QUANTITY_INVALID']],
    [{ PricingQuantity: 'ten' }, ['PricingQuantity:FINOPS_QUANTITY_INVALID']],
    [{ SkuPriceDetails: 'CoreCount=2' }, ['SkuPriceDetails:FINOPS_KEY_VALUE_INVALID']],
    [{ PricingQuantity: '' }, ['PricingQuantity:FINOPS_VALUE_MISSING']],
    [{ PricingUnit: '' }, ['PricingUnit:FINOPS_VALUE_MISSING']],
    [{ ChargeClass: 'Correction', PricingQuantity: '', PricingUnit: '' }, []],
    [{ ChargeCategory: 'Credit', ChargeFrequency: 'One-Time', PricingQuantity: '', PricingUnit: '' }, []],
    [{ ChargeCategory: 'Tax', ChargeFrequency: 'Recurring' }, ['PricingQuantity:FINOPS_VALUE_NOT_NULL', 'PricingUnit:FINOPS_VALUE_NOT_NULL']],
    [{ ChargeCategory: 'Tax', ChargeFrequency: 'Recurring', PricingQuantity: '', PricingUnit: '' }, []],
  ] as [Partial<Record<Column, string>>, string[]][])('checks %j → %j', async (overrides, expected) => {
    expect(await codes(overrides)).toEqual(expected);
  });

  it('ignores FOCUS 1.1 columns when checking as FOCUS 1.0, and the default mode ignores the conformance-only rules', async () => {
    expect(await codes({ CapacityReservationStatus: 'Maybe', SkuPriceDetails: 'x' }, 'focus-1.0')).toEqual([]);
    expect(await codes({ CapacityReservationStatus: 'Maybe' }, 'focus-1.1')).toEqual(['CapacityReservationStatus:FINOPS_VALUE_NOT_ALLOWED']);
    const row = HEADER.map((c) => (c === 'ServiceCategory' ? 'Compute Stuff' : c === 'PublisherName' ? '' : VALID[c])).join(',');
    const report = await importFocusCsv([`${HEADER.join(',')}\n${row}\n`], () => undefined);
    expect(report).toMatchObject({ accepted: 1, rejected: 0 });
  });
});
