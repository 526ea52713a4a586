import { describe, expect, it } from '@jest/globals';
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import fc from 'fast-check';
import { TRACESTATE_MAX_MEMBERS, W3CTraceState, isValidTraceStateKey } from './trace-state.js';
import { W3CPropagator, formatTraceparent, parseTraceparent } from './w3c-propagator.js';

// Seeded, so a failure reproduces; change the seed to explore new cases. The README states the
// cases per run (8 properties × NUM_RUNS, one of 100, and the 1 MB headers).
const SEED = 20260301;
const NUM_RUNS = 1_000;
const settings = { seed: SEED, numRuns: NUM_RUNS };
const propagator = new W3CPropagator();

function extract(headers: Record<string, string | string[]>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const nonZeroHex = (length: number) => hex(length).filter((s) => !/^0+$/.test(s));
const traceIdArb = nonZeroHex(32);
const spanIdArb = nonZeroHex(16);
const flagsArb = fc.integer({ min: 0, max: 255 });
const byte = (n: number) => n.toString(16).padStart(2, '0');
// Header values as they arrive: any text, near-valid traceparents with one character changed, lists.
const nearValidArb = fc.tuple(traceIdArb, spanIdArb, flagsArb, fc.nat({ max: 54 }), fc.string({ minLength: 1, maxLength: 1 })).map(([t, s, f, at, c]) => {
  const valid = `00-${t}-${s}-${byte(f)}`;
  return valid.slice(0, at) + c + valid.slice(at + 1);
});
const headerValueArb = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), nearValidArb);
const headerArb = fc.oneof(headerValueArb, fc.array(headerValueArb, { maxLength: 4 }));

describe('W3CPropagator properties', () => {
  it('extract never throws on arbitrary traceparent, tracestate and baggage values and yields a valid context or none', () => {
    fc.assert(fc.property(headerArb, headerArb, headerArb, (traceparent, tracestate, baggage) => {
      let ctx: Context | undefined;
      expect(() => (ctx = extract({ traceparent, tracestate, baggage }))).not.toThrow();
      const span = trace.getSpanContext(ctx!);
      if (span !== undefined) {
        // Only a traceparent that parses gives a parent, with exactly the parsed ids.
        const single = Array.isArray(traceparent) ? traceparent[0]! : traceparent;
        expect(parseTraceparent(single)).toEqual(expect.objectContaining({ traceId: span.traceId, spanId: span.spanId }));
        expect(span.isRemote).toBe(true);
      }
    }), settings);
  });

  it('extract returns the caller context unchanged when the getter throws', () => {
    fc.assert(fc.property(fc.string(), (message) => {
      const hostile = { get: () => { throw new Error(message); }, keys: () => [] };
      expect(propagator.extract(ROOT_CONTEXT, {}, hostile)).toBe(ROOT_CONTEXT);
    }), { ...settings, numRuns: 100 });
  });

  it('round-trips every valid span context through inject and extract exactly', () => {
    fc.assert(fc.property(traceIdArb, spanIdArb, fc.integer({ min: 0, max: 3 }), (traceId, spanId, traceFlags) => {
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags }), carrier, defaultTextMapSetter);
      expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-${byte(traceFlags)}`);
      expect(trace.getSpanContext(extract(carrier))).toEqual({ traceId, spanId, traceFlags, isRemote: true });
    }), settings);
  });

  it('parses every valid traceparent and formats it back to the same string (known flags)', () => {
    fc.assert(fc.property(traceIdArb, spanIdArb, fc.integer({ min: 0, max: 3 }), (traceId, spanId, flags) => {
      const value = `00-${traceId}-${spanId}-${byte(flags)}`;
      const parsed = parseTraceparent(value);
      expect(parsed).toEqual({ version: 0, traceId, spanId, traceFlags: flags });
      expect(formatTraceparent({ traceId, spanId, traceFlags: flags })).toBe(value);
    }), settings);
  });

  it('keeps any received version-00 flags byte on extract and sends only the known bits', () => {
    fc.assert(fc.property(traceIdArb, spanIdArb, flagsArb, fc.constantFrom('', ' ', '\t', ' \t'), (traceId, spanId, flags, ows) => {
      const received = trace.getSpanContext(extract({ traceparent: `${ows}00-${traceId}-${spanId}-${byte(flags)}${ows}` }));
      expect(received?.traceFlags).toBe(flags);
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpanContext(ROOT_CONTEXT, received!), carrier, defaultTextMapSetter);
      expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-${byte(flags & 0x03)}`);
    }), settings);
  });

  it('rejects version ff, all-zero ids, and version 00 with trailing data', () => {
    fc.assert(fc.property(traceIdArb, spanIdArb, flagsArb, fc.constantFrom('version-ff', 'zero-trace', 'zero-span', 'trailing'), (traceId, spanId, flags, bad) => {
      const value =
        bad === 'version-ff' ? `ff-${traceId}-${spanId}-${byte(flags)}`
          : bad === 'zero-trace' ? `00-${'0'.repeat(32)}-${spanId}-${byte(flags)}`
            : bad === 'zero-span' ? `00-${traceId}-${'0'.repeat(16)}-${byte(flags)}`
              : `00-${traceId}-${spanId}-${byte(flags)}-extra`;
      expect(parseTraceparent(value)).toBeUndefined();
      expect(trace.getSpanContext(extract({ traceparent: value }))).toBeUndefined();
    }), settings);
  });

  it('accepts any non-ff future version with or without extra fields, reading the known four', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 254 }), traceIdArb, spanIdArb, flagsArb, fc.option(fc.stringMatching(/^-[a-z0-9-]{0,20}$/)), (version, traceId, spanId, flags, extra) => {
      const parsed = parseTraceparent(`${byte(version)}-${traceId}-${spanId}-${byte(flags)}${extra ?? ''}`);
      expect(parsed).toEqual({ version, traceId, spanId, traceFlags: flags & 0x03 });
    }), settings);
  });
});

describe('W3CTraceState properties', () => {
  const keyArb = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,20}$/),
    fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/]{0,10}@[a-z][a-z0-9_\-*/]{0,13}$/),
  );
  const valueArb = fc.stringMatching(/^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,20}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/);

  it('parses any header into at most 32 members with valid keys only, or discards it', () => {
    const memberArb = fc.oneof(fc.tuple(keyArb, valueArb).map(([k, v]) => `${k}=${v}`), fc.string({ maxLength: 30 }));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(memberArb, { maxLength: 40 }).map((m) => m.join(','))), (header) => {
      const state = W3CTraceState.parse(header);
      if (state === undefined) return;
      expect(state.size).toBeLessThanOrEqual(TRACESTATE_MAX_MEMBERS);
      const serialized = state.serialize();
      if (serialized === '') return;
      for (const member of serialized.split(',')) expect(isValidTraceStateKey(member.slice(0, member.indexOf('=')))).toBe(true);
    }), settings);
  });

  it('keeps a list of valid unique members in order, and discards a list of more than 32', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(keyArb, valueArb), { selector: ([k]) => k, minLength: 1, maxLength: 40 }), (members) => {
      const header = members.map(([k, v]) => `${k}=${v}`).join(',');
      const state = W3CTraceState.parse(header);
      if (members.length > TRACESTATE_MAX_MEMBERS) {
        expect(state).toBeUndefined();
        return;
      }
      expect(state?.size).toBe(members.length);
      for (const [k, v] of members) expect(state?.get(k)).toBe(v);
      if (header.length <= 512) expect(state?.serialize()).toBe(header);
      else expect(state!.serialize().length).toBeLessThanOrEqual(512);
    }), settings);
  });
});

describe('W3CPropagator with 1 MB headers', () => {
  it('processes a 1 MB traceparent, tracestate and baggage without hanging, and ignores them', () => {
    const megabyte = 1024 * 1024;
    const cases = [
      'a'.repeat(megabyte),
      `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01${'-'.repeat(megabyte)}`,
      ','.repeat(megabyte),
      'k=v,'.repeat(megabyte / 4),
      ' \t'.repeat(megabyte / 2),
      '='.repeat(megabyte),
    ];
    const valid = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    for (const big of cases) {
      // jest's per-test timeout (5 s) bounds the whole; each header is linear work.
      const ctx = extract({ traceparent: big, tracestate: big, baggage: big });
      expect(trace.getSpanContext(ctx)).toBeUndefined();
      const withParent = trace.getSpanContext(extract({ traceparent: valid, tracestate: big }));
      expect(withParent?.traceId).toBe('1'.repeat(32));
      expect(withParent?.traceState === undefined || withParent.traceState.serialize().length <= 512).toBe(true);
    }
  });
});
