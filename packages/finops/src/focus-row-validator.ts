import { ValidationError, type ValidationIssue } from '@sightline/core';
import { CHARGE_CATEGORIES, type ChargeCategory, type CostRecord } from './cost-record.js';
import { FOCUS_COLUMNS, type ColumnMapping, type FocusColumn } from './focus-columns.js';
import { parseMicros } from './money.js';

/** One problem with one cell of a row. */
export interface CellIssue {
  readonly column: string;
  /** Stable code, e.g. `FINOPS_DECIMAL_INVALID`. */
  readonly code: string;
  readonly message: string;
}

/** Where each FOCUS column sits in the source header; -1 when absent. */
export type ColumnIndex = Readonly<Record<FocusColumn, number>>;

const CURRENCY = /^[A-Z]{3}$/;
// FOCUS datetimes are ISO 8601 in UTC; an offset other than Z/+00:00 would silently shift days.
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|\+00:?00)?$/;
const QUANTITY = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const CATEGORIES: ReadonlySet<string> = new Set(CHARGE_CATEGORIES);

/**
 * Resolves the header into column positions, applying an optional mapping for non-FOCUS exports.
 * Throws `FINOPS_HEADER_INVALID` listing every missing required column and duplicate name.
 */
export function indexColumns(header: readonly string[], mapping: ColumnMapping = {}): ColumnIndex {
  const issues: ValidationIssue[] = [];
  const positions = new Map<string, number>();
  header.forEach((name, position) => {
    const trimmed = position === 0 ? name.replace(/^\uFEFF/, '').trim() : name.trim();
    if (positions.has(trimmed)) issues.push({ path: ['header', position], message: `column "${trimmed}" appears twice`, code: 'FINOPS_COLUMN_DUPLICATE' });
    else positions.set(trimmed, position);
  });
  const index = {} as Record<FocusColumn, number>;
  for (const column of Object.keys(FOCUS_COLUMNS) as FocusColumn[]) {
    const source = mapping[column] ?? column;
    const position = positions.get(source);
    index[column] = position ?? -1;
    if (position === undefined && FOCUS_COLUMNS[column].required) {
      const via = source === column ? '' : ` (mapped from "${source}")`;
      issues.push({ path: ['header', column], message: `required FOCUS column ${column}${via} is missing; add it or map it with columnMapping`, code: 'FINOPS_COLUMN_MISSING' });
    }
  }
  if (issues.length > 0) throw new ValidationError('FINOPS_HEADER_INVALID', 'FOCUS CSV header', issues);
  return index;
}

/**
 * Validates one data row; returns the record, or every issue found in it (never just the first).
 * A short or long row is reported as `FINOPS_ROW_WIDTH` rather than guessed at.
 */
export function validateFocusRow(fields: readonly string[], width: number, index: ColumnIndex, rowNumber: number, dates: Map<string, number>): CostRecord | CellIssue[] {
  if (fields.length !== width) return [{ column: '(row)', code: 'FINOPS_ROW_WIDTH', message: `row has ${fields.length} fields, header has ${width}` }];
  const issues: CellIssue[] = [];
  const text = (column: FocusColumn): string | null => {
    const position = index[column];
    if (position < 0) return null;
    const value = fields[position] ?? '';
    if (value === '') {
      if (FOCUS_COLUMNS[column].required) issues.push({ column, code: 'FINOPS_VALUE_MISSING', message: `${column} is mandatory and must not be empty` });
      return null;
    }
    return value;
  };
  const money = (column: FocusColumn): number => {
    const value = text(column);
    if (value === null) return 0;
    const micros = parseMicros(value);
    if (micros === undefined) {
      issues.push({ column, code: 'FINOPS_DECIMAL_INVALID', message: `${column} "${value}" is not a plain decimal number (like 12.34) within ±9e9` });
      return 0;
    }
    return micros;
  };
  const datetime = (column: FocusColumn): number => {
    const value = text(column);
    if (value === null) return Number.NaN;
    const cached = dates.get(value);
    if (cached !== undefined) return cached;
    const ms = DATETIME.test(value) ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : /Z|\+00:?00$/.test(value) ? value : `${value}Z`) : Number.NaN;
    if (Number.isNaN(ms)) {
      issues.push({ column, code: 'FINOPS_DATETIME_INVALID', message: `${column} "${value}" is not an ISO 8601 UTC datetime (like 2024-01-31T00:00:00Z)` });
      return Number.NaN;
    }
    // Bills repeat a handful of period boundaries millions of times; caching them is the hot path.
    if (dates.size > 10_000) dates.clear();
    dates.set(value, ms);
    return ms;
  };
  const quantity = (column: FocusColumn): number | null => {
    const value = text(column);
    if (value === null) return null;
    if (!QUANTITY.test(value)) {
      issues.push({ column, code: 'FINOPS_QUANTITY_INVALID', message: `${column} "${value}" is not a number` });
      return null;
    }
    return Number(value);
  };

  const billedCost = money('BilledCost');
  const effectiveCost = money('EffectiveCost');
  const listCost = money('ListCost');
  const contractedCost = money('ContractedCost');
  const currency = text('BillingCurrency');
  if (currency !== null && !CURRENCY.test(currency)) issues.push({ column: 'BillingCurrency', code: 'FINOPS_CURRENCY_INVALID', message: `BillingCurrency "${currency}" is not an ISO 4217 code (three capital letters)` });
  const start = datetime('ChargePeriodStart');
  const end = datetime('ChargePeriodEnd');
  if (!Number.isNaN(start) && !Number.isNaN(end) && !(end > start)) issues.push({ column: 'ChargePeriodEnd', code: 'FINOPS_PERIOD_INVALID', message: 'ChargePeriodEnd must be after ChargePeriodStart (the end is exclusive)' });
  const category = text('ChargeCategory');
  if (category !== null && !CATEGORIES.has(category)) issues.push({ column: 'ChargeCategory', code: 'FINOPS_CHARGE_CATEGORY_INVALID', message: `ChargeCategory "${category}" must be one of ${CHARGE_CATEGORIES.join(', ')}` });
  const chargeClass = text('ChargeClass');
  if (chargeClass !== null && chargeClass !== 'Correction') issues.push({ column: 'ChargeClass', code: 'FINOPS_CHARGE_CLASS_INVALID', message: `ChargeClass "${chargeClass}" must be empty or Correction` });
  const tagsText = text('Tags');
  let tags: Record<string, string> = {};
  if (tagsText !== null) {
    // Rows of one resource repeat the same Tags JSON; parsing it once per distinct text is the
    // difference between ~100k and ~200k rows/s. Cached objects are frozen, so sharing is safe.
    let parsed = tagCache.get(tagsText);
    if (parsed === undefined) {
      parsed = parseTags(tagsText);
      if (parsed !== undefined) {
        if (tagCache.size > 10_000) tagCache.clear();
        tagCache.set(tagsText, Object.freeze(parsed));
      }
    }
    if (parsed === undefined) issues.push({ column: 'Tags', code: 'FINOPS_TAGS_INVALID', message: 'Tags must be a JSON object of key/value pairs, like {"team":"web"}' });
    else tags = parsed;
  }
  const billingAccountId = text('BillingAccountId');
  const providerName = text('ProviderName');
  const serviceName = text('ServiceName');
  const pricingQuantity = quantity('PricingQuantity');
  const consumedQuantity = quantity('ConsumedQuantity');
  if (issues.length > 0) return issues;
  return {
    rowNumber,
    billedCost,
    effectiveCost,
    listCost,
    contractedCost,
    billingCurrency: currency ?? '',
    billingAccountId: billingAccountId ?? '',
    chargePeriodStart: start,
    chargePeriodEnd: end,
    chargeCategory: category as ChargeCategory,
    chargeClass: chargeClass === 'Correction' ? 'Correction' : null,
    providerName: providerName ?? '',
    serviceName: serviceName ?? '',
    serviceCategory: text('ServiceCategory'),
    regionId: text('RegionId'),
    resourceId: text('ResourceId'),
    resourceType: text('ResourceType'),
    subAccountId: text('SubAccountId'),
    skuId: text('SkuId'),
    pricingQuantity,
    pricingUnit: text('PricingUnit'),
    consumedQuantity,
    consumedUnit: text('ConsumedUnit'),
    commitmentDiscountId: text('CommitmentDiscountId'),
    commitmentDiscountType: text('CommitmentDiscountType'),
    tags,
  };
}

const tagCache = new Map<string, Record<string, string>>();
const EMPTY_TAGS: Readonly<Record<string, string>> = Object.freeze({});

function parseTags(value: string): Record<string, string> | undefined {
  if (value === '{}') return EMPTY_TAGS as Record<string, string>;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(parsed as Record<string, unknown>)) tags[key] = typeof tagValue === 'string' ? tagValue : JSON.stringify(tagValue);
  return tags;
}
