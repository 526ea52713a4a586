import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ManualClock, ValidationError } from '@sightline/core';
import Transport from 'winston-transport';
import winston from 'winston';
import { PassThrough } from 'node:stream';
import { MESSAGE } from 'triple-beam';
import { createLogger, LOGGING_OPTIONS_INVALID, SINK_ERROR_EVENT, type SinkErrorEvent } from './index.js';

class LineCapture extends Transport {
  readonly lines: Record<string, unknown>[] = [];
  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    this.lines.push(JSON.parse(info[MESSAGE] as string) as Record<string, unknown>);
    callback();
  }
}

const START = Date.parse('2026-03-01T12:00:00.000Z');
function setup(level: 'info' | 'trace' = 'info') {
  const capture = new LineCapture();
  const clock = new ManualClock(START);
  const logger = createLogger({ service: 'checkout', level, sinks: [capture], clock });
  return { capture, clock, logger };
}

const contextManager = new AsyncLocalStorageContextManager();
const provider = new BasicTracerProvider();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

describe('createLogger', () => {
  it('writes the stable JSON line format: timestamp, level, message, service, then the fields', () => {
    const { capture, logger } = setup();
    logger.info('order placed', { orderId: 42 });
    expect(capture.lines).toEqual([{ timestamp: '2026-03-01T12:00:00.000Z', level: 'info', message: 'order placed', service: 'checkout', orderId: 42 }]);
    expect(Object.keys(capture.lines[0]!)).toEqual(['timestamp', 'level', 'message', 'service', 'orderId']);
  });

  it('takes the timestamp from the injected clock at the time of each call', () => {
    const { capture, clock, logger } = setup();
    logger.info('first');
    clock.advance(1_500);
    logger.info('second');
    expect(capture.lines.map((l) => l.timestamp)).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-01T12:00:01.500Z']);
  });

  it('drops lines below the configured level and keeps fatal and trace levels', () => {
    const { capture, logger } = setup();
    logger.debug('hidden');
    logger.fatal('boom');
    expect(capture.lines.map((l) => l.level)).toEqual(['fatal']);
    const verbose = setup('trace');
    verbose.logger.trace('visible');
    expect(verbose.capture.lines.map((l) => l.level)).toEqual(['trace']);
  });

  it('adds child fields to every line of the child and none to the parent', () => {
    const { capture, logger } = setup();
    const child = logger.child({ requestId: 'r-1' });
    child.child({ step: 'pay' }).warn('slow');
    logger.info('plain');
    expect(capture.lines[0]).toMatchObject({ requestId: 'r-1', step: 'pay', level: 'warn' });
    expect(capture.lines[1]).not.toHaveProperty('requestId');
  });

  it('writes correlation and causation ids as correlation_id and causation_id', () => {
    const { capture, logger } = setup();
    logger.info('handled', { correlationId: 'c-1', causationId: 'm-7' });
    expect(capture.lines[0]).toMatchObject({ correlation_id: 'c-1', causation_id: 'm-7' });
    expect(capture.lines[0]).not.toHaveProperty('correlationId');
  });

  it('writes no trace fields outside a span', () => {
    const { capture, logger } = setup();
    logger.info('no span');
    expect(capture.lines[0]).not.toHaveProperty('trace_id');
    expect(capture.lines[0]).not.toHaveProperty('span_id');
  });

  it('writes the active span trace_id, span_id and trace_flags at the time of the call', () => {
    const { capture, logger } = setup();
    const tracer = trace.getTracer('test');
    const span = tracer.startSpan('op');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    logger.info('after');
    span.end();
    const { traceId, spanId } = span.spanContext();
    expect(capture.lines[0]).toMatchObject({ trace_id: traceId, span_id: spanId, trace_flags: '01' });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(capture.lines[1]).not.toHaveProperty('trace_id');
  });

  it('keeps the span of each call across await, with two requests interleaved', async () => {
    const { capture, logger } = setup();
    const tracer = trace.getTracer('test');
    const handle = (name: string) =>
      tracer.startActiveSpan(name, async (span) => {
        logger.info(`${name} start`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        logger.info(`${name} end`);
        span.end();
        return span.spanContext().spanId;
      });
    const [a, b] = await Promise.all([handle('a'), handle('b')]);
    const spanOf = (message: string) => capture.lines.find((l) => l.message === message)?.span_id;
    expect([spanOf('a start'), spanOf('a end')]).toEqual([a, a]);
    expect([spanOf('b start'), spanOf('b end')]).toEqual([b, b]);
    expect(a).not.toEqual(b);
  });

  it('serializes an error given alone or as a field, with its cause chain', () => {
    const { capture, logger } = setup();
    const root = new Error('connection refused');
    const error = new Error('payment failed', { cause: root });
    logger.error(error);
    logger.error('charge failed', { err: error });
    expect(capture.lines[0]).toMatchObject({ message: 'payment failed', error: { name: 'Error', message: 'payment failed', cause: { message: 'connection refused' } } });
    expect(capture.lines[1]).toMatchObject({ message: 'charge failed', err: { message: 'payment failed', cause: { message: 'connection refused' } } });
    expect(String((capture.lines[1]!.err as { stack: string }).stack)).toContain('payment failed');
  });

  it('redacts the message and fields before any sink sees them', () => {
    const { capture, logger } = setup();
    logger.info('login by ada@example.com', { password: 'hunter2', headers: { authorization: 'Basic abc' } });
    expect(capture.lines[0]).toMatchObject({ message: 'login by [REDACTED]', password: '[REDACTED]', headers: { authorization: '[REDACTED]' } });
  });

  it('does not crash on circular fields and cuts them with a marker', () => {
    const { capture, logger } = setup();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(() => logger.info('cycle', { a })).not.toThrow();
    expect(capture.lines[0]).toMatchObject({ a: { name: 'a', self: '[Circular]' } });
  });

  it('forwards a sink failure as a sink-error event and the call returns normally', () => {
    class Broken extends Transport {
      override log(_info: unknown, callback: () => void): void {
        this.emit(SINK_ERROR_EVENT, { sink: 'broken', error: new Error('disk full'), records: 1, dropped: true } satisfies SinkErrorEvent);
        callback();
      }
    }
    const events: SinkErrorEvent[] = [];
    const logger = createLogger({ service: 's', sinks: [new Broken()] });
    logger.on(SINK_ERROR_EVENT, (event) => events.push(event));
    expect(() => logger.info('x')).not.toThrow();
    expect(events.map((e) => e.sink)).toEqual(['broken']);
  });

  it('turns a foreign transport error into a sink-error event instead of an uncaught error', () => {
    class Throwing extends Transport {
      override log(_info: unknown, callback: () => void): void {
        this.emit('error', new Error('socket closed'));
        callback();
      }
    }
    const events: SinkErrorEvent[] = [];
    const logger = createLogger({ service: 's', sinks: [new Throwing()] });
    logger.on(SINK_ERROR_EVENT, (event) => events.push(event));
    expect(() => logger.info('x')).not.toThrow();
    expect(events).toHaveLength(1);
  });

  it('rejects invalid options with LOGGING_OPTIONS_INVALID and lists every problem', () => {
    let caught: unknown;
    try {
      createLogger({ service: '', level: 'loud', sinks: [{}], redact: { keys: ['a..b'], patterns: ['ssn'], maxDepth: 0 } } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe(LOGGING_OPTIONS_INVALID);
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['service', 'level', 'sinks.0', 'redact.keys.0', 'redact.patterns.0', 'redact.maxDepth']);
    expect(() => createLogger(undefined as never)).toThrow(expect.objectContaining({ code: LOGGING_OPTIONS_INVALID }) as never);
  });
});

describe('createLogger redacts the record before any transport sees it', () => {
  // The default secret set: a key-path secret, an e-mail, a Luhn-valid card (as text and as a
  // number), a bearer token, a URL password and a secret query parameter.
  const SECRETS = ['hunter2', 'ada@example.com', '4111 1111 1111 1111', '4111111111111111', 'sk-live-abc123', 's3cr3t-pw', 'q-tok-987', 'tok-child-1', 'err-secret-55', 'arr-pw-7'];

  function simpleTransport() {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const transport = new winston.transports.Stream({ stream, format: winston.format.simple() });
    return { transport, output: () => text };
  }

  it('prints no default secret through a winston Stream transport with format.simple()', async () => {
    const { transport, output } = simpleTransport();
    const custom: Record<string, unknown>[] = [];
    class FieldReader extends Transport {
      override log(info: Record<string, unknown>, callback: () => void): void {
        custom.push({ ...info });
        callback();
      }
    }
    const logger = createLogger({ service: 'checkout', sinks: [transport, new FieldReader()], clock: new ManualClock(START) });
    logger.info('login', { password: 'hunter2', email: 'ada@example.com', card: '4111 1111 1111 1111', cardNumber: 4111111111111111, auth: 'Bearer sk-live-abc123' });
    logger.child({ sessionToken: 'tok-child-1' }).warn('fetching https://svc:s3cr3t-pw@db.internal/x?token=q-tok-987');
    logger.error('failed', { err: new Error('login for ada@example.com failed', { cause: new Error('password=err-secret-55') }), users: [{ name: 'a', apiKey: 'arr-pw-7' }] });
    await logger.close();
    const printed = output() + JSON.stringify(custom);
    expect(printed).toContain('[REDACTED]');
    expect(printed).toContain('login');
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
  });

  it('prints no default secret through a stock winston Console transport with format.simple()', async () => {
    // forceConsole: the transport writes through console.log/console.error, which the test reads.
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    try {
      const logger = createLogger({ service: 'checkout', sinks: [new winston.transports.Console({ format: winston.format.simple(), forceConsole: true })], clock: new ManualClock(START) });
      logger.info('login', { password: 'hunter2', email: 'ada@example.com', cardNumber: 4111111111111111, auth: 'Bearer sk-live-abc123' });
      logger.error('fetching https://svc:s3cr3t-pw@db.internal/x?token=q-tok-987');
      await logger.close();
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(/^info: login/);
    for (const secret of SECRETS) expect(printed.join('\n')).not.toContain(secret);
  });

  it('leaves the objects passed to the logging call unchanged', () => {
    const { logger } = setup();
    const fields = { password: 'hunter2', nested: { apiKey: 'k', list: ['ada@example.com'] } };
    logger.info('call', fields);
    expect(fields).toEqual({ password: 'hunter2', nested: { apiKey: 'k', list: ['ada@example.com'] } });
  });
});

describe('createLogger message arguments', () => {
  it('interpolates %s arguments into the message', () => {
    const { capture, logger } = setup();
    logger.info('user %s logged in', 'bob');
    logger.info('%d items for %s', 3, 'ada', { orderId: 7 });
    expect(capture.lines.map((l) => l.message)).toEqual(['user bob logged in', '3 items for ada']);
    expect(capture.lines[1]).toMatchObject({ orderId: 7 });
  });

  it('redacts the interpolated message, including secrets inside %j objects', () => {
    const { capture, logger } = setup();
    logger.info('user %s logged in with %j', 'ada@example.com', { password: 'hunter2', id: 1 });
    expect(capture.lines[0]!.message).toBe('user [REDACTED] logged in with {"password":"[REDACTED]","id":1}');
  });

  it('appends arguments that have no placeholder instead of dropping them', () => {
    const { capture, logger } = setup();
    logger.info('retrying', 3);
    expect(capture.lines[0]!.message).toBe('retrying 3');
  });
});

describe('createLogger levels', () => {
  it('writes http, verbose and silly, the winston npm levels, between info and trace', () => {
    const { capture, logger } = setup('trace');
    logger.http('GET /');
    logger.verbose('details');
    logger.silly('everything');
    expect(capture.lines.map((l) => l.level)).toEqual(['http', 'verbose', 'silly']);
    const info = setup('info');
    info.logger.http('hidden');
    info.logger.verbose('hidden');
    info.logger.silly('hidden');
    expect(info.capture.lines).toEqual([]);
  });
});
