import type { TraceState } from '@opentelemetry/api';

/** W3C limits: at most 32 list members; propagate at most 512 characters. */
export const TRACESTATE_MAX_MEMBERS = 32;
/** Length above which a propagated `tracestate` is truncated (W3C Trace Context §3.3.1.5). */
export const TRACESTATE_MAX_LENGTH = 512;
/** Members longer than this are the first removed when truncating. */
const TRUNCATE_FIRST_MEMBER_LENGTH = 128;

// W3C Trace Context Level 2, tracestate ABNF:
//   simple-key = lcalpha 0*255( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
//   multi-tenant-key = tenant-id "@" system-id
//   tenant-id = ( lcalpha / DIGIT ) 0*240( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
//   system-id = lcalpha 0*13( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
//   value = 0*255(chr) nblk-chr ; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E ; chr = %x20 / nblk-chr
const KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** Whether `key` is a valid W3C tracestate key. */
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
 */
export class W3CTraceState implements TraceState {
  /** Members in order, most recent first. */
  readonly #members: readonly (readonly [string, string])[];

  static readonly #empty = new W3CTraceState([]);

  private constructor(members: readonly (readonly [string, string])[]) {
    this.#members = members;
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
    const members: (readonly [string, string])[] = [];
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
        if (!KEY.test(key) || !VALUE.test(value) || seen.has(key)) return undefined;
        seen.add(key);
        members.push([key, value]);
        if (members.length > TRACESTATE_MAX_MEMBERS) return undefined;
      }
      start = end + 1;
    }
    return members.length === 0 ? W3CTraceState.#empty : new W3CTraceState(members);
  }

  /** Returns a trace state with `key=value` first; returns `this` if key or value is invalid. */
  set(key: string, value: string): W3CTraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const members: (readonly [string, string])[] = [[key, value]];
    for (const member of this.#members) {
      if (member[0] !== key && members.length < TRACESTATE_MAX_MEMBERS) members.push(member);
    }
    return new W3CTraceState(members);
  }

  /** Returns a trace state without `key`. */
  unset(key: string): W3CTraceState {
    const members = this.#members.filter((m) => m[0] !== key);
    return members.length === this.#members.length ? this : new W3CTraceState(members);
  }

  get(key: string): string | undefined {
    for (const member of this.#members) if (member[0] === key) return member[1];
    return undefined;
  }

  /** Number of list members. */
  get size(): number {
    return this.#members.length;
  }

  /**
   * The header value, at most 512 characters. When longer, members over 128 characters are removed
   * first, then members from the end, until it fits (W3C Trace Context, tracestate limits).
   */
  serialize(): string {
    const parts = this.#members.map((m) => `${m[0]}=${m[1]}`);
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
