import { ValidationError, type ValidationIssue } from '@sightline/core';
import { CHARGE_CATEGORIES, type ChargeCategory, type CostRecord } from './cost-record.js';
import { FIELD_ESCAPED, FIELD_QUOTED, fieldText } from './csv-parser.js';
import { FOCUS_COLUMNS, mandatoryFocusColumns, SERVICE_CATEGORIES, type ColumnMapping, type FocusColumn, type FocusConformance } from './focus-columns.js';
import { copyRange, RangeCache } from './internal/range-cache.js';
import { parseMicros, parseMicrosRange } from './money.js';

/** One problem with one cell of a row. */
export interface CellIssue {
  readonly column: string;
  /** Stable code, e.g. `FINOPS_DECIMAL_INVALID`. */
  readonly code: string;
  readonly message: string;
}

/** Where each FOCUS column sits in the source header; -1 when absent (or ignored by the conformance mode). */
export type ColumnIndex = Readonly<Record<FocusColumn, number>>;

const CURRENCY = /^[A-Z]{3}$/;
// FOCUS datetimes are ISO 8601 in UTC; an offset other than Z/+00:00 would silently shift days.
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|\+00:?00)?$/;
const UTC_SUFFIX = /Z|\+00:?00$/;
const QUANTITY = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const CATEGORIES: ReadonlySet<string> = new Set(CHARGE_CATEGORIES);
const SERVICE_CATEGORY_SET: ReadonlySet<string> = new Set(SERVICE_CATEGORIES);
const EMPTY_TAGS: Readonly<Record<string, string>> = Object.freeze({});
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Cell texts read as null besides the empty cell, by default: the FOCUS 1.0 sample data writes `NULL`. */
export const DEFAULT_NULL_VALUES: readonly string[] = Object.freeze(['NULL']);

/** Columns checked only in the focus-1.0 / focus-1.1 modes (the billing period is checked with its order rule). */
const CONFORMANCE_CHECKS: readonly FocusColumn[] = [
  'ServiceCategory', 'BillingAccountName', 'ChargeDescription', 'ChargeFrequency', 'InvoiceIssuerName', 'PublisherName',
  'ListUnitPrice', 'ContractedUnitPrice', 'CommitmentDiscountCategory', 'CommitmentDiscountStatus', 'PricingCategory', 'CapacityReservationStatus',
  'CommitmentDiscountQuantity', 'SkuPriceDetails', 'PricingUnit',
];

/**
 * Resolves the header into column positions, applying an optional mapping for non-FOCUS exports.
 * Throws `FINOPS_HEADER_INVALID` listing every missing required column and duplicate name; in
 * the `focus-1.0` / `focus-1.1` modes every Mandatory column of that version is required.
 */
export function indexColumns(header: readonly string[], mapping: ColumnMapping = {}, conformance: FocusConformance = 'lenient'): ColumnIndex {
  const issues: ValidationIssue[] = [];
  const positions = new Map<string, number>();
  header.forEach((name, position) => {
    const trimmed = position === 0 ? name.replace(/^\uFEFF/, '').trim() : name.trim();
    if (positions.has(trimmed)) issues.push({ path: ['header', position], message: `column "${trimmed}" appears twice`, code: 'FINOPS_COLUMN_DUPLICATE' });
    else positions.set(trimmed, position);
  });
  const version = conformance === 'focus-1.0' ? '1.0' : conformance === 'focus-1.1' ? '1.1' : undefined;
  const mandatory: ReadonlySet<FocusColumn> = new Set(version === undefined ? [] : mandatoryFocusColumns(version));
  const index = {} as Record<FocusColumn, number>;
  for (const column of Object.keys(FOCUS_COLUMNS) as FocusColumn[]) {
    const spec: { required: boolean; since: string } = FOCUS_COLUMNS[column];
    const source = mapping[column] ?? column;
    const position = positions.get(source);
    // A FOCUS 1.1 column in a file checked as FOCUS 1.0 is just another column.
    index[column] = version === '1.0' && spec.since === '1.1' ? -1 : position ?? -1;
    if (position === undefined && (spec.required || mandatory.has(column))) {
      const via = source === column ? '' : ` (mapped from "${source}")`;
      const why = spec.required ? 'required' : `mandatory in FOCUS ${version ?? ''}`;
      issues.push({ path: ['header', column], message: `${why} FOCUS column ${column}${via} is missing; add it or map it with columnMapping`, code: 'FINOPS_COLUMN_MISSING' });
    }
  }
  if (issues.length > 0) throw new ValidationError('FINOPS_HEADER_INVALID', 'FOCUS CSV header', issues);
  return index;
}

const COLUMNS = Object.keys(FOCUS_COLUMNS) as FocusColumn[];
/** Column → small integer id, so the hot path indexes typed arrays instead of looking up names. */
const ID = Object.fromEntries(COLUMNS.map((column, i) => [column, i])) as Record<FocusColumn, number>;
const REQUIRED = COLUMNS.map((column) => (FOCUS_COLUMNS[column] as { required: boolean }).required);
const NULLABLE = COLUMNS.map((column) => (FOCUS_COLUMNS[column] as { nullable: boolean }).nullable);
const BILLED_COST = ID.BilledCost;
const EFFECTIVE_COST = ID.EffectiveCost;
const LIST_COST = ID.ListCost;
const CONTRACTED_COST = ID.ContractedCost;
const BILLING_CURRENCY = ID.BillingCurrency;
const BILLING_ACCOUNT_ID = ID.BillingAccountId;
const CHARGE_PERIOD_START = ID.ChargePeriodStart;
const CHARGE_PERIOD_END = ID.ChargePeriodEnd;
const CHARGE_CATEGORY = ID.ChargeCategory;
const CHARGE_CLASS = ID.ChargeClass;
const PROVIDER_NAME = ID.ProviderName;
const SERVICE_NAME = ID.ServiceName;
const SERVICE_CATEGORY = ID.ServiceCategory;
const REGION_ID = ID.RegionId;
const RESOURCE_ID = ID.ResourceId;
const RESOURCE_TYPE = ID.ResourceType;
const SUB_ACCOUNT_ID = ID.SubAccountId;
const SKU_ID = ID.SkuId;
const PRICING_QUANTITY = ID.PricingQuantity;
const PRICING_UNIT = ID.PricingUnit;
const CONSUMED_QUANTITY = ID.ConsumedQuantity;
const CONSUMED_UNIT = ID.ConsumedUnit;
const COMMITMENT_DISCOUNT_ID = ID.CommitmentDiscountId;
const COMMITMENT_DISCOUNT_TYPE = ID.CommitmentDiscountType;
const TAGS = ID.Tags;
const BILLING_PERIOD_START = ID.BillingPeriodStart;
const BILLING_PERIOD_END = ID.BillingPeriodEnd;
const CHARGE_FREQUENCY = ID.ChargeFrequency;

/**
 * Validates data rows straight from the scanned CSV chunk: costs are parsed to micro-units in
 * place, and repeated cell text (dates, service names, regions, tag sets) is looked up in
 * per-column caches instead of being copied per row. Returns the record, or every issue of the
 * row (never just the first). A short or long row is `FINOPS_ROW_WIDTH` rather than guessed at.
 */
export class FocusRowValidator {
  readonly #width: number;
  readonly #strict: boolean;
  /** Column id → position in the row; -1 when absent. */
  readonly #positions: Int32Array;
  /** Column id → cache of its distinct cell texts, created on first use. */
  readonly #caches: (RangeCache<string> | undefined)[];
  readonly #dates = new RangeCache<number>(4_096);
  readonly #tags = new RangeCache<Readonly<Record<string, string>>>(4_096);
  /** Unquoted cell texts that mean null, besides the empty cell. */
  readonly #nullValues: readonly string[];
  #keyValues: RangeCache<true> | undefined;
  // The row being validated.
  #text = '';
  #starts: Int32Array = new Int32Array(0);
  #ends: Int32Array = new Int32Array(0);
  #flags: Uint8Array = new Uint8Array(0);
  #issues: CellIssue[] | null = null;

  constructor(index: ColumnIndex, width: number, conformance: FocusConformance = 'lenient', nullValues: readonly string[] = DEFAULT_NULL_VALUES) {
    this.#width = width;
    this.#nullValues = nullValues.filter((value) => value !== '');
    this.#strict = conformance !== 'lenient';
    this.#positions = Int32Array.from(COLUMNS, (column) => index[column]);
    this.#caches = COLUMNS.map(() => undefined);
  }

  validate(text: string, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number, rowNumber: number): CostRecord | CellIssue[] {
    if (count !== this.#width) return [{ column: '(row)', code: 'FINOPS_ROW_WIDTH', message: `row has ${count} fields, header has ${this.#width}` }];
    this.#text = text;
    this.#starts = starts;
    this.#ends = ends;
    this.#flags = flags;
    this.#issues = null;
    const billedCost = this.#money(BILLED_COST);
    const effectiveCost = this.#money(EFFECTIVE_COST);
    const listCost = this.#money(LIST_COST);
    const contractedCost = this.#money(CONTRACTED_COST);
    const currency = this.#checked(BILLING_CURRENCY);
    const start = this.#datetime(CHARGE_PERIOD_START);
    const end = this.#datetime(CHARGE_PERIOD_END);
    if (!Number.isNaN(start) && !Number.isNaN(end) && !(end > start)) this.#issue('ChargePeriodEnd', 'FINOPS_PERIOD_INVALID', 'ChargePeriodEnd must be after ChargePeriodStart (the end is exclusive)');
    const category = this.#checked(CHARGE_CATEGORY);
    const chargeClass = this.#checked(CHARGE_CLASS);
    const tags = this.#tagsOf();
    const billingAccountId = this.#string(BILLING_ACCOUNT_ID);
    const providerName = this.#string(PROVIDER_NAME);
    const serviceName = this.#string(SERVICE_NAME);
    const pricingQuantity = this.#quantity(PRICING_QUANTITY);
    const consumedQuantity = this.#quantity(CONSUMED_QUANTITY);
    const serviceCategory = this.#strict ? this.#checked(SERVICE_CATEGORY) : this.#string(SERVICE_CATEGORY);
    const pricingUnit = this.#string(PRICING_UNIT);
    if (this.#strict) this.#conformance(category, chargeClass, pricingQuantity, pricingUnit);
    const issues = this.#issues;
    if (issues !== null) return issues;
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
      serviceCategory,
      regionId: this.#string(REGION_ID),
      resourceId: this.#string(RESOURCE_ID),
      resourceType: this.#string(RESOURCE_TYPE),
      subAccountId: this.#string(SUB_ACCOUNT_ID),
      skuId: this.#string(SKU_ID),
      pricingQuantity,
      pricingUnit,
      consumedQuantity,
      consumedUnit: this.#string(CONSUMED_UNIT),
      commitmentDiscountId: this.#string(COMMITMENT_DISCOUNT_ID),
      commitmentDiscountType: this.#string(COMMITMENT_DISCOUNT_TYPE),
      tags,
    };
  }

  /** The rules only the focus-1.0 / focus-1.1 modes check. */
  #conformance(category: string | null, chargeClass: string | null, pricingQuantity: number | null, pricingUnit: string | null): void {
    for (const column of CONFORMANCE_CHECKS) {
      const id = ID[column];
      const spec: { type: string } = FOCUS_COLUMNS[column];
      if (spec.type === 'values') this.#checked(id);
      else if (spec.type === 'datetime') this.#datetime(id);
      else if (spec.type === 'unitPrice') this.#unitPrice(id);
      else if (spec.type === 'quantity') this.#quantity(id);
      else if (spec.type === 'keyValue') this.#keyValue(id);
      else if (spec.type === 'string' && column !== 'PricingUnit') this.#string(id);
    }
    const billingStart = this.#datetime(BILLING_PERIOD_START);
    const billingEnd = this.#datetime(BILLING_PERIOD_END);
    if (!Number.isNaN(billingStart) && !Number.isNaN(billingEnd) && !(billingEnd > billingStart)) this.#issue('BillingPeriodEnd', 'FINOPS_PERIOD_INVALID', 'BillingPeriodEnd must be after BillingPeriodStart (the end is exclusive)');
    // FOCUS PricingQuantity / PricingUnit: not null for Usage and Purchase (unless a Correction), null for Tax.
    const needsPricing = (category === 'Usage' || category === 'Purchase') && chargeClass !== 'Correction';
    for (const [column, value] of [['PricingQuantity', pricingQuantity], ['PricingUnit', pricingUnit]] as const) {
      if ((this.#positions[ID[column]] as number) < 0 || this.#hasIssue(column)) continue;
      if (needsPricing && value === null) this.#issue(column, 'FINOPS_VALUE_MISSING', `${column} must not be null (empty or a null token) when ChargeCategory is ${category} and ChargeClass is not Correction`);
      if (category === 'Tax' && value !== null) this.#issue(column, 'FINOPS_VALUE_NOT_NULL', `${column} must be null (empty or a null token) when ChargeCategory is Tax`);
    }
    if (category === 'Purchase' && this.#raw(CHARGE_FREQUENCY) === 'Usage-Based') {
      this.#issue('ChargeFrequency', 'FINOPS_CHARGE_FREQUENCY_INVALID', 'ChargeFrequency must not be Usage-Based when ChargeCategory is Purchase');
    }
  }

  #issue(column: string, code: string, message: string): void {
    (this.#issues ??= []).push({ column, code, message });
  }

  #hasIssue(column: string): boolean {
    return this.#issues !== null && this.#issues.some((issue) => issue.column === column);
  }

  /** The raw text of a column (unescaped), or '' when absent. Slow path: errors and rare checks. */
  #raw(id: number): string {
    const position = this.#positions[id] as number;
    return position < 0 ? '' : fieldText(this.#text, this.#starts, this.#ends, this.#flags, position);
  }

  /** True when the cell is null (empty, or a null token); reports it when the column may not be null. */
  #empty(id: number, position: number): boolean {
    const start = this.#starts[position] as number;
    const end = this.#ends[position] as number;
    if (start !== end && !this.#isNullToken(start, end, position)) return false;
    if (REQUIRED[id] === true || (this.#strict && NULLABLE[id] === false)) {
      const shown = start === end ? 'empty' : `null ("${this.#text.slice(start, end)}")`;
      this.#issue(COLUMNS[id] as string, 'FINOPS_VALUE_MISSING', `${COLUMNS[id] as string} is mandatory and must not be null; it is ${shown}`);
    }
    return true;
  }

  /**
   * True when an unquoted cell is one of the null tokens. A quoted `"NULL"` is the text NULL, as
   * in PostgreSQL's CSV format, so a provider can still say the word.
   */
  #isNullToken(start: number, end: number, position: number): boolean {
    if (((this.#flags[position] as number) & FIELD_QUOTED) !== 0) return false;
    const tokens = this.#nullValues;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t] as string;
      if (token.length === end - start && this.#text.startsWith(token, start)) return true;
    }
    return false;
  }

  #cache(id: number): RangeCache<string> {
    return (this.#caches[id] ??= new RangeCache<string>(4_096));
  }

  /** A string cell, from the column's cache when seen before; null when absent or empty. */
  #string(id: number): string | null {
    return this.#cell(id, false);
  }

  /**
   * A cell with an allowed-values or format rule. Only valid values are cached, so a cache hit
   * needs no re-check; a miss is checked once and reported with the column's stable code.
   */
  #checked(id: number): string | null {
    return this.#cell(id, true);
  }

  #cell(id: number, check: boolean): string | null {
    const position = this.#positions[id] as number;
    if (position < 0 || this.#empty(id, position)) return null;
    const cache = this.#cache(id);
    const start = this.#starts[position] as number;
    const end = this.#ends[position] as number;
    const slot = cache.lookup(this.#text, start, end);
    if (slot >= 0) return cache.valueAt(slot);
    const key = copyRange(this.#text, start, end);
    const value = (this.#flags[position] as number) & FIELD_ESCAPED ? key.replace(/""/g, '"') : key;
    if (check) {
      const column = COLUMNS[id] as FocusColumn;
      const problem = checkValue(column, value);
      if (problem !== undefined) {
        this.#issue(column, problem[0], problem[1]);
        return value;
      }
    }
    cache.insert(key, value);
    return value;
  }

  #money(id: number): number {
    const position = this.#positions[id] as number;
    if (position < 0 || this.#empty(id, position)) return 0;
    const escaped = ((this.#flags[position] as number) & FIELD_ESCAPED) !== 0;
    const micros = escaped ? parseMicros(this.#raw(id)) : parseMicrosRange(this.#text, this.#starts[position] as number, this.#ends[position] as number);
    if (micros === undefined) {
      const column = COLUMNS[id] as string;
      this.#issue(column, 'FINOPS_DECIMAL_INVALID', `${column} "${this.#raw(id)}" is not a plain decimal number (like 12.34) within ±9e9`);
      return 0;
    }
    return micros;
  }

  #datetime(id: number): number {
    const position = this.#positions[id] as number;
    if (position < 0 || this.#empty(id, position)) return Number.NaN;
    const start = this.#starts[position] as number;
    const end = this.#ends[position] as number;
    // Bills repeat a handful of period boundaries millions of times; caching them is the hot path.
    const slot = this.#dates.lookup(this.#text, start, end);
    if (slot >= 0) return this.#dates.valueAt(slot);
    const value = this.#raw(id);
    const ms = DATETIME.test(value) ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : UTC_SUFFIX.test(value) ? value : `${value}Z`) : Number.NaN;
    if (Number.isNaN(ms)) {
      const column = COLUMNS[id] as string;
      this.#issue(column, 'FINOPS_DATETIME_INVALID', `${column} "${value}" is not an ISO 8601 UTC datetime (like 2024-01-31T00:00:00Z)`);
      return Number.NaN;
    }
    if (((this.#flags[position] as number) & FIELD_ESCAPED) === 0) this.#dates.insert(copyRange(this.#text, start, end), ms);
    return ms;
  }

  #quantity(id: number): number | null {
    const position = this.#positions[id] as number;
    if (position < 0 || this.#empty(id, position)) return null;
    const fast = ((this.#flags[position] as number) & FIELD_ESCAPED) === 0 ? parseSimpleDecimal(this.#text, this.#starts[position] as number, this.#ends[position] as number) : Number.NaN;
    if (!Number.isNaN(fast)) return fast;
    const value = this.#raw(id);
    if (!QUANTITY.test(value)) {
      const column = COLUMNS[id] as string;
      this.#issue(column, 'FINOPS_QUANTITY_INVALID', `${column} "${value}" is not a number`);
      return null;
    }
    return Number(value);
  }

  /** A unit price: a FOCUS decimal (any precision; scientific notation allowed), not summed, so not money. */
  #unitPrice(id: number): void {
    const position = this.#positions[id] as number;
    if (position < 0 || this.#empty(id, position)) return;
    const value = this.#raw(id);
    if (!QUANTITY.test(value)) this.#issue(COLUMNS[id] as string, 'FINOPS_DECIMAL_INVALID', `${COLUMNS[id] as string} "${value}" is not a decimal number`);
  }

  #tagsOf(): Readonly<Record<string, string>> {
    const position = this.#positions[TAGS] as number;
    if (position < 0 || this.#empty(TAGS, position)) return EMPTY_TAGS;
    const start = this.#starts[position] as number;
    const end = this.#ends[position] as number;
    // Rows of one resource repeat the same Tags JSON; parse it once per distinct text (keyed by
    // the raw cell, doubled quotes and all). Cached objects are frozen, so sharing them is safe.
    const slot = this.#tags.lookup(this.#text, start, end);
    if (slot >= 0) return this.#tags.valueAt(slot);
    const parsed = parseKeyValue(this.#raw(TAGS));
    if (parsed === undefined) {
      this.#issue('Tags', 'FINOPS_TAGS_INVALID', 'Tags must be a JSON object of key/value pairs, like {"team":"web"}');
      return EMPTY_TAGS;
    }
    this.#tags.insert(copyRange(this.#text, start, end), parsed);
    return parsed;
  }

  #keyValue(id: number): void {
    const position = this.#positions[id] as number;
    if (position < 0 || this.#empty(id, position)) return;
    const start = this.#starts[position] as number;
    const end = this.#ends[position] as number;
    const cache = (this.#keyValues ??= new RangeCache<true>(1_024));
    if (cache.lookup(this.#text, start, end) >= 0) return;
    if (parseKeyValue(this.#raw(id)) === undefined) this.#issue(COLUMNS[id] as string, 'FINOPS_KEY_VALUE_INVALID', `${COLUMNS[id] as string} must be a JSON object (FOCUS Key-Value Format)`);
    else cache.insert(copyRange(this.#text, start, end), true);
  }
}

/** The allowed-values / format rule of a column: `[code, message]` when `value` breaks it. */
function checkValue(column: FocusColumn, value: string): [string, string] | undefined {
  switch (column) {
    case 'BillingCurrency':
      return CURRENCY.test(value) ? undefined : ['FINOPS_CURRENCY_INVALID', `BillingCurrency "${value}" is not an ISO 4217 code (three capital letters)`];
    case 'ChargeCategory':
      return CATEGORIES.has(value) ? undefined : ['FINOPS_CHARGE_CATEGORY_INVALID', `ChargeCategory "${value}" must be one of ${CHARGE_CATEGORIES.join(', ')}`];
    case 'ChargeClass':
      return value === 'Correction' ? undefined : ['FINOPS_CHARGE_CLASS_INVALID', `ChargeClass "${value}" must be null or Correction`];
    case 'ServiceCategory':
      return SERVICE_CATEGORY_SET.has(value) ? undefined : ['FINOPS_SERVICE_CATEGORY_INVALID', `ServiceCategory "${value}" must be one of the FOCUS service categories (${SERVICE_CATEGORIES.join(', ')})`];
    case 'ChargeFrequency':
      return ['One-Time', 'Recurring', 'Usage-Based'].includes(value) ? undefined : ['FINOPS_CHARGE_FREQUENCY_INVALID', `ChargeFrequency "${value}" must be One-Time, Recurring or Usage-Based`];
    default: {
      const spec = FOCUS_COLUMNS[column] as { values?: readonly string[] };
      if (spec.values === undefined || spec.values.includes(value)) return undefined;
      return ['FINOPS_VALUE_NOT_ALLOWED', `${column} "${value}" must be one of ${spec.values.join(', ')}`];
    }
  }
}

/**
 * `[+-]digits[.digits]` read in place, or NaN for anything else (the caller falls back to the
 * general rule). An integer below 2^53 divided by an exact power of ten is the correctly rounded
 * double, so this equals `Number(text)` for every input it accepts.
 */
function parseSimpleDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = -1;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 && scale < 0) {
      scale = 0;
      continue;
    }
    if (code < 48 || code > 57) return Number.NaN;
    mantissa = mantissa * 10 + (code - 48);
    digits++;
    if (scale >= 0) scale++;
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const value = scale > 0 ? mantissa / (POWERS_OF_TEN[scale] as number) : mantissa;
  return negative ? -value : value;
}

function parseKeyValue(value: string): Readonly<Record<string, string>> | undefined {
  if (value === '{}') return EMPTY_TAGS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(parsed as Record<string, unknown>)) tags[key] = typeof tagValue === 'string' ? tagValue : JSON.stringify(tagValue);
  return Object.freeze(tags);
}
