import { describe, expect, it } from '@jest/globals';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics } from './otlp-metrics.js';
import { decodeTraces } from './otlp-traces.js';
import { OtlpDecodeError } from './otlp-values.js';

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] };

describe('OTLP/JSON decoding', () => {
  it('rejects a bad metric data point alone and keeps the others', () => {
    const decoded = decodeMetrics({
      resourceMetrics: [{ resource, scopeMetrics: [{ metrics: [
        { name: 'queue', gauge: { dataPoints: [{ timeUnixNano: '1000000', asDouble: 3 }, { timeUnixNano: '1000000', asDouble: 'x' }, { timeUnixNano: '2000000', asInt: '4' }] } },
        { name: 'summary.p99', summary: { dataPoints: [] } },
        { name: 'hist', histogram: { dataPoints: [{ timeUnixNano: '1000000', count: '3', sum: 12, bucketCounts: ['1', '2'], explicitBounds: [5, 10] }] } },
      ] }] }],
    });
    expect(decoded.items.map((p) => [p.name, p.value])).toEqual([['queue', 3], ['queue', 4]]);
    expect(decoded.rejected).toBe(3);
    expect(decoded.errors).toEqual([
      expect.stringContaining('metrics[0].gauge.dataPoints[1].asDouble: must be a number'),
      expect.stringContaining('metrics[1]: only gauge, sum and histogram metrics are accepted'),
      expect.stringContaining('metrics[2].histogram.dataPoints[0].bucketCounts: must have explicitBounds.length + 1 = 3 entries, got 2'),
    ]);
  });

  it('keeps the service name and decodes nested attribute values', () => {
    const decoded = decodeTraces({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'lib' }, spans: [{
      traceId: 'AB'.repeat(16), spanId: 'cd'.repeat(8), name: 'x', startTimeUnixNano: '1000000', endTimeUnixNano: '3500000',
      attributes: [{ key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } }, { key: '__proto__', value: { boolValue: true } }],
    }] }] }] });
    expect(decoded.items[0]).toEqual(expect.objectContaining({ trace_id: 'ab'.repeat(16), service: 'api', scope: 'lib', duration_ms: 2.5 }));
    expect(decoded.items[0]?.attributes.tags).toEqual(['a', 2]);
    expect(Object.hasOwn(decoded.items[0]!.attributes, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).valueOf).toBe(Object.prototype.valueOf);
  });

  it('falls back to the observed time, then the receive time, for log records without a time', () => {
    const decoded = decodeLogs({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ observedTimeUnixNano: '5000000', body: { stringValue: 'a' } }, { body: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } }] }] }] }, 9);
    expect(decoded.items.map((l) => [l.time_ms, l.body])).toEqual([[5, 'a'], [9, '{"k":"v"}']]);
  });

  it('throws for a broken envelope so the request gets a 400', () => {
    expect(() => decodeLogs({ resourceLogs: [{ scopeLogs: 'nope' }] }, 0)).toThrow(OtlpDecodeError);
    expect(() => decodeTraces([])).toThrow('(body): must be an ExportTraceServiceRequest JSON object');
  });
});
