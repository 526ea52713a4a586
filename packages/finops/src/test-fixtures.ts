import type { CostRecord } from './cost-record.js';

/** A valid FOCUS header plus rows built from partial overrides, for tests. Not exported from the package. */
export const TEST_HEADER = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'BillingCurrency', 'BillingAccountId', 'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory', 'ChargeClass', 'ProviderName', 'ServiceName', 'RegionId', 'ResourceId', 'ConsumedQuantity', 'Tags'] as const;

const DEFAULTS: Record<(typeof TEST_HEADER)[number], string> = {
  BilledCost: '1.50', EffectiveCost: '1.20', ListCost: '2.00', ContractedCost: '1.50', BillingCurrency: 'USD', BillingAccountId: 'acct-1',
  ChargePeriodStart: '2026-01-01T00:00:00Z', ChargePeriodEnd: '2026-01-02T00:00:00Z', ChargeCategory: 'Usage', ChargeClass: '', ProviderName: 'AWS',
  ServiceName: 'Amazon EC2', RegionId: 'us-east-1', ResourceId: 'i-1', ConsumedQuantity: '24', Tags: '"{""team"":""web""}"',
};

export function csvRow(overrides: Partial<Record<(typeof TEST_HEADER)[number], string>> = {}): string {
  return TEST_HEADER.map((column) => overrides[column] ?? DEFAULTS[column]).join(',');
}

export function csvFile(rows: readonly string[]): string {
  return `${TEST_HEADER.join(',')}\n${rows.join('\n')}\n`;
}

/** A cost record with defaults; money in micro-units. */
export function record(overrides: Partial<CostRecord> = {}): CostRecord {
  return {
    rowNumber: 2, billedCost: 1_000_000, effectiveCost: 1_000_000, listCost: 1_000_000, contractedCost: 1_000_000, billingCurrency: 'USD', billingAccountId: 'acct-1',
    chargePeriodStart: Date.UTC(2026, 0, 1), chargePeriodEnd: Date.UTC(2026, 0, 2), chargeCategory: 'Usage', chargeClass: null, providerName: 'AWS',
    serviceName: 'Amazon EC2', serviceCategory: 'Compute', regionId: 'us-east-1', resourceId: 'i-1', resourceType: 'Instance', subAccountId: null, skuId: null,
    pricingQuantity: 1, pricingUnit: 'Hours', consumedQuantity: 24, consumedUnit: 'Hours', commitmentDiscountId: null, commitmentDiscountType: null, tags: {},
    ...overrides,
  };
}
