import { systemClock, type Clock } from '@sightline/core';
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { Decision } from './authorizer.js';
import type { AccessRequest } from './request.js';

/** One recorded decision. */
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
  /** The request, with secrets masked and long strings cut. */
  readonly input: unknown;
}

/**
 * A sealed batch of entries: `hash` is SHA-256 over `prevHash` and the entries' JSON, and
 * `prevHash` is the previous block's `hash`, so the blocks form one chain.
 */
export interface AuditBlock {
  readonly prevHash: string;
  readonly hash: string;
  readonly entries: readonly AuditEntry[];
}

/** What a sink receives: the block with its entries already serialised (the hashed bytes). */
export interface SealedBlock {
  readonly prevHash: string;
  readonly hash: string;
  /** `JSON.stringify(entries)`: exactly the text that was hashed. */
  readonly entriesJson: string;
}

/** Where sealed blocks go. */
export interface AuditSink {
  append(block: SealedBlock): Promise<void>;
}

export interface AuditTrailOptions {
  sink: AuditSink;
  clock?: Clock;
  /** Fraction (0..1) of allows to keep; every deny is kept. Default 1. */
  allowSampleRate?: number;
  /** Keys whose values are replaced by "***" in the stored input. */
  maskKeys?: readonly string[];
  /** Seal a block when this many decisions are buffered. Default 1,024. */
  batchSize?: number;
  /** Hash of the last block already in the sink, to continue a chain. */
  lastHash?: string;
  /** Sequence number of the last entry already in the sink. */
  lastSeq?: number;
}

export const GENESIS_HASH = '0'.repeat(64);
const DEFAULT_MASK = ['password', 'token', 'secret', 'authorization', 'apikey', 'api_key', 'cookie'];
const MAX_STRING = 256;

/**
 * A tamper-evident record of access decisions. `record` only keeps a reference (nothing is
 * copied or hashed on the decision's hot path); `flush` — or every `batchSize` decisions — seals
 * the buffer into one block: one serialisation and one SHA-256 for the whole batch, chained to
 * the previous block. Editing, deleting, inserting or reordering any entry breaks
 * {@link verifyAuditTrail}. Requests must not be mutated after they are decided.
 */
export class AuditTrail {
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #sampleRate: number;
  readonly #mask: ReadonlySet<string>;
  readonly #maskLengths: ReadonlySet<number>;
  readonly #batchSize: number;
  readonly #runId = randomUUID();
  #requests: AccessRequest[] = [];
  #decisions: Decision[] = [];
  #times: number[] = [];
  #lastHash: string;
  #seq: number;
  #sampled = 0;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: AuditTrailOptions) {
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock;
    this.#sampleRate = options.allowSampleRate ?? 1;
    this.#mask = new Set((options.maskKeys ?? DEFAULT_MASK).map((k) => k.toLowerCase()));
    this.#maskLengths = new Set([...this.#mask].map((k) => k.length));
    this.#batchSize = options.batchSize ?? 1_024;
    this.#lastHash = options.lastHash ?? GENESIS_HASH;
    this.#seq = options.lastSeq ?? 0;
  }

  /** Keeps a decision (every deny; a deterministic sample of allows). Pass as `onDecision`. */
  readonly record = (request: AccessRequest, decision: Decision, atMs?: number): void => {
    if (decision.decision === 'allow' && this.#sampleRate < 1) {
      // Deterministic sampling: keep allow n when floor(n * rate) advances.
      this.#sampled++;
      if (Math.floor(this.#sampled * this.#sampleRate) === Math.floor((this.#sampled - 1) * this.#sampleRate)) return;
    }
    this.#requests.push(request);
    this.#decisions.push(decision);
    this.#times.push(atMs ?? this.#clock.now());
    if (this.#requests.length >= this.#batchSize) void this.flush();
  };

  /** Seals what is buffered into a block and appends it to the sink, blocks in order. */
  flush(): Promise<void> {
    if (this.#requests.length === 0) return this.#flushing;
    const block = this.#seal(this.#requests, this.#decisions, this.#times);
    this.#requests = [];
    this.#decisions = [];
    this.#times = [];
    this.#flushing = this.#flushing.then(() => this.#sink.append(block));
    return this.#flushing;
  }

  #seal(requests: AccessRequest[], decisions: Decision[], times: number[]): SealedBlock {
    // The common request is stored as it is; only one that holds a secret-looking key, an
    // over-long string or a value JSON cannot hold pays for a masked copy. Checking the objects
    // costs a fraction of scanning the serialised batch for the same things.
    const entries = requests.map((request, i) => this.#entry(request, decisions[i]!, times[i]!, needsMasking(request, this.#mask, this.#maskLengths, 0) ? mask(request, this.#mask, 0) : request));
    let entriesJson: string;
    try {
      entriesJson = JSON.stringify(entries);
    } catch {
      // A getter or toJSON that throws: store every input of the batch masked, with the same seqs.
      this.#seq -= entries.length;
      entriesJson = JSON.stringify(requests.map((request, i) => this.#entry(request, decisions[i]!, times[i]!, mask(request, this.#mask, 0))));
    }
    const prevHash = this.#lastHash;
    const hash = blockHash(prevHash, entriesJson);
    this.#lastHash = hash;
    return { prevHash, hash, entriesJson };
  }

  #entry(request: AccessRequest, decision: Decision, time: number, input: unknown): AuditEntry {
    const seq = ++this.#seq;
    const subject = request.subject as Record<string, unknown> | null | undefined;
    const resource = request.resource as Record<string, unknown> | null | undefined;
    return {
      seq,
      decisionId: `${this.#runId}:${seq}`,
      time,
      principal: typeof subject?.id === 'string' ? subject.id : '(unknown)',
      action: typeof request.action === 'string' ? request.action : '(invalid)',
      resource: `${typeof resource?.type === 'string' ? resource.type : '(invalid)'}:${typeof resource?.id === 'string' ? resource.id : '*'}`,
      decision: decision.decision,
      reason: decision.reason,
      policies: decision.policies,
      version: decision.version,
      input,
    };
  }
}

/** SHA-256 (hex) of a block: the previous block's hash, a newline, the entries' JSON. */
export function blockHash(prevHash: string, entriesJson: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(entriesJson).digest('hex');
}

/** What {@link verifyAuditTrail} found. */
export type AuditVerification = { ok: true; blocks: number; entries: number } | { ok: false; block: number; seq: number; problem: string };

/**
 * Checks a whole chain: each block's `prevHash` is the previous block's `hash`, each `hash`
 * matches its content, and sequence numbers run on without gaps. Any edit, deletion, insertion
 * or reorder — of entries or of whole blocks — is reported at the first block where it shows.
 */
export function verifyAuditTrail(blocks: readonly AuditBlock[], options: { firstPrevHash?: string } = {}): AuditVerification {
  let prev = options.firstPrevHash ?? GENESIS_HASH;
  let expectedSeq = blocks[0]?.entries[0]?.seq ?? 1;
  let entries = 0;
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b]!;
    const seq = block.entries[0]?.seq ?? expectedSeq;
    if (block.prevHash !== prev) return { ok: false, block: b, seq, problem: 'prevHash does not match the previous block: a block was deleted, inserted or moved' };
    if (blockHash(block.prevHash, JSON.stringify(block.entries)) !== block.hash) return { ok: false, block: b, seq, problem: 'content does not match its hash: an entry was edited, deleted, inserted or moved' };
    for (const entry of block.entries) {
      if (entry.seq !== expectedSeq) return { ok: false, block: b, seq: entry.seq, problem: `expected seq ${expectedSeq}` };
      expectedSeq++;
    }
    entries += block.entries.length;
    prev = block.hash;
  }
  return { ok: true, blocks: blocks.length, entries };
}

/** Appends one JSON line per block to a file. */
export class FileAuditSink implements AuditSink {
  constructor(readonly path: string) {}

  async append(block: SealedBlock): Promise<void> {
    // Written from the hashed text itself, so what is on disk is byte for byte what was hashed.
    await appendFile(this.path, `{"prevHash":"${block.prevHash}","hash":"${block.hash}","entries":${block.entriesJson}}\n`);
  }

  /** Reads every block back (for `verifyAuditTrail`). */
  async read(): Promise<AuditBlock[]> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditBlock);
  }
}

/** Keeps blocks in memory (tests, or a sink that forwards elsewhere). */
export class MemoryAuditSink implements AuditSink {
  readonly blocks: AuditBlock[] = [];

  async append(block: SealedBlock): Promise<void> {
    this.blocks.push({ prevHash: block.prevHash, hash: block.hash, entries: JSON.parse(block.entriesJson) as AuditEntry[] });
  }

  /** Every entry of every block, in order. */
  get entries(): AuditEntry[] {
    return this.blocks.flatMap((b) => b.entries);
  }
}

/**
 * Whether `mask` would change `value`: a key in `keys` (any case), a string over MAX_STRING, a
 * value JSON cannot hold or drops, an array over 100 items, or nesting deeper than `mask` goes.
 * `lengths` (of the mask keys) spares lowercasing keys that cannot match.
 */
function needsMasking(value: unknown, keys: ReadonlySet<string>, lengths: ReadonlySet<number>, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING;
    case 'bigint':
    case 'function':
    case 'symbol':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return false;
  if (depth > 8) return true;
  if (Array.isArray(value)) {
    if (value.length > 100) return true;
    for (const item of value) if (needsMasking(item, keys, lengths, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (lengths.has(key.length) && keys.has(key.toLowerCase())) return true;
    if (needsMasking((value as Record<string, unknown>)[key], keys, lengths, depth + 1)) return true;
  }
  return false;
}

function mask(value: unknown, keys: ReadonlySet<string>, depth: number): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => mask(v, keys, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = keys.has(key.toLowerCase()) ? '***' : mask((value as Record<string, unknown>)[key], keys, depth + 1);
  }
  return out;
}
