import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, SamplingDecision, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Sampler } from '@opentelemetry/api';
import { ManualClock } from '@sightline/core';
import { AdaptiveSampler } from './adaptive-sampler.js';
import { ConsistentRatioSampler } from './consistent-ratio-sampler.js';
import { ParentBasedSampler, parentBasedRatioSampler } from './parent-based-sampler.js';
import { RateLimitedSampler } from './rate-limited-sampler.js';
import { thresholdFor } from './threshold.js';

/** Seeded trace ids (mulberry32), so every run sees the same ids. */
function traceIds(seed: number, count: number): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (): string => Math.floor(next() * 0x100000000).toString(16).padStart(8, '0');
  return Array.from({ length: count }, () => hex() + hex() + hex() + hex());
}

function sampled(sampler: Sampler, traceId: string, attributes: Attributes = {}): boolean {
  return sampler.shouldSample(ROOT_CONTEXT, traceId, 'span', SpanKind.INTERNAL, attributes, []).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

describe('ConsistentRatioSampler (56-bit threshold rule)', () => {
  it('computes the threshold as (1 - ratio) * 2^56', () => {
    expect(thresholdFor(1)).toEqual({ high: 0, low: 0 });
    expect(thresholdFor(0)).toEqual({ high: 2 ** 28, low: 0 });
    // ratio 0.5: T = 2^55 = 0x80000000000000 → high half 0x8000000, low half 0.
    expect(thresholdFor(0.5)).toEqual({ high: 0x8000000, low: 0 });
    // ratio 0.25: T = 0.75 * 2^56 = 0xc0000000000000.
    expect(thresholdFor(0.25)).toEqual({ high: 0xc000000, low: 0 });
  });

  it('keeps exactly the ids whose last 56 bits are at or above the threshold', () => {
    const half = new ConsistentRatioSampler(0.5);
    expect(sampled(half, 'ffffffffffffffffff80000000000000')).toBe(true);
    expect(sampled(half, '00000000000000000080000000000000')).toBe(true);
    expect(sampled(half, 'ffffffffffffffffff7fffffffffffff')).toBe(false);
    // The first 72 bits are ignored: only the randomness part counts.
    expect(sampled(half, 'ffffffffffffffff007fffffffffffff')).toBe(false);
  });

  it('samples nothing at 0, everything at 1, and rejects malformed ids', () => {
    const ids = traceIds(1, 1000);
    expect(ids.filter((id) => sampled(new ConsistentRatioSampler(0), id))).toHaveLength(0);
    expect(ids.filter((id) => sampled(new ConsistentRatioSampler(1), id))).toHaveLength(1000);
    expect(sampled(new ConsistentRatioSampler(1), 'zz'.repeat(16))).toBe(false);
    expect(sampled(new ConsistentRatioSampler(1), 'abc')).toBe(false);
  });

  it('is consistent (same id, same decision) and monotone in the ratio', () => {
    const ids = traceIds(7, 20_000);
    const ratios = [0.01, 0.1, 0.25, 0.5, 0.9];
    const keptSets = ratios.map((ratio) => new Set(ids.filter((id) => sampled(new ConsistentRatioSampler(ratio), id))));
    for (let i = 1; i < keptSets.length; i++) {
      for (const id of keptSets[i - 1] ?? []) expect(keptSets[i]?.has(id)).toBe(true);
    }
    const again = new Set(ids.filter((id) => sampled(new ConsistentRatioSampler(0.25), id)));
    expect(again).toEqual(keptSets[2]);
    // Kept fraction is close to the ratio: 20,000 ids, binomial sd at 0.25 is ~0.3%.
    expect(Math.abs((keptSets[2]?.size ?? 0) / ids.length - 0.25)).toBeLessThan(0.015);
  });

  it('rejects a ratio outside [0, 1] with TRACING_SAMPLER_INVALID', () => {
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      expect(() => new ConsistentRatioSampler(bad)).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
    }
  });
});

describe('ParentBasedSampler', () => {
  const parent = (flags: number, isRemote: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: flags, isRemote });

  it('follows a sampled or unsampled parent, local or remote, and asks the root sampler otherwise', () => {
    const sampler = parentBasedRatioSampler(0);
    const decide = (ctx: typeof ROOT_CONTEXT): SamplingDecision => sampler.shouldSample(ctx, 'f'.repeat(32), 's', SpanKind.INTERNAL, {}, []).decision;
    expect(decide(parent(TraceFlags.SAMPLED, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(parent(TraceFlags.SAMPLED, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(parent(TraceFlags.NONE, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(ROOT_CONTEXT)).toBe(SamplingDecision.NOT_RECORD);
    expect(new ParentBasedSampler(new ConsistentRatioSampler(1)).shouldSample(ROOT_CONTEXT, 'f'.repeat(32), 's', SpanKind.INTERNAL, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(sampler.toString()).toBe('ParentBased{root=ConsistentRatioSampler{0}}');
  });
});

describe('RateLimitedSampler', () => {
  it('never keeps more than burst + rate * elapsed over any interval, under bursty load', () => {
    const clock = new ManualClock(0);
    const sampler = new RateLimitedSampler({ tracesPerSecond: 50, burst: 10, clock });
    const ids = traceIds(3, 1);
    const keptAt: number[] = [];
    // Seeded bursty load: ~2,000 requests/s on average for 20 s, arriving in clumps.
    let seed = 11;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    while (clock.now() < 20_000) {
      const clump = Math.floor(rand() * 40);
      for (let i = 0; i < clump; i++) if (sampled(sampler, ids[0] ?? '')) keptAt.push(clock.now());
      clock.advance(Math.floor(rand() * 20));
    }
    // For every pair i <= j: (j - i + 1) <= 10 + 50 * (t_j - t_i) / 1000, i.e.
    // (j + 1 - 0.05 t_j) - (i - 0.05 t_i) <= 10; track the smallest (i - 0.05 t_i) seen so far.
    let worst = Number.NEGATIVE_INFINITY;
    let smallest = Number.POSITIVE_INFINITY;
    keptAt.forEach((t, j) => {
      smallest = Math.min(smallest, j - 0.05 * t);
      worst = Math.max(worst, j + 1 - 0.05 * t - smallest);
    });
    expect(worst).toBeLessThanOrEqual(10 + 1e-9);
    expect(worst).toBeGreaterThan(9);
    // And it does use its budget: 20 s at 50/s plus the initial burst, at most.
    expect(keptAt.length).toBeGreaterThan(900);
    expect(keptAt.length).toBeLessThanOrEqual(10 + 50 * 20);
  });

  it('refills after an idle period but never above the burst', () => {
    const clock = new ManualClock(0);
    const sampler = new RateLimitedSampler({ tracesPerSecond: 2, clock });
    const id = 'f'.repeat(32);
    expect([sampled(sampler, id), sampled(sampler, id), sampled(sampler, id)]).toEqual([true, true, false]);
    clock.advance(60_000);
    expect([sampled(sampler, id), sampled(sampler, id), sampled(sampler, id)]).toEqual([true, true, false]);
    clock.advance(500);
    expect(sampled(sampler, id)).toBe(true);
    expect(sampled(sampler, id)).toBe(false);
  });

  it('rejects a non-positive rate or a burst below 1 with TRACING_SAMPLER_INVALID', () => {
    expect(() => new RateLimitedSampler({ tracesPerSecond: 0 })).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
    expect(() => new RateLimitedSampler({ tracesPerSecond: 5, burst: 0.5 })).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
    expect(() => new RateLimitedSampler({ tracesPerSecond: Number.POSITIVE_INFINITY })).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
  });
});

describe('AdaptiveSampler', () => {
  /** Offers `perSecond` root decisions per second for `seconds`, evenly; returns kept counts per 1 s window. */
  function drive(sampler: AdaptiveSampler, clock: ManualClock, ids: string[], perSecond: number, seconds: number): number[] {
    const kept: number[] = [];
    const step = 1000 / perSecond;
    for (let s = 0; s < seconds; s++) {
      let count = 0;
      const end = clock.now() + 1000;
      let t = clock.now();
      for (let i = 0; i < perSecond; i++) {
        const id = ids.pop() ?? '';
        if (sampled(sampler, id)) count++;
        t += step;
        clock.set(Math.min(Math.round(t), end));
      }
      clock.set(end);
      kept.push(count);
    }
    return kept;
  }

  it('converges to the target within 2 windows after a 10x step up and a step back down', () => {
    const clock = new ManualClock(0);
    const sampler = new AdaptiveSampler({ targetTracesPerSecond: 100, windowMs: 1000, clock });
    const ids = traceIds(99, 200 * 6 + 4000 * 6 + 400 * 6);
    const before = drive(sampler, clock, ids, 200, 6);
    const afterUp = drive(sampler, clock, ids, 4000, 6);
    const afterDown = drive(sampler, clock, ids, 400, 6);
    // Each window is aligned with the load change, so window 1 after the change is measured on the
    // new load and window 2 uses the right ratio. Tolerance: ±25% (binomial noise at 100 kept/s).
    for (const windows of [before, afterUp, afterDown]) {
      for (const kept of windows.slice(2)) {
        expect(kept).toBeGreaterThanOrEqual(75);
        expect(kept).toBeLessThanOrEqual(125);
      }
    }
    // The first window after the step up keeps far too many: the ratio (0.5) was set for 200/s.
    expect(afterUp[0]).toBeGreaterThan(1000);
    expect(sampler.ratio).toBeCloseTo(100 / 400, 2);
  });

  it('keeps everything while the load is under the target', () => {
    const clock = new ManualClock(0);
    const sampler = new AdaptiveSampler({ targetTracesPerSecond: 100, clock });
    const kept = drive(sampler, clock, traceIds(5, 250), 50, 5);
    expect(kept).toEqual([50, 50, 50, 50, 50]);
    expect(sampler.ratio).toBe(1);
  });

  it('honours minRatio and rejects bad options with TRACING_SAMPLER_INVALID', () => {
    const clock = new ManualClock(0);
    const sampler = new AdaptiveSampler({ targetTracesPerSecond: 1, minRatio: 0.2, clock });
    drive(sampler, clock, traceIds(8, 2000), 1000, 2);
    expect(sampler.ratio).toBe(0.2);
    expect(() => new AdaptiveSampler({ targetTracesPerSecond: -1 })).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
    expect(() => new AdaptiveSampler({ targetTracesPerSecond: 1, windowMs: 0 })).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
    expect(() => new AdaptiveSampler({ targetTracesPerSecond: 1, minRatio: 2 })).toThrow(expect.objectContaining({ code: 'TRACING_SAMPLER_INVALID' }));
  });
});
