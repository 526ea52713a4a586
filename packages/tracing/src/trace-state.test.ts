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
    expect(isValidTraceStateKey('1abc')).toBe(false);
    expect(isValidTraceStateKey('t@' + 'v'.repeat(15))).toBe(false);
    expect(isValidTraceStateKey('')).toBe(false);
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

  it('rejects a member without an equals sign', () => {
    expect(W3CTraceState.parse('a=1,b')).toBeUndefined();
  });
});
