import type { TraceState } from '@opentelemetry/api';

/** W3C limits: at most 32 list members; propagate at most 512 characters. */
export const TRACESTATE_MAX_MEMBERS = 32;
/** Length above which a propagated `tracestate` is truncated (W3C Trace Context §3.3.1.5). */
export const TRACESTATE_MAX_LENGTH = 512;
/** Members longer than this are the first removed when truncating. */
const TRUNCATE_FIRST_MEMBER_LENGTH = 128;

// W3C Trace Context Level 2 (§3.3.2.2), tracestate ABNF. Level 2 made `@` an ordinary key
// character: Level 1's split into tenant-id (<= 241) "@" system-id (<= 14) is gone, and any key may
// start with a digit.
//   key      = ( lcalpha / DIGIT ) 0*255 ( keychar )
//   keychar  = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
//   value    = 0*255(chr) nblk-chr ; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E ; chr = %x20 / nblk-chr
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

type Member = readonly [key: string, value: string];
const NO_MEMBERS: readonly Member[] = [];

/** Whether `key` is a valid W3C Trace Context Level 2 tracestate key (`tenant@vendor` included). */
export function isValidTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

/** Whether `value` is a valid W3C tracestate value. */
export function isValidTraceStateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * An immutable W3C `tracestate` that follows the Level 2 grammar exactly. `set` moves the key to
 * the front (most recent vendor first, as the spec requires) and ignores invalid keys or values;
 * `serialize` applies the spec's truncation rule so the result never exceeds 512 characters.
 * {@link W3CTraceState.lazy} defers parsing a received header until the state is first read.
 */
export class W3CTraceState implements TraceState {
  /** Members in order, most recent first; `undefined` while a lazy header is not parsed yet. */
  #members: readonly Member[] | undefined;
  /** The received header, kept until the first read parses it. */
  #header: string | undefined;
  /** `serialize()` computed once: the state is immutable and is written on every outgoing call. */
  #serialized: string | undefined;

  static readonly #empty = new W3CTraceState(NO_MEMBERS, undefined);

  private constructor(members: readonly Member[] | undefined, header: string | undefined) {
    this.#members = members;
    this.#header = header;
  }

  /** An empty trace state. */
  static empty(): W3CTraceState {
    return W3CTraceState.#empty;
  }

  /**
   * Parses a tracestate header value (several headers joined with `,`). Returns `undefined` when
   * the whole value must be discarded: an invalid member, a duplicate key, or more than 32
   * members. Empty members and optional whitespace (space, tab) around members are allowed.
   */
  static parse(header: string): W3CTraceState | undefined {
    const members = parseMembers(header);
    if (members === undefined) return undefined;
    return members.length === 0 ? W3CTraceState.#empty : new W3CTraceState(members, undefined);
  }

  /**
   * A trace state for a received header that is parsed when first read (`get`, `set`, `unset`,
   * `size`, `serialize`), so a receiver that never looks at it pays nothing. A header that
   * {@link W3CTraceState.parse} would discard reads as empty, and an empty state is not propagated.
   * @example
   * const state = W3CTraceState.lazy('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
   * state.get('rojo'); // '00f067aa0ba902b7' (parsed now)
   */
  static lazy(header: string): W3CTraceState {
    return new W3CTraceState(undefined, header);
  }

  /** Returns a trace state with `key=value` first; returns `this` if key or value is invalid. */
  set(key: string, value: string): W3CTraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const members: Member[] = [[key, value]];
    for (const member of this.#list()) {
      if (member[0] !== key && members.length < TRACESTATE_MAX_MEMBERS) members.push(member);
    }
    return new W3CTraceState(members, undefined);
  }

  /** Returns a trace state without `key`. */
  unset(key: string): W3CTraceState {
    const list = this.#list();
    const members = list.filter((m) => m[0] !== key);
    return members.length === list.length ? this : new W3CTraceState(members, undefined);
  }

  get(key: string): string | undefined {
    for (const member of this.#list()) if (member[0] === key) return member[1];
    return undefined;
  }

  /** Number of list members. */
  get size(): number {
    return this.#list().length;
  }

  /**
   * The header value, at most 512 characters. When longer, members over 128 characters are removed
   * first, then members from the end, until it fits (W3C Trace Context, tracestate limits).
   */
  serialize(): string {
    this.#serialized ??= truncate(this.#list());
    return this.#serialized;
  }

  #list(): readonly Member[] {
    let members = this.#members;
    if (members === undefined) {
      // Parsed once; an invalid header is discarded as a whole, which reads as an empty list.
      members = parseMembers(this.#header ?? '') ?? NO_MEMBERS;
      this.#members = members;
      this.#header = undefined;
    }
    return members;
  }
}

/** The members of a header, or `undefined` when the spec says to discard it as a whole. */
function parseMembers(header: string): Member[] | undefined {
  const members: Member[] = [];
  const seen = new Set<string>();
  let start = 0;
  const length = header.length;
  while (start <= length) {
    let end = header.indexOf(',', start);
    if (end === -1) end = length;
    let from = start;
    let to = end;
    while (from < to && isOws(header.charCodeAt(from))) from++;
    while (to > from && isOws(header.charCodeAt(to - 1))) to--;
    if (to > from) {
      const eq = header.indexOf('=', from);
      if (eq === -1 || eq >= to) return undefined;
      const key = header.slice(from, eq);
      const value = header.slice(eq + 1, to);
      // A repeated key is invalid (one entry per key); the W3C test suite expects the whole
      // tracestate discarded, not one of the entries kept.
      if (!KEY.test(key) || !VALUE.test(value) || seen.has(key)) return undefined;
      seen.add(key);
      members.push([key, value]);
      if (members.length > TRACESTATE_MAX_MEMBERS) return undefined;
    }
    start = end + 1;
  }
  return members;
}

/** Members as a header value, truncated to 512 characters by the spec's rule. */
function truncate(members: readonly Member[]): string {
  const parts = members.map((m) => `${m[0]}=${m[1]}`);
  let total = serializedLength(parts);
  if (total <= TRACESTATE_MAX_LENGTH) return parts.join(',');
  const kept: (string | undefined)[] = [...parts];
  for (let i = kept.length - 1; i >= 0 && total > TRACESTATE_MAX_LENGTH; i--) {
    const part = kept[i];
    if (part !== undefined && part.length > TRUNCATE_FIRST_MEMBER_LENGTH) {
      kept[i] = undefined;
      total = serializedLength(kept);
    }
  }
  for (let i = kept.length - 1; i >= 0 && total > TRACESTATE_MAX_LENGTH; i--) {
    if (kept[i] !== undefined) {
      kept[i] = undefined;
      total = serializedLength(kept);
    }
  }
  return kept.filter((p): p is string => p !== undefined).join(',');
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function serializedLength(parts: readonly (string | undefined)[]): number {
  let total = 0;
  let count = 0;
  for (const part of parts) {
    if (part === undefined) continue;
    total += part.length;
    count++;
  }
  return count === 0 ? 0 : total + count - 1;
}
