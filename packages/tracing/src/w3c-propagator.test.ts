import { describe, expect, it, jest } from '@jest/globals';
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter } from '@opentelemetry/api';
import { W3CPropagator, formatTraceparent, parseTraceparent } from './w3c-propagator.js';
import { W3CTraceState } from './trace-state.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;
const propagator = new W3CPropagator();

function extract(headers: Record<string, string | string[]>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

function remote(headers: Record<string, string | string[]>): SpanContext | undefined {
  return trace.getSpanContext(extract(headers));
}

/** Members of a remote parent's tracestate (a dropped tracestate reads as empty). */
function stateSize(spanContext: SpanContext | undefined): number {
  return (spanContext?.traceState as W3CTraceState | undefined)?.size ?? 0;
}

function inject(spanContext: SpanContext, ctx: Context = ROOT_CONTEXT): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ctx, spanContext), carrier, defaultTextMapSetter);
  return carrier;
}

describe('parseTraceparent', () => {
  it('parses a valid version-00 traceparent', () => {
    expect(parseTraceparent(VALID)).toEqual({ version: 0, traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['long trace id', `00-${TRACE_ID}a-${SPAN_ID}-01`],
    ['short parent id', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ['one-digit flags', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['three-digit flags', `00-${TRACE_ID}-${SPAN_ID}-001`],
    ['uppercase trace id', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['uppercase parent id', `00-${TRACE_ID}-${SPAN_ID.toUpperCase()}-01`],
    ['uppercase version', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['uppercase flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['non-hex characters', `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`],
    ['a space inside the value', `00-${TRACE_ID} -${SPAN_ID}-01`],
    ['a tab between fields', `00-${TRACE_ID}\t${SPAN_ID}-01`],
    ['only whitespace', ' \t '],
    ['version 00 with extra fields', `${VALID}-extra`],
    ['underscore separators', VALID.replace(/-/g, '_')],
    ['future version whose extra data does not start with a dash', `01-${TRACE_ID}-${SPAN_ID}-01x`],
    ['empty string', ''],
  ])('rejects %s', (_case, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts a future version with extra fields and reads only the known four', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-holds`)).toEqual({ version: 0xcc, traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-00`)?.version).toBe(1);
  });

  // A traceparent is an HTTP field value, so optional whitespace (spaces, tabs) may surround it;
  // the W3C test suite sends the spec's example with a space or tab before it, after it, or both.
  it.each([
    ['a leading space', ` ${VALID}`],
    ['a leading tab', `\t${VALID}`],
    ['a trailing space', `${VALID} `],
    ['a trailing tab', `${VALID}\t`],
    ['tabs and spaces on both sides', `\t ${VALID} \t`],
  ])('accepts a traceparent with %s around it', (_case, value) => {
    expect(parseTraceparent(value)).toEqual({ version: 0, traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  });

  it('accepts optional whitespace around a future-version traceparent with extra fields', () => {
    expect(parseTraceparent(` cc-${TRACE_ID}-${SPAN_ID}-01-future\t`)?.traceId).toBe(TRACE_ID);
  });

  it('keeps every received flag bit of a version-00 traceparent', () => {
    // The spec: flags are an 8-bit field, `ff` is all eight set; only sampled (01) and random (02)
    // have a meaning today, the rest must be zero when *sending*, so a receiver keeps them.
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.traceFlags).toBe(0x03);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(0xff);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-fc`)?.traceFlags).toBe(0xfc);
  });

  it('reads only the known flag bits of a future version, as the versioning rules say', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(0x03);
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-fd-more`)?.traceFlags).toBe(0x01);
  });
});

describe('formatTraceparent', () => {
  it('writes lowercase ids and two-digit flags with unknown bits cleared', () => {
    expect(formatTraceparent({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID.toUpperCase(), traceFlags: 0xff })).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('refuses invalid ids instead of emitting a bad header', () => {
    expect(formatTraceparent({ traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TRACE_ID.slice(2), spanId: SPAN_ID, traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: 'xyz-not-hex-1234', traceFlags: 1 })).toBeUndefined();
  });
});

describe('W3CPropagator.extract', () => {
  it('sets a remote span context with the tracestate', () => {
    const spanContext = remote({ traceparent: VALID, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
    expect(spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(spanContext?.traceState?.serialize()).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
  });

  it('ignores an invalid traceparent and then does not read tracestate either', () => {
    const ctx = extract({ traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'a=1' });
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(ctx).toBe(ROOT_CONTEXT);
  });

  it('treats duplicate traceparent headers as invalid, even when both are valid', () => {
    expect(remote({ traceparent: [VALID, VALID] })).toBeUndefined();
    expect(remote({ traceparent: [VALID] })?.traceId).toBe(TRACE_ID);
    expect(remote({ traceparent: `${VALID},${VALID}` })).toBeUndefined();
  });

  it('joins several tracestate headers in order', () => {
    expect(remote({ traceparent: VALID, tracestate: ['a=1,b=2', 'c=3'] })?.traceState?.serialize()).toBe('a=1,b=2,c=3');
  });

  it('keeps the parent but drops the whole tracestate on a duplicate key', () => {
    // The spec's own counter-example: a vendor that re-enters the trace must overwrite its entry,
    // so a list holding `congo` twice is not a valid tracestate. The W3C test suite (strict level)
    // expects such a header discarded as a whole, in one header or split over two.
    const spanContext = remote({ traceparent: VALID, tracestate: 'congo=congosFirstPosition,rojo=rojosFirstPosition,congo=congosSecondPosition' });
    expect(spanContext?.traceId).toBe(TRACE_ID);
    expect(stateSize(spanContext)).toBe(0);
    expect(spanContext?.traceState?.get('rojo')).toBeUndefined();
    expect(stateSize(remote({ traceparent: VALID, tracestate: ['foo=1', 'foo=2'] }))).toBe(0);
    expect(inject(spanContext!)).toEqual({ traceparent: VALID });
  });

  it('accepts 32 tracestate members and drops 33', () => {
    const members = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');
    expect(stateSize(remote({ traceparent: VALID, tracestate: members(32) }))).toBe(32);
    expect(stateSize(remote({ traceparent: VALID, tracestate: members(33) }))).toBe(0);
  });

  it('keeps the received flags on extract and clears the unknown bits only when sending', () => {
    const received = remote({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-ff` });
    expect(received?.traceFlags).toBe(0xff);
    expect(inject(received!).traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0x05 }).traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
  });

  it('takes a remote parent from a traceparent with spaces or tabs around it', () => {
    expect(remote({ traceparent: `\t ${VALID} \t`, tracestate: 'rojo=00f067aa0ba902b7' })).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(remote({ traceparent: [` ${VALID}`] })?.spanId).toBe(SPAN_ID);
  });

  it('parses tracestate only when it is first read, not during extract', () => {
    // Key and value checks are the only regular expressions on the extract path (traceparent is
    // checked by hand), so a spy on RegExp.prototype.test sees whether tracestate was parsed.
    const test = jest.spyOn(RegExp.prototype, 'test');
    try {
      const spanContext = new W3CPropagator({ baggage: false }).extract(ROOT_CONTEXT, { traceparent: VALID, tracestate: 'congo=t61rcWkgMzE' }, defaultTextMapGetter);
      expect(test).not.toHaveBeenCalled();
      expect(trace.getSpanContext(spanContext)?.traceState?.get('congo')).toBe('t61rcWkgMzE');
      expect(test).toHaveBeenCalled();
    } finally {
      test.mockRestore();
    }
  });

  it('allows optional whitespace and empty members in tracestate', () => {
    expect(remote({ traceparent: VALID, tracestate: ' a=1 ,\tb=2\t, ,,c=3 ' })?.traceState?.serialize()).toBe('a=1,b=2,c=3');
  });

  it('never throws, whatever the carrier does', () => {
    const hostile: TextMapGetter<unknown> = {
      get: () => {
        throw new Error('boom');
      },
      keys: () => [],
    };
    expect(propagator.extract(ROOT_CONTEXT, {}, hostile)).toBe(ROOT_CONTEXT);
  });

  it('extracts baggage independently of the trace headers', () => {
    const ctx = extract({ traceparent: 'garbage', baggage: 'userId=alice,serverNode=DF%2028;prop=1' });
    const baggage = propagation.getBaggage(ctx);
    expect(baggage?.getEntry('userId')?.value).toBe('alice');
    expect(baggage?.getEntry('serverNode')?.value).toBe('DF 28');
    expect(baggage?.getEntry('serverNode')?.metadata?.toString()).toBe('prop=1');
    expect(trace.getSpanContext(ctx)).toBeUndefined();
  });

  it('drops a malformed baggage header as a whole', () => {
    expect(propagation.getBaggage(extract({ baggage: 'a=1,b c=2' }))).toBeUndefined();
    expect(propagation.getBaggage(extract({ baggage: 'a=%E0%A4%A' }))).toBeUndefined();
  });
});

describe('W3CPropagator.inject', () => {
  it('writes traceparent and tracestate', () => {
    const traceState = W3CTraceState.empty().set('rojo', '00f067aa0ba902b7').set('congo', 't61rcWkgMzE');
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState })).toEqual({
      traceparent: VALID,
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
    });
  });

  it('lowercases uppercase ids on inject', () => {
    expect(inject({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID, traceFlags: 1 }).traceparent).toBe(VALID);
  });

  it('writes nothing for an invalid span context', () => {
    expect(inject({ traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 })).toEqual({});
  });

  it('truncates a tracestate over 512 characters: long members first, then from the end', () => {
    let traceState = W3CTraceState.empty();
    // Built so that most recent is first: m0 ... m9 then one 200-char member in the middle.
    for (let i = 9; i >= 0; i--) {
      traceState = traceState.set(`m${i}`, 'x'.repeat(60));
      if (i === 5) traceState = traceState.set('long', 'y'.repeat(200));
    }
    const full = traceState.serialize();
    expect(full.length).toBeLessThanOrEqual(512);
    // 10 members of 63 chars plus separators = 639, plus the long one = 844: the long member (205 chars)
    // goes first (639 left), then members from the end until it fits: 8 members = 8*63+7 = 511.
    expect(full.includes('long=')).toBe(false);
    expect(full.split(',').map((m) => m.split('=')[0])).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(full.length).toBe(511);
  });

  it('injects baggage percent-encoded', () => {
    const baggage = propagation.createBaggage({ user: { value: 'a b,c' } });
    const carrier: Record<string, string> = {};
    propagator.inject(propagation.setBaggage(ROOT_CONTEXT, baggage), carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ baggage: 'user=a%20b%2Cc' });
  });

  it('round-trips through extract', () => {
    const carrier = inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, traceState: W3CTraceState.empty().set('vendor', 'v') });
    expect(remote(carrier)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 });
  });

  it('lists its fields', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(new W3CPropagator({ baggage: false }).fields()).toEqual(['traceparent', 'tracestate']);
  });
});
