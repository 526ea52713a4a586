import type { CostRecord } from './cost-record.js';
import { CurrencyGuard } from './currency-guard.js';

const DAY_MS = 86_400_000;
/** Days in the "monthly" of monthly savings. */
export const DAYS_PER_MONTH = 30;

/**
 * Assumed discount rates (ratios 0..1 off on-demand cost) and effort costs. These are typical
 * published ranges, not quotes: override them with your provider's actual rates.
 */
export interface RecommendationRates {
  /** Compute savings plan / committed-use discount, 1 year no upfront. Default 0.28. */
  readonly commitment: number;
  /** Spot / preemptible instead of on-demand. Default 0.65. */
  readonly spot: number;
  /** Cost of one engineering hour, micro-units. Default 100,000,000 (100.00). */
  readonly hourlyRate: number;
  /** Engineering hours per effort level. Default low 2, medium 8, high 40. */
  readonly effortHours: Readonly<Record<Effort, number>>;
}

/** The default {@link RecommendationRates}. */
export const DEFAULT_RECOMMENDATION_RATES: RecommendationRates = {
  commitment: 0.28,
  spot: 0.65,
  hourlyRate: 100_000_000,
  effortHours: { low: 2, medium: 8, high: 40 },
};

export type Effort = 'low' | 'medium' | 'high';

/** One thing to do, with savings computed from the data. Money in micro-units. */
export interface Recommendation {
  readonly kind: 'idle-resource' | 'commitment' | 'spot';
  /** What to act on: a resource id, or a service. */
  readonly target: string;
  readonly monthlySavings: number;
  readonly effort: Effort;
  /** Engineering cost of doing it: effort hours × hourly rate. */
  readonly implementationCost: number;
  /** (12 × monthly savings − implementation cost) / implementation cost. */
  readonly roi: number;
  /** implementation cost / monthly savings, months. */
  readonly paybackMonths: number;
  readonly detail: string;
}

/** Options of {@link recommend}. */
export interface RecommendOptions {
  readonly rates?: Partial<RecommendationRates>;
  /** Tags that mark a resource as interruption-tolerant, so a spot candidate. Default `env` in staging, dev, test, ci. */
  readonly isSpotTolerant?: (record: CostRecord) => boolean;
}

/**
 * Recommendations from the bill itself, ranked by ROI:
 * - idle resources: usage cost with a consumed quantity of 0 over the whole window → delete (low effort);
 * - commitment coverage: per compute service, the lowest daily on-demand cost in the window is a
 *   baseline a commitment would always use; savings = baseline × discount. Break-even: the
 *   commitment pays as long as usage stays above (1 − discount) of it;
 * - spot candidates: on-demand compute on interruption-tolerant (non-production) resources.
 * Monthly = average per observed day × 30.
 */
export async function recommend(records: Iterable<CostRecord> | AsyncIterable<CostRecord>, options: RecommendOptions = {}): Promise<Recommendation[]> {
  const rates = { ...DEFAULT_RECOMMENDATION_RATES, ...options.rates };
  const isSpotTolerant = options.isSpotTolerant ?? ((r: CostRecord) => ['staging', 'dev', 'test', 'ci'].includes(r.tags['env'] ?? ''));
  const guard = new CurrencyGuard();
  const resources = new Map<string, { cost: number; consumed: number; spot: boolean; compute: boolean }>();
  const computeDaily = new Map<string, Map<number, number>>();
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  for await (const record of records) {
    if (record.chargeCategory !== 'Usage') continue;
    const cost = guard.convert(record, record.effectiveCost);
    const day = Math.floor(record.chargePeriodStart / DAY_MS);
    firstDay = Math.min(firstDay, day);
    lastDay = Math.max(lastDay, day);
    const compute = record.serviceCategory === 'Compute' && record.commitmentDiscountId === null;
    if (record.resourceId !== null) {
      const entry = resources.get(record.resourceId) ?? { cost: 0, consumed: 0, spot: false, compute: false };
      entry.cost += cost;
      entry.consumed += record.consumedQuantity ?? 0;
      entry.spot ||= isSpotTolerant(record);
      entry.compute ||= compute;
      resources.set(record.resourceId, entry);
    }
    if (compute) {
      const days = computeDaily.get(record.serviceName) ?? new Map<number, number>();
      days.set(day, (days.get(day) ?? 0) + cost);
      computeDaily.set(record.serviceName, days);
    }
  }
  if (!Number.isFinite(firstDay)) return [];
  const observedDays = lastDay - firstDay + 1;
  const monthly = (total: number): number => Math.round((total / observedDays) * DAYS_PER_MONTH);
  const make = (kind: Recommendation['kind'], target: string, monthlySavings: number, effort: Effort, detail: string): Recommendation => {
    const implementationCost = rates.effortHours[effort] * rates.hourlyRate;
    return { kind, target, monthlySavings, effort, implementationCost, roi: (12 * monthlySavings - implementationCost) / implementationCost, paybackMonths: implementationCost / monthlySavings, detail };
  };
  const out: Recommendation[] = [];
  for (const [id, r] of resources) {
    if (r.cost > 0 && r.consumed === 0) out.push(make('idle-resource', id, monthly(r.cost), 'low', `no consumed quantity in ${observedDays} days; stop or delete it`));
    else if (r.spot && r.compute && r.cost > 0) out.push(make('spot', id, Math.round(monthly(r.cost) * rates.spot), 'medium', `interruption-tolerant compute on on-demand; spot saves ~${Math.round(rates.spot * 100)}%`));
  }
  for (const [service, days] of computeDaily) {
    let baseline = Number.POSITIVE_INFINITY;
    for (let day = firstDay; day <= lastDay; day++) baseline = Math.min(baseline, days.get(day) ?? 0);
    if (!(baseline > 0)) continue;
    const savings = Math.round(baseline * DAYS_PER_MONTH * rates.commitment);
    out.push(make('commitment', service, savings, 'medium', `commit ${(baseline / 1e6).toFixed(2)}/day of on-demand ${service} (its lowest day); break-even if usage stays above ${Math.round((1 - rates.commitment) * 100)}% of the commitment`));
  }
  return out.filter((r) => r.monthlySavings > 0).sort((a, b) => b.roi - a.roi || (a.target < b.target ? -1 : 1));
}
