import { describe, expect, it } from '@jest/globals';
import { IngestGate } from './ingest-gate.js';

describe('IngestGate', () => {
  it('refuses work beyond its limit at once and admits again when a slot frees', async () => {
    const gate = new IngestGate(1);
    let release: () => void = () => undefined;
    const first = gate.run(() => new Promise<string>((resolve) => (release = () => resolve('stored'))));
    expect(gate.inFlight).toBe(1);
    expect(await gate.run(async () => 'second')).toBeUndefined();
    expect(gate.refused).toBe(1);
    release();
    expect(await first).toEqual({ value: 'stored' });
    expect(await gate.run(async () => 'third')).toEqual({ value: 'third' });
    expect(gate.inFlight).toBe(0);
  });

  it('frees its slot when the write fails', async () => {
    const gate = new IngestGate(1);
    await expect(gate.run(async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(gate.inFlight).toBe(0);
  });
});
