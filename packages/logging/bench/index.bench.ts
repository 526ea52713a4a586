// Log lines per second to a file, one record, three loggers in the same run:
// (a) plain winston JSON + a hand-written trace-fields format (the baseline),
// (b) @sightline/logging with trace correlation and redaction on,
// (c) pino with a trace mixin and its key-path redaction.
// Every case runs inside an active span, so all three write trace_id/span_id/trace_flags.
import { compare } from '@sightline/bench';
import { context, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino } from 'pino';
import winston from 'winston';
import Transport from 'winston-transport';
import { MESSAGE } from 'triple-beam';
import { createLogger, FileSink } from '../src/index.js';

const OPERATIONS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'sightline-logging-bench-'));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spanContext: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
const active = trace.setSpanContext(context.active(), spanContext);

// The record: a typical request line, with one secret key and one plain email-free text field.
const fields = { requestId: 'req-7f3a9c', method: 'GET', path: '/api/orders/42', status: 200, durationMs: 12.7, user: { id: 42, role: 'buyer' }, password: 'hunter2' };
const message = 'request served';

function currentTraceFields(): Record<string, string> {
  const sc = trace.getSpanContext(context.active());
  return sc === undefined ? {} : { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}` };
}

// (a) plain winston
const winstonFile = new winston.transports.File({ filename: join(dir, 'winston.log') });
const traceFormat = winston.format((info) => Object.assign(info, currentTraceFields()));
const plainWinston = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), traceFormat(), winston.format.json()), transports: [winstonFile] });
async function winstonDrained(): Promise<void> {
  const internals = winstonFile as unknown as { _stream?: { writableLength: number }; _dest?: { writableLength: number } };
  while (plainWinston.writableLength > 0 || plainWinston.readableLength > 0 || (internals._stream?.writableLength ?? 0) > 0 || (internals._dest?.writableLength ?? 0) > 0) await nextTurn();
}

// (b) this package
const sink = new FileSink({ filename: join(dir, 'sightline.log'), maxBytes: 1024 * 1024 * 1024 });
const sightline = createLogger({ service: 'bench', sinks: [sink] });
async function sightlineDrained(): Promise<void> {
  while (sightline.writableLength > 0 || sightline.readableLength > 0) await nextTurn();
  await sink.flush();
}

// (c) pino
const destination = pino.destination({ dest: join(dir, 'pino.log'), sync: false, minLength: 4096 });
const pinoLogger = pino(
  { base: { service: 'bench' }, timestamp: pino.stdTimeFunctions.isoTime, mixin: currentTraceFields, redact: ['password', '*.token', 'headers.authorization'] },
  destination,
);
const pinoFlushed = (): Promise<void> => new Promise((resolve) => destination.flush(() => resolve()));

const results = await compare(
  'log lines per second to a file (active span, same record)',
  [
    { name: '(a) winston JSON + hand-written trace format', run: (n) => context.with(active, async () => { for (let i = 0; i < n; i++) plainWinston.info(message, fields); await winstonDrained(); }) },
    { name: '(b) @sightline/logging (trace + redaction)', run: (n) => context.with(active, async () => { for (let i = 0; i < n; i++) sightline.info(message, fields); await sightlineDrained(); }) },
    { name: '(c) pino + trace mixin + redact', run: (n) => context.with(active, async () => { for (let i = 0; i < n; i++) pinoLogger.info(fields, message); await pinoFlushed(); }) },
  ],
  { operations: OPERATIONS, runs: 7 },
);

// The same three loggers writing to a sink that only counts bytes: the cost of the logging call
// and the line format alone, without the file write strategy of each.
let bytes = 0;
class CountingTransport extends Transport {
  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    bytes += String(info[MESSAGE]).length;
    callback();
  }
}
const nullWinston = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), traceFormat(), winston.format.json()), transports: [new CountingTransport()] });
const nullSightline = createLogger({ service: 'bench', sinks: [new CountingTransport()] });
const nullPino = pino({ base: { service: 'bench' }, timestamp: pino.stdTimeFunctions.isoTime, mixin: currentTraceFields, redact: ['password', '*.token', 'headers.authorization'] }, { write: (line: string) => void (bytes += line.length) });
const drained = async (logger: winston.Logger | typeof nullSightline): Promise<void> => {
  while (logger.writableLength > 0 || logger.readableLength > 0) await nextTurn();
};
const formatOnly = await compare(
  'log calls per second, format only (sink counts bytes)',
  [
    { name: '(a) winston JSON + hand-written trace format', run: (n) => context.with(active, async () => { for (let i = 0; i < n; i++) nullWinston.info(message, fields); await drained(nullWinston); }) },
    { name: '(b) @sightline/logging (trace + redaction)', run: (n) => context.with(active, async () => { for (let i = 0; i < n; i++) nullSightline.info(message, fields); await drained(nullSightline); }) },
    { name: '(c) pino + trace mixin + redact', run: (n) => { context.with(active, () => { for (let i = 0; i < n; i++) nullPino.info(fields, message); }); } },
  ],
  { operations: OPERATIONS, runs: 7 },
);
console.log(`(b) format-only cost ${formatOnly[1]?.costRatio.toFixed(2)}x (a); bytes ${bytes}`);

const b = results[1];
if (b !== undefined) console.log(`\n(b) costs ${b.costRatio.toFixed(2)}x (a); target <= 1.30x`);
await sightline.close();
// Sanity check: every case wrote the same number of complete lines.
for (const name of ['winston.log', 'sightline.log', 'pino.log']) {
  const text = readFileSync(join(dir, name), 'utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  console.log(`${name}: ${lines.length} lines, ${(text.length / lines.length).toFixed(0)} bytes/line; last: ${lines.at(-1)?.slice(0, 400)}`);
}
plainWinston.close();
destination.end();
rmSync(dir, { recursive: true, force: true });
