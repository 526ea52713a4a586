import { ValidationError, type ValidationIssue } from '@sightline/core';
import type { CostRecord } from './cost-record.js';
import { DEFAULT_LLM_PRICES, tokenUsageToCostRecord, type LlmPriceTable, type TokenUsage } from './llm-token-cost.js';

/** An OTLP JSON `AnyValue` (only the scalar kinds are read). */
export interface OtlpAnyValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
  readonly doubleValue?: number;
  readonly boolValue?: boolean;
}

/** An OTLP JSON attribute. */
export interface OtlpKeyValue {
  readonly key: string;
  readonly value?: OtlpAnyValue;
}

/** An OTLP JSON number data point. Times are nanoseconds since the epoch, as strings or numbers. */
export interface OtlpNumberDataPoint {
  readonly attributes?: readonly OtlpKeyValue[];
  readonly startTimeUnixNano?: string | number;
  readonly timeUnixNano: string | number;
  readonly asInt?: string | number;
  readonly asDouble?: number;
}

/** An OTLP JSON metric; only `sum` metrics are read. */
export interface OtlpMetric {
  readonly name: string;
  readonly unit?: string;
  readonly sum?: {
    readonly dataPoints: readonly OtlpNumberDataPoint[];
    /** 1 (or `AGGREGATION_TEMPORALITY_DELTA`) = delta, 2 (or `..._CUMULATIVE`) = cumulative. */
    readonly aggregationTemporality?: number | string;
  };
}

/**
 * The body of an OTLP/HTTP JSON metrics export (`ExportMetricsServiceRequest`), as an
 * OpenTelemetry SDK or Collector sends it to `/v1/metrics`.
 */
export interface OtlpMetricsData {
  readonly resourceMetrics: readonly {
    readonly resource?: { readonly attributes?: readonly OtlpKeyValue[] };
    readonly scopeMetrics?: readonly { readonly metrics?: readonly OtlpMetric[] }[];
  }[];
}

/** The cost the assistant itself estimated (`claude_code.cost.usage`), for reconciliation. */
export interface ReportedAssistantCost {
  /** Epoch ms of the data point. */
  readonly timestamp: number;
  readonly model: string;
  /** Micro-units of USD. */
  readonly cost: number;
  readonly user?: string;
  readonly sessionId?: string;
}

/** What {@link CodingAssistantUsageReader.read} found in one export. */
export interface CodingAssistantUsage {
  /** Token usage, one per (time, model, user, session), token types combined. */
  readonly usage: TokenUsage[];
  /** The assistant's own cost estimates, when it exports them. */
  readonly reportedCosts: ReportedAssistantCost[];
}

/** Options of {@link CodingAssistantUsageReader}. */
export interface CodingAssistantOptions {
  /** Team of a data point from its attributes (resource attributes merged under point attributes). Default: `sightline.team` or `team`. */
  readonly teamOf?: (attributes: Readonly<Record<string, string>>) => string | undefined;
}

/** Claude Code's token counter and its attributes (Claude Code monitoring docs, "Metrics"). */
const TOKEN_METRIC = 'claude_code.token.usage';
const COST_METRIC = 'claude_code.cost.usage';
const TOKEN_TYPES = { input: 'inputTokens', output: 'outputTokens', cacheRead: 'cacheReadTokens', cacheCreation: 'cacheCreationTokens' } as const;

/**
 * Reads AI coding-assistant token metrics from OTLP JSON: Claude Code's `claude_code.token.usage`
 * counter (attributes `type` = input | output | cacheRead | cacheCreation, `model`,
 * `user.email` / `user.account_uuid` / `user.id`, `session.id`) and `claude_code.cost.usage`
 * (USD, the assistant's own estimate). Delta points count as they are; a cumulative series counts
 * its increase since the previous point of the same series seen by this reader (the first point
 * counts from the series' start, a drop is a counter reset), so keep one reader per stream.
 * Malformed points throw `FINOPS_TOKEN_METRICS_INVALID` listing every problem with its path;
 * other metrics are ignored.
 * @example
 * const reader = new CodingAssistantUsageReader();
 * const { usage } = reader.read(otlpJsonBody);
 * const records = usage.map((u) => tokenUsageToCostRecord(u));
 */
export class CodingAssistantUsageReader {
  readonly #options: CodingAssistantOptions;
  /** Cumulative series → last value seen. */
  readonly #last = new Map<string, number>();

  constructor(options: CodingAssistantOptions = {}) {
    this.#options = options;
  }

  read(data: OtlpMetricsData): CodingAssistantUsage {
    const issues: ValidationIssue[] = [];
    const usage = new Map<string, { -readonly [K in keyof TokenUsage]: TokenUsage[K] }>();
    const reportedCosts: ReportedAssistantCost[] = [];
    const seen = new Map<string, number>();
    (data?.resourceMetrics ?? []).forEach((resourceMetrics, r) => {
      const resource = attributeMap(resourceMetrics.resource?.attributes);
      (resourceMetrics.scopeMetrics ?? []).forEach((scope, s) => {
        (scope.metrics ?? []).forEach((metric, m) => {
          if (metric.name !== TOKEN_METRIC && metric.name !== COST_METRIC) return;
          const path = ['resourceMetrics', r, 'scopeMetrics', s, 'metrics', m];
          if (!metric.sum || !Array.isArray(metric.sum.dataPoints)) {
            issues.push({ path, message: `${metric.name} must be an OTLP sum with dataPoints`, code: 'FINOPS_TOKEN_METRICS_INVALID' });
            return;
          }
          const cumulative = metric.sum.aggregationTemporality === 2 || metric.sum.aggregationTemporality === 'AGGREGATION_TEMPORALITY_CUMULATIVE';
          metric.sum.dataPoints.forEach((point, p) => {
            const at = [...path, 'sum', 'dataPoints', p];
            const attributes = { ...resource, ...attributeMap(point.attributes) };
            const timestamp = nanosToMs(point.timeUnixNano);
            const value = point.asInt !== undefined ? Number(point.asInt) : point.asDouble;
            const model = attributes['model'];
            const problems: string[] = [];
            if (timestamp === undefined) problems.push(`timeUnixNano ${JSON.stringify(point.timeUnixNano)} is not a time in nanoseconds`);
            if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) problems.push(`value ${JSON.stringify(point.asInt ?? point.asDouble)} is not a non-negative number`);
            if (model === undefined || model === '') problems.push('attribute model is missing');
            const type = attributes['type'];
            if (metric.name === TOKEN_METRIC && (type === undefined || !Object.hasOwn(TOKEN_TYPES, type))) problems.push(`attribute type ${JSON.stringify(type)} must be input, output, cacheRead or cacheCreation`);
            if (metric.name === TOKEN_METRIC && typeof value === 'number' && !Number.isInteger(value)) problems.push(`token count ${value} is not an integer`);
            if (problems.length > 0 || timestamp === undefined || typeof value !== 'number' || model === undefined) {
              issues.push({ path: at, message: `${metric.name}: ${problems.join('; ')}`, code: 'FINOPS_TOKEN_METRICS_INVALID' });
              return;
            }
            const user = attributes['user.email'] ?? attributes['user.account_uuid'] ?? attributes['user.id'];
            const sessionId = attributes['session.id'];
            const team = this.#options.teamOf ? this.#options.teamOf(attributes) : (attributes['sightline.team'] ?? attributes['team']);
            let amount = value;
            if (cumulative) {
              const series = `${metric.name}\u0000${String(point.startTimeUnixNano ?? '')}\u0000${JSON.stringify(Object.entries(attributes).sort())}`;
              const last = seen.get(series) ?? this.#last.get(series);
              amount = last === undefined || value < last ? value : value - last;
              seen.set(series, value);
            }
            if (amount === 0) return;
            if (metric.name === COST_METRIC) {
              reportedCosts.push({ timestamp, model, cost: Math.round(amount * 1_000_000), ...(user === undefined ? {} : { user }), ...(sessionId === undefined ? {} : { sessionId }) });
              return;
            }
            const key = `${timestamp}\u0000${model}\u0000${user ?? ''}\u0000${sessionId ?? ''}\u0000${team ?? ''}`;
            let entry = usage.get(key);
            if (!entry) {
              entry = { model, provider: 'anthropic', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, timestamp };
              if (user !== undefined) entry.user = user;
              if (team !== undefined) entry.team = team;
              if (sessionId !== undefined) entry.sessionId = sessionId;
              usage.set(key, entry);
            }
            const field = TOKEN_TYPES[type as keyof typeof TOKEN_TYPES];
            entry[field] += amount;
          });
        });
      });
    });
    // Nothing from a bad export is taken, so a corrected resend is not double counted.
    if (issues.length > 0) throw new ValidationError('FINOPS_TOKEN_METRICS_INVALID', 'coding-assistant metrics', issues);
    for (const [series, value] of seen) this.#last.set(series, value);
    return { usage: [...usage.values()].sort((a, b) => a.timestamp - b.timestamp), reportedCosts };
  }
}

/**
 * One-call form: reads an OTLP JSON export of coding-assistant metrics (delta temporality, or a
 * complete cumulative history) and prices each usage into a {@link CostRecord} with the dated
 * price table (tags `user`, `team`, `session`, `model`, `priceVersion`), ready for breakdowns by
 * `tag:user`, `tag:session` or `tag:model`, chargeback and anomalies.
 * @example
 * const records = codingAssistantCostRecords(body, { prices: DEFAULT_LLM_PRICES });
 * await breakdownCosts(records, { by: ['tag:user'], granularity: 'day' });
 */
export function codingAssistantCostRecords(data: OtlpMetricsData, options: CodingAssistantOptions & { readonly prices?: LlmPriceTable } = {}): CostRecord[] {
  const { usage } = new CodingAssistantUsageReader(options).read(data);
  return usage.map((u, i) => tokenUsageToCostRecord(u, options.prices ?? DEFAULT_LLM_PRICES, i + 1));
}

function attributeMap(attributes: readonly OtlpKeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of attributes ?? []) {
    if (value === undefined) continue;
    const text = value.stringValue ?? (value.intValue !== undefined ? String(value.intValue) : value.doubleValue !== undefined ? String(value.doubleValue) : value.boolValue !== undefined ? String(value.boolValue) : undefined);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

function nanosToMs(nanos: string | number | undefined): number | undefined {
  if (typeof nanos === 'number') return Number.isFinite(nanos) && nanos >= 0 ? Math.floor(nanos / 1e6) : undefined;
  if (typeof nanos !== 'string' || !/^\d{1,25}$/.test(nanos)) return undefined;
  return Number(BigInt(nanos) / 1_000_000n);
}
