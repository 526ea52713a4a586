import { describe, expect, it } from '@jest/globals';
import { W3CTraceState, isValidTraceStateKey, isValidTraceStateValue } from './trace-state.js';

describe('W3CTraceState', () => {
  it('validates keys by the Level 2 grammar, including multi-tenant keys', () => {
    expect(isValidTraceStateKey('rojo')).toBe(true);
    expect(isValidTraceStateKey('tenant1@vendor')).toBe(true);
    expect(isValidTraceStateKey('1tenant@v')).toBe(true);
    expect(isValidTraceStateKey('a'.repeat(256))).toBe(true);
    expect(isValidTraceStateKey('a'.repeat(257))).toBe(false);
    expect(isValidTraceStateKey('Rojo')).toBe(false);
    expect(isValidTraceStateKey('foo.bar')).toBe(false);
    expect(isValidTraceStateKey('foo ')).toBe(false);
    expect(isValidTraceStateKey('')).toBe(false);
  });

  it('accepts multi-tenant keys: a tenant of up to 241 characters, which may start with a digit, @ a vendor of up to 14', () => {
    expect(isValidTraceStateKey(`${'t'.repeat(241)}@${'v'.repeat(14)}`)).toBe(true);
    expect(isValidTraceStateKey('42@congo')).toBe(true);
    expect(isValidTraceStateKey('0tenant@rojo')).toBe(true);
    // Every character the grammar allows, before and after the @.
    expect(isValidTraceStateKey('abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/')).toBe(true);
    expect(W3CTraceState.parse('0tenant@rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')?.get('0tenant@rojo')).toBe('00f067aa0ba902b7');
  });

  it('follows the Level 2 key rule: first a lowercase letter or digit, then up to 255 key characters of which @ is one', () => {
    // Level 2 dropped Level 1's tenant/vendor split, so only the whole key's 256 characters count.
    expect(isValidTraceStateKey('1abc')).toBe(true);
    expect(isValidTraceStateKey('9'.repeat(256))).toBe(true);
    expect(isValidTraceStateKey(`${'t'.repeat(242)}@v`)).toBe(true);
    expect(isValidTraceStateKey(`t@${'v'.repeat(15)}`)).toBe(true);
    expect(isValidTraceStateKey('foo@bar@baz')).toBe(true);
    expect(isValidTraceStateKey('@foo')).toBe(false);
    expect(isValidTraceStateKey('_foo')).toBe(false);
    expect(isValidTraceStateKey(`${'t'.repeat(241)}@${'v'.repeat(15)}`)).toBe(false);
  });

  it('validates values: printable, no comma or equals, no trailing space', () => {
    expect(isValidTraceStateValue('t61rcWkgMzE')).toBe(true);
    expect(isValidTraceStateValue('a b')).toBe(true);
    expect(isValidTraceStateValue('a ')).toBe(false);
    expect(isValidTraceStateValue('a,b')).toBe(false);
    expect(isValidTraceStateValue('a=b')).toBe(false);
    expect(isValidTraceStateValue('')).toBe(false);
    expect(isValidTraceStateValue('v'.repeat(256))).toBe(true);
    expect(isValidTraceStateValue('v'.repeat(257))).toBe(false);
  });

  it('moves a set key to the front and ignores invalid entries', () => {
    const state = W3CTraceState.parse('a=1,b=2,c=3');
    expect(state?.set('b', '9').serialize()).toBe('b=9,a=1,c=3');
    expect(state?.set('Bad', '1')).toBe(state);
    expect(state?.unset('a').serialize()).toBe('b=2,c=3');
    expect(state?.get('c')).toBe('3');
  });

  it('keeps at most 32 members when setting, dropping the oldest', () => {
    let state = W3CTraceState.empty();
    for (let i = 0; i < 40; i++) state = state.set(`k${i}`, 'v');
    expect(state.size).toBe(32);
    expect(state.get('k39')).toBe('v');
    expect(state.get('k7')).toBeUndefined();
  });

  it('parses a lazy header on first read and reads a header that parse would discard as empty', () => {
    const state = W3CTraceState.lazy(' congo=t61rcWkgMzE ,\trojo=00f067aa0ba902b7');
    expect(state.get('rojo')).toBe('00f067aa0ba902b7');
    expect(state.serialize()).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(state.set('rojo', 'x').serialize()).toBe('rojo=x,congo=t61rcWkgMzE');
    const discarded = W3CTraceState.lazy('a=1,a=2');
    expect(discarded.size).toBe(0);
    expect(discarded.serialize()).toBe('');
    expect(discarded.set('b', '1').serialize()).toBe('b=1');
  });

  it('rejects a member without an equals sign', () => {
    expect(W3CTraceState.parse('a=1,b')).toBeUndefined();
  });
});
