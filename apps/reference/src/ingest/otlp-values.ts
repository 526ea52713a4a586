// Decoding of the OTLP/JSON building blocks (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
// AnyValue, KeyValue lists, 64-bit integers sent as strings, and hex ids. Messages decoded from
// protobuf (otlp-protobuf.ts) are read by the same code: where OTLP/JSON has a hex id or base64
// text they hold bytes, and where it has decimal text a protobufjs `Long`; the readers below take
// both. JSON.parse can produce neither, so JSON input cannot pose as them.
import protobuf from 'protobufjs';

/** protobufjs' 64-bit integer class (from the `long` package), or null where it is absent and 64-bit fields decode as numbers. */
const Long = protobuf.util.Long as (abstract new (...args: never[]) => protobuf.Long) | null;

function isLong(value: unknown): value is protobuf.Long {
  return Long !== null && value instanceof Long;
}

/** A JSON value decoded from an OTLP `AnyValue`. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes as a plain object. */
export type Attributes = Record<string, AttributeValue>;

/** Raised for input that cannot be decoded; the message says which field and why. */
export class OtlpDecodeError extends Error {
  constructor(readonly path: string, why: string) {
    super(`${path}: ${why}`);
    this.name = 'OtlpDecodeError';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an optional array field; absent is empty, anything but an array is an error. */
export function arrayField(parent: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path}.${key}`, 'must be an array');
  return value;
}

/**
 * How deep `arrayValue` / `kvlistValue` may nest (levels). A deeper value rejects its item: the
 * decoder recurses per level, so an unbounded depth is a stack overflow waiting for a client.
 */
export const MAX_VALUE_DEPTH = 32;

/**
 * Longest `service.name` and metric name (UTF-16 code units). Both are indexed, and a B-tree
 * entry over ~2.7 kB fails the insert; the OTel API limits instrument names to 255 too.
 */
export const MAX_NAME_LENGTH = 255;

const UNSAFE_TEXT = /[\0\uD800-\uDFFF]/;
const NUL_OR_LONE_SURROGATE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as storage accepts it: NUL (which PostgreSQL text and jsonb refuse) and lone surrogates
 * (not encodable as UTF-8) become U+FFFD, the replacement character. Other text is returned as is.
 */
export function cleanText(text: string): string {
  return UNSAFE_TEXT.test(text) ? text.replace(NUL_OR_LONE_SURROGATE, '\uFFFD') : text;
}

/** Decodes one OTLP `AnyValue` (`{ stringValue }`, `{ intValue }`, `{ arrayValue: { values } }`, ...). */
export function decodeAnyValue(value: unknown, path: string, depth = 0): AttributeValue {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw new OtlpDecodeError(path, 'must be an AnyValue object');
  if (depth >= MAX_VALUE_DEPTH) throw new OtlpDecodeError(path, `nests deeper than ${MAX_VALUE_DEPTH} levels`);
  if ('stringValue' in value) return toText(value.stringValue, `${path}.stringValue`);
  if ('boolValue' in value) return value.boolValue === true;
  if ('intValue' in value) return toNumber(value.intValue, `${path}.intValue`);
  if ('doubleValue' in value) return toNumber(value.doubleValue, `${path}.doubleValue`);
  if ('bytesValue' in value) return value.bytesValue instanceof Uint8Array ? bytesOf(value.bytesValue).toString('base64') : toText(value.bytesValue, `${path}.bytesValue`);
  if ('arrayValue' in value) {
    const inner = isRecord(value.arrayValue) ? value.arrayValue : {};
    return arrayField(inner, 'values', `${path}.arrayValue`).map((v, i) => decodeAnyValue(v, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if ('kvlistValue' in value) {
    const inner = isRecord(value.kvlistValue) ? value.kvlistValue : {};
    return decodeAttributes(arrayField(inner, 'values', `${path}.kvlistValue`), `${path}.kvlistValue.values`, depth + 1);
  }
  return null;
}

/** Decodes a `KeyValue[]` list into an object. */
export function decodeAttributes(list: unknown[], path: string, depth = 0): Attributes {
  const out: Attributes = {};
  list.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.key !== 'string') throw new OtlpDecodeError(`${path}[${i}]`, 'must be a KeyValue with a string key');
    // Own data property only, so a "__proto__" key cannot reach the prototype.
    Object.defineProperty(out, cleanText(entry.key), { value: decodeAnyValue(entry.value, `${path}[${i}].value`, depth), enumerable: true, writable: true, configurable: true });
  });
  return out;
}

/**
 * Reads a string field; a number or boolean is taken as its text. Anything else is an error:
 * `String()` of a JSON object such as `{"toString": 1}` would throw a TypeError (→ 500).
 */
export function toText(value: unknown, path: string): string {
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new OtlpDecodeError(path, `must be a string, got ${JSON.stringify(value)}`);
}

/**
 * Converts an int64/fixed64 (string or number in OTLP/JSON) or a double to a JS number. Only
 * finite numbers: JSON (and so storage) has no Infinity or NaN.
 */
export function toNumber(value: unknown, path: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : isLong(value) ? (value.unsigned ? value.high >>> 0 : value.high) * 0x1_0000_0000 + (value.low >>> 0) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw new OtlpDecodeError(path, `must be a number, got ${JSON.stringify(value)}`);
  return number;
}

/** Reads an enum or small integer field (span kind, status code, severity number), stored as smallint. */
export function toSmallInt(value: unknown, path: string): number {
  const number = toNumber(value, path);
  if (!Number.isInteger(number) || number < -32_768 || number > 32_767) throw new OtlpDecodeError(path, `must be an integer from -32768 to 32767, got ${JSON.stringify(value)}`);
  return number;
}

/** Converts a `...UnixNano` field to epoch milliseconds without losing sub-ms precision needlessly. */
export function nanosToMs(value: unknown, path: string): number {
  if (isLong(value) && (value.unsigned || value.high >= 0)) return longNanosToMs(value.high >>> 0, value.low >>> 0);
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    // Split to stay exact: Number() of a 19-digit string rounds to ~256 ns, fine, but split is exact to 1 ns.
    const whole = value.length > 6 ? Number(value.slice(0, -6)) : 0;
    const fraction = Number(value.slice(-6)) / 1e6;
    if (!Number.isSafeInteger(whole)) throw new OtlpDecodeError(path, `is out of range, got ${JSON.stringify(value)}`);
    return whole + fraction;
  }
  return toNumber(value, path) / 1e6;
}

/**
 * Epoch ms of an unsigned 64-bit nanosecond count given as two 32-bit halves, exact to the ns as
 * the decimal-text path is: with high = a·10⁶ + b, the count is a·2³²·10⁶ + (b·2³² + low), and
 * b·2³² + low stays below 2⁵³.
 */
function longNanosToMs(high: number, low: number): number {
  const a = Math.floor(high / 1e6);
  const rest = (high - a * 1e6) * 0x1_0000_0000 + low;
  const restMs = Math.floor(rest / 1e6);
  return a * 0x1_0000_0000 + restMs + (rest - restMs * 1e6) / 1e6;
}

const HEX = /^[0-9a-f]+$/;

/** The bytes as a Buffer, without copying (protobufjs hands out Buffer views in Node, Uint8Arrays elsewhere). */
function bytesOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Whether an optional id is absent: missing, JSON's empty string, or protobuf's empty bytes. */
export function isAbsentId(value: unknown): boolean {
  return value === undefined || value === '' || (value instanceof Uint8Array && value.length === 0);
}

/** Reads a lowercase-hex id of `bytes` bytes (or the bytes themselves, from protobuf); all-zero ids are invalid (W3C / OTLP). */
export function hexId(value: unknown, bytes: number, path: string): string {
  if (value instanceof Uint8Array) {
    if (value.length !== bytes) throw new OtlpDecodeError(path, `must be ${bytes} bytes, got ${value.length}`);
    if (value.every((byte) => byte === 0)) throw new OtlpDecodeError(path, 'must not be all zeros');
    return bytesOf(value).toString('hex');
  }
  if (typeof value !== 'string') throw new OtlpDecodeError(path, `must be a ${bytes * 2}-character hex string`);
  const id = value.toLowerCase();
  if (id.length !== bytes * 2 || !HEX.test(id)) throw new OtlpDecodeError(path, `must be ${bytes * 2} hex characters, got ${JSON.stringify(value)}`);
  if (/^0+$/.test(id)) throw new OtlpDecodeError(path, 'must not be all zeros');
  return id;
}

/** The `service.name` resource attribute, or `unknown_service` as the SDKs default it; at most {@link MAX_NAME_LENGTH} long. */
export function serviceName(resource: Attributes, path = 'resource'): string {
  const name = resource['service.name'];
  if (typeof name !== 'string' || name === '') return 'unknown_service';
  if (name.length > MAX_NAME_LENGTH) throw new OtlpDecodeError(`${path}.attributes[service.name]`, `must be at most ${MAX_NAME_LENGTH} characters, got ${name.length}`);
  return name;
}

/** Items that decoded, and the count and first reasons of those that did not (OTLP partial success). */
export interface Decoded<T> {
  items: T[];
  rejected: number;
  errors: string[];
}

/**
 * Walks the OTLP envelope shared by every signal — `resource<Signal>[].scope<Signal>[].<items>[]` —
 * decoding each item with `decodeItem`. A structurally broken envelope throws {@link OtlpDecodeError}
 * (→ 400); an item that fails to decode is counted and its reason kept (→ partial success).
 */
export function walkOtlp<T>(
  body: unknown,
  keys: { request: string; resource: string; scope: string; items: string },
  decodeItem: (item: unknown, path: string, context: { resource: Attributes; service: string; scope: string | null; reject: (error: unknown) => void }) => T | T[],
): Decoded<T> {
  if (!isRecord(body)) throw new OtlpDecodeError('(body)', `must be an ${keys.request} JSON object`);
  const result: Decoded<T> = { items: [], rejected: 0, errors: [] };
  // Counts one rejected item (or sub-item, such as a metric's data point); rethrows anything else.
  const reject = (error: unknown) => {
    if (!(error instanceof OtlpDecodeError)) throw error;
    result.rejected++;
    if (result.errors.length < 10) result.errors.push(error.message);
  };
  arrayField(body, keys.resource, '(body)').forEach((r, ri) => {
    const rPath = `${keys.resource}[${ri}]`;
    if (!isRecord(r)) throw new OtlpDecodeError(rPath, 'must be an object');
    const scopes = arrayField(r, keys.scope, rPath);
    let resource: Attributes = {};
    let service = '';
    // A bad resource (or scope) rejects its own items, not the request: they are counted under its reason.
    let resourceError: OtlpDecodeError | undefined;
    try {
      // The protobuf decoder leaves a part that did not decode as its error (see decodeProtobufRequest).
      if (r.resource instanceof OtlpDecodeError) throw r.resource;
      resource = decodeAttributes(arrayField(isRecord(r.resource) ? r.resource : {}, 'attributes', `${rPath}.resource`), `${rPath}.resource.attributes`);
      service = serviceName(resource, `${rPath}.resource`);
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      resourceError = error;
    }
    scopes.forEach((s, si) => {
      const sPath = `${rPath}.${keys.scope}[${si}]`;
      if (!isRecord(s)) throw new OtlpDecodeError(sPath, 'must be an object');
      const items = arrayField(s, keys.items, sPath);
      const partError = resourceError ?? (s.scope instanceof OtlpDecodeError ? s.scope : undefined);
      if (partError !== undefined) {
        if (items.length === 0) return;
        result.rejected += items.length;
        if (result.errors.length < 10 && !result.errors.includes(partError.message)) result.errors.push(partError.message);
        return;
      }
      const scope = isRecord(s.scope) && typeof s.scope.name === 'string' ? cleanText(s.scope.name) : null;
      items.forEach((item, i) => {
        try {
          if (item instanceof OtlpDecodeError) throw item;
          const decoded = decodeItem(item, `${sPath}.${keys.items}[${i}]`, { resource, service, scope, reject });
          if (Array.isArray(decoded)) result.items.push(...decoded);
          else result.items.push(decoded);
        } catch (error) {
          reject(error);
        }
      });
    });
  });
  return result;
}
