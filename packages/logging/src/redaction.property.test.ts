import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createRedactor, DEFAULT_REDACT_KEYS } from './redaction.js';

// Seeded, so a failure reproduces; change the seed to explore new cases. Cases per run are stated
// in the README (5 properties × NUM_RUNS).
const SEED = 20260301;
const NUM_RUNS = 500;
const settings = { seed: SEED, numRuns: NUM_RUNS };

// A secret no filler value can contain by chance: a fixed tag and 12 random characters.
const secretArb = fc.stringMatching(/^[A-Za-z0-9]{12}$/).map((s) => `Zq9x${s}`);
// Default keys as people write them: single-segment defaults, in any case and separator style.
const plainKeys = DEFAULT_REDACT_KEYS.filter((k) => !k.includes('.'));
const secretKeyArb = fc.tuple(fc.constantFrom(...plainKeys), fc.constantFrom('as-is', 'upper', 'camel', 'kebab')).map(([key, style]) => {
  if (style === 'upper') return key.toUpperCase();
  if (style === 'camel') return key.replace(/[-_](\w)/g, (_m, c: string) => c.toUpperCase());
  if (style === 'kebab') return key.replace(/_/g, '-');
  return key;
});
const fillerArb = fc.jsonValue({ maxDepth: 3 });

/** Puts `secret` under `key` at a random depth inside random JSON, through objects and arrays. */
const nestedSecretArb = fc.tuple(secretKeyArb, secretArb, fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 8 }), fillerArb), { maxLength: 8 }), fillerArb).map(([key, secret, steps, sibling]) => {
  let value: unknown = { [key]: secret, sibling };
  for (const [asArray, name, filler] of steps) value = asArray ? [filler, value] : { [name === key ? `${name}_` : name]: value, filler };
  return { value, secret };
});

const userArb = fc.stringMatching(/^[a-z0-9]{0,8}$/);
const hostArb = fc.stringMatching(/^[a-z]{1,10}\.(?:com|internal|io)$/);
const urlWithSecretArb = fc.tuple(secretArb, userArb, hostArb, fc.constantFrom('https', 'postgres', 'redis', 'amqp'), fc.constantFrom('userinfo', 'api_key', 'token', 'access_token', 'apiKey', 'refresh_token', 'password'), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(
  ([secret, user, host, scheme, where, before, after]) => {
    const url = where === 'userinfo' ? `${scheme}://${user}:${secret}@${host}/p` : `${scheme}://${host}/p?x=1&${where}=${secret}`;
    return { text: `${before} ${url} ${after}`, secret };
  },
);

describe('redaction properties', () => {
  it('never lets a secret under a default key through, at any depth, in objects and arrays', () => {
    const { redactValue } = createRedactor();
    fc.assert(fc.property(nestedSecretArb, ({ value, secret }) => {
      expect(JSON.stringify(redactValue(value))).not.toContain(secret);
    }), settings);
  });

  it('never lets a URL password or a secret query parameter through, in messages and in fields', () => {
    const { redactValue, redactString } = createRedactor();
    fc.assert(fc.property(urlWithSecretArb, ({ text, secret }) => {
      expect(redactString(text)).not.toContain(secret);
      expect(JSON.stringify(redactValue({ url: text, list: [text] }))).not.toContain(secret);
    }), settings);
  });

  it('never throws on any value: cycles, throwing getters, bigint, symbol keys, maps, sets, typed arrays', () => {
    const { redactValue } = createRedactor();
    const anyValue = fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true, withObjectString: true, maxDepth: 4 });
    fc.assert(fc.property(anyValue, fc.boolean(), fc.boolean(), (value, addCycle, addHostile) => {
      const holder: Record<string | symbol, unknown> = { value, [Symbol('hidden')]: 'symbol-keyed' };
      if (addCycle) holder.self = holder;
      if (addHostile) {
        Object.defineProperty(holder, 'getter', { enumerable: true, get() { throw new Error('getter throws'); } });
        holder.proxy = new Proxy({}, { ownKeys() { throw new Error('ownKeys throws'); } });
        holder.json = { toJSON() { throw new Error('toJSON throws'); } };
      }
      expect(() => JSON.stringify(redactValue(holder))).not.toThrow();
    }), settings);
  });

  it('never mutates the value it is given', () => {
    const { redactValue } = createRedactor();
    fc.assert(fc.property(fc.clone(fc.tuple(nestedSecretArb.map((n) => n.value), fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, maxDepth: 4 })), 2), ([input, pristine]) => {
      redactValue(input);
      expect(input).toStrictEqual(pristine);
    }), settings);
  });

  it('returns the same string when a string holds no secret-like character', () => {
    const { redactString } = createRedactor();
    fc.assert(fc.property(fc.stringMatching(/^[a-z ,.]{0,200}$/), (text) => {
      expect(redactString(text)).toBe(text);
    }), settings);
  });
});
