import { IssueCollector, systemClock, type Clock } from '@sightline/core';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { Decision, DecisionEvidence } from './authorizer.js';
import { JsonBytes, piece, type Piece } from './internal/json-bytes.js';
import { lookup, MISSING, type AccessRequest } from './request.js';

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
  /**
   * The request, with secrets masked and long strings cut; with `input: 'evidence'`, only the
   * attributes the policies for its action and resource type read (see {@link DecisionEvidence}).
   */
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
  /** The UTF-8 bytes of `entriesJson`: exactly the bytes that were hashed. Write these where a sink takes bytes. */
  readonly entriesBytes: Uint8Array;
  /** `JSON.stringify(entries)`: the text of `entriesBytes`, decoded when first read. */
  readonly entriesJson: string;
}

/** A sealed block whose text is decoded from its bytes only when a sink asks for it. */
class Sealed implements SealedBlock {
  #text: string | undefined;
  constructor(
    readonly prevHash: string,
    readonly hash: string,
    readonly entriesBytes: Buffer,
    readonly ascii: boolean,
  ) {}

  get entriesJson(): string {
    // ASCII bytes are their own text in latin1, a plain copy; anything else is decoded as UTF-8.
    return (this.#text ??= this.entriesBytes.toString(this.ascii ? 'latin1' : 'utf8'));
  }
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
  /**
   * What an entry's `input` holds. `request` (default): the whole request. `evidence`: only the
   * attributes the policies for the request's action and resource type read — with the entry's
   * action, resource and time, enough to replay the decision against the same policy-set version,
   * and about a third cheaper to seal. Both are masked alike. A refused request (`invalid_request`)
   * or a `record` call without evidence stores the whole request.
   */
  input?: 'request' | 'evidence';
  /** Seal a block when this many decisions are buffered. Default 1,024. */
  batchSize?: number;
  /** Hash of the last block already in the sink, to continue a chain. */
  lastHash?: string;
  /** Sequence number of the last entry already in the sink. */
  lastSeq?: number;
  /**
   * How a failing `sink.append` is retried: `attempts` tries in all (default 3), waiting
   * `backoffMs` (default 100 ms) after the first failure, doubling up to `maxBackoffMs`
   * (default 2,000 ms). A block still failing after the last attempt is counted in
   * {@link AuditTrail.health} and given up; later blocks are still written.
   */
  retry?: { attempts?: number; backoffMs?: number; maxBackoffMs?: number };
  /** Waits `ms` milliseconds between attempts (default: a timer). Inject one in tests: nothing has to sleep. */
  delay?: (ms: number) => Promise<void>;
  /** Called on every failed `sink.append` attempt; must not throw (a throw is ignored). */
  onSinkError?: (error: unknown, info: SinkErrorInfo) => void;
}

/** What {@link AuditTrailOptions.onSinkError} is told about a failed append. */
export interface SinkErrorInfo {
  /** 1-based attempt that failed. */
  readonly attempt: number;
  readonly attempts: number;
  /** Whether another attempt follows; `false` means the block is given up. */
  readonly willRetry: boolean;
  /** Hash of the block, and the sequence numbers of its first and last entries. */
  readonly hash: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** Counters of an {@link AuditTrail} since it was created. */
export interface AuditStats {
  /** Decisions kept by `record` (after sampling). */
  readonly recorded: number;
  readonly sealedBlocks: number;
  /** Blocks the sink accepted. */
  readonly writtenBlocks: number;
  /** Blocks given up after every attempt failed, and the entries they held. */
  readonly failedBlocks: number;
  readonly failedEntries: number;
  /** Failed `append` attempts, and how many of them were retried. */
  readonly sinkErrors: number;
  readonly retries: number;
}

/** Whether the trail reaches its sink: `ok` is false once a block has been given up. */
export interface AuditHealth {
  readonly ok: boolean;
  readonly failedBlocks: number;
  /** The last error `append` raised, if any. */
  readonly lastError: unknown;
  /** Blocks sealed but not yet written (being written or waiting for a retry). */
  readonly pendingBlocks: number;
}

/** The end of the chain: the last sealed block's hash and its last entry's sequence number. */
export interface AuditHead {
  readonly hash: string;
  readonly sequence: number;
}

/**
 * What JSON.stringify would serialise for `value`: its `toJSON()` result when it has one, or the
 * object itself — also when `toJSON` throws, so an odd input is recorded by its own properties
 * rather than failing the decision's record.
 */
function jsonSource(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return value;
  try {
    return toJSON.call(value, '');
  } catch {
    return value;
  }
}

/** `Object.prototype.hasOwnProperty`: in a for-in loop V8 answers it from the enumeration, about twice as fast as `Object.hasOwn`. */
const hasOwn = Object.prototype.hasOwnProperty;

// The fixed pieces of an entry's JSON, encoded once.
const FIRST_ENTRY = piece('[{"seq":');
const NEXT_ENTRY = piece(',{"seq":');
const TIME_FIELD = piece('","time":');
const PRINCIPAL_FIELD = piece(',"principal":');
const ACTION_FIELD = piece(',"action":');
const RESOURCE_FIELD = piece(',"resource":');
const INPUT_FIELD = piece(',"input":');
const MASKED = piece('"***"');
const TRUE = piece('true');
const FALSE = piece('false');
const EMPTY_OBJECT = piece('{}');
const CLOSE_OBJECT = piece('}');
const UNREADABLE_INPUT = piece(',"input":"[unreadable]"');

export const GENESIS_HASH = '0'.repeat(64);
const DEFAULT_MASK = ['password', 'token', 'secret', 'authorization', 'apikey', 'api_key', 'cookie'];
const MAX_STRING = 256;
const MAX_DEPTH = 8;
const MAX_ITEMS = 100;
const MASK_KEY_CACHE_LIMIT = 10_000;
/** Positions of the input walk whose last key is remembered (see #writeJson). */
const KEY_SLOTS = 64;
/** Marks an evidence snapshot that could not be read (a throwing getter). */
const UNREADABLE = Symbol('unreadable');
const defaultDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A tamper-evident record of access decisions. `record` serialises the entry at decision time —
 * the identifying strings, the decision, and the input (the masked request, or with
 * `input: 'evidence'` only the attribute values the policies read) — and appends it to the block's
 * text, so a request changed after `decide` is recorded as it was decided. `flush` — or every
 * `batchSize` decisions — seals the buffer into one block: the text closed and hashed once,
 * chained to the previous block. Editing, deleting, inserting or reordering any entry breaks
 * {@link verifyAuditTrail}; checking against a published {@link AuditTrail.head} also catches a
 * truncated end. A failing sink is retried, reported and never stops later blocks.
 */
export class AuditTrail {
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #sampleRate: number;
  readonly #mask: ReadonlySet<string>;
  /** Key → whether it is a mask key, so each distinct key is lowercased once, not per entry. */
  readonly #maskKeyCache = new Map<string, boolean>();
  readonly #keyPrefixCache = new Map<string, KeyPrefixes>();
  /** The keys of the last input written, by their position in the walk, and their prefixes. */
  readonly #slotKeys: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
  readonly #slotPrefixes: (KeyPrefixes | undefined)[] = new Array<KeyPrefixes | undefined>(KEY_SLOTS).fill(undefined);
  #slot = 0;
  readonly #batchSize: number;
  /** `<run id>:` — decision ids are this prefix and the entry's seq (unique within the chain). */
  readonly #idPrefix = `${randomBytes(9).toString('base64url')}:`;
  /** `,"decisionId":"<run id>:` — what every entry's JSON has between its seq and the seq again. */
  readonly #decisionIdField = piece(`,"decisionId":"${this.#idPrefix}`);
  /** Evidence mode: the values of one entry's evidence leaves, reused by every entry. */
  readonly #values: unknown[] = [];
  /** Evidence mode: the next value slot {@link AuditTrail.#writeEvidence} reads. */
  #cursor = 0;
  readonly #trees = new WeakMap<DecisionEvidence, EvidenceTree>();
  /**
   * The buffered entries' JSON as UTF-8 bytes, each entry written by `record` at decision time
   * (the bytes are the copy) with its separator in front: `[` for the first, `,` for the others.
   * Sealing adds `]` and hashes the bytes in one call: the same bytes, the same hash as
   * {@link blockHash} of the text.
   */
  readonly #out = new JsonBytes();
  /** The last entry's time and its JSON: decisions in the same millisecond share it. */
  #lastTime = Number.NaN;
  #lastTimeJson = 'null';
  /** Set by the input writer when an exotic object enumerates its keys in an order a plain copy would not keep. */
  #reordered = false;
  readonly #recordsEvidence: boolean;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #delay: (ms: number) => Promise<void>;
  readonly #onSinkError: ((error: unknown, info: SinkErrorInfo) => void) | undefined;
  #count = 0;
  #valueCount = 0;
  #lastHash: string;
  #seq: number;
  #sampled = 0;
  #flushing: Promise<void> = Promise.resolve();
  #recorded = 0;
  #sealedBlocks = 0;
  #writtenBlocks = 0;
  #failedBlocks = 0;
  #failedEntries = 0;
  #sinkErrors = 0;
  #retries = 0;
  #lastError: unknown = undefined;

  /** @throws ValidationError `ABAC_AUDIT_OPTIONS` when `batchSize`, `allowSampleRate`, `input` or `retry` is out of range. */
  constructor(options: AuditTrailOptions) {
    const issues = new IssueCollector();
    if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize >= 1 && options.batchSize <= 1_000_000)) issues.add(['batchSize'], `must be an integer from 1 to 1,000,000, got ${String(options.batchSize)}`, 'ABAC_VALUE');
    if (options.allowSampleRate !== undefined && !(options.allowSampleRate >= 0 && options.allowSampleRate <= 1)) issues.add(['allowSampleRate'], `must be a ratio from 0 to 1, got ${String(options.allowSampleRate)}`, 'ABAC_VALUE');
    if (options.input !== undefined && options.input !== 'request' && options.input !== 'evidence') issues.add(['input'], `must be "request" or "evidence", got ${JSON.stringify(options.input)}`, 'ABAC_VALUE');
    const retry = options.retry ?? {};
    if (retry.attempts !== undefined && !(Number.isInteger(retry.attempts) && retry.attempts >= 1 && retry.attempts <= 100)) issues.add(['retry', 'attempts'], `must be an integer from 1 to 100, got ${String(retry.attempts)}`, 'ABAC_VALUE');
    for (const key of ['backoffMs', 'maxBackoffMs'] as const) {
      const v = retry[key];
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 3_600_000)) issues.add(['retry', key], `must be a number of ms from 0 to 3,600,000, got ${String(v)}`, 'ABAC_VALUE');
    }
    issues.throwIfAny('ABAC_AUDIT_OPTIONS', 'AuditTrail options');
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock;
    this.#sampleRate = options.allowSampleRate ?? 1;
    this.#mask = new Set((options.maskKeys ?? DEFAULT_MASK).map((k) => k.toLowerCase()));
    this.#batchSize = options.batchSize ?? 1_024;
    this.#recordsEvidence = options.input === 'evidence';
    this.#lastHash = options.lastHash ?? GENESIS_HASH;
    this.#seq = options.lastSeq ?? 0;
    this.#attempts = retry.attempts ?? 3;
    this.#backoffMs = retry.backoffMs ?? 100;
    this.#maxBackoffMs = retry.maxBackoffMs ?? 2_000;
    this.#delay = options.delay ?? defaultDelay;
    this.#onSinkError = options.onSinkError;
  }

  /**
   * Keeps a decision (every deny; a deterministic sample of allows). Pass as `onDecision`. Copies
   * what the entry needs now, so later changes to `request` do not reach the trail. Never throws.
   */
  readonly record = (request: AccessRequest, decision: Decision, atMs?: number, evidence?: DecisionEvidence): void => {
    if (decision.decision === 'allow' && this.#sampleRate < 1) {
      // Deterministic sampling: keep allow n when floor(n * rate) advances.
      this.#sampled++;
      if (Math.floor(this.#sampled * this.#sampleRate) === Math.floor((this.#sampled - 1) * this.#sampleRate)) return;
    }
    const i = this.#count++;
    this.#recorded++;
    const seq = this.#seq + i + 1;
    const time = atMs ?? this.#clock.now();
    let principal: string | undefined;
    let action: string | undefined;
    let type: string | undefined;
    let id: string | undefined;
    try {
      // Strings are immutable: keeping them is copying them.
      if (typeof request === 'object' && request !== null) {
        const subject = request.subject as Record<string, unknown> | null | undefined;
        const resource = request.resource as Record<string, unknown> | null | undefined;
        if (typeof subject?.id === 'string') principal = subject.id;
        if (typeof request.action === 'string') action = request.action;
        if (typeof resource?.type === 'string') type = resource.type;
        if (typeof resource?.id === 'string') id = resource.id;
      }
    } catch {
      // A getter or Proxy that throws: the entry is still written, with what could be read.
    }
    if (time !== this.#lastTime) {
      this.#lastTime = time;
      this.#lastTimeJson = Number.isFinite(time) ? String(time) : 'null';
    }
    // Byte for byte what JSON.stringify gives for the AuditEntry object (verifyAuditTrail recomputes it).
    const seqText = String(seq);
    const out = this.#out;
    out.piece(i === 0 ? FIRST_ENTRY : NEXT_ENTRY);
    out.raw(seqText);
    out.piece(this.#decisionIdField);
    out.raw(seqText);
    out.piece(TIME_FIELD);
    out.raw(this.#lastTimeJson);
    out.piece(PRINCIPAL_FIELD);
    out.quoted(principal ?? '(unknown)');
    out.piece(ACTION_FIELD);
    out.quoted(action ?? '(invalid)');
    out.piece(RESOURCE_FIELD);
    out.quotedPair(type ?? '(invalid)', id ?? '*');
    out.piece(decisionFields(decision));
    if (this.#recordsEvidence && evidence !== undefined && typeof request === 'object' && request !== null) {
      this.#valueCount = 0;
      this.#snapshotEvidence(request, evidence);
      this.#writeEvidenceField(evidence);
      this.#values.fill(undefined, 0, this.#valueCount);
    } else this.#writeInputField(request);
    out.raw('}');
    if (this.#count >= this.#batchSize) void this.flush();
  };

  /**
   * Seals what is buffered into a block and queues it for the sink, blocks in order. Resolves
   * when every queued block has been written or given up; never rejects — a failing sink is
   * retried and then reported through `onSinkError`, {@link stats} and {@link health}.
   */
  flush(): Promise<void> {
    if (this.#count === 0) return this.#flushing;
    const count = this.#count;
    const firstSeq = this.#seq + 1;
    this.#out.raw(']');
    const { hash, bytes, ascii } = this.#out.seal(`${this.#lastHash}\n`);
    this.#seq += count;
    this.#count = 0;
    const prevHash = this.#lastHash;
    this.#lastHash = hash;
    this.#sealedBlocks++;
    const block: SealedBlock = new Sealed(prevHash, hash, bytes, ascii);
    const lastSeq = this.#seq;
    this.#flushing = this.#flushing.then(() => this.#write(block, firstSeq, lastSeq));
    return this.#flushing;
  }

  /**
   * The end of the chain sealed so far: publish it (or store it apart from the sink) and pass it
   * to {@link verifyAuditTrail} as `expectedHead` to detect a truncated trail. After
   * `await flush()` with `health().ok`, the sink holds exactly the chain up to this head.
   */
  head(): AuditHead {
    return { hash: this.#lastHash, sequence: this.#seq };
  }

  /** Counters since creation. */
  stats(): AuditStats {
    return { recorded: this.#recorded, sealedBlocks: this.#sealedBlocks, writtenBlocks: this.#writtenBlocks, failedBlocks: this.#failedBlocks, failedEntries: this.#failedEntries, sinkErrors: this.#sinkErrors, retries: this.#retries };
  }

  /** Whether every sealed block so far reached the sink (`ok`), and the last sink error. */
  health(): AuditHealth {
    return { ok: this.#failedBlocks === 0, failedBlocks: this.#failedBlocks, lastError: this.#lastError, pendingBlocks: this.#sealedBlocks - this.#writtenBlocks - this.#failedBlocks };
  }

  /** Appends one block, retrying with exponential backoff; never rejects. */
  async #write(block: SealedBlock, firstSeq: number, lastSeq: number): Promise<void> {
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        await this.#sink.append(block);
        this.#writtenBlocks++;
        return;
      } catch (error) {
        this.#sinkErrors++;
        this.#lastError = error;
        const willRetry = attempt < this.#attempts;
        if (willRetry) this.#retries++;
        else {
          this.#failedBlocks++;
          this.#failedEntries += lastSeq - firstSeq + 1;
        }
        try {
          this.#onSinkError?.(error, { attempt, attempts: this.#attempts, willRetry, hash: block.hash, firstSeq, lastSeq });
        } catch {
          // The callback is the caller's; its failure must not stop the trail (documented).
        }
        if (willRetry) {
          try {
            await this.#delay(Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (attempt - 1)));
          } catch {
            // A failing delay only shortens the wait.
          }
        }
      }
    }
  }

  /** Evidence mode: the values at the evidence's leaf paths, copied into the flat value slots. */
  #snapshotEvidence(request: AccessRequest, evidence: DecisionEvidence): void {
    const tree = this.#tree(evidence);
    const start = this.#valueCount;
    const values = this.#values;
    try {
      for (let k = 0; k < tree.leafPaths.length; k++) {
        const value = lookup(request, tree.leafPaths[k]!);
        // Primitives are stored as they are (no allocation); objects are copied, masked.
        values[this.#valueCount++] = typeof value === 'object' && value !== null ? (tree.leafMasked[k] ? '***' : this.#copy(value, tree.leafPaths[k]!.length - 1)) : value;
      }
    } catch {
      this.#valueCount = start;
      values[this.#valueCount++] = UNREADABLE;
    }
  }

  #tree(evidence: DecisionEvidence): EvidenceTree {
    let tree = this.#trees.get(evidence);
    if (tree === undefined) {
      tree = buildEvidenceTree(evidence.paths.map((p) => p.split('.')), (key) => this.#isMaskKey(key));
      this.#trees.set(evidence, tree);
    }
    return tree;
  }

  /**
   * Appends `,"input":<JSON>` of the whole request, masked: written straight from the request into
   * the block's text, byte for byte what `JSON.stringify` gives for its {@link AuditTrail.#copy}
   * (which it falls back to for the rare object whose keys come in an order a plain copy would not
   * keep). Nothing when JSON has no value for the request.
   */
  #writeInputField(request: unknown): void {
    const out = this.#out;
    const before = out.length;
    try {
      this.#reordered = false;
      this.#slot = 0;
      out.piece(INPUT_FIELD);
      if (!this.#writeJson(request, 0)) out.length = before;
      else if (this.#reordered) {
        out.length = before;
        out.raw(inputField(this.#copy(request, 0)));
      }
    } catch {
      out.length = before;
      out.raw(',"input":"[unreadable]"');
    }
  }


  /**
   * Appends the JSON of {@link AuditTrail.#copy}`(value, depth)` to the block's text, without
   * building the copy: the same masking, cuts and conversions, in the same order. Returns false,
   * having appended nothing, where JSON has no value.
   */
  #writeJson(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case 'string':
        this.#out.quoted(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
        return true;
      case 'number':
        this.#out.raw(Number.isFinite(value) ? String(value) : 'null');
        return true;
      case 'boolean':
        this.#out.raw(value ? 'true' : 'false');
        return true;
      case 'bigint':
        this.#out.quoted(value.toString());
        return true;
      case 'object':
        break;
      default:
        return false;
    }
    if (value === null) {
      this.#out.raw('null');
      return true;
    }
    if (depth > MAX_DEPTH) {
      this.#out.raw('"[depth]"');
      return true;
    }
    const source = jsonSource(value);
    if (typeof source !== 'object' || source === null) return this.#writeJson(source, depth);
    if (Array.isArray(source)) {
      const length = Math.min(source.length, MAX_ITEMS);
      this.#out.raw('[');
      for (let i = 0; i < length; i++) {
        if (i > 0) this.#out.raw(',');
        if (!this.#writeJson(source[i], depth + 1)) this.#out.raw('null');
      }
      this.#out.raw(']');
      return true;
    }
    let wrote = false;
    let lastIndex = -1;
    let named = false;
    const out = this.#out;
    const slotKeys = this.#slotKeys;
    for (const key in source) {
      if (!hasOwn.call(source, key)) continue;
      // A plain copy lists array-index keys first, ascending: anything else must go through the copy.
      const code = key.charCodeAt(0);
      if (code >= 48 && code <= 57 && isIndexKey(key)) {
        if (named || Number(key) <= lastIndex) this.#reordered = true;
        lastIndex = Number(key);
      } else named = true;
      // Requests mostly share their keys and key order: the key met at this position of the
      // previous walk is compared first (one pointer compare for property names), the map after.
      const slot = this.#slot++;
      let prefixes: KeyPrefixes;
      if (slot < KEY_SLOTS && slotKeys[slot] === key) prefixes = this.#slotPrefixes[slot]!;
      else {
        prefixes = this.#keyPrefixes(key);
        if (slot < KEY_SLOTS) {
          slotKeys[slot] = key;
          this.#slotPrefixes[slot] = prefixes;
        }
      }
      // The member is written in place; a value JSON leaves out takes its key back out.
      const before = out.length;
      out.piece(wrote ? prefixes.next : prefixes.first);
      if (prefixes.masked) out.piece(MASKED);
      else if (!this.#writeJson((source as Record<string, unknown>)[key], depth + 1)) {
        out.length = before;
        continue;
      }
      wrote = true;
    }
    out.raw(wrote ? '}' : '{}');
    return true;
  }


  /** `{"key":` and `,"key":` of an object key, and whether it is a mask key; cached per key. */
  #keyPrefixes(key: string): KeyPrefixes {
    let prefixes = this.#keyPrefixCache.get(key);
    if (prefixes === undefined) {
      const json = quote(key);
      prefixes = { first: piece(`{${json}:`), next: piece(`,${json}:`), masked: this.#isMaskKey(key) };
      if (this.#keyPrefixCache.size < MASK_KEY_CACHE_LIMIT) this.#keyPrefixCache.set(key, prefixes);
    }
    return prefixes;
  }

  /** Appends `,"input":<JSON>` of the evidence snapshot. */
  #writeEvidenceField(evidence: DecisionEvidence): void {
    const out = this.#out;
    if (this.#values[0] === UNREADABLE) {
      out.piece(UNREADABLE_INPUT);
      return;
    }
    out.piece(INPUT_FIELD);
    this.#cursor = 0;
    this.#writeEvidence(this.#tree(evidence).root);
  }

  /** The snapshot values under `node` as a JSON object, in the tree's key order; absent values are left out. */
  #writeEvidence(node: EvidenceNode): void {
    const out = this.#out;
    const start = out.length;
    for (let k = 0; k < node.keys.length; k++) {
      const before = out.length;
      out.piece(before === start ? node.first[k]! : node.next[k]!);
      const child = node.children[k];
      if (child === undefined) {
        const value = this.#values[this.#cursor++];
        if (value === MISSING) out.length = before;
        else if (node.masked[k]) out.piece(MASKED);
        else if (!this.#writeLeaf(value)) out.length = before;
      } else {
        const inner = out.length;
        this.#writeEvidence(child);
        // `{}`: nothing under it was present, so the key is left out too.
        if (out.length === inner + 2) out.length = before;
      }
    }
    if (out.length === start) out.piece(EMPTY_OBJECT);
    else out.piece(CLOSE_OBJECT);
  }

  /** A snapshot value (primitives as they are, strings cut; objects were copied already); false where JSON has none. */
  #writeLeaf(value: unknown): boolean {
    const out = this.#out;
    switch (typeof value) {
      case 'string':
        out.quoted(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
        return true;
      case 'number':
        out.raw(Number.isFinite(value) ? String(value) : 'null');
        return true;
      case 'boolean':
        out.piece(value ? TRUE : FALSE);
        return true;
      case 'bigint':
        out.quoted(value.toString());
        return true;
      case 'object':
        out.raw(JSON.stringify(value));
        return true;
      default:
        return false;
    }
  }

  #isMaskKey(key: string): boolean {
    let hit = this.#maskKeyCache.get(key);
    if (hit === undefined) {
      hit = this.#mask.has(key.toLowerCase());
      if (this.#maskKeyCache.size < MASK_KEY_CACHE_LIMIT) this.#maskKeyCache.set(key, hit);
    }
    return hit;
  }

  /**
   * A plain-data copy of `value` as it is stored: mask keys (any case) become "***", strings are
   * cut at MAX_STRING, arrays at MAX_ITEMS, objects nested deeper than MAX_DEPTH become "[depth]",
   * BigInts become strings, functions and symbols are dropped, a `toJSON` is applied (a throwing
   * one is ignored: the own properties are copied). An own `__proto__` key is kept as an own key.
   * The copy is what JSON.stringify then serialises, so it can neither throw nor change later.
   */
  #copy(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return value.toString();
      case 'object':
        break;
      default:
        return undefined;
    }
    if (value === null) return null;
    if (depth > MAX_DEPTH) return '[depth]';
    const source = jsonSource(value);
    if (typeof source !== 'object' || source === null) return this.#copy(source, depth);
    if (Array.isArray(source)) {
      const length = Math.min(source.length, MAX_ITEMS);
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = this.#copy(source[i], depth + 1);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue;
      const copied = this.#isMaskKey(key) ? '***' : this.#copy((source as Record<string, unknown>)[key], depth + 1);
      // `out.__proto__ = x` would set the prototype and drop the key: define it as an own property.
      if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
      else out[key] = copied;
    }
    return out;
  }
}

/** `,"input":<JSON>` of a stored copy, or nothing when JSON has no value for it (as JSON.stringify omits it). */
function inputField(input: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    json = '"[unreadable]"';
  }
  return json === undefined ? '' : `,"input":${json}`;
}

/** JSON of a string, as JSON.stringify writes it; printable ASCII without quotes or backslashes needs no escaping. */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** How an object key starts a member in the JSON the trail writes. */
interface KeyPrefixes {
  readonly first: Piece;
  readonly next: Piece;
  readonly masked: boolean;
}

/** Whether a key is an array index (JavaScript enumerates those first, ascending). */
function isIndexKey(key: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * The paths of a {@link DecisionEvidence} as a tree: `children[k]` is the subtree under `keys[k]`,
 * or `undefined` when the whole value is evidence (a leaf). A key that is a mask key ends its path
 * there (the value is stored as "***"). Keys that are array indices come first, in ascending
 * order, as JavaScript enumerates them: the emitted JSON then survives `JSON.parse` and
 * `JSON.stringify` unchanged, which `verifyAuditTrail` relies on.
 */
interface EvidenceNode {
  readonly keys: readonly string[];
  /** `{"key":` and `,"key":` of each key. */
  readonly first: readonly Piece[];
  readonly next: readonly Piece[];
  readonly masked: readonly boolean[];
  readonly children: readonly (EvidenceNode | undefined)[];
}

/** The tree, and its leaves' full paths in the order the tree is walked (the snapshot order). */
interface EvidenceTree {
  readonly root: EvidenceNode;
  readonly leafPaths: readonly (readonly string[])[];
  readonly leafMasked: readonly boolean[];
}

function buildEvidenceTree(paths: readonly (readonly string[])[], isMaskKey: (key: string) => boolean): EvidenceTree {
  const leafPaths: string[][] = [];
  const leafMasked: boolean[] = [];
  const build = (group: readonly (readonly string[])[], prefix: readonly string[]): EvidenceNode => {
    // A path that ends here (or at a mask key) makes the whole value evidence, whatever longer paths go through it.
    const groups = new Map<string, (readonly string[])[] | undefined>();
    for (const path of group) {
      const [head, ...rest] = path;
      if (head === undefined) continue;
      if (!groups.has(head)) groups.set(head, []);
      const sub = groups.get(head);
      if (rest.length === 0 || isMaskKey(head)) groups.set(head, undefined);
      else sub?.push(rest);
    }
    const isIndex = (key: string) => /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
    const keys = [...groups.keys()].sort((a, b) => (isIndex(a) ? (isIndex(b) ? Number(a) - Number(b) : -1) : isIndex(b) ? 1 : 0));
    const children = keys.map((k) => {
      const sub = groups.get(k);
      if (sub !== undefined) return build(sub, [...prefix, k]);
      leafPaths.push([...prefix, k]);
      leafMasked.push(isMaskKey(k));
      return undefined;
    });
    return { keys, first: keys.map((k) => piece(`{${JSON.stringify(k)}:`)), next: keys.map((k) => piece(`,${JSON.stringify(k)}:`)), masked: keys.map((k) => isMaskKey(k)), children };
  };
  const root = build(paths, []);
  return { root, leafPaths, leafMasked };
}

/** Serialised decision fields, per frozen decision (frozen: they cannot change under the cache). */
const decisionJsonCache = new WeakMap<Decision, Piece>();

function decisionFields(decision: Decision): Piece {
  let cached = decisionJsonCache.get(decision);
  if (cached !== undefined) return cached;
  const json = `,"decision":${JSON.stringify(decision.decision)},"reason":${JSON.stringify(decision.reason)},"policies":${JSON.stringify(decision.policies)},"version":${JSON.stringify(decision.version)}`;
  cached = piece(json);
  if (Object.isFrozen(decision) && Object.isFrozen(decision.policies)) decisionJsonCache.set(decision, cached);
  return cached;
}

/** SHA-256 (hex) of a block: the previous block's hash, a newline, the entries' JSON. */
export function blockHash(prevHash: string, entriesJson: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(entriesJson).digest('hex');
}

/**
 * What {@link verifyAuditTrail} found. A failure names the first block where the chain breaks,
 * the sequence number there, and a stable `code`: `ABAC_AUDIT_PREV_HASH` (a block deleted,
 * inserted or moved), `ABAC_AUDIT_HASH` (an entry edited, deleted, inserted or moved),
 * `ABAC_AUDIT_SEQ` (sequence numbers do not run on), `ABAC_AUDIT_TRUNCATED` (the chain ends
 * before the expected head) or `ABAC_AUDIT_HEAD_MISMATCH` (the chain reaches the expected head's
 * sequence number with a different hash).
 */
export type AuditVerification =
  | { ok: true; blocks: number; entries: number }
  | { ok: false; code: AuditVerificationCode; block: number; seq: number; problem: string };

export type AuditVerificationCode = 'ABAC_AUDIT_PREV_HASH' | 'ABAC_AUDIT_HASH' | 'ABAC_AUDIT_SEQ' | 'ABAC_AUDIT_TRUNCATED' | 'ABAC_AUDIT_HEAD_MISMATCH';

/**
 * Checks a whole chain: each block's `prevHash` is the previous block's `hash`, each `hash`
 * matches its content, and sequence numbers run on without gaps. Any edit, deletion, insertion
 * or reorder — of entries or of whole blocks — is reported at the first block where it shows.
 * The end of a chain can only be checked against something kept apart from it: pass the
 * published {@link AuditTrail.head} as `expectedHead`, and a chain that stops short of it (a
 * dropped last block, or a last entry removed and its block re-hashed) is `ABAC_AUDIT_TRUNCATED`.
 * A chain that goes on past the expected head verifies (it was published earlier).
 */
export function verifyAuditTrail(blocks: readonly AuditBlock[], options: { firstPrevHash?: string; expectedHead?: AuditHead } = {}): AuditVerification {
  let prev = options.firstPrevHash ?? GENESIS_HASH;
  let expectedSeq = blocks[0]?.entries[0]?.seq ?? 1;
  let entries = 0;
  const head = options.expectedHead;
  let headSeen = false;
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b]!;
    const seq = block.entries[0]?.seq ?? expectedSeq;
    if (block.prevHash !== prev) return { ok: false, code: 'ABAC_AUDIT_PREV_HASH', block: b, seq, problem: 'prevHash does not match the previous block: a block was deleted, inserted or moved' };
    if (blockHash(block.prevHash, JSON.stringify(block.entries)) !== block.hash) return { ok: false, code: 'ABAC_AUDIT_HASH', block: b, seq, problem: 'content does not match its hash: an entry was edited, deleted, inserted or moved' };
    for (const entry of block.entries) {
      if (entry.seq !== expectedSeq) return { ok: false, code: 'ABAC_AUDIT_SEQ', block: b, seq: entry.seq, problem: `expected seq ${expectedSeq}` };
      expectedSeq++;
    }
    entries += block.entries.length;
    prev = block.hash;
    if (head !== undefined && !headSeen && expectedSeq - 1 >= head.sequence && (block.entries.length > 0 || expectedSeq - 1 === head.sequence)) {
      if (expectedSeq - 1 !== head.sequence || block.hash !== head.hash) return { ok: false, code: 'ABAC_AUDIT_HEAD_MISMATCH', block: b, seq: head.sequence, problem: `the chain reaches seq ${head.sequence} without the expected head hash ${head.hash}: it was rewritten from here` };
      headSeen = true;
    }
  }
  if (head !== undefined && !headSeen && !(blocks.length === 0 && head.sequence === expectedSeq - 1 && head.hash === prev)) {
    return { ok: false, code: 'ABAC_AUDIT_TRUNCATED', block: blocks.length, seq: expectedSeq, problem: `the chain ends at seq ${expectedSeq - 1} (hash ${prev}) but the expected head is seq ${head.sequence} (hash ${head.hash}): blocks or entries were removed from its end` };
  }
  return { ok: true, blocks: blocks.length, entries };
}

const LINE_END = Buffer.from('}\n');

/** Appends one JSON line per block to a file. */
export class FileAuditSink implements AuditSink {
  constructor(readonly path: string) {}

  async append(block: SealedBlock): Promise<void> {
    // Written from the hashed text itself, so what is on disk is byte for byte what was hashed.
    await appendFile(this.path, Buffer.concat([Buffer.from(`{"prevHash":"${block.prevHash}","hash":"${block.hash}","entries":`), block.entriesBytes, LINE_END]));
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

