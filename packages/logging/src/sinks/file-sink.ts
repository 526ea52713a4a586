import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { MESSAGE } from 'triple-beam';
import { IssueCollector, systemClock, type Clock } from '@sightline/core';
import { readDuration, readPositiveInteger } from '../internal/option-checks.js';
import { LOGGING_OPTIONS_INVALID } from '../logger-options.js';
import { SightlineSink } from '../sink-error.js';

/** Options of {@link FileSink}. Durations are ms or text like `"1d"`. */
export interface FileSinkOptions {
  /** The active log file, e.g. `logs/app.log`; its folder is created when missing. */
  filename: string;
  /** Rotate before the active file would grow past this many bytes (default 10 MiB). */
  maxBytes?: number;
  /** Rotate when the active file is older than this (default: never by age). */
  maxAge?: number | string;
  /** Keep at most this many rotated files, deleting the oldest (default 10). */
  maxFiles?: number;
  /** Delete rotated files older than this (default: keep by count only). */
  retainFor?: number | string;
  /** Time source for rotation and retention (default: the system clock). */
  clock?: Clock;
}

const ROTATED_STAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.(\d+)$/;

/**
 * Appends JSON lines to a file and rotates it by size and age: the active file is renamed to
 * `<name>.<ISO time>.<n><ext>` (e.g. `app.2026-03-01T12-00-00-000Z.0.log`) and a new one opened;
 * then rotated files beyond `maxFiles` or older than `retainFor` are deleted.
 *
 * Lines are buffered and written once per event-loop turn with one synchronous write, so a burst
 * of lines costs one system call; rotation itself is synchronous, which keeps line order exact.
 */
export class FileSink extends SightlineSink {
  readonly sinkName = 'file';
  readonly #filename: string;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  readonly #maxFiles: number;
  readonly #retainMs: number;
  readonly #clock: Clock;
  #fd: number | undefined;
  #size = 0;
  #openedAt = 0;
  #buffer: string[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: FileSinkOptions) {
    super();
    const issues = new IssueCollector();
    if (typeof options?.filename !== 'string' || options.filename === '') issues.add(['filename'], 'must be a file path such as "logs/app.log"', 'FILENAME_REQUIRED');
    const maxBytes = readPositiveInteger(options?.maxBytes, ['maxBytes'], issues);
    const maxAge = readDuration(options?.maxAge, ['maxAge'], issues);
    const maxFiles = readPositiveInteger(options?.maxFiles, ['maxFiles'], issues);
    const retain = readDuration(options?.retainFor, ['retainFor'], issues);
    issues.throwIfAny(LOGGING_OPTIONS_INVALID, 'FileSink options');
    this.#filename = options.filename;
    this.#maxBytes = maxBytes ?? 10 * 1024 * 1024;
    this.#maxAgeMs = maxAge ?? Number.POSITIVE_INFINITY;
    this.#maxFiles = maxFiles ?? 10;
    this.#retainMs = retain ?? Number.POSITIVE_INFINITY;
    this.#clock = options.clock ?? systemClock;
    mkdirSync(dirname(this.#filename), { recursive: true });
    this.#open();
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    if (this.#closed) {
      this.reportFailure(new Error('FileSink is closed'), 1, true);
      callback();
      return;
    }
    const line = `${String(info[MESSAGE])}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && (this.#size + bytes > this.#maxBytes || this.#clock.now() - this.#openedAt >= this.#maxAgeMs)) {
      this.#writeBuffered();
      this.#rotate();
    }
    this.#buffer.push(line);
    this.#size += bytes;
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.#writeBuffered();
    });
    callback();
  }

  /** Writes every buffered line to disk now. */
  flush(): Promise<void> {
    this.#writeBuffered();
    return Promise.resolve();
  }

  /** Rotates now, whatever the size and age (e.g. on SIGHUP). */
  rotate(): void {
    this.#writeBuffered();
    if (this.#size > 0) this.#rotate();
  }

  shutdown(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#writeBuffered();
    this.#closed = true;
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    return Promise.resolve();
  }

  #open(): void {
    this.#fd = openSync(this.#filename, 'a');
    this.#size = fstatSync(this.#fd).size;
    this.#openedAt = this.#clock.now();
  }

  #writeBuffered(): void {
    if (this.#buffer.length === 0) return;
    const lines = this.#buffer.length;
    const data = Buffer.from(this.#buffer.join(''));
    this.#buffer = [];
    try {
      if (this.#fd === undefined) this.#open();
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.#fd!, data, offset);
      this.counters.written += lines;
    } catch (error) {
      // Disk full, file removed, permissions: the lines are lost, the app goes on.
      this.reportFailure(error, lines, true);
    }
  }

  #rotate(): void {
    const now = this.#clock.now();
    try {
      if (this.#fd !== undefined) closeSync(this.#fd);
      this.#fd = undefined;
      renameSync(this.#filename, this.#rotatedName(now));
    } catch (error) {
      this.reportFailure(error, 0, false);
    }
    try {
      this.#open();
      this.#applyRetention(now);
    } catch (error) {
      this.reportFailure(error, 0, false);
    }
  }

  #rotatedName(now: number): string {
    const { dir, stem, ext } = this.#parts();
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    for (let n = 0; ; n++) {
      const candidate = join(dir, `${stem}.${stamp}.${n}${ext}`);
      if (!existsSync(candidate)) return candidate;
    }
  }

  #parts(): { dir: string; stem: string; ext: string } {
    const ext = extname(this.#filename);
    return { dir: dirname(this.#filename), stem: basename(this.#filename, ext), ext };
  }

  /** Rotated files of this sink, newest first, with the time encoded in their names. */
  rotatedFiles(): { path: string; rotatedAt: number }[] {
    const { dir, stem, ext } = this.#parts();
    const found: { path: string; rotatedAt: number; n: number }[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${stem}.`) || !name.endsWith(ext)) continue;
      const middle = name.slice(stem.length + 1, name.length - ext.length);
      const m = ROTATED_STAMP.exec(middle);
      if (m === null) continue;
      found.push({ path: join(dir, name), rotatedAt: Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`), n: Number(m[6]) });
    }
    found.sort((a, b) => b.rotatedAt - a.rotatedAt || b.n - a.n);
    return found.map(({ path, rotatedAt }) => ({ path, rotatedAt }));
  }

  #applyRetention(now: number): void {
    const files = this.rotatedFiles();
    files.forEach((file, index) => {
      if (index >= this.#maxFiles || now - file.rotatedAt > this.#retainMs) unlinkSync(file.path);
    });
  }
}
