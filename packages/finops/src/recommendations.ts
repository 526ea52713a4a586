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
  /**
   * Cheaper storage tiers, each with its storage price as a ratio of the standard tier's and the
   * most requests per stored GB-month it suits. The cheapest tier a resource qualifies for wins.
   * Default {@link DEFAULT_STORAGE_TIERS}.
   */
  readonly storageTiers?: readonly StorageTier[];
  /** Right-sizing: p95 utilisation (0..1) a resized resource may reach. Default 0.6. */
  readonly targetUtilization?: number;
  /** Right-sizing: cost of one size down as a ratio of the current size (instance sizes double). Default 0.5. */
  readonly sizeStepRatio?: number;
}

/** A storage tier that a rarely-read resource can move to. */
export interface StorageTier {
  readonly name: string;
  /** Its storage price per GB-month as a ratio 0..1 of the standard tier's. */
  readonly priceRatio: number;
  /** The most requests per stored GB-month for which the tier pays (retrieval fees stay small). */
  readonly maxRequestsPerGbMonth: number;
  readonly effort: Effort;
}

/**
 * Default storage tiers, from AWS S3 list prices in us-east-1 (Standard 0.023 USD per GB-month):
 * Standard-IA 0.0125 (ratio 0.54) and Glacier Instant Retrieval 0.004 (ratio 0.17). The request
 * limits sit about ten times below the break-even of the tiers' retrieval and request fees for
 * 1 MB objects (about 1,000 and 475 requests per GB-month), so the saving survives the fees.
 */
export const DEFAULT_STORAGE_TIERS: readonly StorageTier[] = [
  { name: 'infrequent-access', priceRatio: 0.54, maxRequestsPerGbMonth: 100, effort: 'low' },
  { name: 'archive-instant-retrieval', priceRatio: 0.17, maxRequestsPerGbMonth: 10, effort: 'medium' },
];

/** Measured utilisation of one resource over the window, for right-sizing. */
export interface ResourceUtilization {
  /** FOCUS `ResourceId` of the resource. */
  readonly resourceId: string;
  /** 95th percentile CPU utilisation over the window, ratio 0..1. */
  readonly cpuP95: number;
  /** 95th percentile memory utilisation over the window, ratio 0..1. */
  readonly memP95: number;
}

/** The default {@link RecommendationRates}. */
export const DEFAULT_RECOMMENDATION_RATES: RecommendationRates = {
  commitment: 0.28,
  spot: 0.65,
  hourlyRate: 100_000_000,
  effortHours: { low: 2, medium: 8, high: 40 },
  storageTiers: DEFAULT_STORAGE_TIERS,
  targetUtilization: 0.6,
  sizeStepRatio: 0.5,
};

export type Effort = 'low' | 'medium' | 'high';

/** One thing to do, with savings computed from the data. Money in micro-units. */
export interface Recommendation {
  readonly kind: 'idle-resource' | 'commitment' | 'spot' | 'storage-tiering' | 'right-sizing';
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
  /** Measured utilisation per resource; enables right-sizing recommendations. */
  readonly utilization?: readonly ResourceUtilization[];
}

/**
 * Recommendations from the bill itself, ranked by ROI:
 * - idle resources: usage cost with a consumed quantity of 0 over the whole window → delete (low effort);
 * - commitment coverage: per compute service, the lowest daily on-demand cost in the window is a
 *   baseline a commitment would always use; savings = baseline × discount. Break-even: the
 *   commitment pays as long as usage stays above (1 − discount) of it;
 * - spot candidates: on-demand compute on interruption-tolerant (non-production) resources;
 * - storage tiering: storage resources read rarely for what they store (requests per stored
 *   GB-month under a tier's limit) → the cheapest such tier; savings = storage cost × (1 − price ratio);
 * - right-sizing (with `utilization`): a resource whose CPU and memory p95 stay under the target
 *   after n sizes down → n sizes down; savings = cost × (1 − sizeStepRatio^n).
 * Monthly = average per observed day × 30.
 */
export async function recommend(records: Iterable<CostRecord> | AsyncIterable<CostRecord>, options: RecommendOptions = {}): Promise<Recommendation[]> {
  const rates = { ...DEFAULT_RECOMMENDATION_RATES, ...options.rates };
  const isSpotTolerant = options.isSpotTolerant ?? ((r: CostRecord) => ['staging', 'dev', 'test', 'ci'].includes(r.tags['env'] ?? ''));
  const guard = new CurrencyGuard();
  const resources = new Map<string, { cost: number; consumed: number; spot: boolean; compute: boolean }>();
  const storage = new Map<string, { service: string; storageCost: number; gbMonths: number; requests: number }>();
  const meteredServices = new Set<string>();
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
      if (record.serviceCategory === 'Storage') {
        const unit = record.consumedUnit ?? record.pricingUnit ?? '';
        const quantity = record.consumedQuantity ?? 0;
        const stored = storage.get(record.resourceId) ?? { service: record.serviceName, storageCost: 0, gbMonths: 0, requests: 0 };
        const gbMonths = gbMonthsOf(unit, quantity);
        const requests = requestsOf(unit, quantity);
        if (gbMonths !== undefined) {
          stored.storageCost += cost;
          stored.gbMonths += gbMonths;
        } else if (requests !== undefined) {
          stored.requests += requests;
          meteredServices.add(record.serviceName);
        }
        storage.set(record.resourceId, stored);
      }
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
  const idle = new Set(out.filter((r) => r.kind === 'idle-resource').map((r) => r.target));
  const tiers = [...(rates.storageTiers ?? DEFAULT_STORAGE_TIERS)].sort((a, b) => a.priceRatio - b.priceRatio);
  for (const [id, s] of storage) {
    // Access is known only where the bill meters requests for the service; elsewhere no request
    // rows would mean "not itemised", not "never read".
    if (idle.has(id) || !meteredServices.has(s.service) || !(s.gbMonths > 0) || !(s.storageCost > 0)) continue;
    const perGbMonth = s.requests / s.gbMonths;
    const tier = tiers.find((t) => perGbMonth <= t.maxRequestsPerGbMonth);
    if (!tier) continue;
    out.push(make('storage-tiering', id, Math.round(monthly(s.storageCost) * (1 - tier.priceRatio)), tier.effort, `${perGbMonth.toFixed(2)} requests per stored GB-month; move to ${tier.name} (storage at ${Math.round(tier.priceRatio * 100)}% of the price)`));
  }
  const target = rates.targetUtilization ?? 0.6;
  const step = rates.sizeStepRatio ?? 0.5;
  for (const u of options.utilization ?? []) {
    const r = resources.get(u.resourceId);
    const peak = Math.max(u.cpuP95, u.memP95);
    if (!r || idle.has(u.resourceId) || !(r.cost > 0) || !(peak > 0) || !(step > 0 && step < 1)) continue;
    // Each size down multiplies capacity by `step`, so utilisation divides by it.
    let steps = 0;
    while (peak / step ** (steps + 1) <= target) steps++;
    if (steps === 0) continue;
    const savings = Math.round(monthly(r.cost) * (1 - step ** steps));
    out.push(make('right-sizing', u.resourceId, savings, 'medium', `CPU p95 ${Math.round(u.cpuP95 * 100)}%, memory p95 ${Math.round(u.memP95 * 100)}%; ${steps} size${steps === 1 ? '' : 's'} down keeps p95 at ${Math.round((peak / step ** steps) * 100)}% (target ${Math.round(target * 100)}%)`));
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

/** Stored GB-months of a quantity in a storage unit (`GB-Mo`, `GB-Month`, `GiB-Month`, `GB-Hours`); undefined for other units. */
function gbMonthsOf(unit: string, quantity: number): number | undefined {
  if (/^(?:GB|GiB)[- ]?(?:Mo|Month|Months)$/i.test(unit)) return quantity;
  // 730 hours in a month, as the providers bill GB-hours.
  if (/^(?:GB|GiB)[- ]?(?:Hr|Hour|Hours)$/i.test(unit)) return quantity / 730;
  return undefined;
}

/** Requests in a quantity of a request unit (`Requests`, `1K Requests`, `10000 Requests`); undefined for other units. */
function requestsOf(unit: string, quantity: number): number | undefined {
  const match = /^(?:(\d+)\s*([KM])?\s+)?(?:API\s+)?Requests?$/i.exec(unit.trim());
  if (!match) return undefined;
  const scale = (match[1] === undefined ? 1 : Number(match[1])) * (match[2]?.toUpperCase() === 'K' ? 1_000 : match[2]?.toUpperCase() === 'M' ? 1_000_000 : 1);
  return quantity * scale;
}
