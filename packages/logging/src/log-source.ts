import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/**
 * Where log lines come from: a file path, a byte stream of JSON lines (`Readable`), or an async
 * iterable of lines (each item one line; items holding several lines are split).
 */
export type LogSource = string | Readable | AsyncIterable<string>;

/** Yields the lines of a {@link LogSource}, without their line endings. */
export async function* readLines(source: LogSource): AsyncGenerator<string> {
  if (typeof source === 'string' || source instanceof Readable) {
    const input = typeof source === 'string' ? createReadStream(source, { encoding: 'utf8' }) : source;
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      yield* lines;
    } finally {
      lines.close();
      if (typeof source === 'string') input.destroy();
    }
    return;
  }
  for await (const item of source) {
    if (item.includes('\n')) {
      for (const line of item.split(/\r?\n/)) if (line !== '') yield line;
    } else {
      yield item;
    }
  }
}
