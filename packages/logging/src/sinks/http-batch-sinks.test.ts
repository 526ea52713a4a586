import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ManualClock } from '@sightline/core';
import { createLogger, LOGGING_OPTIONS_INVALID, SINK_ERROR_EVENT, type SinkErrorEvent } from '../index.js';
import type { Scheduler } from './http-batch-sink.js';
import { ElasticsearchSink } from './elasticsearch-sink.js';
import { LokiSink } from './loki-sink.js';
import { OtlpLogSink } from './otlp-log-sink.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  body?: string;
}

/** A real HTTP endpoint on 127.0.0.1 whose answer the test changes as it goes. */
class TestEndpoint {
  readonly received: Received[] = [];
  /** The answer to each request; `undefined` never answers (a hung endpoint). */
  reply: (request: Received) => Reply | undefined = () => ({ status: 204 });
  readonly #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.received.push(request);
      const answer = this.reply(request);
      if (answer === undefined) return;
      const { status, body } = answer;
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  url = '';
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Collects the sink's periodic tick so the test fires it by hand after moving the clock. */
class ManualScheduler implements Scheduler {
  tick: () => void = () => undefined;
  every(_intervalMs: number, tick: () => void): () => void {
    this.tick = tick;
    return () => {
      this.tick = () => undefined;
    };
  }
}

const START = Date.parse('2026-03-01T12:00:00.000Z');
const open: { stop(): Promise<void> }[] = [];
async function endpoint(): Promise<TestEndpoint> {
  const e = await new TestEndpoint().start();
  open.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((o) => o.stop()));
});

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

function harness<S extends LokiSink | ElasticsearchSink | OtlpLogSink>(make: (clock: ManualClock, scheduler: ManualScheduler) => S) {
  const clock = new ManualClock(START);
  const scheduler = new ManualScheduler();
  const sink = make(clock, scheduler);
  const logger = createLogger({ service: 'checkout', sinks: [sink], clock });
  const events: SinkErrorEvent[] = [];
  logger.on(SINK_ERROR_EVENT, (event) => events.push(event));
  open.push({ stop: () => logger.close() });
  return { clock, scheduler, sink, logger, events };
}

describe('LokiSink', () => {
  it('posts the Loki push API JSON: streams by service and level, values of [ns string, line]', async () => {
    const server = await endpoint();
    const { sink, logger, clock } = harness((clock, scheduler) => new LokiSink({ url: server.url, labels: { env: 'test' }, headers: { 'X-Scope-OrgID': 'team-a' }, clock, scheduler }));
    logger.info('a', { n: 1 });
    clock.advance(5);
    logger.error('b', { n: 2 });
    logger.info('c', { n: 3 });
    await sink.flush();
    expect(server.received).toHaveLength(1);
    const request = server.received[0]!;
    expect([request.method, request.path, request.headers['content-type'], request.headers['x-scope-orgid']]).toEqual(['POST', '/loki/api/v1/push', 'application/json', 'team-a']);
    const payload = JSON.parse(request.body) as { streams: { stream: Record<string, string>; values: [string, string][] }[] };
    expect(payload.streams.map((s) => s.stream)).toEqual([{ env: 'test', service: 'checkout', level: 'info' }, { env: 'test', service: 'checkout', level: 'error' }]);
    // Unix epoch nanoseconds as a string: the ms time followed by six zeros.
    expect(payload.streams[0]!.values.map(([ns]) => ns)).toEqual([`${START}000000`, `${START + 5}000000`]);
    expect(payload.streams[0]!.values.map(([, line]) => (JSON.parse(line) as { n: number }).n)).toEqual([1, 3]);
    expect(payload.streams[1]!.values).toEqual([[`${START + 5}000000`, expect.stringContaining('"message":"b"')]]);
    expect(sink.stats).toEqual({ written: 3, dropped: 0, failures: 0, queued: 0, abandoned: 0 });
  });

  it('keeps every record through a 503 outage, backs off exponentially by the clock, and delivers in order on recovery', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 503, body: '{"error":"ingester unavailable"}' });
    let requests = 0;
    const countingFetch: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const { sink, logger, clock, scheduler, events } = harness((clock, scheduler) => new LokiSink({ url: server.url, retryBase: 500, retryMax: '10s', clock, scheduler, fetch: countingFetch }));
    for (let i = 0; i < 5; i++) logger.info('event', { i });
    await sink.flush();
    expect(events).toEqual([expect.objectContaining({ sink: 'loki', records: 5, dropped: false })]);
    expect(String(events[0]!.error)).toContain('HTTP 503');
    expect(sink.nextRetryAt).toBe(START + 500);

    // The timer does not retry before the backoff ends (the request would start synchronously).
    clock.advance(499);
    scheduler.tick();
    expect(requests).toBe(1);
    clock.advance(1);
    scheduler.tick();
    expect(requests).toBe(2);
    await sink.flush(); // joins the retry in flight
    // Second consecutive failure: the delay doubles to 1000 ms.
    expect(sink.nextRetryAt).toBe(START + 500 + 1_000);

    server.reply = () => ({ status: 204 });
    clock.advance(999);
    scheduler.tick();
    expect(requests).toBe(2);
    clock.advance(1);
    scheduler.tick();
    await sink.flush();
    expect(requests).toBe(3);
    const delivered = (JSON.parse(server.received[2]!.body) as { streams: { values: [string, string][] }[] }).streams[0]!.values.map(([, line]) => (JSON.parse(line) as { i: number }).i);
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
    expect(sink.stats).toEqual({ written: 5, dropped: 0, failures: 2, queued: 0, abandoned: 0 });
    expect(sink.nextRetryAt).toBe(0);
  });

  it('drops and counts records past maxQueue while the endpoint is down, and delivers the rest', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 503 });
    const { sink, logger, events } = harness((clock, scheduler) => new LokiSink({ url: server.url, batchSize: 2, maxQueue: 4, clock, scheduler }));
    for (let i = 0; i < 7; i++) logger.info('event', { i });
    await sink.flush();
    expect(sink.stats).toMatchObject({ queued: 4, dropped: 3 });
    expect(events.filter((e) => e.dropped)).toHaveLength(1);
    server.reply = () => ({ status: 204 });
    await sink.flush();
    const delivered = server.received.slice(-2).flatMap((r) => (JSON.parse(r.body) as { streams: { values: [string, string][] }[] }).streams[0]!.values.map(([, line]) => (JSON.parse(line) as { i: number }).i));
    expect(delivered).toEqual([0, 1, 2, 3]);
    expect(sink.stats).toMatchObject({ written: 4, dropped: 3, queued: 0 });
  });

  it('sends a full batch without waiting for the timer', async () => {
    const server = await endpoint();
    const { sink, logger } = harness((clock, scheduler) => new LokiSink({ url: server.url, batchSize: 2, clock, scheduler }));
    logger.info('one');
    logger.info('two');
    await sink.flush();
    expect(server.received).toHaveLength(1);
    expect(sink.stats.written).toBe(2);
  });

  it('reports a refused connection as a retryable failure and the logging call returns normally', async () => {
    const server = await endpoint();
    const url = server.url;
    await server.stop();
    open.splice(open.indexOf(server), 1);
    const { sink, logger, events } = harness((clock, scheduler) => new LokiSink({ url, clock, scheduler }));
    expect(() => logger.info('nobody listening')).not.toThrow();
    await sink.flush();
    expect(events).toEqual([expect.objectContaining({ sink: 'loki', records: 1, dropped: false })]);
    expect(sink.stats).toMatchObject({ queued: 1, failures: 1 });
  });

  it('drops a batch refused with a 400, since sending it again would fail again', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 400, body: 'entry too far behind' });
    const { sink, logger, events } = harness((clock, scheduler) => new LokiSink({ url: server.url, clock, scheduler }));
    logger.info('old');
    await sink.flush();
    expect(events).toEqual([expect.objectContaining({ records: 1, dropped: true })]);
    expect(String(events[0]!.error)).toContain('entry too far behind');
    expect(sink.stats).toEqual({ written: 0, dropped: 1, failures: 1, queued: 0, abandoned: 0 });
  });

  it('refuses records after shutdown, counting them as dropped, and shutdown is idempotent', async () => {
    const server = await endpoint();
    const { sink, logger } = harness((clock, scheduler) => new LokiSink({ url: server.url, clock, scheduler }));
    logger.info('before');
    await Promise.all([sink.shutdown(), sink.shutdown()]);
    sink.log({ level: 'info', message: 'late', [Symbol.for('message')]: '{"timestamp":"2026-03-01T12:00:00.000Z","level":"info","message":"late","service":"x"}' }, () => undefined);
    expect(server.received).toHaveLength(1);
    expect(sink.stats).toMatchObject({ written: 1, dropped: 1 });
  });

  it('rejects invalid options with LOGGING_OPTIONS_INVALID', () => {
    expect(() => new LokiSink({ url: 'not a url', batchSize: 0, maxQueue: 10, flushInterval: 'often' })).toThrow(
      expect.objectContaining({ code: LOGGING_OPTIONS_INVALID, issues: [expect.objectContaining({ path: ['url'] }), expect.objectContaining({ path: ['batchSize'] }), expect.objectContaining({ path: ['flushInterval'] })] }) as never,
    );
    expect(() => new ElasticsearchSink({ url: 'http://localhost:9200', batchSize: 100, maxQueue: 10 })).toThrow(expect.objectContaining({ code: LOGGING_OPTIONS_INVALID }) as never);
  });
});

describe('ElasticsearchSink', () => {
  it('posts _bulk NDJSON: a create action line and a document with @timestamp per record, ending in a newline', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 200, body: JSON.stringify({ errors: false, items: [{ create: { status: 201 } }, { create: { status: 201 } }] }) });
    const { sink, logger } = harness((clock, scheduler) => new ElasticsearchSink({ url: `${server.url}/`, index: 'logs-checkout-prod', clock, scheduler }));
    logger.info('paid', { orderId: 7 });
    logger.warn('slow', { ms: 900 });
    await sink.flush();
    const request = server.received[0]!;
    expect([request.method, request.path, request.headers['content-type']]).toEqual(['POST', '/_bulk', 'application/x-ndjson']);
    expect(request.body.endsWith('\n')).toBe(true);
    const lines = request.body.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { create: { _index: 'logs-checkout-prod' } },
      { '@timestamp': '2026-03-01T12:00:00.000Z', timestamp: '2026-03-01T12:00:00.000Z', level: 'info', message: 'paid', service: 'checkout', orderId: 7 },
      { create: { _index: 'logs-checkout-prod' } },
      { '@timestamp': '2026-03-01T12:00:00.000Z', timestamp: '2026-03-01T12:00:00.000Z', level: 'warn', message: 'slow', service: 'checkout', ms: 900 },
    ]);
    expect(sink.stats).toEqual({ written: 2, dropped: 0, failures: 0, queued: 0, abandoned: 0 });
  });

  it('retries items refused with 429, drops items refused with 400 and reports them', async () => {
    const server = await endpoint();
    let call = 0;
    server.reply = () => {
      call++;
      if (call === 1) {
        return { status: 200, body: JSON.stringify({ errors: true, items: [
          { create: { status: 201 } },
          { create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
          { create: { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [ms]' } } },
        ] }) };
      }
      return { status: 200, body: JSON.stringify({ errors: false, items: [{ create: { status: 201 } }] }) };
    };
    const { sink, logger, events } = harness((clock, scheduler) => new ElasticsearchSink({ url: server.url, clock, scheduler }));
    logger.info('a');
    logger.info('b');
    logger.info('c');
    await sink.flush();
    expect(sink.stats).toEqual({ written: 1, dropped: 1, failures: 2, queued: 1, abandoned: 0 });
    expect(events.map((e) => [e.records, e.dropped])).toEqual([[1, true], [1, false]]);
    expect(String(events[0]!.error)).toContain('document_parsing_exception');
    await sink.flush();
    const retried = server.received[1]!.body.split('\n')[1]!;
    expect((JSON.parse(retried) as { message: string }).message).toBe('b');
    expect(sink.stats).toEqual({ written: 2, dropped: 1, failures: 2, queued: 0, abandoned: 0 });
  });
});

describe('OtlpLogSink', () => {
  it('posts OTLP/HTTP JSON logs with severity, body, attributes and the trace context', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 200, body: '{}' });
    const { sink, logger } = harness((clock, scheduler) => new OtlpLogSink({ url: `${server.url}/v1/logs`, resource: { 'deployment.environment.name': 'test' }, clock, scheduler }));
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => logger.error('card declined', { attempt: 2, ratio: 0.5, retry: true, tags: ['a'] }));
    await sink.flush();
    const request = server.received[0]!;
    expect([request.path, request.headers['content-type']]).toEqual(['/v1/logs', 'application/json']);
    expect(JSON.parse(request.body)).toEqual({
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'deployment.environment.name', value: { stringValue: 'test' } }] },
        scopeLogs: [{
          scope: { name: '@sightline/logging' },
          logRecords: [{
            timeUnixNano: `${START}000000`,
            observedTimeUnixNano: `${START}000000`,
            severityNumber: 17,
            severityText: 'ERROR',
            body: { stringValue: 'card declined' },
            attributes: [
              { key: 'attempt', value: { intValue: '2' } },
              { key: 'ratio', value: { doubleValue: 0.5 } },
              { key: 'retry', value: { boolValue: true } },
              { key: 'tags', value: { stringValue: '["a"]' } },
            ],
            traceId: spanContext.traceId,
            spanId: spanContext.spanId,
            flags: 1,
          }],
        }],
      }],
    });
  });

  it('counts records the receiver rejected through partialSuccess', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'body too large' } }) });
    const { sink, logger, events } = harness((clock, scheduler) => new OtlpLogSink({ url: `${server.url}/v1/logs`, clock, scheduler }));
    logger.info('a');
    logger.info('b');
    await sink.flush();
    expect(sink.stats).toEqual({ written: 1, dropped: 1, failures: 1, queued: 0, abandoned: 0 });
    expect(String(events[0]!.error)).toContain('body too large');
  });
});

describe('HTTP batch sinks on shutdown', () => {
  const makers = {
    LokiSink: (url: string, clock: ManualClock, scheduler: ManualScheduler) => new LokiSink({ url, batchSize: 500, maxQueue: 2_000, shutdownTimeout: '5s', timeout: '1h', clock, scheduler }),
    ElasticsearchSink: (url: string, clock: ManualClock, scheduler: ManualScheduler) => new ElasticsearchSink({ url, batchSize: 500, maxQueue: 2_000, shutdownTimeout: '5s', timeout: '1h', clock, scheduler }),
    OtlpLogSink: (url: string, clock: ManualClock, scheduler: ManualScheduler) => new OtlpLogSink({ url: `${url}/v1/logs`, batchSize: 500, maxQueue: 2_000, shutdownTimeout: '5s', timeout: '1h', clock, scheduler }),
  };

  it.each(Object.keys(makers) as (keyof typeof makers)[])('%s abandons and counts the 1,000 records still queued when the endpoint hangs past the shutdown deadline', async (name) => {
    const server = await endpoint();
    server.reply = () => undefined;
    const { sink, logger, clock, scheduler, events } = harness((clock, scheduler) => makers[name](server.url, clock, scheduler));
    for (let i = 0; i < 1_000; i++) logger.info('event', { i });
    const done = sink.shutdown();
    // The deadline is measured on the injected clock and checked on the scheduler's tick.
    clock.advance(4_999);
    scheduler.tick();
    expect(sink.stats.abandoned).toBe(0);
    clock.advance(1);
    scheduler.tick();
    await done;
    expect(sink.stats).toMatchObject({ written: 0, queued: 0, abandoned: 1_000, dropped: 1_000 });
    expect(events.filter((e) => e.reason === 'shutdown')).toEqual([expect.objectContaining({ records: 1_000, dropped: true, reason: 'shutdown' })]);
    expect(String(events.find((e) => e.reason === 'shutdown')!.error)).toContain('shutdown deadline of 5000 ms passed');
  });

  it('abandons and counts what is left after a failed request during shutdown, without waiting for a retry', async () => {
    const server = await endpoint();
    server.reply = () => ({ status: 503 });
    const { sink, logger, events } = harness((clock, scheduler) => new LokiSink({ url: server.url, batchSize: 500, maxQueue: 2_000, clock, scheduler }));
    for (let i = 0; i < 1_000; i++) logger.info('event', { i });
    await sink.shutdown();
    expect(sink.stats).toMatchObject({ written: 0, queued: 0, abandoned: 1_000, dropped: 1_000 });
    expect(events.at(-1)).toEqual(expect.objectContaining({ records: 1_000, dropped: true, reason: 'shutdown' }));
  });

  it('delivers everything queued within the deadline and abandons nothing when the endpoint answers', async () => {
    const server = await endpoint();
    const { sink, logger } = harness((clock, scheduler) => new LokiSink({ url: server.url, batchSize: 500, maxQueue: 2_000, clock, scheduler }));
    for (let i = 0; i < 1_000; i++) logger.info('event', { i });
    await sink.shutdown();
    expect(sink.stats).toMatchObject({ written: 1_000, queued: 0, abandoned: 0, dropped: 0 });
  });
});
