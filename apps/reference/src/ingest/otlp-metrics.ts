import { arrayField, cleanText, MAX_NAME_LENGTH, decodeAttributes, isRecord, nanosToMs, OtlpDecodeError, toNumber, walkOtlp, type Attributes, type Decoded } from './otlp-values.js';

/** One metric point as stored. Histograms keep their buckets; `value` is then the sum. */
export interface MetricRow {
  name: string;
  service: string;
  kind: 'gauge' | 'sum' | 'histogram';
  labels: Attributes;
  time_ms: number;
  value: number;
  histogram: { count: number; bounds: number[]; counts: number[] } | null;
  /** Of sums and histograms: whether `value` is this interval's (delta) or since the start (cumulative). */
  temporality: 'delta' | 'cumulative' | null;
}

/**
 * Decodes an OTLP/JSON `ExportMetricsServiceRequest` (gauge, sum and explicit-bucket histogram).
 * A bad metric or data point is rejected and counted; see {@link walkOtlp}.
 */
export function decodeMetrics(body: unknown): Decoded<MetricRow> {
  return walkOtlp(body, { request: 'ExportMetricsServiceRequest', resource: 'resourceMetrics', scope: 'scopeMetrics', items: 'metrics' }, (metric, path, { service, reject }) => {
    if (!isRecord(metric) || typeof metric.name !== 'string' || metric.name === '') throw new OtlpDecodeError(`${path}.name`, 'must be a non-empty string');
    if (metric.name.length > MAX_NAME_LENGTH) throw new OtlpDecodeError(`${path}.name`, `must be at most ${MAX_NAME_LENGTH} characters, got ${metric.name.length}`);
    const name = cleanText(metric.name);
    const [kind, data] = isRecord(metric.gauge) ? (['gauge', metric.gauge] as const) : isRecord(metric.sum) ? (['sum', metric.sum] as const) : isRecord(metric.histogram) ? (['histogram', metric.histogram] as const) : [undefined, undefined];
    if (kind === undefined) throw new OtlpDecodeError(path, 'only gauge, sum and histogram metrics are accepted');
    // A bad data point is rejected alone; the metric's other points are kept.
    const points: MetricRow[] = [];
    arrayField(data, 'dataPoints', `${path}.${kind}`).forEach((point, p) => {
      try {
        points.push(decodePoint(point, `${path}.${kind}.dataPoints[${p}]`, name, kind, service, temporalityOf(data)));
      } catch (error) {
        reject(error);
      }
    });
    return points;
  });
}

/** OTLP `AggregationTemporality`: 1 delta, 2 cumulative (the SDKs' default), absent for gauges. */
function temporalityOf(data: Record<string, unknown>): MetricRow['temporality'] {
  const value = data.aggregationTemporality;
  return value === 1 || value === 'AGGREGATION_TEMPORALITY_DELTA' ? 'delta' : value === 2 || value === 'AGGREGATION_TEMPORALITY_CUMULATIVE' ? 'cumulative' : null;
}

function decodePoint(point: unknown, path: string, name: string, kind: MetricRow['kind'], service: string, temporality: MetricRow['temporality']): MetricRow {
  if (!isRecord(point)) throw new OtlpDecodeError(path, 'must be a data point object');
  const labels = decodeAttributes(arrayField(point, 'attributes', path), `${path}.attributes`);
  const time_ms = nanosToMs(point.timeUnixNano, `${path}.timeUnixNano`);
  if (kind !== 'histogram') {
    const raw = point.asDouble ?? point.asInt;
    const value = toNumber(raw, `${path}.asDouble`);
    if (!Number.isFinite(value)) throw new OtlpDecodeError(`${path}.asDouble`, 'must be finite');
    return { name, service, kind, labels, time_ms, value, histogram: null, temporality: kind === 'sum' ? (temporality ?? 'cumulative') : null };
  }
  const counts = arrayField(point, 'bucketCounts', path).map((c, i) => toNumber(c, `${path}.bucketCounts[${i}]`));
  const bounds = arrayField(point, 'explicitBounds', path).map((b, i) => toNumber(b, `${path}.explicitBounds[${i}]`));
  if (counts.length !== 0 && counts.length !== bounds.length + 1) {
    throw new OtlpDecodeError(`${path}.bucketCounts`, `must have explicitBounds.length + 1 = ${bounds.length + 1} entries, got ${counts.length}`);
  }
  const count = toNumber(point.count ?? 0, `${path}.count`);
  const sum = point.sum === undefined ? 0 : toNumber(point.sum, `${path}.sum`);
  return { name, service, kind, labels, time_ms, value: sum, histogram: { count, bounds, counts }, temporality: temporality ?? 'cumulative' };
}
