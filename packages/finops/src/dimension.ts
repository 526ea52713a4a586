import type { CostRecord } from './cost-record.js';

/** A column to group by (FOCUS name) or a tag key as `tag:<key>`, e.g. `tag:team`. */
export type Dimension =
  | 'ServiceName' | 'ServiceCategory' | 'ProviderName' | 'RegionId' | 'ResourceId' | 'ResourceType' | 'SubAccountId'
  | 'BillingAccountId' | 'ChargeCategory' | 'SkuId' | 'CommitmentDiscountId' | `tag:${string}`;

/** Which FOCUS cost column to sum: billed (invoice) or effective (amortised), list or contracted. */
export type CostMetric = 'billed' | 'effective' | 'list' | 'contracted';

/** Shown for a record with no value in a column. */
export const NO_VALUE = '(none)';
/** Shown for a record without the tag being grouped on. */
export const UNTAGGED = '(untagged)';

/** The value of `dimension` on a record; `(untagged)` / `(none)` when absent. */
export function dimensionValue(record: CostRecord, dimension: Dimension): string {
  if (dimension.startsWith('tag:')) return record.tags[dimension.slice(4)] ?? UNTAGGED;
  switch (dimension) {
    case 'ServiceName': return record.serviceName;
    case 'ServiceCategory': return record.serviceCategory ?? NO_VALUE;
    case 'ProviderName': return record.providerName;
    case 'RegionId': return record.regionId ?? NO_VALUE;
    case 'ResourceId': return record.resourceId ?? NO_VALUE;
    case 'ResourceType': return record.resourceType ?? NO_VALUE;
    case 'SubAccountId': return record.subAccountId ?? NO_VALUE;
    case 'BillingAccountId': return record.billingAccountId;
    case 'ChargeCategory': return record.chargeCategory;
    case 'SkuId': return record.skuId ?? NO_VALUE;
    case 'CommitmentDiscountId': return record.commitmentDiscountId ?? NO_VALUE;
    default: return NO_VALUE;
  }
}

/** The chosen cost of a record in micro-units. */
export function costOf(record: CostRecord, metric: CostMetric): number {
  switch (metric) {
    case 'billed': return record.billedCost;
    case 'effective': return record.effectiveCost;
    case 'list': return record.listCost;
    case 'contracted': return record.contractedCost;
  }
}
