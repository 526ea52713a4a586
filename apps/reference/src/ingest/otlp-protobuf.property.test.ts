// Property tests (fast-check, fixed seed, FC_SEED to explore) of OTLP protobuf decoding: any bytes,
// and valid requests from the stock OTel serializer with bytes flipped, cut or inserted, either
// decode (every item then validated like OTLP/JSON: stored or counted as rejected) or throw
// OtlpDecodeError (→ 400 / INVALID_ARGUMENT) — never another error (→ 500) — well within a bound.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor, LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { decodeLogs } from './otlp-logs.js';
import { decodeMetrics } from './otlp-metrics.js';
import { decodeProtobufRequest, type OtlpSignal } from './otlp-protobuf.js';
import { decodeTraces } from './otlp-traces.js';
import { OtlpDecodeError } from './otlp-values.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_203);
/** Cases per property; the README states the totals. */
const RUNS = 500;
/** A generous bound for one decode (ms), to catch hangs: real requests of this size take well under 1 ms. */
const BOUND_MS = 5_000;

const VALIDATE: Record<OtlpSignal, (body: unknown) => unknown> = { traces: decodeTraces, logs: (body) => decodeLogs(body, 9), metrics: decodeMetrics };

/** Decodes and validates `bytes` as `signal`; 'rejected' for OtlpDecodeError, throws on anything else. */
function decodeAndValidate(signal: OtlpSignal, bytes: Uint8Array): 'decoded' | 'rejected' {
  const started = performance.now();
  let result: 'decoded' | 'rejected';
  try {
    VALIDATE[signal](decodeProtobufRequest(signal, bytes));
    result = 'decoded';
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw new Error(`threw ${String(error)} instead of OtlpDecodeError`, { cause: error });
    result = 'rejected';
  }
  const took = performance.now() - started;
  if (took > BOUND_MS) throw new Error(`decoding took ${took.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  return result;
}

/** `bytes` with byte edits applied: overwrite, cut the tail, or insert. */
const mutated = (bytes: Uint8Array) =>
  fc
    .array(fc.record({ at: fc.nat({ max: bytes.length }), value: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'cut', 'insert') }), { minLength: 1, maxLength: 6 })
    .map((edits) => {
      let out = Array.from(bytes);
      for (const edit of edits) {
        const at = Math.min(edit.at, out.length);
        if (edit.kind === 'set' && at < out.length) out[at] = edit.value;
        else if (edit.kind === 'cut') out = out.slice(0, at);
        else out.splice(at, 0, edit.value);
      }
      return Uint8Array.from(out);
    });

describe('OTLP protobuf decoding properties', () => {
  let traceRequest: Uint8Array;
  let logsRequest: Uint8Array;

  beforeAll(async () => {
    const resource = resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'prod' });
    const spans = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    const tracer = tracerProvider.getTracer('props');
    const parent = tracer.startSpan('POST /orders', { attributes: { 'http.route': '/orders', 'http.response.status_code': 201, tags: ['a', 'b'] } });
    parent.addEvent('validated', { items: 3 });
    parent.end();
    tracer.startSpan('charge card', { attributes: { amount: 12.5, retried: false } }).end();
    await tracerProvider.forceFlush();
    traceRequest = ProtobufTraceSerializer.serializeRequest(spans.getFinishedSpans())!;
    await tracerProvider.shutdown();

    const records = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: records })] });
    loggerProvider.getLogger('props').emit({ severityNumber: 17, severityText: 'ERROR', body: 'payment declined', attributes: { order: 'o-1', attempt: 2 } });
    await loggerProvider.forceFlush();
    logsRequest = ProtobufLogsSerializer.serializeRequest(records.getFinishedLogRecords() as ReadableLogRecord[])!;
    await loggerProvider.shutdown();
  });

  it('decodes the unmutated requests (the properties start from valid input)', () => {
    expect(decodeAndValidate('traces', traceRequest)).toBe('decoded');
    expect(decodeAndValidate('logs', logsRequest)).toBe('decoded');
  });

  it(`answers any bytes as a request or OtlpDecodeError, for every signal (${RUNS} cases each)`, () => {
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2_048 }), (bytes) => void decodeAndValidate(signal, bytes)),
        { seed: SEED, numRuns: RUNS },
      );
    }
  });

  it(`answers stock-serialized trace and log requests with bytes flipped, cut or inserted the same way (${RUNS} cases each)`, () => {
    fc.assert(fc.property(mutated(traceRequest), (bytes) => void decodeAndValidate('traces', bytes)), { seed: SEED, numRuns: RUNS });
    fc.assert(fc.property(mutated(logsRequest), (bytes) => void decodeAndValidate('logs', bytes)), { seed: SEED, numRuns: RUNS });
  });
});
