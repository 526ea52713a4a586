import { createHash } from 'node:crypto';

/** Below this many characters a string is copied in a loop; above, one native call is cheaper. */
const SHORT = 16;
/** A character JSON.stringify escapes, or any non-ASCII one. */
const NEEDS_QUOTING = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;
const NON_ASCII = /[\u0080-\uffff]/;

/** The bytes of one sealed block, and its hash over the previous hash and them. */
export interface SealedBytes {
  readonly hash: string;
  /** Owned by the caller: the writer starts a new buffer. */
  readonly bytes: Buffer;
  /** Whether every byte is ASCII (the text is then a plain copy of the bytes). */
  readonly ascii: boolean;
}

/**
 * The UTF-8 bytes of a block's JSON text, written in place. The audit trail used to append entry
 * text to a string: V8 keeps it as a rope of tens of thousands of pieces, and flattening it to
 * hash, then copying it out of the large-object heap, cost about three times the hash itself.
 * Here fixed pieces are pre-encoded and copied with one `set`, short strings byte by byte, long
 * ones with one native write, and the block is hashed from its bytes: the same bytes, so the same
 * hash, as hashing the text as a string.
 */
export class JsonBytes {
  #buffer: Buffer = Buffer.allocUnsafe(1 << 16);
  /** Bytes written so far: everything before it is the text; `length = n` rolls back to `n`. */
  length = 0;
  /** Whether every byte since the last seal is ASCII. */
  #ascii = true;

  /** Appends a pre-encoded fixed piece of JSON. */
  piece(piece: Piece): void {
    const bytes = piece.bytes;
    const n = bytes.length;
    if (this.length + n > this.#buffer.length) this.#grow(n);
    if (n > SHORT) this.#buffer.set(bytes, this.length);
    else {
      const buffer = this.#buffer;
      const at = this.length;
      for (let i = 0; i < n; i++) buffer[at + i] = bytes[i]!;
    }
    this.length += n;
    if (!piece.ascii) this.#ascii = false;
  }

  /** Appends `text` as it is (it is already JSON, or part of it). */
  raw(text: string): void {
    const n = text.length;
    if (n > SHORT) {
      if (NON_ASCII.test(text)) this.#utf8(text);
      else {
        if (this.length + n > this.#buffer.length) this.#grow(n);
        this.length += this.#buffer.write(text, this.length, 'latin1');
      }
      return;
    }
    if (this.length + n > this.#buffer.length) this.#grow(n);
    const buffer = this.#buffer;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        this.length = at;
        this.#utf8(text.slice(i));
        return;
      }
      buffer[at++] = code;
    }
    this.length = at;
  }

  /** Appends `text` as a JSON string, byte for byte what `JSON.stringify(text)` gives. */
  quoted(text: string): void {
    const n = text.length;
    if (n > SHORT) {
      if (NEEDS_QUOTING.test(text)) this.raw(JSON.stringify(text));
      else {
        if (this.length + n + 2 > this.#buffer.length) this.#grow(n + 2);
        const buffer = this.#buffer;
        buffer[this.length] = 0x22;
        this.length += 1 + buffer.write(text, this.length + 1, 'latin1');
        buffer[this.length++] = 0x22;
      }
      return;
    }
    if (this.length + n + 2 > this.#buffer.length) this.#grow(n + 2);
    const buffer = this.#buffer;
    const start = this.length;
    let at = start;
    buffer[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      // Printable ASCII without quote or backslash needs no escaping; anything else: JSON.stringify's own.
      if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) {
        this.length = start;
        this.raw(JSON.stringify(text));
        return;
      }
      buffer[at++] = code;
    }
    buffer[at++] = 0x22;
    this.length = at;
  }

  /** Appends `"<first>:<second>"` as `JSON.stringify` quotes the joined text, without joining it first. */
  quotedPair(first: string, second: string): void {
    if (NEEDS_QUOTING.test(first) || NEEDS_QUOTING.test(second)) {
      this.raw(JSON.stringify(`${first}:${second}`));
      return;
    }
    const n = first.length + second.length + 3;
    if (this.length + n > this.#buffer.length) this.#grow(n);
    const buffer = this.#buffer;
    buffer[this.length++] = 0x22;
    this.#plain(first);
    buffer[this.length++] = 0x3a;
    this.#plain(second);
    buffer[this.length++] = 0x22;
  }

  /** Writes ASCII text known to fit: short text byte by byte, long text in one native call. */
  #plain(text: string): void {
    const buffer = this.#buffer;
    if (text.length > SHORT) this.length += buffer.write(text, this.length, 'latin1');
    else {
      const at = this.length;
      for (let i = 0; i < text.length; i++) buffer[at + i] = text.charCodeAt(i);
      this.length += text.length;
    }
  }

  /**
   * SHA-256 (hex) over `prefix` and the bytes written; hands the bytes over and starts a new
   * buffer (of the same size: blocks are usually alike), so the caller's bytes never change.
   */
  seal(prefix: string): SealedBytes {
    const bytes = this.#buffer.subarray(0, this.length);
    const hash = createHash('sha256').update(prefix).update(bytes).digest('hex');
    const ascii = this.#ascii;
    this.#buffer = Buffer.allocUnsafe(Math.max(1 << 16, Math.min(this.#buffer.length, 1 << 24)));
    this.length = 0;
    this.#ascii = true;
    return { hash, bytes, ascii };
  }

  #utf8(text: string): void {
    this.#ascii = false;
    const most = text.length * 3;
    if (this.length + most > this.#buffer.length) this.#grow(most);
    this.length += this.#buffer.write(text, this.length, 'utf8');
  }

  #grow(more: number): void {
    let size = this.#buffer.length * 2;
    while (size < this.length + more) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buffer.copy(next, 0, 0, this.length);
    this.#buffer = next;
  }
}

/** A fixed piece of JSON, encoded once: its UTF-8 bytes, and whether they are all ASCII. */
export interface Piece {
  readonly bytes: Uint8Array;
  readonly ascii: boolean;
}

/** Encodes a fixed piece of JSON for {@link JsonBytes.piece}. */
export function piece(text: string): Piece {
  return { bytes: Buffer.from(text, 'utf8'), ascii: !NON_ASCII.test(text) };
}
