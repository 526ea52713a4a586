import type { Writable } from 'node:stream';
import { SightlineError } from '@sightline/core';
import { formatMicros } from './money.js';
import { seededRandom } from '@sightline/core';

/** Options of {@link generateFocusBill}; every default is listed. */
export interface FocusBillOptions {
  /** PRNG seed; the same seed gives the same bytes. Default 1. */
  readonly seed?: number;
  /** Total data rows (approximately: rounded up to whole days). Default 10,000. */
  readonly rows?: number;
  /** Days of charges. Default 30. */
  readonly days?: number;
  /** First charge day, `YYYY-MM-DD` (UTC). Default `2026-01-01`. */
  readonly start?: string;
  /** Distinct resources. Default 200. */
  readonly resources?: number;
  /**
   * A planted cost spike: on day `day` (0-based) every usage row of `serviceName` in `regionId`
   * costs `factor` times as much. Default: day `days - 3`, `Amazon EC2` in `us-east-1`, factor 4.
   * Pass `null` for a bill without a spike.
   */
  readonly spike?: { readonly day: number; readonly serviceName: string; readonly regionId: string; readonly factor: number } | null;
  /** Share of resources with no `team` tag, 0..1. Default 0.1. */
  readonly untaggedShare?: number;
}

/** The FOCUS columns the generator writes, in order. */
export const GENERATED_FOCUS_HEADER = [
  'BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'BillingCurrency', 'BillingAccountId', 'BillingAccountName', 'BillingPeriodStart', 'BillingPeriodEnd',
  'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ProviderName', 'PublisherName', 'InvoiceIssuerName',
  'ServiceName', 'ServiceCategory', 'RegionId', 'ResourceId', 'ResourceType', 'SubAccountId', 'SkuId', 'PricingQuantity', 'PricingUnit',
  'ConsumedQuantity', 'ConsumedUnit', 'CommitmentDiscountId', 'CommitmentDiscountType', 'Tags',
] as const;

const CATALOG = [
  { provider: 'AWS', service: 'Amazon EC2', category: 'Compute', type: 'Instance', unit: 'Hours', regions: ['us-east-1', 'eu-west-1'], price: 0.0832 },
  { provider: 'AWS', service: 'Amazon S3', category: 'Storage', type: 'Bucket', unit: 'GB-Mo', regions: ['us-east-1', 'eu-west-1'], price: 0.023 },
  { provider: 'AWS', service: 'Amazon RDS', category: 'Databases', type: 'DBInstance', unit: 'Hours', regions: ['us-east-1'], price: 0.171 },
  { provider: 'Microsoft', service: 'Virtual Machines', category: 'Compute', type: 'VirtualMachine', unit: 'Hours', regions: ['westeurope', 'eastus'], price: 0.096 },
  { provider: 'Microsoft', service: 'Storage Accounts', category: 'Storage', type: 'StorageAccount', unit: 'GB-Mo', regions: ['westeurope'], price: 0.0184 },
  { provider: 'Google Cloud', service: 'Compute Engine', category: 'Compute', type: 'Instance', unit: 'Hours', regions: ['europe-west1', 'us-central1'], price: 0.0475 },
  { provider: 'Google Cloud', service: 'BigQuery', category: 'Analytics', type: 'Dataset', unit: 'TiB', regions: ['us-central1'], price: 6.25 },
] as const;
const TEAMS = ['checkout', 'search', 'platform', 'data'] as const;
const ENVS = ['prod', 'staging'] as const;
const DAY_MS = 86_400_000;

interface Resource {
  readonly id: string;
  readonly provider: string;
  readonly service: string;
  readonly category: string;
  readonly type: string;
  readonly unit: string;
  readonly region: string;
  /** Price per unit in micro-units. */
  readonly priceMicros: number;
  readonly tags: string;
  /** Covered by a savings plan: billed 0, effective amortised at 72% of list. */
  readonly committed: boolean;
  readonly idle: boolean;
  readonly account: string;
}

/**
 * Generates a FOCUS 1.1-conformant synthetic bill (every Mandatory column; passes the
 * `focus-1.1` conformance check) as CSV text chunks (header first): several
 * providers, services and regions, team/project/env tags with untagged spend, a savings-plan
 * commitment (purchase plus covered usage), monthly credits and taxes, idle resources and a
 * planted spike with a known root cause. Deterministic for a seed. Amounts are whole micro-units
 * so totals are exactly reproducible.
 * @example
 * Readable.from(generateFocusBill({ rows: 1e6 })).pipe(fs.createWriteStream('bill.csv'));
 */
export function* generateFocusBill(options: FocusBillOptions = {}): Generator<string> {
  const days = options.days ?? 30;
  const rows = options.rows ?? 10_000;
  const resourceCount = options.resources ?? 200;
  const untaggedShare = options.untaggedShare ?? 0.1;
  const startMs = Date.parse(`${options.start ?? '2026-01-01'}T00:00:00Z`);
  if (!(days >= 1) || !(rows >= 1) || !(resourceCount >= 1) || Number.isNaN(startMs) || !(untaggedShare >= 0 && untaggedShare <= 1)) {
    throw new SightlineError('FINOPS_GENERATOR_OPTIONS_INVALID', `generateFocusBill: days, rows, resources must be >= 1, start YYYY-MM-DD, untaggedShare 0..1; got ${JSON.stringify(options)}`, { options });
  }
  const spike = options.spike === undefined ? { day: Math.max(0, days - 3), serviceName: 'Amazon EC2', regionId: 'us-east-1', factor: 4 } : options.spike;
  const random = seededRandom(options.seed ?? 1);
  const resources: Resource[] = [];
  for (let i = 0; i < resourceCount; i++) {
    const item = CATALOG[i % CATALOG.length] ?? CATALOG[0];
    const region = item.regions[Math.floor(random() * item.regions.length)] ?? item.regions[0];
    const tagged = random() >= untaggedShare;
    const team = TEAMS[Math.floor(random() * TEAMS.length)] ?? 'platform';
    const env = ENVS[random() < 0.7 ? 0 : 1];
    resources.push({
      id: `${item.provider.toLowerCase().replace(/\s/g, '-')}/${item.type.toLowerCase()}/${i.toString(36).padStart(4, '0')}`,
      provider: item.provider,
      service: item.service,
      category: item.category,
      type: item.type,
      unit: item.unit,
      region,
      priceMicros: Math.round(item.price * 1e6),
      tags: tagged ? JSON.stringify({ team, project: `${team}-${i % 3}`, env }) : '{}',
      committed: item.service === 'Amazon EC2' && i % 4 === 0,
      idle: i % 23 === 5,
      account: `acct-${i % 5}`,
    });
  }
  const rowsPerDay = Math.max(1, Math.ceil(rows / days));
  const billingStart = new Date(startMs);
  const periodStart = Date.UTC(billingStart.getUTCFullYear(), billingStart.getUTCMonth(), 1);
  const lines: string[] = [GENERATED_FOCUS_HEADER.join(',')];
  for (let day = 0; day < days; day++) {
    const dayStart = startMs + day * DAY_MS;
    const from = new Date(dayStart).toISOString().replace('.000', '');
    const to = new Date(dayStart + DAY_MS).toISOString().replace('.000', '');
    const date = new Date(dayStart);
    const bpStart = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)).toISOString().replace('.000', '');
    const bpEnd = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)).toISOString().replace('.000', '');
    // Weekends run lighter: a weekly seasonality the anomaly baseline must learn, not flag.
    const weekday = date.getUTCDay();
    const dayFactor = weekday === 0 || weekday === 6 ? 0.7 : 1;
    let emitted = 0;
    // Commitment purchase on the first day of each month: billed in full, amortised to 0 effective here
    // (the effective cost shows up on covered usage rows).
    if (date.getUTCDate() === 1 || (day === 0 && periodStart !== dayStart)) {
      lines.push(row({ billed: 1_500_000_000, effective: 0, list: 1_500_000_000, contracted: 1_500_000_000, account: 'acct-0', bpStart, bpEnd, from, to, category: 'Purchase', description: 'Compute Savings Plan, 1 year, no upfront, monthly fee', provider: 'AWS', service: 'Savings Plans for AWS Compute usage', serviceCategory: 'Compute', region: '', resourceId: '', resourceType: '', sku: 'SP-COMPUTE-1Y', pq: '1', pu: 'Commitment', cq: '', cu: '', cdId: 'sp-compute-0001', cdType: 'Savings Plan', tags: '{}' }));
      lines.push(row({ billed: -25_000_000, effective: -25_000_000, list: 0, contracted: 0, account: 'acct-1', bpStart, bpEnd, from, to, category: 'Credit', description: 'Promotional credit', provider: 'Microsoft', service: 'Virtual Machines', serviceCategory: 'Compute', region: '', resourceId: '', resourceType: '', sku: '', pq: '', pu: '', cq: '', cu: '', cdId: '', cdType: '', tags: '{}' }));
      emitted += 2;
    }
    let dayTotal = 0;
    for (; emitted < rowsPerDay - 1; emitted++) {
      const resource = resources[Math.floor(random() * resources.length)] ?? resources[0];
      if (!resource) break;
      const quantityMicros = resource.idle ? 0 : Math.round((0.5 + random() * 1.5) * dayFactor * 1e6) * 10;
      const pricingQuantity = resource.unit === 'TiB' ? 1 : 10;
      let list = Math.round(resource.priceMicros * pricingQuantity * (0.8 + random() * 0.4) * dayFactor);
      if (spike && day === spike.day && resource.service === spike.serviceName && resource.region === spike.regionId) list = Math.round(list * spike.factor);
      const contracted = Math.round(list * 0.95);
      const billed = resource.committed ? 0 : contracted;
      const effective = resource.committed ? Math.round(list * 0.72) : contracted;
      dayTotal += billed;
      lines.push(row({ billed, effective, list, contracted, account: resource.account, bpStart, bpEnd, from, to, category: 'Usage', description: `${resource.service} ${resource.type} usage`, provider: resource.provider, service: resource.service, serviceCategory: resource.category, region: resource.region, resourceId: resource.id, resourceType: resource.type, sku: `${resource.type}-std`, pq: String(pricingQuantity), pu: resource.unit, cq: formatMicros(quantityMicros / 10, 6), cu: resource.unit, cdId: resource.committed ? 'sp-compute-0001' : '', cdType: resource.committed ? 'Savings Plan' : '', tags: resource.tags }));
      if (lines.length >= 512) {
        yield `${lines.join('\n')}\n`;
        lines.length = 0;
      }
    }
    // One tax row per day at 8% of that day's billed usage.
    const tax = Math.round(dayTotal * 0.08);
    lines.push(row({ billed: tax, effective: tax, list: tax, contracted: tax, account: 'acct-0', bpStart, bpEnd, from, to, category: 'Tax', description: 'Sales tax', provider: 'AWS', service: 'Tax', serviceCategory: 'Other', region: '', resourceId: '', resourceType: '', sku: '', pq: '', pu: '', cq: '', cu: '', cdId: '', cdType: '', tags: '{}' }));
  }
  yield `${lines.join('\n')}\n`;
}

/** Writes {@link generateFocusBill} output to a stream, honouring back-pressure. Does not end the stream. */
export async function writeFocusBill(out: Writable, options: FocusBillOptions = {}): Promise<void> {
  for (const chunk of generateFocusBill(options)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
}

interface RowFields {
  billed: number; effective: number; list: number; contracted: number; account: string; bpStart: string; bpEnd: string; from: string; to: string;
  category: string; description: string; provider: string; service: string; serviceCategory: string; region: string; resourceId: string; resourceType: string;
  sku: string; pq: string; pu: string; cq: string; cu: string; cdId: string; cdType: string; tags: string;
}

function row(f: RowFields): string {
  return [
    formatMicros(f.billed, 6), formatMicros(f.effective, 6), formatMicros(f.list, 6), formatMicros(f.contracted, 6), 'USD', f.account, `Demo ${f.account}`, f.bpStart, f.bpEnd, f.from, f.to,
    f.category, '', quote(f.description), f.provider, f.provider, f.provider, f.service, f.serviceCategory, f.region, f.resourceId, f.resourceType, f.account,
    f.sku, f.pq, f.pu, f.cq, f.cu, f.cdId, f.cdType, quote(f.tags),
  ].join(',');
}

function quote(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
