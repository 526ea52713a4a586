import winston from 'winston';
import type Transport from 'winston-transport';
import { systemClock } from '@sightline/core';
import { LOG_LEVELS } from './levels.js';
import { buildRecord, CALL_TIME, CALL_TRACE, type CapturedInfo } from './log-record.js';
import { validateLoggerOptions, type LoggerOptions } from './logger-options.js';
import { createRedactor } from './redaction.js';
import { SINK_ERROR_EVENT, type SinkErrorEvent } from './sink-error.js';
import { ConsoleSink } from './sinks/console-sink.js';
import { activeTraceFields } from './trace-context.js';

type LogMethod = winston.LeveledLogMethod;

/** winston's cli and syslog level methods, which this logger's levels do not include. */
type ForeignLevelMethods = 'help' | 'data' | 'prompt' | 'input' | 'emerg' | 'alert' | 'crit' | 'warning' | 'notice';

/**
 * A winston logger with Sightline's levels (`fatal` … `trace`, with winston's npm levels `http`,
 * `verbose` and `silly` in between). `child()` returns the same kind of logger with extra fields;
 * `close()` flushes and shuts every sink down. `%s`-style arguments are interpolated into the message.
 */
export interface Logger extends Omit<winston.Logger, 'child' | 'close' | 'on' | ForeignLevelMethods> {
  fatal: LogMethod;
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  http: LogMethod;
  verbose: LogMethod;
  debug: LogMethod;
  silly: LogMethod;
  trace: LogMethod;
  /** A logger that adds `fields` to every line (e.g. `{ requestId }`). */
  child(fields: Record<string, unknown>): Logger;
  /** Flushes and shuts down every sink; idempotent. */
  close(): Promise<void>;
  /** Listens for sink failures; see {@link SINK_ERROR_EVENT}. */
  on(event: typeof SINK_ERROR_EVENT, listener: (event: SinkErrorEvent) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface Shutdownable {
  shutdown?: () => Promise<void>;
}

/**
 * Creates a structured, trace-correlated, redacted JSON logger.
 * @example
 * const logger = createLogger({ service: 'checkout', level: 'info' });
 * logger.child({ requestId: 'r-1' }).info('order placed', { orderId: 42 });
 */
export function createLogger(options: LoggerOptions): Logger {
  validateLoggerOptions(options);
  const clock = options.clock ?? systemClock;
  const redactor = createRedactor(options.redact);
  const service = options.service;
  const now = (): number => clock.now();
  const sinks: Transport[] = options.sinks === undefined ? [new ConsoleSink()] : [...options.sinks];

  // Applied at the logger level, before any transport: every transport, including foreign ones with
  // their own format, receives the redacted record in place of the call's info.
  const format = winston.format((info) => buildRecord(info as CapturedInfo, service, redactor, now) as unknown as winston.Logform.TransformableInfo)();
  const logger = winston.createLogger({
    levels: LOG_LEVELS,
    level: options.level ?? 'info',
    format,
    transports: sinks,
    exitOnError: false,
    ...(options.defaultMeta === undefined ? {} : { defaultMeta: { ...options.defaultMeta } }),
  });

  // Every call, from the root or any child, ends in the root's write(). Time and span are taken
  // here, synchronously at the call: winston's stream may run the format later (under
  // back-pressure), when a different context is active.
  const write = logger.write.bind(logger);
  logger.write = ((info: CapturedInfo) => {
    info[CALL_TIME] = clock.now();
    info[CALL_TRACE] = activeTraceFields();
    return write(info);
  }) as typeof logger.write;

  // winston re-emits a transport's 'error' on the logger, which would throw when unhandled; our
  // sinks report through 'sink-error' instead, and the logger forwards it.
  for (const sink of sinks) {
    sink.on(SINK_ERROR_EVENT, (event: SinkErrorEvent) => logger.emit(SINK_ERROR_EVENT, event));
  }
  // Foreign transports may still emit 'error'; keep it from crashing the app by handling it.
  logger.on('error', (error: unknown) => {
    logger.emit(SINK_ERROR_EVENT, { sink: 'winston', error, records: 1, dropped: true } satisfies SinkErrorEvent);
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Lines still inside winston's stream (under back-pressure) must reach the sinks before they shut.
      while (logger.writableLength > 0 || logger.readableLength > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await Promise.all(sinks.map((sink) => (sink as Shutdownable).shutdown?.()));
      logger.end();
    })();
    return closing;
  };
  Object.defineProperty(logger, 'close', { value: close });
  return logger as unknown as Logger;
}
