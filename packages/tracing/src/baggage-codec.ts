import { baggageEntryMetadataFromString, propagation } from '@opentelemetry/api';
import type { Baggage, BaggageEntry } from '@opentelemetry/api';

/** W3C Baggage limits: at most 180 list members (the ABNF), at most 8192 bytes propagated. */
export const BAGGAGE_MAX_MEMBERS = 180;
/** Maximum serialized baggage length in bytes. */
export const BAGGAGE_MAX_BYTES = 8192;

// W3C Baggage: key = token (RFC 7230); value = *baggage-octet, percent-encoded.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAGGAGE_OCTETS = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/**
 * Parses a W3C `baggage` header value. Returns `undefined` when the value must be ignored as a
 * whole: any malformed member, a bad percent-encoding, or more than 180 members.
 */
export function parseBaggage(header: string): Baggage | undefined {
  const entries: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const rawMember of header.split(',')) {
    const member = trimOws(rawMember);
    if (member === '') return undefined;
    const [pair, ...properties] = member.split(';');
    if (pair === undefined) return undefined;
    const eq = pair.indexOf('=');
    if (eq === -1) return undefined;
    const key = trimOws(pair.slice(0, eq));
    const encoded = trimOws(pair.slice(eq + 1));
    if (!TOKEN.test(key) || !BAGGAGE_OCTETS.test(encoded)) return undefined;
    let value: string;
    try {
      value = decodeURIComponent(encoded);
    } catch {
      return undefined;
    }
    const metadata: string[] = [];
    for (const rawProperty of properties) {
      const property = trimOws(rawProperty);
      const peq = property.indexOf('=');
      const pkey = peq === -1 ? property : trimOws(property.slice(0, peq));
      if (!TOKEN.test(pkey)) return undefined;
      if (peq !== -1 && !BAGGAGE_OCTETS.test(trimOws(property.slice(peq + 1)))) return undefined;
      metadata.push(peq === -1 ? pkey : `${pkey}=${trimOws(property.slice(peq + 1))}`);
    }
    if (++count > BAGGAGE_MAX_MEMBERS) return undefined;
    entries[key] = metadata.length > 0 ? { value, metadata: baggageEntryMetadataFromString(metadata.join(';')) } : { value };
  }
  return propagation.createBaggage(entries);
}

/**
 * Serializes baggage to a header value; entries that would push it past 180 members or 8192 bytes,
 * or whose key is not a token, are left out (never a partial member).
 */
export function serializeBaggage(baggage: Baggage): string {
  let out = '';
  let count = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    if (!TOKEN.test(key) || count >= BAGGAGE_MAX_MEMBERS) continue;
    let member = `${key}=${encodeURIComponent(entry.value)}`;
    const metadata = entry.metadata?.toString();
    if (metadata !== undefined && metadata !== '') member += `;${metadata}`;
    const next = out === '' ? member : `${out},${member}`;
    if (Buffer.byteLength(next) > BAGGAGE_MAX_BYTES) continue;
    out = next;
    count++;
  }
  return out;
}

function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}
