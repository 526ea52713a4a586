import { describe, expect, it } from '@jest/globals';
import { NumberRingBuffer, RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps the newest items in order and returns what it evicts', () => {
    const ring = new RingBuffer<string>(3);
    expect(ring.push('a')).toBeUndefined();
    ring.push('b');
    ring.push('c');
    expect(ring.isFull).toBe(true);
    expect(ring.push('d')).toBe('a');
    expect(ring.toArray()).toEqual(['b', 'c', 'd']);
    expect([...ring]).toEqual(['b', 'c', 'd']);
    expect(ring.at(0)).toBe('b');
    expect(ring.at(-1)).toBe('d');
    expect(ring.at(3)).toBeUndefined();
  });

  it('shifts the oldest item and can be refilled past its capacity', () => {
    const ring = new RingBuffer<number>(2);
    ring.push(1);
    ring.push(2);
    expect(ring.shift()).toBe(1);
    ring.push(3);
    expect(ring.push(4)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.shift()).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects capacity %d', (capacity) => {
    expect(() => new RingBuffer(capacity)).toThrow(expect.objectContaining({ code: 'CAPACITY_INVALID' }));
  });
});

describe('NumberRingBuffer', () => {
  it('matches a reference array model over many pushes', () => {
    const ring = new NumberRingBuffer(7);
    const model: number[] = [];
    for (let i = 0; i < 100; i++) {
      const value = (i * 37) % 11;
      const evicted = ring.push(value);
      model.push(value);
      if (model.length > 7) expect(evicted).toBe(model.shift());
      else expect(evicted).toBeNaN();
      expect(ring.toArray()).toEqual(model);
    }
    expect(ring.at(-1)).toBe(model[model.length - 1]);
    expect(ring.at(7)).toBeNaN();
  });
});
