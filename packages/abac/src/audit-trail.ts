import { createHash, randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '@sightline/core';
import type { Decision } from './authorizer.js';
import type { AccessRequest } from './request.js';

/** One line of the audit trail. `hash` chains it to every line before it. */
export interface AuditEntry {
  readonly seq: number;
  readonly decisionId: string;
  /** Epoch ms of the decision. */
  readonly time: number;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: 'allow' | 'deny';
  readonly reason: string;
  readonly policies: readonly string[];
  readonly version: string;
  /** The request with secrets masked and long strings cut. */
  readonly input: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

/** Where sealed entries go. */
export interface AuditSink {
  append(entries: readonly AuditEntry[]): Promise<void>;
}

export interface AuditTrailOptions {
  sink: AuditSink;
  clock?: Clock;
  /** Fraction (0..1) of allows to keep; every deny is kept. Default 1. */
  allowSampleRate?: number;
  /** Keys whose values are replaced by "***" in the stored input. */
  maskKeys?: readonly string[];
  /** Flush when this many decisions are buffered. Default 256. */
  batchSize?: number;
  /** Hash of the last entry already in the sink, to continue a chain. */
  lastHash?: string;
  /** Sequence number of the last entry already in the sink. */
  lastSeq?: number;
}

const GENESIS = '0'.repeat(64);
const DEFAULT_MASK = ['password', 'token', 'secret', 'authorization', 'apikey', 'api_key', 'cookie'];

interface Pending {
  request: AccessRequest;
  decision: Decision;
  time: number;
}

/**
 * A tamper-evident record of access decisions: each entry carries the SHA-256 of the previous
 * entry and its own content, so editing, deleting or reordering any entry breaks `verify`.
 * `record` only buffers (the decision's hot path does no hashing); sealing and writing happen
 * in `flush`, in batches.
 */
export class AuditTrail {
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #sampleRate: number;
  readonly #mask: ReadonlySet<string>;
  readonly #batchSize: number;
  #buffer: Pending[] = [];
  #lastHash: string;
  #seq: number;
  #flushing: Promise<void> = Promise.resolve();
  #sampled = 0;
  // Decision ids are this trail's run id plus the sequence number: unique without a UUID each.
  readonly #runId = randomUUID();
  readonly #maskPattern: RegExp;

  constructor(options: AuditTrailOptions) {
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock;
    this.#sampleRate = options.allowSampleRate ?? 1;
    this.#mask = new Set((options.maskKeys ?? DEFAULT_MASK).map((k) => k.toLowerCase()));
    const escaped = [...this.#mask].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.#maskPattern = new RegExp(`"(?:${escaped.join('|')})"\\s*:`, 'i');
    this.#batchSize = options.batchSize ?? 256;
    this.#lastHash = options.lastHash ?? GENESIS;
    this.#seq = options.lastSeq ?? 0;
  }

  /** Buffers a decision (every deny; a deterministic sample of allows). Pass as `onDecision`. */
  readonly record = (request: AccessRequest, decision: Decision, atMs?: number): void => {
    if (decision.decision === 'allow' && this.#sampleRate < 1) {
      // Deterministic sampling: keep allow n when floor(n * rate) advances.
      this.#sampled++;
      if (Math.floor(this.#sampled * this.#sampleRate) === Math.floor((this.#sampled - 1) * this.#sampleRate)) return;
    }
    this.#buffer.push({ request, decision, time: atMs ?? this.#clock.now() });
    if (this.#buffer.length >= this.#batchSize) void this.flush();
  };

  /** Seals buffered decisions into chained entries and appends them to the sink, in order. */
  flush(): Promise<void> {
    const batch = this.#buffer;
    this.#buffer = [];
    this.#flushing = this.#flushing.then(async () => {
      if (batch.length === 0) return;
      const entries = batch.map((p) => this.#seal(p));
      await this.#sink.append(entries);
    });
    return this.#flushing;
  }

  #seal(pending: Pending): AuditEntry {
    const { request, decision } = pending;
    const seq = ++this.#seq;
    const body = {
      seq,
      decisionId: `${this.#runId}:${seq}`,
      time: pending.time,
      principal: typeof request.subject.id === 'string' ? request.subject.id : '(unknown)',
      action: String(request.action),
      resource: `${String(request.resource.type)}:${typeof request.resource.id === 'string' ? request.resource.id : '*'}`,
      decision: decision.decision,
      reason: decision.reason,
      policies: decision.policies,
      version: decision.version,
      input: this.#maskInput(request),
      prevHash: this.#lastHash,
    };
    const hash = entryHash(body);
    this.#lastHash = hash;
    return { ...body, hash };
  }

  /** The request as stored: copied as-is when nothing needs masking or cutting (the common case). */
  #maskInput(request: AccessRequest): unknown {
    const json = JSON.stringify(request);
    // No string can exceed 256 characters in a shorter document, and no key matches the mask.
    if (json.length <= 256 && !this.#maskPattern.test(json)) return JSON.parse(json) as unknown;
    return mask(request, this.#mask, 0);
  }
}

/**
 * SHA-256 over the entry's content (without `hash`) as JSON. Entries are built with a fixed key
 * order and JSON preserves it through a file or a database round trip, so the serialisation is
 * stable without a canonicalising pass.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, decisionId, time, principal, action, resource, decision, reason, policies, version, input, prevHash } = entry;
  return createHash('sha256').update(JSON.stringify([seq, decisionId, time, principal, action, resource, decision, reason, policies, version, input, prevHash])).digest('hex');
}

/** What {@link verifyAuditTrail} found. */
export type AuditVerification = { ok: true; entries: number } | { ok: false; seq: number; index: number; problem: string };

/**
 * Checks a whole chain: sequence numbers consecutive, each `prevHash` the previous `hash`, each
 * `hash` the hash of its content. Any edit, deletion, insertion or reorder is reported with the
 * first entry where the chain breaks.
 */
export function verifyAuditTrail(entries: readonly AuditEntry[], options: { firstPrevHash?: string } = {}): AuditVerification {
  let prev = options.firstPrevHash ?? GENESIS;
  let expectedSeq = entries[0]?.seq ?? 1;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.seq !== expectedSeq) return { ok: false, seq: entry.seq, index: i, problem: `expected seq ${expectedSeq}: an entry was deleted, inserted or moved` };
    if (entry.prevHash !== prev) return { ok: false, seq: entry.seq, index: i, problem: 'prevHash does not match the previous entry: the chain was cut or reordered' };
    const { hash, ...body } = entry;
    if (entryHash(body) !== hash) return { ok: false, seq: entry.seq, index: i, problem: 'content does not match its hash: the entry was edited' };
    prev = hash;
    expectedSeq++;
  }
  return { ok: true, entries: entries.length };
}

/** Appends entries as JSON lines to a file. */
export class FileAuditSink implements AuditSink {
  constructor(readonly path: string) {}

  async append(entries: readonly AuditEntry[]): Promise<void> {
    await appendFile(this.path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /** Reads every entry back (for `verifyAuditTrail`). */
  async read(): Promise<AuditEntry[]> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditEntry);
  }
}

/** Keeps entries in memory (tests, or a sink that forwards elsewhere). */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  async append(entries: readonly AuditEntry[]): Promise<void> {
    this.entries.push(...entries);
  }
}

function mask(value: unknown, keys: ReadonlySet<string>, depth: number): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return value.length > 256 ? `${value.slice(0, 256)}…` : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => mask(v, keys, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = keys.has(key.toLowerCase()) ? '***' : mask((value as Record<string, unknown>)[key], keys, depth + 1);
  }
  return out;
}
