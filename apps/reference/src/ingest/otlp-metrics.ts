import { arrayField, decodeAttributes, isRecord, nanosToMs, OtlpDecodeError, serviceName, toNumber, type Attributes } from './otlp-values.js';

/** One metric point as stored. Histograms keep their buckets; `value` is then the sum. */
export interface MetricRow {
  name: string;
  service: string;
  kind: 'gauge' | 'sum' | 'histogram';
  labels: Attributes;
  time_ms: number;
  value: number;
  histogram: { count: number; bounds: number[]; counts: number[] } | null;
}

export interface DecodedMetrics {
  points: MetricRow[];
  rejected: number;
  errors: string[];
}

/** Decodes an OTLP/JSON `ExportMetricsServiceRequest` (gauge, sum and explicit-bucket histogram). */
export function decodeMetrics(body: unknown): DecodedMetrics {
  if (!isRecord(body)) throw new OtlpDecodeError('(body)', 'must be an ExportMetricsServiceRequest JSON object');
  const result: DecodedMetrics = { points: [], rejected: 0, errors: [] };
  const reject = (error: unknown) => {
    if (!(error instanceof OtlpDecodeError)) throw error;
    result.rejected++;
    if (result.errors.length < 10) result.errors.push(error.message);
  };
  arrayField(body, 'resourceMetrics', '(body)').forEach((rm, r) => {
    const rmPath = `resourceMetrics[${r}]`;
    if (!isRecord(rm)) throw new OtlpDecodeError(rmPath, 'must be an object');
    const resource = decodeAttributes(arrayField(isRecord(rm.resource) ? rm.resource : {}, 'attributes', `${rmPath}.resource`), `${rmPath}.resource.attributes`);
    const service = serviceName(resource);
    arrayField(rm, 'scopeMetrics', rmPath).forEach((sm, s) => {
      const smPath = `${rmPath}.scopeMetrics[${s}]`;
      if (!isRecord(sm)) throw new OtlpDecodeError(smPath, 'must be an object');
      arrayField(sm, 'metrics', smPath).forEach((metric, m) => {
        const mPath = `${smPath}.metrics[${m}]`;
        try {
          if (!isRecord(metric) || typeof metric.name !== 'string' || metric.name === '') throw new OtlpDecodeError(`${mPath}.name`, 'must be a non-empty string');
          const name = metric.name;
          const [kind, data] = isRecord(metric.gauge) ? (['gauge', metric.gauge] as const) : isRecord(metric.sum) ? (['sum', metric.sum] as const) : isRecord(metric.histogram) ? (['histogram', metric.histogram] as const) : [undefined, undefined];
          if (kind === undefined) throw new OtlpDecodeError(mPath, 'only gauge, sum and histogram metrics are accepted');
          arrayField(data, 'dataPoints', `${mPath}.${kind}`).forEach((point, p) => {
            try {
              result.points.push(decodePoint(point, `${mPath}.${kind}.dataPoints[${p}]`, name, kind, service));
            } catch (error) {
              reject(error);
            }
          });
        } catch (error) {
          reject(error);
        }
      });
    });
  });
  return result;
}

function decodePoint(point: unknown, path: string, name: string, kind: MetricRow['kind'], service: string): MetricRow {
  if (!isRecord(point)) throw new OtlpDecodeError(path, 'must be a data point object');
  const labels = decodeAttributes(arrayField(point, 'attributes', path), `${path}.attributes`);
  const time_ms = nanosToMs(point.timeUnixNano, `${path}.timeUnixNano`);
  if (kind !== 'histogram') {
    const raw = point.asDouble ?? point.asInt;
    const value = toNumber(raw, `${path}.asDouble`);
    if (!Number.isFinite(value)) throw new OtlpDecodeError(`${path}.asDouble`, 'must be finite');
    return { name, service, kind, labels, time_ms, value, histogram: null };
  }
  const counts = arrayField(point, 'bucketCounts', path).map((c, i) => toNumber(c, `${path}.bucketCounts[${i}]`));
  const bounds = arrayField(point, 'explicitBounds', path).map((b, i) => toNumber(b, `${path}.explicitBounds[${i}]`));
  if (counts.length !== 0 && counts.length !== bounds.length + 1) {
    throw new OtlpDecodeError(`${path}.bucketCounts`, `must have explicitBounds.length + 1 = ${bounds.length + 1} entries, got ${counts.length}`);
  }
  const count = toNumber(point.count ?? 0, `${path}.count`);
  const sum = point.sum === undefined ? 0 : toNumber(point.sum, `${path}.sum`);
  return { name, service, kind, labels, time_ms, value: sum, histogram: { count, bounds, counts } };
}
