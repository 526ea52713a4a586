import { describe, expect, it } from '@jest/globals';
import { breakdownCosts } from './breakdown.js';
import { codingAssistantCostRecords, CodingAssistantUsageReader, type OtlpMetricsData } from './coding-assistant-metrics.js';

const at = (minute: number) => String(BigInt(Date.UTC(2026, 0, 5, 10, minute)) * 1_000_000n);
const attrs = (values: Record<string, string>) => Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
const claude = { model: 'claude-sonnet-4-20250514', 'session.id': 's-1', 'user.email': 'ana@example.com' };

function tokens(points: { type: string; value: number; minute: number; extra?: Record<string, string> }[], temporality = 1): OtlpMetricsData {
  return {
    resourceMetrics: [{
      resource: { attributes: attrs({ 'service.name': 'claude-code', 'sightline.team': 'search' }) },
      scopeMetrics: [{
        metrics: [
          { name: 'claude_code.token.usage', unit: 'tokens', sum: { aggregationTemporality: temporality, dataPoints: points.map((p) => ({ attributes: attrs({ ...claude, type: p.type, ...p.extra }), startTimeUnixNano: at(0), timeUnixNano: at(p.minute), asInt: String(p.value) })) } },
          { name: 'claude_code.cost.usage', unit: 'USD', sum: { aggregationTemporality: 1, dataPoints: [{ attributes: attrs(claude), timeUnixNano: at(1), asDouble: 0.0165 }] } },
          { name: 'claude_code.session.count', sum: { dataPoints: [{ timeUnixNano: at(1), asInt: '1' }] } },
        ],
      }],
    }],
  };
}

describe('coding-assistant metrics', () => {
  it('combines the token types of one point time, user and session and prices them from the table', () => {
    const data = tokens([{ type: 'input', value: 1_000, minute: 1 }, { type: 'output', value: 200, minute: 1 }, { type: 'cacheRead', value: 10_000, minute: 1 }, { type: 'cacheCreation', value: 2_000, minute: 1 }]);
    const { usage, reportedCosts } = new CodingAssistantUsageReader().read(data);
    expect(usage).toEqual([{ model: 'claude-sonnet-4-20250514', provider: 'anthropic', inputTokens: 1_000, outputTokens: 200, cacheReadTokens: 10_000, cacheCreationTokens: 2_000, timestamp: Date.UTC(2026, 0, 5, 10, 1), user: 'ana@example.com', team: 'search', sessionId: 's-1' }]);
    // Claude Code's own estimate: 0.0165 USD = 16,500 micro-USD.
    expect(reportedCosts).toEqual([{ timestamp: Date.UTC(2026, 0, 5, 10, 1), model: 'claude-sonnet-4-20250514', cost: 16_500, user: 'ana@example.com', sessionId: 's-1' }]);
    // claude-sonnet-4: 1000×3 + 200×15 + 10000×0.30 + 2000×3.75 = 16,500 USD per 1M tokens → 16,500 micro-USD.
    const [record] = codingAssistantCostRecords(data);
    expect(record).toMatchObject({ billedCost: 16_500, serviceName: 'Generative AI', skuId: 'claude-sonnet-4-20250514', tags: { user: 'ana@example.com', team: 'search', session: 's-1', priceVersion: '2025-06-01.1' } });
  });

  it('gives cost per user and session through the ordinary breakdown', async () => {
    // ana: 1M input (3.00); bo: 100k output on session s-2 (1.50).
    const records = codingAssistantCostRecords(tokens([{ type: 'input', value: 1_000_000, minute: 1 }, { type: 'output', value: 100_000, minute: 2, extra: { 'user.email': 'bo@example.com', 'session.id': 's-2' } }]));
    const bySession = await breakdownCosts(records, { by: ['tag:user', 'tag:session'], granularity: 'day' });
    expect(bySession.rows.map((r) => [r.group['tag:user'], r.group['tag:session'], r.cost])).toEqual([['ana@example.com', 's-1', 3_000_000], ['bo@example.com', 's-2', 1_500_000]]);
  });

  it('counts a cumulative series by its increase across exports, and a drop as a reset', () => {
    const reader = new CodingAssistantUsageReader();
    const input = (value: number, minute: number) => reader.read(tokens([{ type: 'input', value, minute }], 2)).usage.map((u) => u.inputTokens);
    // 100 (from the series start), then +50, then a reset to 30 counts 30, and an unchanged value counts nothing.
    expect([input(100, 1), input(150, 2), input(30, 3), input(30, 4)]).toEqual([[100], [50], [30], []]);
  });

  it('rejects malformed points with FINOPS_TOKEN_METRICS_INVALID listing each one, and takes nothing from that export', () => {
    const reader = new CodingAssistantUsageReader();
    const bad = tokens([{ type: 'thinking', value: 5, minute: 1 }, { type: 'input', value: -1, minute: 1 }], 2);
    const error = (() => {
      try {
        reader.read(bad);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'FINOPS_TOKEN_METRICS_INVALID', issues: [
      expect.objectContaining({ path: ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'sum', 'dataPoints', 0], message: expect.stringMatching(/type "thinking"/) }),
      expect.objectContaining({ path: ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'sum', 'dataPoints', 1], message: expect.stringMatching(/non-negative/) }),
    ] });
    expect(reader.read(tokens([{ type: 'input', value: 40, minute: 2 }], 2)).usage[0]?.inputTokens).toBe(40);
  });
});
