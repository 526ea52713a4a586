import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind } from '@opentelemetry/api';
import { installTestTracing } from './testing.js';
import { recordGenAiUsage, traceGenAi } from './gen-ai.js';
import { withAttribution } from './attribution.js';

const tracing = installTestTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => tracing.reset());

describe('traceGenAi', () => {
  it('writes gen_ai.* attributes, usage and cost, attributed to the principal', async () => {
    const answer = await withAttribution({ id: 'dev-7', kind: 'user', team: 'search' }, { project: 'assistant' }, () =>
      traceGenAi({ operation: 'chat', provider: 'openai', model: 'gpt-4o' }, async (span) => {
        recordGenAiUsage(span, { inputTokens: 1200, outputTokens: 300, responseModel: 'gpt-4o-2024-08-06', costUsd: 0.0075 });
        return 'hello';
      }));
    expect(answer).toBe('hello');
    const span = tracing.assertSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'sightline.gen_ai.cost.usd': 0.0075,
        'user.id': 'dev-7',
        'sightline.team': 'search',
        'sightline.project': 'assistant',
      },
    });
    expect(span.attributes['gen_ai.system']).toBeUndefined();
  });

  it('rejects empty request fields and bad usage with TRACING_GEN_AI_INVALID, setting nothing', () => {
    expect(() => traceGenAi({ operation: 'chat', provider: '', model: 'm' }, () => undefined)).toThrow(expect.objectContaining({ code: 'TRACING_GEN_AI_INVALID' }));
    traceGenAi({ operation: 'chat', provider: 'p', model: 'm' }, (span) => {
      expect(() => recordGenAiUsage(span, { inputTokens: 10, outputTokens: 1.5 })).toThrow(expect.objectContaining({ code: 'TRACING_GEN_AI_INVALID' }));
      expect(() => recordGenAiUsage(span, { costUsd: -1 })).toThrow(expect.objectContaining({ code: 'TRACING_GEN_AI_INVALID' }));
    });
    expect(tracing.span('chat m').attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});
