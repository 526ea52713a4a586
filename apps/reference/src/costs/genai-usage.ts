import { usageFromSpanAttributes, type TokenUsage } from '@sightline/finops';
import type { MetricRow } from '../ingest/otlp-metrics.js';
import type { SpanRow } from '../ingest/otlp-traces.js';

type TokenType = 'input' | 'output' | 'cacheRead' | 'cacheCreation';

/** The token metrics understood, with where each keeps its token type, model and provider. */
const TOKEN_METRICS: Record<string, { type: string; model: readonly string[]; provider?: string }> = {
  // OpenTelemetry GenAI semantic conventions: a histogram of tokens per call.
  'gen_ai.client.token.usage': { type: 'gen_ai.token.type', model: ['gen_ai.response.model', 'gen_ai.request.model'] },
  // Claude Code's OpenTelemetry export: a counter per token type, user and session.
  'claude_code.token.usage': { type: 'type', model: ['model'], provider: 'anthropic' },
};
const TYPES: Record<string, TokenType> = { input: 'input', output: 'output', cacheRead: 'cacheRead', cacheCreation: 'cacheCreation', cache_read: 'cacheRead', cache_creation: 'cacheCreation' };

const text = (attributes: Readonly<Record<string, unknown>>, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
};

/** Who a call is attributed to: `user.id` (or Claude Code's `user.email`), `sightline.team`, the session. */
function attribution(attributes: Readonly<Record<string, unknown>>): Pick<TokenUsage, 'user' | 'team' | 'sessionId'> {
  const user = text(attributes, 'user.id', 'user.email', 'user.account_uuid');
  const team = text(attributes, 'sightline.team', 'team');
  const sessionId = text(attributes, 'session.id', 'gen_ai.conversation.id');
  return { ...(user === undefined ? {} : { user }), ...(team === undefined ? {} : { team }), ...(sessionId === undefined ? {} : { sessionId }) };
}

/**
 * Token usage of a GenAI span (one with `gen_ai.usage.*` attributes), attributed from the span's
 * and its resource's attributes; undefined for other spans. Throws finops's
 * `FINOPS_TOKEN_USAGE_INVALID` for malformed usage.
 */
export function spanTokenUsage(span: SpanRow): TokenUsage | undefined {
  if (span.attributes['gen_ai.usage.input_tokens'] === undefined && span.attributes['gen_ai.usage.output_tokens'] === undefined) return undefined;
  return usageFromSpanAttributes(span.attributes, { timestamp: span.start_ms, ...attribution({ ...span.resource, ...span.attributes }) });
}

/**
 * Token usage from token metrics: each point's increase (a delta point as it is; a cumulative one
 * against the last value of its series, a drop being a reset) becomes one usage of its token
 * type. The first point of a cumulative series is its baseline: what it counted before this
 * process saw it cannot be told from what it counts now.
 */
export class TokenMetricReader {
  readonly #last = new Map<string, number>();

  usage(points: readonly MetricRow[]): TokenUsage[] {
    const out: TokenUsage[] = [];
    for (const point of points) {
      const spec = Object.hasOwn(TOKEN_METRICS, point.name) ? TOKEN_METRICS[point.name] : undefined;
      if (spec === undefined) continue;
      const type = TYPES[String(point.labels[spec.type])];
      const model = text(point.labels, ...spec.model);
      if (type === undefined || model === undefined || !(point.value >= 0)) continue;
      const tokens = this.#increase(point);
      if (tokens === undefined || tokens === 0) continue;
      out.push({
        model,
        provider: spec.provider ?? text(point.labels, 'gen_ai.provider.name', 'gen_ai.system') ?? 'unknown',
        inputTokens: type === 'input' ? tokens : 0,
        outputTokens: type === 'output' ? tokens : 0,
        cacheReadTokens: type === 'cacheRead' ? tokens : 0,
        cacheCreationTokens: type === 'cacheCreation' ? tokens : 0,
        timestamp: point.time_ms,
        ...attribution(point.labels),
      });
    }
    return out;
  }

  #increase(point: MetricRow): number | undefined {
    if (point.temporality === 'delta') return Math.round(point.value);
    const series = `${point.service}\u0000${point.name}\u0000${JSON.stringify(point.labels)}`;
    const last = this.#last.get(series);
    this.#last.set(series, point.value);
    if (last === undefined) return undefined;
    return Math.round(point.value < last ? point.value : point.value - last);
  }
}
