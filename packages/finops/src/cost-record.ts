/** FOCUS `ChargeCategory` values (FOCUS 1.0/1.1). */
export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'] as const;
export type ChargeCategory = (typeof CHARGE_CATEGORIES)[number];

/**
 * One validated FOCUS row. Money is in integer micro-units of `billingCurrency`
 * (1 USD = 1,000,000); times are epoch ms (UTC). Nullable FOCUS columns are `null` when empty.
 */
export interface CostRecord {
  /** 1-based line of the row in the source file (header is line 1). */
  readonly rowNumber: number;
  readonly billedCost: number;
  readonly effectiveCost: number;
  readonly listCost: number;
  readonly contractedCost: number;
  /** ISO 4217 code, e.g. `USD`. */
  readonly billingCurrency: string;
  readonly billingAccountId: string;
  /** Inclusive start of the charge period, epoch ms. */
  readonly chargePeriodStart: number;
  /** Exclusive end of the charge period, epoch ms. */
  readonly chargePeriodEnd: number;
  readonly chargeCategory: ChargeCategory;
  /** `Correction` or null. */
  readonly chargeClass: 'Correction' | null;
  readonly providerName: string;
  readonly serviceName: string;
  readonly serviceCategory: string | null;
  readonly regionId: string | null;
  readonly resourceId: string | null;
  readonly resourceType: string | null;
  readonly subAccountId: string | null;
  readonly skuId: string | null;
  readonly pricingQuantity: number | null;
  readonly pricingUnit: string | null;
  readonly consumedQuantity: number | null;
  readonly consumedUnit: string | null;
  readonly commitmentDiscountId: string | null;
  readonly commitmentDiscountType: string | null;
  /** FOCUS `Tags` parsed from its JSON object; non-string values are JSON-stringified. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * How many source rows this record stands for, when a store hands over rows pre-aggregated
   * (e.g. summed per resource and day); counted in breakdowns' `records`. Default 1.
   */
  readonly rowCount?: number;
}
