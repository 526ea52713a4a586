import { SightlineError } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { parseMicros } from './money.js';

/** Token prices of one model, decimal strings in the table's currency per 1,000,000 tokens. */
export interface ModelPrice {
  readonly input: string;
  readonly output: string;
  readonly cacheRead: string;
  readonly cacheCreation: string;
  /** First usage day (`YYYY-MM-DD`, UTC) this price applies to. Default: the table's `effectiveDate`. */
  readonly effectiveFrom?: string;
}

/**
 * A dated, versioned price table: which prices a cost was computed with is always known, and
 * usage is priced at the price in effect on its own day.
 */
export interface LlmPriceTable {
  readonly version: string;
  /** The day the prices were taken from the providers' public price pages, `YYYY-MM-DD`. */
  readonly effectiveDate: string;
  readonly currency: string;
  /** Model id or id prefix → current price; the longest matching prefix wins (`claude-sonnet-4-20250514` → `claude-sonnet-4`). */
  readonly models: Readonly<Record<string, ModelPrice>>;
  /** Earlier (or announced later) prices per model key, each with its `effectiveFrom`. */
  readonly history?: Readonly<Record<string, readonly ModelPrice[]>>;
  /** Where the prices come from (price pages, a contract). */
  readonly source?: string;
}

/**
 * Default list prices (USD per 1M tokens) as published by the providers on the effective date.
 * Prices change: pass your own table (or your negotiated rates) to {@link priceTokenUsage}.
 */
export const DEFAULT_LLM_PRICES: LlmPriceTable = {
  version: '2025-06-01.1',
  effectiveDate: '2025-06-01',
  currency: 'USD',
  source: 'list prices on https://www.anthropic.com/pricing and https://openai.com/api/pricing as of 2025-06-01 (standard tier, no batch discount; cache write = 5-minute cache)',
  models: {
    'claude-opus-4': { input: '15', output: '75', cacheRead: '1.50', cacheCreation: '18.75' },
    'claude-sonnet-4': { input: '3', output: '15', cacheRead: '0.30', cacheCreation: '3.75' },
    'claude-3-5-haiku': { input: '0.80', output: '4', cacheRead: '0.08', cacheCreation: '1' },
    'gpt-4o': { input: '2.50', output: '10', cacheRead: '1.25', cacheCreation: '2.50' },
    'gpt-4o-mini': { input: '0.15', output: '0.60', cacheRead: '0.075', cacheCreation: '0.15' },
  },
};

/** Token usage of one call, session or metric point. */
export interface TokenUsage {
  readonly model: string;
  readonly provider: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheCreationTokens: number;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly user?: string;
  readonly team?: string;
  readonly sessionId?: string;
}

/**
 * Reads token usage from OpenTelemetry GenAI span attributes: `gen_ai.usage.input_tokens`,
 * `gen_ai.usage.output_tokens`, `gen_ai.usage.cache_read.input_tokens`,
 * `gen_ai.usage.cache_creation.input_tokens`, `gen_ai.request.model` (or `gen_ai.response.model`),
 * `gen_ai.provider.name` (or the older `gen_ai.system`). Throws `FINOPS_TOKEN_USAGE_INVALID`
 * listing what is missing or not a non-negative integer.
 */
export function usageFromSpanAttributes(attributes: Readonly<Record<string, unknown>>, context: { timestamp: number; user?: string; team?: string; sessionId?: string }): TokenUsage {
  const problems: string[] = [];
  const count = (key: string, required: boolean): number => {
    const value = attributes[key];
    if (value === undefined) {
      if (required) problems.push(`${key} is missing`);
      return 0;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push(`${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
      return 0;
    }
    return value;
  };
  const model = attributes['gen_ai.response.model'] ?? attributes['gen_ai.request.model'];
  const provider = attributes['gen_ai.provider.name'] ?? attributes['gen_ai.system'];
  if (typeof model !== 'string' || model === '') problems.push('gen_ai.request.model is missing');
  const usage = {
    model: typeof model === 'string' ? model : '',
    provider: typeof provider === 'string' ? provider : 'unknown',
    inputTokens: count('gen_ai.usage.input_tokens', true),
    outputTokens: count('gen_ai.usage.output_tokens', true),
    cacheReadTokens: count('gen_ai.usage.cache_read.input_tokens', false),
    cacheCreationTokens: count('gen_ai.usage.cache_creation.input_tokens', false),
    ...context,
  };
  if (problems.length > 0) throw new SightlineError('FINOPS_TOKEN_USAGE_INVALID', `GenAI span attributes: ${problems.join('; ')}`, { problems });
  return usage;
}

/** The priced usage: cost in micro-units of the table's currency and the table version used. */
export interface PricedUsage {
  readonly cost: number;
  readonly currency: string;
  readonly priceVersion: string;
  /** The price-table key that matched the model. */
  readonly pricedAs: string;
  /** The `effectiveFrom` day of the price used, when that entry is dated (undated entries apply from the table's `effectiveDate`). */
  readonly effectiveFrom?: string;
}

/**
 * Prices token usage. Each token type is priced at its own rate; the sum is rounded once to a
 * micro-unit (per-token prices are fractions of a micro-unit). Throws `FINOPS_MODEL_UNPRICED` when
 * no table entry matches the model.
 * @example
 * priceTokenUsage({ model: 'claude-sonnet-4', inputTokens: 1000, outputTokens: 200, ... }).cost // 6000 (0.006 USD)
 */
export function priceTokenUsage(usage: TokenUsage, table: LlmPriceTable = DEFAULT_LLM_PRICES): PricedUsage {
  let pricedAs: string | undefined;
  const keys = new Set([...Object.keys(table.models), ...Object.keys(table.history ?? {})]);
  for (const key of keys) if (usage.model.startsWith(key) && (pricedAs === undefined || key.length > pricedAs.length)) pricedAs = key;
  if (pricedAs === undefined) {
    throw new SightlineError('FINOPS_MODEL_UNPRICED', `model "${usage.model}" has no price in table ${table.version}; add it to the table passed to priceTokenUsage`, { model: usage.model, priceVersion: table.version });
  }
  const day = new Date(usage.timestamp).toISOString().slice(0, 10);
  const price = priceInEffect(table, pricedAs, day);
  if (price === undefined) {
    throw new SightlineError('FINOPS_MODEL_UNPRICED', `model "${usage.model}" has no price in effect on ${day} in table ${table.version} (its prices start later); add a dated entry to the table's history`, { model: usage.model, priceVersion: table.version, day });
  }
  const rate = (text: string): number => {
    const micros = parseMicros(text);
    if (micros === undefined || micros < 0) throw new SightlineError('FINOPS_PRICE_INVALID', `price "${text}" for ${pricedAs} in table ${table.version} is not a non-negative decimal`, { model: pricedAs });
    return micros;
  };
  // micro-units per 1M tokens × tokens / 1e6 = micro-units; sum first, round once.
  const perMillion = usage.inputTokens * rate(price.input) + usage.outputTokens * rate(price.output) + usage.cacheReadTokens * rate(price.cacheRead) + usage.cacheCreationTokens * rate(price.cacheCreation);
  if (!Number.isSafeInteger(perMillion)) throw new SightlineError('FINOPS_MONEY_UNSAFE', 'token usage too large to price exactly; split it', { model: usage.model });
  const priced = { cost: Math.round(perMillion / 1_000_000), currency: table.currency, priceVersion: table.version, pricedAs };
  return price.effectiveFrom === undefined ? priced : { ...priced, effectiveFrom: price.effectiveFrom };
}

/** The entry of `key` with the latest `effectiveFrom` on or before `day` (`YYYY-MM-DD`). */
function priceInEffect(table: LlmPriceTable, key: string, day: string): ModelPrice | undefined {
  let best: ModelPrice | undefined;
  let bestFrom = '';
  const current = table.models[key];
  for (const price of [...(current ? [current] : []), ...(table.history?.[key] ?? [])]) {
    const from = price.effectiveFrom ?? table.effectiveDate;
    if (from <= day && (best === undefined || from > bestFrom)) {
      best = price;
      bestFrom = from;
    }
  }
  return best;
}

/** Changes to a price table: new or changed model prices and dated history, under a new version. */
export interface LlmPriceOverrides {
  /** The version of the merged table (priced records carry it). */
  readonly version: string;
  /** Default: the base table's. */
  readonly effectiveDate?: string;
  readonly source?: string;
  /** Prices that replace the base's for the same key (the replaced one is kept as history for earlier days). */
  readonly models?: Readonly<Record<string, ModelPrice>>;
  readonly history?: Readonly<Record<string, readonly ModelPrice[]>>;
}

/**
 * Merges your prices (negotiated rates, new models, price changes) into a table. A replaced
 * price stays in the history, so usage before the new price's `effectiveFrom` keeps its old
 * price; for the same key and day the override wins. Both tables must be in one currency.
 * @example
 * const prices = mergeLlmPrices(DEFAULT_LLM_PRICES, { version: 'acme-2026-01', models: { 'claude-sonnet-4': { input: '2.70', output: '13.50', cacheRead: '0.27', cacheCreation: '3.375', effectiveFrom: '2026-01-01' } } });
 */
export function mergeLlmPrices(base: LlmPriceTable, overrides: LlmPriceOverrides): LlmPriceTable {
  const effectiveDate = overrides.effectiveDate ?? base.effectiveDate;
  const dated = (price: ModelPrice, tableDate: string): ModelPrice => ({ ...price, effectiveFrom: price.effectiveFrom ?? tableDate });
  const history: Record<string, ModelPrice[]> = {};
  const add = (key: string, price: ModelPrice): void => {
    const list = (history[key] ??= []);
    const at = list.findIndex((p) => p.effectiveFrom === price.effectiveFrom);
    if (at >= 0) list[at] = price;
    else list.push(price);
  };
  for (const [key, prices] of Object.entries(base.history ?? {})) for (const price of prices) add(key, dated(price, base.effectiveDate));
  for (const [key, price] of Object.entries(base.models)) if (overrides.models?.[key] !== undefined) add(key, dated(price, base.effectiveDate));
  for (const [key, prices] of Object.entries(overrides.history ?? {})) for (const price of prices) add(key, dated(price, effectiveDate));
  const models: Record<string, ModelPrice> = {};
  for (const [key, price] of Object.entries(base.models)) models[key] = dated(price, base.effectiveDate);
  for (const [key, price] of Object.entries(overrides.models ?? {})) {
    const next = dated(price, effectiveDate);
    models[key] = next;
    // The current price is not history as well.
    const list = history[key];
    if (list) history[key] = list.filter((p) => p.effectiveFrom !== next.effectiveFrom);
  }
  for (const prices of Object.values(history)) prices.sort((a, b) => ((a.effectiveFrom ?? '') < (b.effectiveFrom ?? '') ? -1 : 1));
  for (const [key, prices] of Object.entries(models)) for (const p of [prices, ...(history[key] ?? [])]) checkPrice(key, p, overrides.version);
  return { version: overrides.version, effectiveDate, currency: base.currency, models, history, source: overrides.source ?? base.source ?? '' };
}

function checkPrice(key: string, price: ModelPrice, version: string): void {
  const bad = [price.input, price.output, price.cacheRead, price.cacheCreation].find((text) => {
    const micros = typeof text === 'string' ? parseMicros(text) : undefined;
    return micros === undefined || micros < 0;
  });
  const from = price.effectiveFrom ?? '';
  if (bad !== undefined || !/^\d{4}-\d{2}-\d{2}$/.test(from)) {
    throw new SightlineError('FINOPS_PRICE_INVALID', `price of ${key} in table ${version} needs non-negative decimal strings and effectiveFrom YYYY-MM-DD; got ${JSON.stringify(price)}`, { model: key, priceVersion: version });
  }
}

/**
 * Turns priced token usage into a FOCUS-shaped {@link CostRecord} (ServiceName `Generative AI`,
 * SkuId = model, tags user/team/model/session), so breakdowns, chargeback and cost anomalies work
 * on LLM spend exactly as on a cloud bill.
 */
export function tokenUsageToCostRecord(usage: TokenUsage, table: LlmPriceTable = DEFAULT_LLM_PRICES, rowNumber = 0): CostRecord {
  const priced = priceTokenUsage(usage, table);
  const tags: Record<string, string> = { model: usage.model, priceVersion: priced.priceVersion };
  if (priced.effectiveFrom !== undefined) tags['priceEffectiveFrom'] = priced.effectiveFrom;
  if (usage.user !== undefined) tags['user'] = usage.user;
  if (usage.team !== undefined) tags['team'] = usage.team;
  if (usage.sessionId !== undefined) tags['session'] = usage.sessionId;
  const day = Math.floor(usage.timestamp / 86_400_000) * 86_400_000;
  return {
    rowNumber, billedCost: priced.cost, effectiveCost: priced.cost, listCost: priced.cost, contractedCost: priced.cost, billingCurrency: priced.currency,
    billingAccountId: usage.provider, chargePeriodStart: day, chargePeriodEnd: day + 86_400_000, chargeCategory: 'Usage', chargeClass: null,
    providerName: usage.provider, serviceName: 'Generative AI', serviceCategory: 'AI and Machine Learning', regionId: null, resourceId: usage.sessionId ?? null,
    resourceType: 'LLM', subAccountId: null, skuId: usage.model,
    pricingQuantity: usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheCreationTokens, pricingUnit: 'Tokens',
    consumedQuantity: usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheCreationTokens, consumedUnit: 'Tokens',
    commitmentDiscountId: null, commitmentDiscountType: null, tags,
  };
}
