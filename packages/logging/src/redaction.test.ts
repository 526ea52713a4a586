import { describe, it, expect } from '@jest/globals';
import { createRedactor } from './redaction.js';
import { passesLuhn } from './luhn.js';

const R = '[REDACTED]';

describe('createRedactor value patterns', () => {
  const { redactString } = createRedactor();

  it('replaces bearer tokens in any case', () => {
    expect(redactString('Authorization: Bearer eyAbc.def-ghi_123==')).toBe(`Authorization: ${R}`);
    expect(redactString('sent bearer abc123 upstream')).toBe(`sent ${R} upstream`);
  });

  it('replaces AWS access key ids', () => {
    expect(redactString('key AKIAIOSFODNN7EXAMPLE used')).toBe(`key ${R} used`);
    expect(redactString('temp ASIAY34FZKBOKMUTVV7A')).toBe(`temp ${R}`);
  });

  it('replaces email addresses', () => {
    expect(redactString('mail ada.lovelace+ops@example.co.uk now')).toBe(`mail ${R} now`);
  });

  it('replaces card numbers that pass the Luhn check, with or without separators', () => {
    expect(redactString('card 4111 1111 1111 1111 ok')).toBe(`card ${R} ok`);
    expect(redactString('card 5500-0000-0000-0004')).toBe(`card ${R}`);
    expect(redactString('card 4111111111111111')).toBe(`card ${R}`);
  });

  it('keeps long digit runs that fail the Luhn check (order ids, timestamps)', () => {
    expect(redactString('order 4111111111111112')).toBe('order 4111111111111112');
    expect(redactString('at 1767225600000124')).toBe('at 1767225600000124');
    // The price of a checksum rule: a 16-digit id that happens to pass Luhn is hidden too.
    expect(passesLuhn('1767225600000123')).toBe(true);
    expect(redactString('at 1767225600000123')).toBe(`at ${R}`);
  });

  it('replaces JSON web tokens', () => {
    expect(redactString('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end')).toBe(`jwt ${R} end`);
  });

  it('returns the very same string when nothing matches', () => {
    const text = 'GET /orders/42 200 in 12ms';
    expect(redactString(text)).toBe(text);
  });

  it('applies only the configured patterns and custom ones', () => {
    const only = createRedactor({ patterns: ['email'], customPatterns: [/ssn-\d{3}/g], marker: '***' });
    expect(only.redactString('ada@example.com Bearer abc ssn-123')).toBe('*** Bearer abc ***');
  });
});

describe('createRedactor key paths', () => {
  it('hides default keys at any depth, including inside nested arrays', () => {
    const { redactValue } = createRedactor();
    const input = { users: [[{ name: 'ada', password: 'p1' }], [{ name: 'bob', token: 't2' }]], role: 'admin', apiKey: 'k' };
    expect(redactValue(input)).toEqual({ users: [[{ name: 'ada', password: R }], [{ name: 'bob', token: R }]], role: 'admin', apiKey: R });
  });

  it('matches headers.authorization only under headers, case-insensitively', () => {
    const { redactValue } = createRedactor({ defaults: false, keys: ['headers.authorization'] });
    expect(redactValue({ req: { Headers: { Authorization: 'Basic xyz' } }, authorization: 'kept' })).toEqual({ req: { Headers: { Authorization: R } }, authorization: 'kept' });
  });

  it('matches *.token one level under any key, but not a top-level token', () => {
    const { redactValue } = createRedactor({ defaults: false, keys: ['*.token'] });
    expect(redactValue({ token: 'top', session: { token: 's' }, a: { b: { token: 'deep' } } })).toEqual({ token: 'top', session: { token: R }, a: { b: { token: R } } });
  });

  it('matches a trailing wildcard: every key under secrets', () => {
    const { redactValue } = createRedactor({ defaults: false, keys: ['secrets.*'] });
    expect(redactValue({ secrets: { db: 'p', api: 'q' }, other: { db: 'kept' } })).toEqual({ secrets: { db: R, api: R }, other: { db: 'kept' } });
  });

  it('hides a whole object under a secret key and redacts values inside arrays of strings', () => {
    const { redactValue } = createRedactor();
    expect(redactValue({ secret: { a: 1 }, to: ['ada@example.com', 'ok'] })).toEqual({ secret: R, to: [R, 'ok'] });
  });

  it('redacts a top-level field by its key through redactField', () => {
    const { redactField } = createRedactor();
    expect(redactField('password', 'x')).toBe(R);
    expect(redactField('user', { password: 'x', id: 1 })).toEqual({ password: R, id: 1 });
  });
});

describe('createRedactor safety', () => {
  it('does not copy an object when nothing changes', () => {
    const { redactValue } = createRedactor();
    const input = { a: { b: [1, 2, 'three'] }, c: true };
    expect(redactValue(input)).toBe(input);
  });

  it('never mutates the input', () => {
    const { redactValue } = createRedactor();
    const input = { user: { password: 'p' } };
    redactValue(input);
    expect(input.user.password).toBe('p');
  });

  it('cuts circular references with a marker, in objects and arrays', () => {
    const { redactValue } = createRedactor();
    const a: Record<string, unknown> = { n: 1 };
    const list: unknown[] = [a];
    a.list = list;
    list.push(list);
    expect(redactValue({ a })).toEqual({ a: { n: 1, list: ['[Circular]', '[Circular]'] } });
  });

  it('keeps a shared but non-circular object in both places', () => {
    const { redactValue } = createRedactor();
    const shared = { v: 1 };
    expect(redactValue({ x: shared, y: shared })).toEqual({ x: { v: 1 }, y: { v: 1 } });
  });

  it('cuts very large values: long strings, long arrays, many keys, deep nesting', () => {
    const { redactValue } = createRedactor({ maxStringLength: 10, maxArrayLength: 3, maxKeys: 2, maxDepth: 3 });
    const out = redactValue({ s: 'x'.repeat(25), list: [1, 2, 3, 4, 5], deep: { a: { b: { c: 1 } } } }) as Record<string, unknown>;
    expect(out).toEqual({ s: `${'x'.repeat(10)}…[truncated 15 chars]`, list: [1, 2, 3, '[… 2 more items]'], '…': '1 more keys' });
    expect(redactValue({ deep: { a: { b: { c: 1 } } } })).toEqual({ deep: { a: { b: '[Max depth]' } } });
  });

  it('converts values JSON cannot hold: bigint, Date, Map, Set, binary, functions', () => {
    const { redactValue } = createRedactor();
    expect(redactValue({ n: 10n, d: new Date(0), m: new Map([['k', 'ada@example.com']]), s: new Set([1]), b: Buffer.from('abc'), f: () => 1 })).toEqual({
      n: '10', d: '1970-01-01T00:00:00.000Z', m: { k: R }, s: [1], b: '[Binary 3 bytes]', f: undefined,
    });
  });
});

describe('passesLuhn', () => {
  it('accepts known test card numbers and rejects a changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('378282246310005')).toBe(true);
    expect(passesLuhn('4111111111111121')).toBe(false);
  });
});

describe('createRedactor defaults', () => {
  const { redactValue, redactString } = createRedactor();

  it('hides secret keys whatever their case and separators: sessionToken, auth_token, apiKey, api-key, accessToken', () => {
    const input = { sessionToken: 'a', auth_token: 'b', apiKey: 'c', 'api-key': 'd', accessToken: 'e', refresh_token: 'f', secret: 'g', Authorization: 'h', COOKIE: 'i', nested: [{ 'X-Api-Key': 'j', keep: 'k' }] };
    expect(redactValue(input)).toEqual({ sessionToken: R, auth_token: R, apiKey: R, 'api-key': R, accessToken: R, refresh_token: R, secret: R, Authorization: R, COOKIE: R, nested: [{ 'X-Api-Key': R, keep: 'k' }] });
  });

  it('hides Luhn-valid card numbers given as numbers and keeps timestamps and other numbers', () => {
    // 1767225600000 (epoch ms) and 1767225600000000 (epoch µs) start with 1, which no card number does.
    expect(redactValue({ card: 4111111111111111, amex: 378282246310005, ms: 1767225600000, us: 1767225600000000, other: 4111111111111112, small: 42 })).toEqual({
      card: R, amex: R, ms: 1767225600000, us: 1767225600000000, other: 4111111111111112, small: 42,
    });
    expect(redactValue([4111111111111111n])).toEqual([R]);
  });

  it('hides the password of a URL and keeps its user and host', () => {
    expect(redactString('connecting to postgres://app:pa55w0rd@db.internal:5432/orders')).toBe(`connecting to postgres://app:${R}@db.internal:5432/orders`);
    expect(redactString('redis://:hunter2@cache:6379')).toBe(`redis://:${R}@cache:6379`);
  });

  it('hides secret query parameters wherever they appear in a string', () => {
    expect(redactString('GET https://api.example.com/v1/x?api_key=abc123&page=2')).toBe(`GET https://api.example.com/v1/x?api_key=${R}&page=2`);
    expect(redactString('/cb?code=1&token=t0k#frag')).toBe(`/cb?code=1&token=${R}#frag`);
    expect(redactString('body access_token=xyz&expires_in=3600')).toBe(`body access_token=${R}&expires_in=3600`);
    expect(redactString('page_token=keep-me')).toBe('page_token=keep-me');
  });

  it('turns a value whose getter throws into a marker instead of throwing', () => {
    const hostile = { ok: 1, get boom(): string { throw new Error('no'); } };
    expect(redactValue({ hostile })).toEqual({ hostile: '[Unreadable]' });
  });
});
