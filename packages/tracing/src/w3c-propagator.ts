import { propagation, trace } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { parseBaggage, serializeBaggage } from './baggage-codec.js';
import { W3CTraceState } from './trace-state.js';

/** Header names written and read by {@link W3CPropagator}. */
export const TRACEPARENT_HEADER = 'traceparent';
/** The W3C tracestate header name. */
export const TRACESTATE_HEADER = 'tracestate';
/** The W3C baggage header name. */
export const BAGGAGE_HEADER = 'baggage';

/** Trace flags this implementation understands: sampled (0x01) and random (0x02, Level 2). */
const KNOWN_FLAGS = 0x03;

/**
 * A parsed `traceparent`. Ids are lowercase hex. `traceFlags` is the received byte for version 00
 * (unknown bits are kept here and cleared only when sending); for a future version only the known
 * bits (sampled 0x01, random 0x02) are read, as the spec's versioning rules require.
 */
export interface Traceparent {
  readonly version: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/** Options of {@link W3CPropagator}. */
export interface W3CPropagatorOptions {
  /** Also propagate W3C `baggage` (default true). */
  readonly baggage?: boolean;
}

/**
 * Parses a `traceparent` value exactly to W3C Trace Context Level 2. Spaces and tabs around the
 * value are optional whitespace of an HTTP field value and are ignored. Returns `undefined` (never
 * throws) for: version `ff`; non-hex or uppercase hex; wrong field lengths; all-zero trace or
 * parent id; whitespace inside the value; version `00` with trailing data; a future version whose
 * extra data does not start with `-`.
 */
export function parseTraceparent(header: string): Traceparent | undefined {
  // RFC 9110 §5.5: leading and trailing OWS is not part of a field value (W3C test suite:
  // test_traceparent_ows_handling). Slice only when there is some, to keep the usual path free.
  let from = 0;
  let to = header.length;
  while (from < to && isOws(header.charCodeAt(from))) from++;
  while (to > from && isOws(header.charCodeAt(to - 1))) to--;
  const value = from === 0 && to === header.length ? header : header.slice(from, to);
  if (value.length < 55) return undefined;
  const version = hexByte(value, 0);
  if (version < 0 || version === 0xff) return undefined;
  if (value.charCodeAt(2) !== 0x2d || value.charCodeAt(35) !== 0x2d || value.charCodeAt(52) !== 0x2d) return undefined;
  if (version === 0 ? value.length !== 55 : value.length > 55 && value.charCodeAt(55) !== 0x2d) return undefined;
  if (!isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52)) return undefined;
  const flags = hexByte(value, 53);
  if (flags < 0) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (isAllZero(traceId) || isAllZero(spanId)) return undefined;
  return { version, traceId, spanId, traceFlags: version === 0 ? flags : flags & KNOWN_FLAGS };
}

/**
 * Formats a span context as a version-00 `traceparent`, or returns `undefined` when the ids are not
 * valid hex of the right length or are all zero. Ids are written lowercase; flags are two lowercase
 * hex digits with unknown bits cleared (the spec: vendors MUST set flags they do not know to zero).
 */
export function formatTraceparent(spanContext: SpanContext): string | undefined {
  const traceId = spanContext.traceId.toLowerCase();
  const spanId = spanContext.spanId.toLowerCase();
  if (traceId.length !== 32 || spanId.length !== 16) return undefined;
  if (!isLowerHex(traceId, 0, 32) || !isLowerHex(spanId, 0, 16) || isAllZero(traceId) || isAllZero(spanId)) return undefined;
  const flags = spanContext.traceFlags & KNOWN_FLAGS;
  return `00-${traceId}-${spanId}-0${flags.toString(16)}`;
}

/**
 * A strict W3C Trace Context Level 2 `TextMapPropagator` (traceparent, tracestate) plus W3C
 * baggage. Invalid input is ignored as a whole: a bad `traceparent` (or several `traceparent`
 * values) means no remote parent and no tracestate; a bad `tracestate` (invalid member, duplicate
 * key, more than 32 members) keeps the parent and drops the tracestate; a bad `baggage` is dropped
 * without touching the trace. Extraction never throws; it keeps the received trace flags and
 * parses `tracestate` only when it is first read (see {@link W3CTraceState.lazy}), so a dropped
 * tracestate shows as an empty one. Injection writes lowercase ids, two-digit flags with unknown
 * bits cleared, and a tracestate truncated to 512 characters by the spec's rule.
 * @example
 * propagation.setGlobalPropagator(new W3CPropagator());
 */
export class W3CPropagator implements TextMapPropagator {
  readonly #baggage: boolean;
  readonly #fields: readonly string[];

  constructor(options: W3CPropagatorOptions = {}) {
    this.#baggage = options.baggage ?? true;
    this.#fields = this.#baggage ? [TRACEPARENT_HEADER, TRACESTATE_HEADER, BAGGAGE_HEADER] : [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext !== undefined) {
      const traceparent = formatTraceparent(spanContext);
      if (traceparent !== undefined) {
        setter.set(carrier, TRACEPARENT_HEADER, traceparent);
        const traceState = spanContext.traceState;
        if (traceState !== undefined) {
          const strict = traceState instanceof W3CTraceState ? traceState : W3CTraceState.parse(traceState.serialize());
          const serialized = strict?.serialize() ?? '';
          if (serialized !== '') setter.set(carrier, TRACESTATE_HEADER, serialized);
        }
      }
    }
    if (this.#baggage) {
      const baggage = propagation.getBaggage(context);
      if (baggage !== undefined) {
        const serialized = serializeBaggage(baggage);
        if (serialized !== '') setter.set(carrier, BAGGAGE_HEADER, serialized);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    try {
      const traceparent = single(getter.get(carrier, TRACEPARENT_HEADER));
      const parsed = traceparent === undefined ? undefined : parseTraceparent(traceparent);
      if (parsed !== undefined) {
        const rawState = joined(getter.get(carrier, TRACESTATE_HEADER));
        const spanContext: SpanContext = { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags, isRemote: true };
        // Parsed when first read: most receivers never look at tracestate before propagating it.
        if (rawState !== undefined && rawState !== '') spanContext.traceState = W3CTraceState.lazy(rawState);
        result = trace.setSpanContext(result, spanContext);
      }
      if (this.#baggage) {
        const rawBaggage = joined(getter.get(carrier, BAGGAGE_HEADER));
        const baggage = rawBaggage === undefined ? undefined : parseBaggage(rawBaggage);
        if (baggage !== undefined && baggage.getAllEntries().length > 0) result = propagation.setBaggage(result, baggage);
      }
    } catch {
      // A throwing getter (a hostile carrier) must not break the receiver: extraction is best effort.
      return context;
    }
    return result;
  }

  fields(): string[] {
    return [...this.#fields];
  }
}

/** A header that must appear once: several values (duplicate headers) make it invalid. */
function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/** A list header that may be split over several headers: values are joined with commas. */
function joined(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  return value;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function hexByte(value: string, at: number): number {
  const hi = hexDigit(value.charCodeAt(at));
  const lo = hexDigit(value.charCodeAt(at + 1));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function isLowerHex(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (hexDigit(value.charCodeAt(i)) < 0) return false;
  return true;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isAllZero(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== 0x30) return false;
  return true;
}
