import { describe, it, expect } from '@jest/globals';
import { serializeError } from './serialize-error.js';

describe('serializeError', () => {
  it('keeps name, message, stack and own fields such as code', () => {
    const error = Object.assign(new TypeError('bad input'), { code: 'E_BAD', statusCode: 400 });
    const out = serializeError(error);
    expect(out).toMatchObject({ name: 'TypeError', message: 'bad input', code: 'E_BAD', statusCode: 400 });
    expect(out.stack).toContain('TypeError: bad input');
  });

  it('follows the cause chain, including non-error causes', () => {
    const out = serializeError(new Error('outer', { cause: new Error('middle', { cause: { reason: 'timeout' } }) }));
    expect(out.cause).toMatchObject({ message: 'middle', cause: { reason: 'timeout' } });
  });

  it('serializes the inner errors of an AggregateError', () => {
    const out = serializeError(new AggregateError([new Error('a'), new RangeError('b')], 'all failed'));
    expect(out.name).toBe('AggregateError');
    expect(out.errors).toEqual([expect.objectContaining({ name: 'Error', message: 'a' }), expect.objectContaining({ name: 'RangeError', message: 'b' })]);
  });

  it('cuts a cause cycle with a marker', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(serializeError(a)).toMatchObject({ message: 'a', cause: { message: 'b', cause: '[Circular]' } });
  });

  it('cuts a very long cause chain', () => {
    let error = new Error('e0');
    for (let i = 1; i < 20; i++) error = new Error(`e${i}`, { cause: error });
    let depth = 0;
    let node: unknown = serializeError(error);
    while (typeof node === 'object' && node !== null) {
      node = (node as { cause?: unknown }).cause;
      depth++;
    }
    expect(depth).toBe(8);
    expect(node).toBe('[Cause chain too deep]');
  });
});
