import { context as otelContext, SpanKind } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { IssueCollector } from '@sightline/core';
import { SemanticAttributes, SightlineAttributes } from './attributes.js';
import { addAttribution, defaultTracer, runInSpan } from './internal/run-in-span.js';
import type { DomainSpanOptions } from './domain-spans.js';

/** An AI-assistant call, described with the `gen_ai.*` semantic conventions. */
export interface GenAiRequest {
  /** `gen_ai.operation.name`, e.g. `chat`, `text_completion`, `embeddings`. */
  readonly operation: string;
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`, `aws.bedrock`. */
  readonly provider: string;
  /** `gen_ai.request.model`. */
  readonly model: string;
}

/** Token usage and estimated cost of one AI call. */
export interface GenAiUsage {
  /** `gen_ai.usage.input_tokens` (a non-negative integer). */
  readonly inputTokens?: number;
  /** `gen_ai.usage.output_tokens` (a non-negative integer). */
  readonly outputTokens?: number;
  /** `gen_ai.response.model`, when the provider answered with a specific model version. */
  readonly responseModel?: string;
  /** Estimated cost in US dollars, `sightline.gen_ai.cost.usd` (no semantic convention exists). */
  readonly costUsd?: number;
}

/**
 * Runs an AI call in a span named `<operation> <model>` (the gen_ai span name convention), kind
 * CLIENT, with `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model` and the
 * attribution in context. Record usage with {@link recordGenAiUsage}. Throws
 * `TRACING_GEN_AI_INVALID` for an empty operation, provider or model.
 * @example
 * const answer = await traceGenAi({ operation: 'chat', provider: 'openai', model: 'gpt-4o' }, async (span) => {
 *   const res = await client.chat(prompt);
 *   recordGenAiUsage(span, { inputTokens: res.usage.in, outputTokens: res.usage.out, costUsd: 0.0021 });
 *   return res.text;
 * });
 */
export function traceGenAi<R>(request: GenAiRequest, handler: (span: Span) => R, options?: DomainSpanOptions): R {
  const issues = new IssueCollector();
  for (const key of ['operation', 'provider', 'model'] as const) {
    if (typeof request?.[key] !== 'string' || request[key] === '') issues.add([key], 'must be a non-empty string', 'GEN_AI_FIELD');
  }
  issues.throwIfAny('TRACING_GEN_AI_INVALID', 'traceGenAi');
  const ctx = otelContext.active();
  const attributes: Attributes = { ...options?.attributes };
  attributes[SemanticAttributes.GEN_AI_OPERATION_NAME] = request.operation;
  attributes[SemanticAttributes.GEN_AI_PROVIDER_NAME] = request.provider;
  attributes[SemanticAttributes.GEN_AI_REQUEST_MODEL] = request.model;
  addAttribution(attributes, ctx);
  return runInSpan(options?.tracer ?? defaultTracer(), `${request.operation} ${request.model}`, options?.kind ?? SpanKind.CLIENT, attributes, undefined, ctx, undefined, handler);
}

/**
 * Sets token usage and estimated cost on `span`. Throws `TRACING_GEN_AI_INVALID` for token counts
 * that are not non-negative integers or a cost that is negative or not finite (nothing is set then).
 */
export function recordGenAiUsage(span: Span, usage: GenAiUsage): void {
  const issues = new IssueCollector();
  for (const key of ['inputTokens', 'outputTokens'] as const) {
    const value = usage[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) issues.add([key], `must be a non-negative integer, got ${String(value)}`, 'GEN_AI_TOKENS');
  }
  if (usage.costUsd !== undefined && (!Number.isFinite(usage.costUsd) || usage.costUsd < 0)) {
    issues.add(['costUsd'], `must be a finite number of US dollars >= 0, got ${String(usage.costUsd)}`, 'GEN_AI_COST');
  }
  issues.throwIfAny('TRACING_GEN_AI_INVALID', 'recordGenAiUsage');
  if (usage.inputTokens !== undefined) span.setAttribute(SemanticAttributes.GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
  if (usage.outputTokens !== undefined) span.setAttribute(SemanticAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
  if (usage.responseModel !== undefined) span.setAttribute(SemanticAttributes.GEN_AI_RESPONSE_MODEL, usage.responseModel);
  if (usage.costUsd !== undefined) span.setAttribute(SightlineAttributes.GEN_AI_COST_USD, usage.costUsd);
}
