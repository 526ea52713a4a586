/** A parsed CIDR block: address bytes, prefix length in bits. */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses an IPv4 or IPv6 address strictly: no leading zeros in IPv4 parts ("010" is ambiguous
 * between octal and decimal in other parsers), no zone ids, at most one "::". Returns the
 * address bytes (4 or 16), or `undefined` when invalid.
 */
export function parseIp(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length > 45) return undefined;
  if (text.includes('.') && !text.includes(':')) return parseIpv4(text);
  if (!text.includes(':')) return undefined;
  return parseIpv6(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!IPV4_PART.test(parts[i]!)) return undefined;
    bytes[i] = Number(parts[i]);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let v4Tail: Uint8Array | undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4Tail = parseIpv4(text.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const total = left.length + right.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...left, ...new Array<string>(8 - total).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!IPV6_GROUP.test(all[i]!)) return undefined;
    const value = parseInt(all[i]!, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  if (v4Tail !== undefined) bytes.set(v4Tail, 12);
  return bytes;
}

/**
 * Parses a strict dotted-quad IPv4 address (the rules of {@link parseIp}) into an unsigned 32-bit
 * number without allocating; -1 when `text` is not one. The per-decision path for `cidr`.
 */
export function parseIpv4Number(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (code >= 48 && code <= 57) {
      // No leading zeros: "010" is octal to some parsers and decimal to others.
      if (digits === 1 && part === 0) return -1;
      part = part * 10 + (code - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

/** An IPv4 block as numbers: `(ip & mask) === base`, both unsigned 32-bit. */
export interface Ipv4Block {
  readonly base: number;
  readonly mask: number;
}

/** The {@link Ipv4Block} of a parsed IPv4 CIDR. */
export function ipv4Block(cidr: Cidr): Ipv4Block {
  const b = cidr.bytes;
  const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0;
  const address = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return { base: (address & mask) >>> 0, mask };
}

/** Parses `10.0.0.0/8` or `2001:db8::/32` strictly (host bits may be set); `undefined` when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const bytes = parseIp(text);
    return bytes === undefined ? undefined : { bytes, prefix: bytes.length * 8 };
  }
  const bytes = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (bytes === undefined || !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bytes.length * 8) return undefined;
  return { bytes, prefix };
}

/** Whether `ip` (parsed) lies in `cidr`. Address families never match each other. */
export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (ip.length !== cidr.bytes.length) return false;
  const whole = cidr.prefix >> 3;
  for (let i = 0; i < whole; i++) if (ip[i] !== cidr.bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip[whole]! ^ cidr.bytes[whole]!) & mask) === 0;
}
