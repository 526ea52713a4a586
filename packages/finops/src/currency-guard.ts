import { SightlineError } from '@sightline/core';
import type { CostRecord } from './cost-record.js';

/**
 * Conversion into one reporting currency: `rates[code]` is the decimal string price of one unit
 * of `code` in `currency` (e.g. `{ currency: 'USD', rates: { EUR: '1.08' } }`). Rates are strings so
 * they are as exact as the amounts.
 */
export interface CurrencyConversion {
  readonly currency: string;
  readonly rates: Readonly<Record<string, string>>;
}

/**
 * Keeps sums in one currency: without a conversion, a second currency throws
 * `FINOPS_CURRENCY_MIXED`; with one, amounts are converted exactly (BigInt, rounded half away from zero).
 */
export class CurrencyGuard {
  readonly #conversion: CurrencyConversion | undefined;
  readonly #rates = new Map<string, bigint>();
  #currency: string | undefined;

  constructor(conversion?: CurrencyConversion) {
    this.#conversion = conversion;
    if (conversion) {
      this.#currency = conversion.currency;
      for (const [code, rate] of Object.entries(conversion.rates)) {
        const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(rate);
        if (!match) throw new SightlineError('FINOPS_RATE_INVALID', `exchange rate for ${code} "${rate}" must be a positive decimal string like "1.08"`, { code, rate });
        this.#rates.set(code, BigInt(`${match[1] ?? '0'}${(match[2] ?? '').padEnd(9, '0')}`));
      }
    }
  }

  /** The currency of the sums; `USD` before any record is seen and without conversion. */
  get currency(): string {
    return this.#currency ?? 'USD';
  }

  /** Returns `micros` in the reporting currency, or throws if currencies would be mixed. */
  convert(record: CostRecord, micros: number): number {
    const code = record.billingCurrency;
    if (this.#currency === undefined) this.#currency = code;
    if (code === this.#currency) return micros;
    const rate = this.#rates.get(code);
    if (this.#conversion === undefined || rate === undefined) {
      throw new SightlineError('FINOPS_CURRENCY_MIXED', `row ${record.rowNumber} is in ${code} but earlier rows are in ${this.#currency}; amounts in different currencies are never summed — pass a conversion table with a rate for ${code}`, { rowNumber: record.rowNumber, currency: code, reportingCurrency: this.#currency });
    }
    const product = BigInt(micros) * rate;
    const half = 500_000_000n;
    const rounded = product >= 0n ? (product + half) / 1_000_000_000n : -((-product + half) / 1_000_000_000n);
    return Number(rounded);
  }
}
