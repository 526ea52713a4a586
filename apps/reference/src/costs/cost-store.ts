import type { ChargeCategory, CostRecord } from '@sightline/finops';
import type { Queryable } from '../storage/database.js';
import { SqlFilter } from '../storage/sql-filter.js';

/**
 * Which cost rows a reader may see: all of them, or one team's (the `team` tag). A principal
 * without a team and without the right to see all teams sees none.
 */
export type CostScope = { all: true } | { all: false; team: string | undefined };

/** Filters of a cost read; times are epoch ms on `ChargePeriodStart`. */
export interface CostFilter {
  since?: number;
  until?: number;
  scope: CostScope;
}

/** Rows travel as one JSON parameter (see insertSpans); money stays integral end to end. */
export async function insertCostRecords(db: Queryable, importId: string, records: readonly CostRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((r) => ({
    import_id: importId,
    row_number: r.rowNumber,
    billed_cost: r.billedCost,
    effective_cost: r.effectiveCost,
    list_cost: r.listCost,
    contracted_cost: r.contractedCost,
    billing_currency: r.billingCurrency,
    billing_account_id: r.billingAccountId,
    charge_period_start: r.chargePeriodStart,
    charge_period_end: r.chargePeriodEnd,
    charge_category: r.chargeCategory,
    charge_class: r.chargeClass,
    provider_name: r.providerName,
    service_name: r.serviceName,
    service_category: r.serviceCategory,
    region_id: r.regionId,
    resource_id: r.resourceId,
    resource_type: r.resourceType,
    sub_account_id: r.subAccountId,
    sku_id: r.skuId,
    pricing_quantity: r.pricingQuantity,
    pricing_unit: r.pricingUnit,
    consumed_quantity: r.consumedQuantity,
    consumed_unit: r.consumedUnit,
    commitment_discount_id: r.commitmentDiscountId,
    commitment_discount_type: r.commitmentDiscountType,
    tags: r.tags,
    team: r.tags['team'] ?? null,
  }));
  await db.query(
    `insert into cost_records (${COLUMNS}, import_id, team)
     select ${COLUMNS}, import_id, team
     from jsonb_to_recordset($1::jsonb) as r(import_id text, row_number integer, billed_cost bigint, effective_cost bigint,
       list_cost bigint, contracted_cost bigint, billing_currency text, billing_account_id text,
       charge_period_start double precision, charge_period_end double precision, charge_category text, charge_class text,
       provider_name text, service_name text, service_category text, region_id text, resource_id text, resource_type text,
       sub_account_id text, sku_id text, pricing_quantity double precision, pricing_unit text,
       consumed_quantity double precision, consumed_unit text, commitment_discount_id text,
       commitment_discount_type text, tags jsonb, team text)`,
    [JSON.stringify(rows)],
  );
}

const COLUMNS = `row_number, billed_cost, effective_cost, list_cost, contracted_cost, billing_currency,
  billing_account_id, charge_period_start, charge_period_end, charge_category, charge_class, provider_name,
  service_name, service_category, region_id, resource_id, resource_type, sub_account_id, sku_id,
  pricing_quantity, pricing_unit, consumed_quantity, consumed_unit, commitment_discount_id,
  commitment_discount_type, tags`;

// bigint comes back as text from node-postgres; ::float8 is exact for every safe integer.
const SELECT = `id, row_number, billed_cost::float8 as billed_cost, effective_cost::float8 as effective_cost,
  list_cost::float8 as list_cost, contracted_cost::float8 as contracted_cost, billing_currency, billing_account_id,
  charge_period_start, charge_period_end, charge_category, charge_class, provider_name, service_name,
  service_category, region_id, resource_id, resource_type, sub_account_id, sku_id, pricing_quantity, pricing_unit,
  consumed_quantity, consumed_unit, commitment_discount_id, commitment_discount_type, tags`;

interface CostRow {
  id: number | string;
  row_number: number;
  billed_cost: number;
  effective_cost: number;
  list_cost: number;
  contracted_cost: number;
  billing_currency: string;
  billing_account_id: string;
  charge_period_start: number;
  charge_period_end: number;
  charge_category: ChargeCategory;
  charge_class: 'Correction' | null;
  provider_name: string;
  service_name: string;
  service_category: string | null;
  region_id: string | null;
  resource_id: string | null;
  resource_type: string | null;
  sub_account_id: string | null;
  sku_id: string | null;
  pricing_quantity: number | null;
  pricing_unit: string | null;
  consumed_quantity: number | null;
  consumed_unit: string | null;
  commitment_discount_id: string | null;
  commitment_discount_type: string | null;
  tags: Record<string, string>;
}

function toRecord(row: CostRow): CostRecord {
  return {
    rowNumber: row.row_number,
    billedCost: row.billed_cost,
    effectiveCost: row.effective_cost,
    listCost: row.list_cost,
    contractedCost: row.contracted_cost,
    billingCurrency: row.billing_currency,
    billingAccountId: row.billing_account_id,
    chargePeriodStart: row.charge_period_start,
    chargePeriodEnd: row.charge_period_end,
    chargeCategory: row.charge_category,
    chargeClass: row.charge_class,
    providerName: row.provider_name,
    serviceName: row.service_name,
    serviceCategory: row.service_category,
    regionId: row.region_id,
    resourceId: row.resource_id,
    resourceType: row.resource_type,
    subAccountId: row.sub_account_id,
    skuId: row.sku_id,
    pricingQuantity: row.pricing_quantity,
    pricingUnit: row.pricing_unit,
    consumedQuantity: row.consumed_quantity,
    consumedUnit: row.consumed_unit,
    commitmentDiscountId: row.commitment_discount_id,
    commitmentDiscountType: row.commitment_discount_type,
    tags: row.tags,
  };
}

function whereOf(filter: CostFilter): SqlFilter {
  return (
    new SqlFilter()
      // Rows of an import count once it has completed: a failed upload never shows half a file.
      .add(`import_id in (select id from cost_imports where status = ?)`, 'completed')
      .addIf('charge_period_start >= ?', filter.since)
      .addIf('charge_period_start < ?', filter.until)
      .addIf('team = ?', filter.scope.all ? undefined : filter.scope.team)
  );
}

/** A scope that can see nothing: limited to a team, but the principal has none. */
const seesNothing = (scope: CostScope) => !scope.all && scope.team === undefined;

const DAY_MS = 86_400_000;
/** Days aggregated per query: bounds the rows in memory and keeps each query on the period index. */
const WINDOW_DAYS = 7;

// Rows that differ only in their hour (or charge period within a day) add up to one record per
// day: every column a breakdown, chargeback, anomaly or recommendation reads is kept.
const GROUP_COLUMNS = `billing_currency, billing_account_id, charge_category, charge_class, provider_name, service_name,
  service_category, region_id, resource_id, resource_type, sub_account_id, sku_id, pricing_unit, consumed_unit,
  commitment_discount_id, commitment_discount_type, tags`;
// sum(bigint) is numeric, exact; ::float8 is exact for every safe integer of micro-units.
const DAILY = `(floor(charge_period_start / ${DAY_MS}) * ${DAY_MS})::float8 as charge_period_start, max(charge_period_end) as charge_period_end,
  sum(billed_cost)::float8 as billed_cost, sum(effective_cost)::float8 as effective_cost, sum(list_cost)::float8 as list_cost,
  sum(contracted_cost)::float8 as contracted_cost, sum(pricing_quantity) as pricing_quantity,
  sum(consumed_quantity) as consumed_quantity, count(*)::int as row_count, ${GROUP_COLUMNS}`;

/**
 * The cost a reader may see, summed per day over rows that share every other column (an hourly
 * bill becomes one record per resource and day, `rowCount` saying how many rows it stands for),
 * aggregated in the database a week at a time, oldest first. Breakdowns, chargeback, anomalies
 * and recommendations read days, so their results are the same as over the raw rows; far fewer
 * records cross into JavaScript, and memory holds one week's.
 */
export async function* readCostRecords(db: Queryable, filter: CostFilter): AsyncGenerator<CostRecord> {
  if (seesNothing(filter.scope)) return;
  const bounds = whereOf(filter);
  const [range] = await db.query<{ lo: number | null; hi: number | null }>(`select min(charge_period_start) as lo, max(charge_period_start) as hi from cost_records ${bounds.where()}`, bounds.params);
  if (range === undefined || range.lo === null || range.hi === null) return;
  for (let from = Math.floor(range.lo / DAY_MS) * DAY_MS; from <= range.hi; from += WINDOW_DAYS * DAY_MS) {
    // The filter's own since/until still apply inside the week.
    const week = whereOf(filter).add('charge_period_start >= ?', from).add('charge_period_start < ?', from + WINDOW_DAYS * DAY_MS);
    const rows = await db.query<CostRow & { row_count: number }>(`select ${DAILY} from cost_records ${week.where()} group by 1, ${GROUP_COLUMNS} order by 1`, week.params);
    for (const row of rows) yield { ...toRecord({ ...row, id: 0, row_number: 0 }), rowCount: row.row_count };
  }
}

/** One page of rows for the records listing, newest charge first. */
export async function listCostRecords(db: Queryable, filter: CostFilter, limit: number): Promise<(CostRecord & { team: string | null })[]> {
  if (seesNothing(filter.scope)) return [];
  const where = whereOf(filter);
  const rows = await db.query<CostRow & { team: string | null }>(`select ${SELECT}, team from cost_records ${where.where()} order by charge_period_start desc, id desc limit ${where.param(limit)}`, where.params);
  return rows.map((row) => ({ ...toRecord(row), team: row.team }));
}
