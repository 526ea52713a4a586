import { describe, expect, it } from '@jest/globals';
import type { CostRecord } from './cost-record.js';
import { importFocusCsv, type ImportOptions, type ImportReport } from './focus-import.js';

/**
 * A few rows in the FOCUS 1.0 column set (its 43 columns), written the way the FinOps
 * Foundation's FOCUS sample data writes them: header and text quoted, numbers bare, timestamps as
 * `YYYY-MM-DD HH:MM:SS`, and an absent value as the bare word NULL, never an empty cell. The FOCUS
 * "Null Handling" attribute asks for null in a nullable column that has no value; a CSV can only
 * spell that with a token.
 * Line 2: usage without a commitment discount (every CommitmentDiscount* column NULL).
 * Line 3: a savings-plan purchase (no region, SKU, consumed quantity or tags: NULL).
 * Line 4: tax (PricingQuantity and PricingUnit NULL, as FOCUS requires for Tax).
 * Line 5: invalid: ContractedCost NULL, and ContractedCost may not be null (the 1.0 sample's own
 *   known defect).
 * Line 6: invalid: BillingCurrency NULL, and ChargeCategory "Discount" is no FOCUS category.
 * Line 7: RegionId written "NULL" in quotes: the text NULL, not a null.
 * Line 8: usage with PricingQuantity and PricingUnit NULL: FOCUS 1.0 forbids that for Usage.
 */
const FOCUS_1_0_SAMPLE = [
  '"AvailabilityZone","BilledCost","BillingAccountId","BillingAccountName","BillingCurrency","BillingPeriodEnd","BillingPeriodStart","ChargeCategory","ChargeClass","ChargeDescription","ChargeFrequency","ChargePeriodEnd","ChargePeriodStart","CommitmentDiscountCategory","CommitmentDiscountId","CommitmentDiscountName","CommitmentDiscountStatus","CommitmentDiscountType","ConsumedQuantity","ConsumedUnit","ContractedCost","ContractedUnitPrice","EffectiveCost","InvoiceIssuerName","ListCost","ListUnitPrice","PricingCategory","PricingQuantity","PricingUnit","ProviderName","PublisherName","RegionId","RegionName","ResourceId","ResourceName","ResourceType","ServiceCategory","ServiceName","SkuId","SkuPriceId","SubAccountId","SubAccountName","Tags"',
  '"us-east-1a",0.384,"123456789012","Acme Payer","USD","2024-10-01 00:00:00","2024-09-01 00:00:00","Usage",NULL,"m5.xlarge Linux on-demand hours","Usage-Based","2024-09-15 01:00:00","2024-09-15 00:00:00",NULL,NULL,NULL,NULL,NULL,2,"Hours",0.384,0.192,0.384,"Amazon Web Services",0.384,0.192,"Standard",2,"Hours","Amazon Web Services","Amazon Web Services","us-east-1","US East (N. Virginia)","i-0a1b2c3d",NULL,"Virtual Machine","Compute","Amazon EC2","SKU-M5XL","SKU-M5XL-OD","210987654321","search-prod","{""team"": ""search""}"',
  'NULL,730.00,"123456789012","Acme Payer","USD","2024-10-01 00:00:00","2024-09-01 00:00:00","Purchase",NULL,"Compute Savings Plan 1yr no upfront monthly fee","Recurring","2024-10-01 00:00:00","2024-09-01 00:00:00","Spend","sp-0123","Compute SP 1yr",NULL,"Savings Plan",NULL,NULL,730.00,1.00,0.00,"Amazon Web Services",730.00,1.00,"Standard",730,"Hours","Amazon Web Services","Amazon Web Services",NULL,NULL,"sp-0123",NULL,NULL,"Compute","Savings Plans for AWS Compute usage",NULL,NULL,"210987654321","search-prod",NULL',
  'NULL,12.34,"123456789012","Acme Payer","USD","2024-10-01 00:00:00","2024-09-01 00:00:00","Tax",NULL,"Sales tax","One-Time","2024-10-01 00:00:00","2024-09-01 00:00:00",NULL,NULL,NULL,NULL,NULL,NULL,NULL,12.34,NULL,12.34,"Amazon Web Services",12.34,NULL,NULL,NULL,NULL,"Amazon Web Services","Amazon Web Services",NULL,NULL,NULL,NULL,NULL,"Compute","Amazon EC2",NULL,NULL,"210987654321","search-prod",NULL',
  '"us-east-1a",0.384,"123456789012","Acme Payer","USD","2024-10-01 00:00:00","2024-09-01 00:00:00","Usage",NULL,"m5.xlarge Linux on-demand hours","Usage-Based","2024-09-15 02:00:00","2024-09-15 01:00:00",NULL,NULL,NULL,NULL,NULL,2,"Hours",NULL,0.192,0.384,"Amazon Web Services",0.384,0.192,"Standard",2,"Hours","Amazon Web Services","Amazon Web Services","us-east-1","US East (N. Virginia)","i-0a1b2c3d",NULL,"Virtual Machine","Compute","Amazon EC2","SKU-M5XL","SKU-M5XL-OD","210987654321","search-prod","{""team"": ""search""}"',
  '"us-east-1a",0.384,"123456789012","Acme Payer",NULL,"2024-10-01 00:00:00","2024-09-01 00:00:00","Discount",NULL,"m5.xlarge Linux on-demand hours","Usage-Based","2024-09-15 01:00:00","2024-09-15 00:00:00",NULL,NULL,NULL,NULL,NULL,2,"Hours",0.384,0.192,0.384,"Amazon Web Services",0.384,0.192,"Standard",2,"Hours","Amazon Web Services","Amazon Web Services","us-east-1","US East (N. Virginia)","i-0a1b2c3d",NULL,"Virtual Machine","Compute","Amazon EC2","SKU-M5XL","SKU-M5XL-OD","210987654321","search-prod","{""team"": ""search""}"',
  '"us-east-1a",0.384,"123456789012","Acme Payer","USD","2024-10-01 00:00:00","2024-09-01 00:00:00","Usage",NULL,"m5.xlarge Linux on-demand hours","Usage-Based","2024-09-15 01:00:00","2024-09-15 00:00:00",NULL,NULL,NULL,NULL,NULL,2,"Hours",0.384,0.192,0.384,"Amazon Web Services",0.384,0.192,"Standard",2,"Hours","Amazon Web Services","Amazon Web Services","NULL","US East (N. Virginia)","i-0e0f",NULL,"Virtual Machine","Compute","Amazon EC2","SKU-M5XL","SKU-M5XL-OD","210987654321","search-prod","{""team"": ""search""}"',
  '"us-east-1a",0.384,"123456789012","Acme Payer","USD","2024-10-01 00:00:00","2024-09-01 00:00:00","Usage",NULL,"m5.xlarge Linux on-demand hours","Usage-Based","2024-09-15 01:00:00","2024-09-15 00:00:00",NULL,NULL,NULL,NULL,NULL,2,"Hours",0.384,0.192,0.384,"Amazon Web Services",0.384,0.192,"Standard",NULL,NULL,"Amazon Web Services","Amazon Web Services","us-east-1","US East (N. Virginia)","i-0g0h",NULL,"Virtual Machine","Compute","Amazon EC2","SKU-M5XL","SKU-M5XL-OD","210987654321","search-prod","{""team"": ""search""}"',
].join('\n');

async function importSample(options: ImportOptions = {}): Promise<{ records: CostRecord[]; report: ImportReport }> {
  const records: CostRecord[] = [];
  const report = await importFocusCsv([`${FOCUS_1_0_SAMPLE}\n`], (r) => records.push(r), options);
  return { records, report };
}

function rejectedCodes(report: ImportReport): Record<number, string[]> {
  return Object.fromEntries(report.rejects.map((r) => [r.rowNumber, r.issues.map((i) => `${i.column}:${i.code}`)]));
}

describe('importFocusCsv with null tokens (FOCUS 1.0 sample data writes NULL)', () => {
  it('reads bare NULL as null, so only the genuinely invalid rows are rejected, with their row numbers', async () => {
    const { records, report } = await importSample();
    expect(report).toMatchObject({ rowsRead: 7, accepted: 5, rejected: 2 });
    expect(rejectedCodes(report)).toEqual({
      5: ['ContractedCost:FINOPS_VALUE_MISSING'],
      6: ['BillingCurrency:FINOPS_VALUE_MISSING', 'ChargeCategory:FINOPS_CHARGE_CATEGORY_INVALID'],
    });
    expect(records.map((r) => r.rowNumber)).toEqual([2, 3, 4, 7, 8]);
  });

  it('gives null fields, not the word NULL, to the accepted records; a quoted "NULL" stays text', async () => {
    const { records } = await importSample();
    const [usage, purchase, tax, quoted] = records;
    expect(usage).toMatchObject({ chargeClass: null, commitmentDiscountId: null, commitmentDiscountType: null, tags: { team: 'search' }, billedCost: 384_000 });
    // "2024-09-15 00:00:00", with no offset, is UTC.
    expect(usage).toMatchObject({ chargePeriodStart: Date.UTC(2024, 8, 15), chargePeriodEnd: Date.UTC(2024, 8, 15, 1), billingAccountId: '123456789012' });
    expect(purchase).toMatchObject({ chargeCategory: 'Purchase', regionId: null, skuId: null, resourceType: null, consumedQuantity: null, consumedUnit: null, tags: {}, billedCost: 730_000_000 });
    expect(tax).toMatchObject({ chargeCategory: 'Tax', pricingQuantity: null, pricingUnit: null, resourceId: null, billedCost: 12_340_000 });
    expect(quoted).toMatchObject({ regionId: 'NULL', resourceId: 'i-0e0f' });
  });

  it("applies FOCUS 1.0's null rules to NULL cells in conformance mode: Usage needs PricingQuantity and PricingUnit", async () => {
    const { report } = await importSample({ conformance: 'focus-1.0' });
    expect(report).toMatchObject({ rowsRead: 7, accepted: 4, rejected: 3 });
    expect(rejectedCodes(report)).toEqual({
      5: ['ContractedCost:FINOPS_VALUE_MISSING'],
      6: ['BillingCurrency:FINOPS_VALUE_MISSING', 'ChargeCategory:FINOPS_CHARGE_CATEGORY_INVALID'],
      8: ['PricingQuantity:FINOPS_VALUE_MISSING', 'PricingUnit:FINOPS_VALUE_MISSING'],
    });
  });

  it('rejects every row that uses NULL when null tokens are turned off (nullValues: [])', async () => {
    const { report } = await importSample({ nullValues: [] });
    // The word NULL is then an invalid ChargeClass in every row, as the sample's rows all were before.
    expect(report).toMatchObject({ rowsRead: 7, accepted: 0, rejected: 7 });
    expect(rejectedCodes(report)[2]).toEqual(['ChargeClass:FINOPS_CHARGE_CLASS_INVALID']);
    expect(rejectedCodes(report)[3]).toEqual(['ChargeClass:FINOPS_CHARGE_CLASS_INVALID', 'Tags:FINOPS_TAGS_INVALID', 'ConsumedQuantity:FINOPS_QUANTITY_INVALID']);
  });

  it('takes other null tokens, exact and case-sensitive; the empty cell stays null', async () => {
    const text = FOCUS_1_0_SAMPLE.replaceAll(',NULL', ',\\N').replace(/^NULL,/gm, '\\N,');
    const records: CostRecord[] = [];
    const report = await importFocusCsv([`${text}\n`], (r) => records.push(r), { nullValues: ['\\N'] });
    expect(report).toMatchObject({ accepted: 5, rejected: 2 });
    expect(records[1]).toMatchObject({ regionId: null, consumedQuantity: null, tags: {} });
    const lower = await importFocusCsv([`${FOCUS_1_0_SAMPLE.replaceAll(',NULL', ',null')}\n`], () => undefined);
    expect(lower.accepted).toBe(0);
    const empty = await importFocusCsv([`${FOCUS_1_0_SAMPLE.replaceAll(',NULL', ',')}\n`], () => undefined, { nullValues: [] });
    expect(empty).toMatchObject({ accepted: 5, rejected: 2 });
  });

  it('rejects bad nullValues and maxRecordLength with FINOPS_IMPORT_OPTIONS_INVALID, listing every problem', async () => {
    const bad = { nullValues: ['NULL', 'a,b', 7 as unknown as string], maxRecordLength: 0 };
    const error = await importFocusCsv([''], () => undefined, bad).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'FINOPS_IMPORT_OPTIONS_INVALID',
      issues: [
        expect.objectContaining({ path: ['nullValues', 1], code: 'FINOPS_NULL_VALUES_INVALID' }),
        expect.objectContaining({ path: ['nullValues', 2], code: 'FINOPS_NULL_VALUES_INVALID' }),
        expect.objectContaining({ path: ['maxRecordLength'], code: 'FINOPS_MAX_RECORD_LENGTH_INVALID' }),
      ],
    });
  });
});
