/** FOCUS `ServiceCategory` allowed values (FOCUS 1.0 and 1.1). */
export const SERVICE_CATEGORIES = [
  'AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases', 'Developer Tools', 'Multicloud', 'Identity', 'Integration',
  'Internet of Things', 'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking', 'Security', 'Storage', 'Web', 'Other',
] as const;

/**
 * FOCUS columns this package knows, by their exact FOCUS 1.0/1.1 names.
 * - `required`: must be in the header and non-empty in every row in the default (`lenient`)
 *   import; these are the columns every analysis here needs.
 * - `level` and `nullable`: the column's feature level and "Allows nulls" in the FOCUS
 *   specification, enforced by the `focus-1.0` / `focus-1.1` conformance modes;
 *   `since` is the FOCUS version that introduced it.
 * - `type`: how a value is checked (`decimal` = exact money, `quantity` = a number,
 *   `datetime` = ISO 8601 UTC, `values` = one of an allowed list, `keyValue` = a JSON object).
 * Columns not listed are carried in the rejects file but otherwise ignored.
 */
export const FOCUS_COLUMNS = {
  BilledCost: { type: 'decimal', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  EffectiveCost: { type: 'decimal', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ListCost: { type: 'decimal', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ContractedCost: { type: 'decimal', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  BillingCurrency: { type: 'currency', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  BillingAccountId: { type: 'string', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ChargePeriodStart: { type: 'datetime', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ChargePeriodEnd: { type: 'datetime', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ChargeCategory: { type: 'chargeCategory', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ChargeClass: { type: 'chargeClass', required: false, level: 'mandatory', nullable: true, since: '1.0' },
  ProviderName: { type: 'string', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ServiceName: { type: 'string', required: true, level: 'mandatory', nullable: false, since: '1.0' },
  ServiceCategory: { type: 'serviceCategory', required: false, level: 'mandatory', nullable: false, since: '1.0' },
  RegionId: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  ResourceId: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  ResourceType: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  SubAccountId: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  SkuId: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  PricingQuantity: { type: 'quantity', required: false, level: 'mandatory', nullable: true, since: '1.0' },
  PricingUnit: { type: 'string', required: false, level: 'mandatory', nullable: true, since: '1.0' },
  ConsumedQuantity: { type: 'quantity', required: false, level: 'conditional', nullable: true, since: '1.0' },
  ConsumedUnit: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  CommitmentDiscountId: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  CommitmentDiscountType: { type: 'string', required: false, level: 'conditional', nullable: true, since: '1.0' },
  Tags: { type: 'tags', required: false, level: 'conditional', nullable: true, since: '1.0' },
  // Checked only by the focus-1.0 / focus-1.1 conformance modes.
  BillingAccountName: { type: 'string', required: false, level: 'mandatory', nullable: true, since: '1.0' },
  BillingPeriodStart: { type: 'datetime', required: false, level: 'mandatory', nullable: false, since: '1.0' },
  BillingPeriodEnd: { type: 'datetime', required: false, level: 'mandatory', nullable: false, since: '1.0' },
  ChargeDescription: { type: 'string', required: false, level: 'mandatory', nullable: true, since: '1.0' },
  ChargeFrequency: { type: 'values', values: ['One-Time', 'Recurring', 'Usage-Based'], required: false, level: 'recommended', nullable: false, since: '1.0' },
  InvoiceIssuerName: { type: 'string', required: false, level: 'mandatory', nullable: false, since: '1.0' },
  PublisherName: { type: 'string', required: false, level: 'mandatory', nullable: false, since: '1.0' },
  ListUnitPrice: { type: 'unitPrice', required: false, level: 'conditional', nullable: true, since: '1.0' },
  ContractedUnitPrice: { type: 'unitPrice', required: false, level: 'conditional', nullable: true, since: '1.0' },
  CommitmentDiscountCategory: { type: 'values', values: ['Spend', 'Usage'], required: false, level: 'conditional', nullable: true, since: '1.0' },
  CommitmentDiscountStatus: { type: 'values', values: ['Used', 'Unused'], required: false, level: 'conditional', nullable: true, since: '1.0' },
  PricingCategory: { type: 'values', values: ['Standard', 'Dynamic', 'Committed', 'Other'], required: false, level: 'conditional', nullable: true, since: '1.0' },
  CapacityReservationStatus: { type: 'values', values: ['Used', 'Unused'], required: false, level: 'conditional', nullable: true, since: '1.1' },
  CommitmentDiscountQuantity: { type: 'quantity', required: false, level: 'conditional', nullable: true, since: '1.1' },
  SkuPriceDetails: { type: 'keyValue', required: false, level: 'conditional', nullable: true, since: '1.1' },
} as const;

/** A FOCUS column name this package understands. */
export type FocusColumn = keyof typeof FOCUS_COLUMNS;

/** Maps FOCUS column names to the header names of a non-FOCUS export, e.g. `{ BilledCost: 'cost' }`. */
export type ColumnMapping = Partial<Record<FocusColumn, string>>;

/**
 * How strictly an import checks the FOCUS rules:
 * - `lenient` (default): the columns every analysis needs (`required` in {@link FOCUS_COLUMNS})
 *   must be present and non-empty; the columns read are type-checked; other columns are ignored.
 * - `focus-1.0`, `focus-1.1`: every Mandatory column of that FOCUS version must be in the header,
 *   every non-nullable one non-empty in every row, and every known column present is checked
 *   against its type, allowed values and the spec's cross-column rules.
 */
export type FocusConformance = 'lenient' | 'focus-1.0' | 'focus-1.1';

/** The FOCUS Mandatory columns of a version, in spec order. */
export function mandatoryFocusColumns(version: '1.0' | '1.1'): FocusColumn[] {
  return (Object.keys(FOCUS_COLUMNS) as FocusColumn[]).filter((column) => {
    const spec: { level: string; since: string } = FOCUS_COLUMNS[column];
    return spec.level === 'mandatory' && (spec.since === '1.0' || version === '1.1');
  }).sort();
}
