import { setOwn } from './internal/own-property.js';
import { passesLuhn } from './luhn.js';
import { serializeError } from './serialize-error.js';

/** The value patterns the redactor knows, each found inside any string value. */
export type RedactionPattern = 'url-credentials' | 'bearer' | 'aws-access-key' | 'email' | 'card' | 'jwt';

/** Every built-in value pattern; all are on by default. */
export const REDACTION_PATTERNS: readonly RedactionPattern[] = ['url-credentials', 'bearer', 'aws-access-key', 'email', 'card', 'jwt'];

/**
 * Key paths redacted by default. A path matches the last segments of a field's path at any depth,
 * ignoring array indices, case and the separators `_` and `-` (so `api_key` also hides `apiKey`,
 * `API-KEY` and `apikey`); `*` matches any one key (so `password` hides `user.password` and
 * `users[3].password`, and `*.token` hides `session.token`).
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password', 'passwd', 'secret', 'token', 'access_token', 'refresh_token', 'id_token', 'session_token', 'auth_token',
  'api_key', 'client_secret', 'private_key', 'secret_access_key', 'authorization', 'proxy-authorization', 'cookie',
  'set-cookie', 'x-api-key', 'x-auth-token', 'headers.authorization',
];

/** How the redactor and the size limits behave. All numbers are counts. */
export interface RedactionOptions {
  /** Key paths to hide, added to the defaults unless `defaults` is false. */
  keys?: readonly string[];
  /** Value patterns to find inside strings (default: all of {@link REDACTION_PATTERNS}). */
  patterns?: readonly RedactionPattern[];
  /** Extra value patterns of your own; each must have the `g` flag. */
  customPatterns?: readonly RegExp[];
  /** Replacement text (default `[REDACTED]`). */
  marker?: string;
  /** Include {@link DEFAULT_REDACT_KEYS} (default true). */
  defaults?: boolean;
  /** Objects nested deeper than this become `'[Max depth]'` (default 10). */
  maxDepth?: number;
  /** Strings longer than this are cut, with a `…[truncated N chars]` marker (default 8192). */
  maxStringLength?: number;
  /** Arrays longer than this keep their head and a `'[… N more items]'` marker (default 100). */
  maxArrayLength?: number;
  /** Objects with more keys than this keep the first ones and a `'…'` key (default 200). */
  maxKeys?: number;
}

/** A compiled redactor: walks values once, copying only what it changes. */
export interface Redactor {
  /** Returns `value` with secrets replaced, cycles and oversize parts cut; the input is never mutated. */
  redactValue(value: unknown): unknown;
  /** Redacts one top-level field of a record: the key path starts at `key`. */
  redactField(key: string, value: unknown): unknown;
  /** Returns `text` with every value pattern replaced by the marker (the same string when nothing matched). */
  redactString(text: string): string;
}

// The password of a URL's user info (`scheme://user:password@host`); the user and host are kept.
// The password runs greedily to the last `@` before the path, since people do put `@` in passwords.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#]*@/gi;
// Secret-bearing query or form parameters (`?api_key=…`, `&token=…`, `access_token=…`, a SAS `sig=`),
// wherever they stand in a string; the name is kept, the value up to the next `&`, `#` or space is replaced.
const SECRET_PARAM = /(^|[?&;\s])((?:api[_-]?key|x-api-key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|session[_-]?token|token|client[_-]?secret|secret|password|passwd|pwd|sig|signature|x-amz-signature|x-amz-security-token)=)[^&#\s]+/gi;
// Bearer tokens as sent in Authorization headers (RFC 6750 b64token charset).
const BEARER = /\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
// AWS access key ids: a four-letter kind prefix and 16 upper-case base32 characters.
const AWS_KEY = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z2-7]{16}\b/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// 13 to 19 digits, optionally grouped by spaces or dashes; only the Luhn-valid ones are replaced.
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;

const CIRCULAR = '[Circular]';
const MAX_DEPTH = '[Max depth]';
// A value whose reading threw (a throwing getter, a hostile proxy, a failing toJSON).
const UNREADABLE = '[Unreadable]';
const KEY_SEPARATORS = /[-_]/g;

/** The form keys are compared in: lower case, without `_` and `-` (`API_Key` → `apikey`). */
function normalizeKey(key: string): string {
  const lower = key.toLowerCase();
  return lower.includes('_') || lower.includes('-') ? lower.replace(KEY_SEPARATORS, '') : lower;
}

/** Builds a {@link Redactor}: key paths are compiled into a map keyed by their last segment. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const marker = options.marker ?? '[REDACTED]';
  const maxDepth = options.maxDepth ?? 10;
  const maxStringLength = options.maxStringLength ?? 8192;
  const maxArrayLength = options.maxArrayLength ?? 100;
  const maxKeys = options.maxKeys ?? 200;
  const patterns = new Set(options.patterns ?? REDACTION_PATTERNS);
  // Plain booleans: a Set lookup per string per pattern shows up in the per-line cost.
  const findEmail = patterns.has('email');
  const findBearer = patterns.has('bearer');
  const findAws = patterns.has('aws-access-key');
  const findJwt = patterns.has('jwt');
  const findCard = patterns.has('card');
  const findUrlCredentials = patterns.has('url-credentials');
  const custom = options.customPatterns ?? [];
  const keyPaths = [...(options.defaults === false ? [] : DEFAULT_REDACT_KEYS), ...(options.keys ?? [])];

  // last segment (lower case) → the earlier segments each path requires, nearest first.
  const byLastSegment = new Map<string, string[][]>();
  for (const path of keyPaths) {
    const segments = path.split('.').map(normalizeKey);
    const last = segments.pop() ?? '';
    const prefixes = byLastSegment.get(last) ?? [];
    prefixes.push(segments.reverse());
    byLastSegment.set(last, prefixes);
  }
  const wildcardLast = byLastSegment.get('*');
  const path: string[] = [];

  // `path` already ends with the key being checked; the prefixes are matched against its parents.
  const keyIsSecret = (lowerKey: string): boolean =>
    prefixMatches(byLastSegment.get(lowerKey)) || prefixMatches(wildcardLast);
  const prefixMatches = (candidates: string[][] | undefined): boolean => {
    if (candidates === undefined) return false;
    outer: for (const prefix of candidates) {
      if (prefix.length > path.length - 1) continue;
      for (let i = 0; i < prefix.length; i++) {
        const want = prefix[i]!;
        if (want !== '*' && want !== path[path.length - 2 - i]) continue outer;
      }
      return true;
    }
    return false;
  };

  const keepUserHidePassword = (_match: string, head: string): string => `${head}:${marker}@`;
  const keepParamName = (_match: string, lead: string, name: string): string => `${lead}${name}${marker}`;
  const redactString = (text: string): string => {
    let out = text;
    // Cheap pre-checks first: most log strings contain none of the trigger characters, and a
    // failed includes() costs far less than a regex scan. URL credentials go before e-mail
    // addresses, which would otherwise swallow `password@host` and the host with it.
    if (findUrlCredentials) {
      if (out.includes('://')) out = out.replace(URL_PASSWORD, keepUserHidePassword);
      if (out.includes('=')) out = out.replace(SECRET_PARAM, keepParamName);
    }
    if (findEmail && out.includes('@')) out = out.replace(EMAIL, marker);
    if (findBearer && out.length > 7 && (out.includes('earer') || out.includes('EARER'))) out = out.replace(BEARER, marker);
    if (findAws && out.length >= 20 && out.includes('A')) out = out.replace(AWS_KEY, marker);
    if (findJwt && out.length > 20 && out.includes('eyJ')) out = out.replace(JWT, marker);
    if (findCard && out.length >= 13 && hasAtLeastDigits(out, 13)) {
      out = out.replace(CARD, (match) => (passesLuhn(match.replace(/[ -]/g, '')) ? marker : match));
    }
    if (custom.length > 0) for (const regex of custom) out = out.replace(regex, marker);
    if (out.length > maxStringLength) out = `${out.slice(0, maxStringLength)}…[truncated ${out.length - maxStringLength} chars]`;
    return out;
  };

  const ancestors: object[] = [];
  const walk = (value: unknown, depth: number): unknown => {
    switch (typeof value) {
      case 'string':
        return redactString(value);
      case 'number':
        // Card numbers logged as numbers: 13 to 19 digits, a payment-industry first digit (2–6, so
        // epoch ms, µs and ns timestamps, which start with 1, are kept) and a valid Luhn checksum.
        return findCard && value >= 1e12 && value < 1e19 && isCardNumber(value) ? marker : value;
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return redactString(value.toString());
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (value === null) return null;
    const object = value as object;
    if (ancestors.includes(object)) return CIRCULAR;
    if (depth >= maxDepth) return MAX_DEPTH;
    // Reading a caller's object can throw (getters, proxies, toJSON): the value becomes a marker,
    // the walk state is restored, and logging goes on.
    const pathLength = path.length;
    const ancestorsLength = ancestors.length;
    try {
      return walkObjectLike(object, depth);
    } catch {
      path.length = pathLength;
      ancestors.length = ancestorsLength;
      return UNREADABLE;
    }
  };
  const walkObjectLike = (object: object, depth: number): unknown => {
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (object instanceof Error) return walkChild(serializeError(object), object, depth);
    if (ArrayBuffer.isView(object)) return `[Binary ${object.byteLength} bytes]`;
    if (object instanceof Map) return walkChild(Object.fromEntries(object), object, depth);
    if (object instanceof Set) return walkChild([...object], object, depth);
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walkChild(toJSON.call(object), object, depth);
    ancestors.push(object);
    try {
      return Array.isArray(object) ? walkArray(object, depth) : walkObject(object as Record<string, unknown>, depth);
    } finally {
      ancestors.pop();
    }
  };
  // A converted value (error, map, toJSON result) is new, so it always counts as changed.
  const walkChild = (converted: unknown, original: object, depth: number): unknown => {
    ancestors.push(original);
    try {
      return walk(converted, depth);
    } finally {
      ancestors.pop();
    }
  };
  const walkArray = (array: unknown[], depth: number): unknown[] => {
    let out: unknown[] | undefined;
    const length = Math.min(array.length, maxArrayLength);
    for (let i = 0; i < length; i++) {
      const item = array[i];
      const next = walk(item, depth + 1);
      if (next !== item && out === undefined) out = array.slice(0, i);
      if (out !== undefined) out.push(next);
    }
    if (array.length > maxArrayLength) {
      out ??= array.slice(0, length);
      out.push(`[… ${array.length - maxArrayLength} more items]`);
    }
    return out ?? array;
  };
  const walkObject = (object: Record<string, unknown>, depth: number): Record<string, unknown> => {
    let out: Record<string, unknown> | undefined;
    let count = 0;
    const keys = Object.keys(object);
    for (const key of keys) {
      if (count++ === maxKeys) {
        out ??= copyKeys(object, keys, maxKeys);
        out['…'] = `${keys.length - maxKeys} more keys`;
        break;
      }
      const item = object[key];
      const normalKey = normalizeKey(key);
      path.push(normalKey);
      const secret = keyIsSecret(normalKey);
      const next = secret ? (item === undefined || item === null ? item : marker) : walk(item, depth + 1);
      path.pop();
      if (next !== item && out === undefined) out = copyKeys(object, keys, count - 1);
      if (out !== undefined) setOwn(out, key, next);
    }
    return out ?? object;
  };

  return {
    redactValue: (value) => {
      path.length = 0;
      ancestors.length = 0;
      return walk(value, 0);
    },
    redactField: (key, value) => {
      ancestors.length = 0;
      path.length = 0;
      const normalKey = normalizeKey(key);
      path.push(normalKey);
      if (keyIsSecret(normalKey)) return value === undefined || value === null ? value : marker;
      return walk(value, 1);
    },
    redactString,
  };
}

function copyKeys(object: Record<string, unknown>, keys: string[], count: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    setOwn(out, key, object[key]);
  }
  return out;
}

function isCardNumber(value: number): boolean {
  if (!Number.isInteger(value)) return false;
  const digits = String(value);
  const first = digits.charCodeAt(0);
  return first >= 50 && first <= 54 && passesLuhn(digits);
}

function hasAtLeastDigits(text: string, wanted: number): boolean {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++found >= wanted) return true;
  }
  return false;
}
