import { IssueCollector, systemClock, type Clock } from '@sightline/core';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { Decision, DecisionEvidence } from './authorizer.js';
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
}

export const GENESIS_HASH = '0'.repeat(64);
const DEFAULT_MASK = ['password', 'token', 'secret', 'authorization', 'apikey', 'api_key', 'cookie'];
const MAX_STRING = 256;
const MASK_KEY_CACHE_LIMIT = 10_000;

/**
 * A tamper-evident record of access decisions. `record` only keeps references in preallocated
 * slots (nothing is copied, serialised or hashed on the decision's hot path); `flush` — or every
 * `batchSize` decisions — seals the buffer into one block: one string for the whole batch and one
 * SHA-256 over it, chained to the previous block. Editing, deleting, inserting or reordering any
 * entry breaks {@link verifyAuditTrail}. Requests must not be mutated after they are decided.
 */
export class AuditTrail {
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #sampleRate: number;
  readonly #mask: ReadonlySet<string>;
  /** Key → whether it is a mask key, so each distinct key is lowercased once, not per entry. */
  readonly #maskKeyCache = new Map<string, boolean>();
  readonly #batchSize: number;
  /** `<run id>:` — decision ids are this prefix and the entry's seq (unique within the chain). */
  readonly #idPrefix = `${randomBytes(9).toString('base64url')}:`;
  readonly #requests: unknown[];
  readonly #decisions: (Decision | undefined)[];
  readonly #evidence: (DecisionEvidence | undefined)[];
  readonly #times: Float64Array;
  readonly #recordsEvidence: boolean;
  #count = 0;
  #lastHash: string;
  #seq: number;
  #sampled = 0;
  #flushing: Promise<void> = Promise.resolve();

  /** @throws ValidationError `ABAC_AUDIT_OPTIONS` when `batchSize`, `allowSampleRate` or `input` is out of range. */
  constructor(options: AuditTrailOptions) {
    const issues = new IssueCollector();
    if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize >= 1 && options.batchSize <= 1_000_000)) issues.add(['batchSize'], `must be an integer from 1 to 1,000,000, got ${String(options.batchSize)}`, 'ABAC_VALUE');
    if (options.allowSampleRate !== undefined && !(options.allowSampleRate >= 0 && options.allowSampleRate <= 1)) issues.add(['allowSampleRate'], `must be a ratio from 0 to 1, got ${String(options.allowSampleRate)}`, 'ABAC_VALUE');
    if (options.input !== undefined && options.input !== 'request' && options.input !== 'evidence') issues.add(['input'], `must be "request" or "evidence", got ${JSON.stringify(options.input)}`, 'ABAC_VALUE');
    issues.throwIfAny('ABAC_AUDIT_OPTIONS', 'AuditTrail options');
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock;
    this.#sampleRate = options.allowSampleRate ?? 1;
    this.#mask = new Set((options.maskKeys ?? DEFAULT_MASK).map((k) => k.toLowerCase()));
    this.#batchSize = options.batchSize ?? 1_024;
    this.#requests = new Array<unknown>(this.#batchSize).fill(undefined);
    this.#decisions = new Array<Decision | undefined>(this.#batchSize).fill(undefined);
    this.#evidence = new Array<DecisionEvidence | undefined>(this.#batchSize).fill(undefined);
    this.#recordsEvidence = options.input === 'evidence';
    this.#times = new Float64Array(this.#batchSize);
    this.#lastHash = options.lastHash ?? GENESIS_HASH;
    this.#seq = options.lastSeq ?? 0;
  }

  /** Keeps a decision (every deny; a deterministic sample of allows). Pass as `onDecision`. */
  readonly record = (request: AccessRequest, decision: Decision, atMs?: number, evidence?: DecisionEvidence): void => {
    if (decision.decision === 'allow' && this.#sampleRate < 1) {
      // Deterministic sampling: keep allow n when floor(n * rate) advances.
      this.#sampled++;
      if (Math.floor(this.#sampled * this.#sampleRate) === Math.floor((this.#sampled - 1) * this.#sampleRate)) return;
    }
    const i = this.#count++;
    this.#requests[i] = request;
    this.#decisions[i] = decision;
    if (this.#recordsEvidence) this.#evidence[i] = evidence;
    this.#times[i] = atMs ?? this.#clock.now();
    if (this.#count >= this.#batchSize) void this.flush();
  };

  /** Seals what is buffered into a block and appends it to the sink, blocks in order. */
  flush(): Promise<void> {
    if (this.#count === 0) return this.#flushing;
    const firstSeq = this.#seq;
    let entriesJson = this.#recordsEvidence ? undefined : this.#serialiseEntries(this.#count);
    if (entriesJson === undefined) {
      this.#seq = firstSeq; // the same seqs, entry by entry
      entriesJson = this.#serialise(this.#count);
    }
    this.#requests.fill(undefined, 0, this.#count); // let the requests and decisions go
    this.#decisions.fill(undefined, 0, this.#count);
    if (this.#recordsEvidence) this.#evidence.fill(undefined, 0, this.#count);
    this.#count = 0;
    const prevHash = this.#lastHash;
    const hash = blockHash(prevHash, entriesJson);
    this.#lastHash = hash;
    const block: SealedBlock = { prevHash, hash, entriesJson };
    this.#flushing = this.#flushing.then(() => this.#sink.append(block));
    return this.#flushing;
  }

  /**
   * Evidence mode (and the fallback): the entries as one string built piece by piece, byte for
   * byte what `JSON.stringify` gives for the {@link AuditEntry} objects (so `verifyAuditTrail` can
   * recompute it from parsed entries). The decision's fields are serialised once per frozen
   * decision (the authorizer's are precomputed and shared), the time once per millisecond, and an
   * entry whose input cannot be serialised does not stop the others.
   */
  #serialise(count: number): string {
    let json = '[';
    let lastTime = Number.NaN;
    let lastTimeJson = 'null';
    for (let i = 0; i < count; i++) {
      const seq = ++this.#seq;
      const time = this.#times[i]!;
      if (time !== lastTime) {
        lastTime = time;
        lastTimeJson = Number.isFinite(time) ? String(time) : 'null';
      }
      json += `${i === 0 ? '' : ','}{"seq":${seq},"decisionId":"${this.#idPrefix}${seq}","time":${lastTimeJson}${this.#requestFields(this.#requests[i], this.#decisions[i]!, this.#evidence[i])}}`;
    }
    return `${json}]`;
  }

  /**
   * Whole-request mode: the {@link AuditEntry} objects and one `JSON.stringify` for the batch, the
   * fastest way Node 20 has to turn them into one flat string. `undefined` when a `toJSON` throws:
   * the caller then serialises entry by entry, which isolates the culprit.
   */
  #serialiseEntries(count: number): string | undefined {
    const entries = new Array<AuditEntry>(count);
    for (let i = 0; i < count; i++) {
      const request = this.#requests[i];
      const decision = this.#decisions[i]!;
      const seq = ++this.#seq;
      let principal = '(unknown)';
      let action = '(invalid)';
      let resource = '(invalid):*';
      let input: unknown = '[unreadable]';
      try {
        const r = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : undefined;
        const subject = r?.subject as Record<string, unknown> | null | undefined;
        const target = r?.resource as Record<string, unknown> | null | undefined;
        if (typeof subject?.id === 'string') principal = subject.id;
        if (typeof r?.action === 'string') action = r.action;
        resource = `${typeof target?.type === 'string' ? target.type : '(invalid)'}:${typeof target?.id === 'string' ? target.id : '*'}`;
        input = this.#needsMasking(request, 0) ? mask(request, this.#mask, 0) : request;
      } catch {
        // A getter or Proxy that throws: the entry is still written, with what could be read.
      }
      entries[i] = { seq, decisionId: this.#idPrefix + seq, time: this.#times[i]!, principal, action, resource, decision: decision.decision, reason: decision.reason, policies: decision.policies, version: decision.version, input };
    }
    try {
      return JSON.stringify(entries);
    } catch {
      return undefined;
    }
  }

  /** `,"principal":…,"action":…,"resource":…,"decision":…,…,"input":…` for one entry. Never throws. */
  #requestFields(request: unknown, decision: Decision, evidence: DecisionEvidence | undefined): string {
    const decisionJson = decisionFields(decision);
    try {
      const r = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : undefined;
      const subject = r?.subject as Record<string, unknown> | null | undefined;
      const resource = r?.resource as Record<string, unknown> | null | undefined;
      const principal = typeof subject?.id === 'string' ? subject.id : '(unknown)';
      const action = typeof r?.action === 'string' ? r.action : '(invalid)';
      const where = `${typeof resource?.type === 'string' ? resource.type : '(invalid)'}:${typeof resource?.id === 'string' ? resource.id : '*'}`;
      return `,"principal":${JSON.stringify(principal)},"action":${JSON.stringify(action)},"resource":${JSON.stringify(where)}${decisionJson}${evidence === undefined || r === undefined ? this.#inputField(request) : this.#evidenceField(r, evidence)}`;
    } catch {
      // A getter or Proxy that throws on the identifying fields: the entry is still written.
      return `,"principal":"(unknown)","action":"(invalid)","resource":"(invalid):*"${decisionJson},"input":"[unreadable]"`;
    }
  }

  /** `,"input":<masked request JSON>`, or nothing when JSON has no value for it (as JSON.stringify omits it). */
  #inputField(request: unknown): string {
    // The common request is serialised as it is; only one that holds a secret-looking key, an
    // over-long string or a value JSON cannot hold pays for a masked copy. Checking the objects
    // costs a fraction of scanning the serialised text for the same things.
    let json: string | undefined;
    try {
      json = JSON.stringify(this.#needsMasking(request, 0) ? mask(request, this.#mask, 0) : request);
    } catch {
      // A getter or toJSON that throws: store the masked copy, or say it could not be read.
      try {
        json = JSON.stringify(mask(request, this.#mask, 0));
      } catch {
        json = '"[unreadable]"';
      }
    }
    return json === undefined ? '' : `,"input":${json}`;
  }

  /** `,"input":<masked evidence JSON>`; a value that cannot be read makes it `"[unreadable]"`. */
  #evidenceField(request: Record<string, unknown>, evidence: DecisionEvidence): string {
    try {
      return `,"input":${this.#evidenceJson(request, evidenceTree(evidence), 1)}`;
    } catch {
      return ',"input":"[unreadable]"';
    }
  }

  /**
   * JSON of `value` restricted to the paths of `node`, read as policies read them (own
   * properties of non-array objects; `undefined` is missing), masked as `mask` would at `depth`.
   */
  #evidenceJson(value: Record<string, unknown>, node: EvidenceNode, depth: number): string {
    let json = '';
    for (let k = 0; k < node.keys.length; k++) {
      const key = node.keys[k]!;
      if (!Object.hasOwn(value, key)) continue;
      const v = value[key];
      if (v === undefined) continue;
      let member: string | undefined;
      const child = node.children[k];
      if (this.#isMaskKey(key)) member = '"***"';
      else if (child === undefined) member = this.#leafJson(v, depth);
      else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        member = this.#evidenceJson(v as Record<string, unknown>, child, depth + 1);
        if (member === '{}') continue;
      }
      if (member === undefined) continue;
      json += `${json === '' ? '{' : ','}${node.keyJson[k]!}:${member}`;
    }
    return json === '' ? '{}' : `${json}}`;
  }

  #leafJson(value: unknown, depth: number): string | undefined {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
      case 'number':
      case 'boolean':
        return JSON.stringify(value);
      default:
        try {
          return JSON.stringify(this.#needsMasking(value, depth) ? mask(value, this.#mask, depth) : value);
        } catch {
          // A toJSON that throws: the masked copy (plain data) has none.
          return JSON.stringify(mask(value, this.#mask, depth));
        }
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
   * Whether `mask` would change `value`: a mask key (any case), a string over MAX_STRING, a value
   * JSON cannot hold or drops, an array over 100 items, or nesting deeper than `mask` goes.
   */
  #needsMasking(value: unknown, depth: number): boolean {
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
      for (const item of value) if (this.#needsMasking(item, depth + 1)) return true;
      return false;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (this.#isMaskKey(key)) return true;
      if (this.#needsMasking((value as Record<string, unknown>)[key], depth + 1)) return true;
    }
    return false;
  }
}

/**
 * The paths of a {@link DecisionEvidence} as a tree: `children[k]` is the subtree under `keys[k]`,
 * or `undefined` when the whole value is evidence. Keys that are array indices come first, in
 * ascending order, as JavaScript enumerates them: the emitted JSON then survives `JSON.parse` and
 * `JSON.stringify` unchanged, which `verifyAuditTrail` relies on.
 */
interface EvidenceNode {
  readonly keys: readonly string[];
  readonly keyJson: readonly string[];
  readonly children: readonly (EvidenceNode | undefined)[];
}

const evidenceTrees = new WeakMap<DecisionEvidence, EvidenceNode>();

function evidenceTree(evidence: DecisionEvidence): EvidenceNode {
  let tree = evidenceTrees.get(evidence);
  if (tree === undefined) {
    tree = buildEvidenceTree(evidence.paths.map((p) => p.split('.')));
    evidenceTrees.set(evidence, tree);
  }
  return tree;
}

function buildEvidenceTree(paths: readonly (readonly string[])[]): EvidenceNode {
  // A path that ends here makes the whole value evidence, whatever longer paths go through it.
  const groups = new Map<string, (readonly string[])[] | undefined>();
  for (const path of paths) {
    const [head, ...rest] = path;
    if (head === undefined) continue;
    if (!groups.has(head)) groups.set(head, []);
    const group = groups.get(head);
    if (rest.length === 0) groups.set(head, undefined);
    else group?.push(rest);
  }
  const isIndex = (key: string) => /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
  const keys = [...groups.keys()].sort((a, b) => (isIndex(a) ? (isIndex(b) ? Number(a) - Number(b) : -1) : isIndex(b) ? 1 : 0));
  return { keys, keyJson: keys.map((k) => JSON.stringify(k)), children: keys.map((k) => { const group = groups.get(k); return group === undefined ? undefined : buildEvidenceTree(group); }) };
}

/** Serialised decision fields, per frozen decision (frozen: they cannot change under the cache). */
const decisionJsonCache = new WeakMap<Decision, string>();

function decisionFields(decision: Decision): string {
  let json = decisionJsonCache.get(decision);
  if (json !== undefined) return json;
  json = `,"decision":${JSON.stringify(decision.decision)},"reason":${JSON.stringify(decision.reason)},"policies":${JSON.stringify(decision.policies)},"version":${JSON.stringify(decision.version)}`;
  if (Object.isFrozen(decision) && Object.isFrozen(decision.policies)) decisionJsonCache.set(decision, json);
  return json;
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
