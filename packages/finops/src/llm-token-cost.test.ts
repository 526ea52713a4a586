import { describe, expect, it } from '@jest/globals';
import { breakdownCosts } from './breakdown.js';
import { priceTokenUsage, tokenUsageToCostRecord, usageFromSpanAttributes } from './llm-token-cost.js';

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
