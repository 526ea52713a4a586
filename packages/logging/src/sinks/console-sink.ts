import { MESSAGE } from 'triple-beam';
import type { Writable } from 'node:stream';
import { RECORD, type LogRecord } from '../log-record.js';
import { SightlineSink } from '../sink-error.js';

/** Options of {@link ConsoleSink}. */
export interface ConsoleSinkOptions {
  /** Where lines go (default `process.stdout`). */
  stream?: Writable & { isTTY?: boolean };
  /** Pretty, coloured lines for people (default: when the stream is a TTY); JSON lines otherwise. */
  pretty?: boolean;
}

const COLORS: Record<string, string> = { fatal: '\x1b[35m', error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[32m', http: '\x1b[34m', verbose: '\x1b[34m', debug: '\x1b[36m', silly: '\x1b[90m', trace: '\x1b[90m' };
const SHOWN_ELSEWHERE = new Set(['timestamp', 'level', 'message', 'service']);

/** Writes each line to stdout: pretty in a terminal, one JSON object per line when piped. */
export class ConsoleSink extends SightlineSink {
  readonly sinkName = 'console';
  readonly #stream: Writable;
  readonly #pretty: boolean;

  constructor(options: ConsoleSinkOptions = {}) {
    super();
    this.#stream = options.stream ?? process.stdout;
    this.#pretty = options.pretty ?? (options.stream ?? process.stdout).isTTY === true;
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const line = info[MESSAGE];
    const record = info[RECORD] as LogRecord | undefined;
    try {
      this.#stream.write(this.#pretty && record !== undefined ? prettyLine(record) : `${String(line)}\n`);
      this.counters.written++;
    } catch (error) {
      this.reportFailure(error, 1, true);
    }
    callback();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function prettyLine(record: LogRecord): string {
  const color = COLORS[record.level] ?? '';
  let extras = '';
  for (const key of Object.keys(record)) {
    if (SHOWN_ELSEWHERE.has(key)) continue;
    const value = record[key];
    extras += ` \x1b[2m${key}=\x1b[0m${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
  return `\x1b[2m${record.timestamp.slice(11, 23)}\x1b[0m ${color}${record.level.toUpperCase().padEnd(5)}\x1b[0m \x1b[1m${record.service}\x1b[0m ${record.message}${extras}\n`;
}
