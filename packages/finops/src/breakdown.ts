import { SightlineError, systemClock, type Clock } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { CurrencyGuard, type CurrencyConversion } from './currency-guard.js';
import { costOf, dimensionValue, type CostMetric, type Dimension } from './dimension.js';
import { addMicros } from './money.js';
import { formatPeriod, periodEnd, periodStart, type Granularity } from './period.js';

/** Options of {@link breakdownCosts}. */
export interface BreakdownOptions {
  /** Columns and `tag:<key>`s to group by; `[]` gives one group. */
  readonly by: readonly Dimension[];
  /** Default `day`. Periods are by `ChargePeriodStart` (UTC). */
  readonly granularity?: Granularity;
  /** Default `effective` (amortised); `billed` is what the invoice shows. */
  readonly cost?: CostMetric;
  /** Keep the `top` groups by total cost, fold the rest into one `(other)` group. Default: all. */
  readonly top?: number;
  /** Records to include; default all. */
  readonly filter?: (record: CostRecord) => boolean;
  /** Needed only when records are in more than one currency. */
  readonly conversion?: CurrencyConversion;
}

/** One group in one period. Money in micro-units. */
export interface BreakdownRow {
  /** `YYYY-MM-DD` start of the period, or `total`. */
  readonly period: string;
  /** The group's value per dimension, in `by` order. */
  readonly group: Readonly<Record<string, string>>;
  readonly cost: number;
  /** Source rows in the group (a pre-aggregated record counts its `rowCount`). */
  readonly records: number;
}

/** A breakdown: rows sorted by period, then cost descending. `total` is exact. */
export interface Breakdown {
  readonly currency: string;
  readonly granularity: Granularity;
  readonly by: readonly Dimension[];
  readonly rows: readonly BreakdownRow[];
  /** Sum of every row, micro-units; equals the sum of the included records. */
  readonly total: number;
}

/** The group label of everything outside the top N. */
export const OTHER = '(other)';
const SEPARATOR = '\u0000';

/**
 * Accumulates a breakdown one record at a time (constant memory per group), for use inside a
 * streaming import. {@link breakdownCosts} is the one-call form.
 */
export class BreakdownAccumulator {
  readonly #options: BreakdownOptions;
  readonly #granularity: Granularity;
  readonly #metric: CostMetric;
  readonly #guard: CurrencyGuard;
  /** period start → group key → [cost, records] */
  readonly #cells = new Map<number, Map<string, [number, number]>>();
  #total = 0;

  constructor(options: BreakdownOptions) {
    if (options.top !== undefined && !(Number.isInteger(options.top) && options.top >= 1)) {
      throw new SightlineError('FINOPS_BREAKDOWN_OPTIONS_INVALID', `breakdown: top must be an integer >= 1; got ${options.top}`, { top: options.top });
    }
    this.#options = options;
    this.#granularity = options.granularity ?? 'day';
    this.#metric = options.cost ?? 'effective';
    this.#guard = new CurrencyGuard(options.conversion);
  }

  add(record: CostRecord): void {
    if (this.#options.filter && !this.#options.filter(record)) return;
    const cost = this.#guard.convert(record, costOf(record, this.#metric));
    const start = periodStart(record.chargePeriodStart, this.#granularity);
    let groups = this.#cells.get(start);
    if (!groups) {
      groups = new Map();
      this.#cells.set(start, groups);
    }
    const by = this.#options.by;
    let key = '';
    for (let i = 0; i < by.length; i++) key += (i === 0 ? '' : SEPARATOR) + dimensionValue(record, by[i] as Dimension);
    const cell = groups.get(key);
    const rows = record.rowCount ?? 1;
    if (cell) {
      cell[0] = addMicros(cell[0], cost);
      cell[1] += rows;
    } else groups.set(key, [cost, rows]);
    this.#total = addMicros(this.#total, cost);
  }

  result(): Breakdown {
    const by = this.#options.by;
    let keep: Set<string> | undefined;
    if (this.#options.top !== undefined) {
      const totals = new Map<string, number>();
      for (const groups of this.#cells.values()) for (const [key, [cost]] of groups) totals.set(key, (totals.get(key) ?? 0) + cost);
      const ranked = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      if (ranked.length > this.#options.top) keep = new Set(ranked.slice(0, this.#options.top).map(([key]) => key));
    }
    const otherKey = by.map(() => OTHER).join(SEPARATOR);
    const rows: BreakdownRow[] = [];
    for (const start of [...this.#cells.keys()].sort((a, b) => a - b)) {
      const groups = this.#cells.get(start) ?? new Map<string, [number, number]>();
      const merged = new Map<string, [number, number]>();
      for (const [key, [cost, count]] of groups) {
        const target = keep && !keep.has(key) ? otherKey : key;
        const cell = merged.get(target);
        if (cell) {
          cell[0] = addMicros(cell[0], cost);
          cell[1] += count;
        } else merged.set(target, [cost, count]);
      }
      const periodRows = [...merged].map(([key, [cost, records]]) => {
        const values = key.split(SEPARATOR);
        const group: Record<string, string> = {};
        by.forEach((dimension, i) => (group[dimension] = values[i] ?? ''));
        return { period: formatPeriod(start, this.#granularity), group, cost, records };
      });
      periodRows.sort((a, b) => b.cost - a.cost || (JSON.stringify(a.group) < JSON.stringify(b.group) ? -1 : 1));
      rows.push(...periodRows);
    }
    return { currency: this.#guard.currency, granularity: this.#granularity, by, rows, total: this.#total };
  }
}

/**
 * Groups costs by dimensions and period: where the money goes.
 * @example
 * const daily = await breakdownCosts(records, { by: ['ServiceName', 'tag:team'], granularity: 'day', top: 10 });
 */
export async function breakdownCosts(records: Iterable<CostRecord> | AsyncIterable<CostRecord>, options: BreakdownOptions): Promise<Breakdown> {
  const accumulator = new BreakdownAccumulator(options);
  for await (const record of records) accumulator.add(record);
  return accumulator.result();
}

/** One group's change between the last complete period of a breakdown and the period before it. */
export interface PeriodChange {
  readonly group: Readonly<Record<string, string>>;
  /** `YYYY-MM-DD` start of the period compared: the last complete one. */
  readonly period: string;
  /** `YYYY-MM-DD` start of the period just before it (the calendar's, not the data's). */
  readonly previousPeriod: string;
  readonly previous: number;
  readonly current: number;
  /** current − previous, micro-units. */
  readonly change: number;
  /** change / previous; `null` when previous is 0. */
  readonly changeRatio: number | null;
}

/** Options of {@link comparePeriods}. */
export interface ComparePeriodsOptions {
  /**
   * Says which periods are complete: a period is compared only once it has ended (its end at or
   * before `clock.now()`). Default the system clock; inject a `ManualClock` in tests.
   */
  readonly clock?: Clock;
}

/**
 * Period-over-period change per group: the last complete period of the breakdown against the
 * calendar period just before it, sorted by absolute change descending. The period still running
 * (today, for days) is left out: its costs are partial, and comparing them would show every
 * group falling. Returns `[]` when no period is complete yet or the period before has no rows.
 * @example
 * const daily = await breakdownCosts(records, { by: ['ServiceName'], granularity: 'day' });
 * const changes = comparePeriods(daily, { clock }); // yesterday vs the day before
 */
export function comparePeriods(breakdown: Breakdown, options: ComparePeriodsOptions = {}): PeriodChange[] {
  const granularity = breakdown.granularity;
  if (granularity === 'total') return [];
  const now = (options.clock ?? systemClock).now();
  let currentStart = Number.NEGATIVE_INFINITY;
  for (const row of breakdown.rows) {
    const start = Date.parse(`${row.period}T00:00:00Z`);
    if (start > currentStart && periodEnd(start, granularity) <= now) currentStart = start;
  }
  if (currentStart === Number.NEGATIVE_INFINITY) return [];
  const current = formatPeriod(currentStart, granularity);
  const previous = formatPeriod(periodStart(currentStart - 1, granularity), granularity);
  const byGroup = new Map<string, { group: Readonly<Record<string, string>>; previous: number; current: number }>();
  let hasPrevious = false;
  for (const row of breakdown.rows) {
    if (row.period !== current && row.period !== previous) continue;
    const key = JSON.stringify(row.group);
    const entry = byGroup.get(key) ?? { group: row.group, previous: 0, current: 0 };
    if (row.period === current) entry.current += row.cost;
    else {
      entry.previous += row.cost;
      hasPrevious = true;
    }
    byGroup.set(key, entry);
  }
  if (!hasPrevious) return [];
  return [...byGroup.values()]
    .map((e) => ({ group: e.group, period: current, previousPeriod: previous, previous: e.previous, current: e.current, change: e.current - e.previous, changeRatio: e.previous === 0 ? null : (e.current - e.previous) / e.previous }))
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
}
