import { describe, expect, it } from '@jest/globals';
import { breakdownCosts } from './breakdown.js';
import { DEFAULT_LLM_PRICES, mergeLlmPrices, priceTokenUsage, tokenUsageToCostRecord, usageFromSpanAttributes } from './llm-token-cost.js';

const at = Date.UTC(2026, 0, 5, 10);

describe('LLM token cost', () => {
  it('reads OTel GenAI attributes and prices each token type from the dated table', () => {
    const usage = usageFromSpanAttributes({
      'gen_ai.request.model': 'claude-sonnet-4-20250514', 'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': 1_000, 'gen_ai.usage.output_tokens': 200, 'gen_ai.usage.cache_read.input_tokens': 10_000, 'gen_ai.usage.cache_creation.input_tokens': 2_000,
    }, { timestamp: at, user: 'ana', team: 'web' });
    // claude-sonnet-4: input 3, output 15, cache read 0.30, cache write 3.75 USD per 1M tokens.
    // 1000×3 + 200×15 + 10000×0.30 + 2000×3.75 = 3000 + 3000 + 3000 + 7500 = 16,500 USD/1M → 0.0165 USD = 16,500 micro-USD
    expect(priceTokenUsage(usage)).toEqual({ cost: 16_500, currency: 'USD', priceVersion: '2025-06-01.1', pricedAs: 'claude-sonnet-4' });
  });

  it('rejects bad attributes with FINOPS_TOKEN_USAGE_INVALID and unknown models with FINOPS_MODEL_UNPRICED', () => {
    expect(() => usageFromSpanAttributes({ 'gen_ai.request.model': 'x', 'gen_ai.usage.input_tokens': -1 }, { timestamp: at })).toThrow(expect.objectContaining({ code: 'FINOPS_TOKEN_USAGE_INVALID' }));
    const usage = usageFromSpanAttributes({ 'gen_ai.request.model': 'mystery-1', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 }, { timestamp: at });
    expect(() => priceTokenUsage(usage)).toThrow(expect.objectContaining({ code: 'FINOPS_MODEL_UNPRICED' }));
  });

  it('gives cost per user and model per day through the ordinary breakdown', async () => {
    const base = { provider: 'anthropic', cacheReadTokens: 0, cacheCreationTokens: 0, timestamp: at } as const;
    const records = [
      // 1M input tokens of sonnet = 3.00; 100k output of opus = 7.50; 1M output of sonnet = 15.00
      tokenUsageToCostRecord({ ...base, model: 'claude-sonnet-4', inputTokens: 1_000_000, outputTokens: 0, user: 'ana' }),
      tokenUsageToCostRecord({ ...base, model: 'claude-opus-4', inputTokens: 0, outputTokens: 100_000, user: 'ana' }),
      tokenUsageToCostRecord({ ...base, model: 'claude-sonnet-4', inputTokens: 0, outputTokens: 1_000_000, user: 'bo' }),
    ];
    const byUser = await breakdownCosts(records, { by: ['tag:user'], granularity: 'day' });
    expect(byUser.rows).toEqual([
      { period: '2026-01-05', group: { 'tag:user': 'bo' }, cost: 15_000_000, records: 1 },
      { period: '2026-01-05', group: { 'tag:user': 'ana' }, cost: 10_500_000, records: 2 },
    ]);
  });
});

describe('dated price table', () => {
  const usage = (day: number) => ({ model: 'claude-sonnet-4-20250514', provider: 'anthropic', inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, timestamp: Date.UTC(2026, 0, day, 12) });

  it('prices usage at the price in effect on its own day, after a merged price change', () => {
    const table = mergeLlmPrices(DEFAULT_LLM_PRICES, { version: 'acme-2026-01', models: { 'claude-sonnet-4': { input: '2.70', output: '13.50', cacheRead: '0.27', cacheCreation: '3.375', effectiveFrom: '2026-01-10' } } });
    // 1M input tokens: 3.00 before 2026-01-10 (the default list price, kept as history), 2.70 from then on.
    expect(priceTokenUsage(usage(9), table)).toMatchObject({ cost: 3_000_000, priceVersion: 'acme-2026-01', effectiveFrom: '2025-06-01' });
    expect(priceTokenUsage(usage(10), table)).toMatchObject({ cost: 2_700_000, priceVersion: 'acme-2026-01', effectiveFrom: '2026-01-10' });
    expect(tokenUsageToCostRecord(usage(10), table).tags).toMatchObject({ priceVersion: 'acme-2026-01', priceEffectiveFrom: '2026-01-10' });
    // Other models keep their prices; the base table is untouched.
    expect(priceTokenUsage({ ...usage(10), model: 'gpt-4o' }, table).cost).toBe(2_500_000);
    expect(priceTokenUsage(usage(10)).cost).toBe(3_000_000);
  });

  it('refuses usage older than every price of its model, and invalid merged prices', () => {
    const table = mergeLlmPrices(DEFAULT_LLM_PRICES, { version: 'v2', history: { 'new-model': [{ input: '1', output: '2', cacheRead: '0', cacheCreation: '0', effectiveFrom: '2026-01-10' }] } });
    expect(priceTokenUsage({ ...usage(12), model: 'new-model-1' }, table).cost).toBe(1_000_000);
    expect(() => priceTokenUsage({ ...usage(9), model: 'new-model-1' }, table)).toThrow(expect.objectContaining({ code: 'FINOPS_MODEL_UNPRICED' }));
    expect(() => mergeLlmPrices(DEFAULT_LLM_PRICES, { version: 'bad', models: { x: { input: '-1', output: '1', cacheRead: '0', cacheCreation: '0' } } })).toThrow(expect.objectContaining({ code: 'FINOPS_PRICE_INVALID' }));
    expect(DEFAULT_LLM_PRICES.source).toMatch(/anthropic\.com\/pricing/);
  });
});
