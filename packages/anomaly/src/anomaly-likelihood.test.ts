import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '@sightline/core';
import { AnomalyLikelihood, upperTail } from './anomaly-likelihood.js';

describe('upperTail', () => {
  it('matches the standard normal table, far into the tail', () => {
    expect(upperTail(0)).toBeCloseTo(0.5, 7);
    expect(upperTail(1.644_854)).toBeCloseTo(0.05, 6);
    expect(upperTail(-1.959_964)).toBeCloseTo(0.975, 6);
    // Q(3) = 1.349898e-3, Q(6) = 9.865876e-10: relative error well under 1e-6
    expect(upperTail(3) / 1.349_898e-3).toBeCloseTo(1, 5);
    expect(upperTail(6) / 9.865_876e-10).toBeCloseTo(1, 5);
  });
});

describe('AnomalyLikelihood', () => {
  const noisy = (random: SeededRandom) => random.next() * 0.4; // a detector always a little alarmed: mean 0.2

  it('says 0.5 during the learning period', () => {
    const l = new AnomalyLikelihood({ learningPeriod: 5 });
    const results = [0.9, 0.9, 0.9, 0.9, 0.9].map((s) => l.update(s));
    expect(results.map((r) => [r.likelihood, r.logLikelihood, r.warmingUp])).toEqual(Array(5).fill([0.5, 0, true]));
    expect(l.update(0.9).warmingUp).toBe(false);
  });

  it('gives 0.5 for scores at their usual level: a detector that is always somewhat alarmed is not alarming', () => {
    const l = new AnomalyLikelihood({ averagingWindow: 4 });
    let last = l.update(0.4);
    for (let i = 0; i < 1_000; i++) last = l.update(0.4);
    // every average is 0.4, so the long-run mean is 0.4 and z = 0: Φ(0) = 0.5
    expect(last.likelihood).toBeCloseTo(0.5, 6); // the erfc fit is good to 1.2e-7
    expect(last.stdDev).toBeCloseTo(Math.sqrt(0.0003), 9); // zero spread, floored
  });

  it('turns a sustained rise above the usual scores into a likelihood near 1, and one raw spike into much less', () => {
    const random = new SeededRandom(11);
    const l = new AnomalyLikelihood();
    for (let i = 0; i < 3_000; i++) l.update(noisy(random));
    const restore = JSON.stringify(l.snapshot());
    // one spike: the average of 10 moves by about (0.9 − 0.2) / 10 = 0.07, under 2 of its ~0.037 sigmas
    const spike = l.update(0.9);
    expect(spike.likelihood).toBeLessThan(0.99);
    const sustained = AnomalyLikelihood.restore(JSON.parse(restore));
    let result = sustained.update(0.9);
    for (let i = 0; i < 9; i++) result = sustained.update(0.9);
    // average 0.9 against mean 0.2, sigma 0.4/√12/√10 = 0.0365: z ≈ 19, tail below 1e-10
    expect(result.mean).toBeCloseTo(0.2, 2);
    expect(result.stdDev).toBeCloseTo(0.0365, 2);
    expect(result.likelihood).toBeGreaterThan(0.999_999);
    expect(result.logLikelihood).toBeCloseTo(1, 6);
  });

  it('gives a likelihood below 0.5 for scores lower than usual (the tail is one-sided)', () => {
    const random = new SeededRandom(5);
    const l = new AnomalyLikelihood({ learningPeriod: 20 });
    for (let i = 0; i < 500; i++) l.update(noisy(random));
    let result = l.update(0);
    for (let i = 0; i < 9; i++) result = l.update(0);
    expect(result.likelihood).toBeLessThan(0.001);
    expect(result.logLikelihood).toBeCloseTo(0, 6);
  });

  it('restores from a JSON snapshot and continues identically', () => {
    const random = new SeededRandom(3);
    const a = new AnomalyLikelihood({ learningPeriod: 10, historicWindow: 50 });
    for (let i = 0; i < 200; i++) a.update(noisy(random));
    const b = AnomalyLikelihood.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 0; i < 100; i++) {
      const s = i % 17 === 0 ? 0.95 : noisy(random);
      expect(b.update(s)).toEqual(a.update(s));
    }
  });

  it('refuses a score outside 0..1 without learning it, bad options listing every problem, and foreign state', () => {
    const l = new AnomalyLikelihood({ learningPeriod: 2 });
    l.update(0.1);
    const before = JSON.stringify(l.snapshot());
    for (const bad of [Number.NaN, -0.1, 1.5]) expect(() => l.update(bad)).toThrow(expect.objectContaining({ code: 'ANOMALY_SCORE_INVALID' }));
    expect(JSON.stringify(l.snapshot())).toBe(before);
    expect(() => new AnomalyLikelihood({ averagingWindow: 0, historicWindow: 1, minStdDev: 0 })).toThrow(
      expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID', message: expect.stringMatching(/averagingWindow.*historicWindow.*minStdDev/) }),
    );
    expect(() => AnomalyLikelihood.restore({ kind: 'zscore', options: {}, state: {} } as never)).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
