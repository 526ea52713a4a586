/**
 * FOCUS columns this package reads, by their exact FOCUS 1.0/1.1 names. `required` columns must
 * be present in the header and non-empty in every row (mandatory and non-nullable in the spec);
 * the others are read when present and are `null` when empty.
 */
export const FOCUS_COLUMNS = {
  BilledCost: { type: 'decimal', required: true },
  EffectiveCost: { type: 'decimal', required: true },
  ListCost: { type: 'decimal', required: true },
  ContractedCost: { type: 'decimal', required: true },
  BillingCurrency: { type: 'currency', required: true },
  BillingAccountId: { type: 'string', required: true },
  ChargePeriodStart: { type: 'datetime', required: true },
  ChargePeriodEnd: { type: 'datetime', required: true },
  ChargeCategory: { type: 'chargeCategory', required: true },
  ChargeClass: { type: 'chargeClass', required: false },
  ProviderName: { type: 'string', required: true },
  ServiceName: { type: 'string', required: true },
  ServiceCategory: { type: 'string', required: false },
  RegionId: { type: 'string', required: false },
  ResourceId: { type: 'string', required: false },
  ResourceType: { type: 'string', required: false },
  SubAccountId: { type: 'string', required: false },
  SkuId: { type: 'string', required: false },
  PricingQuantity: { type: 'quantity', required: false },
  PricingUnit: { type: 'string', required: false },
  ConsumedQuantity: { type: 'quantity', required: false },
  ConsumedUnit: { type: 'string', required: false },
  CommitmentDiscountId: { type: 'string', required: false },
  CommitmentDiscountType: { type: 'string', required: false },
  Tags: { type: 'tags', required: false },
} as const;

/** A FOCUS column name this package understands. */
export type FocusColumn = keyof typeof FOCUS_COLUMNS;

/** Maps FOCUS column names to the header names of a non-FOCUS export, e.g. `{ BilledCost: 'cost' }`. */
export type ColumnMapping = Partial<Record<FocusColumn, string>>;
