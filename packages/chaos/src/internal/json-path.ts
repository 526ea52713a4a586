import { SightlineError } from '@sightline/core';

type Segment =
  | { readonly kind: 'child'; readonly keys: readonly (string | number)[]; readonly recursive: boolean }
  | { readonly kind: 'wildcard'; readonly recursive: boolean }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number }
  | { readonly kind: 'filter'; readonly path: readonly string[]; readonly op?: string; readonly literal?: unknown };

/**
 * A compiled JSONPath (Goessner's syntax, the subset Chaos Toolkit tolerances use): `$`, `.name`,
 * `['name']`, `[n]` (negative from the end), `[a,b]`, `[start:end]`, `*`, `..` (recursive
 * descent) and filters `[?(@.field)]`, `[?(@.field <op> literal)]` with ==, !=, <, <=, >, >=.
 */
export interface JsonPath {
  readonly source: string;
  /** Every value the path selects, in document order. */
  query(document: unknown): unknown[];
}

/** Compiles a JSONPath; throws `CHAOS_JSONPATH_INVALID` naming the offending position. */
export function compileJsonPath(source: string): JsonPath {
  const segments = parse(source);
  return { source, query: (document) => segments.reduce<unknown[]>((nodes, segment) => apply(segment, nodes), [document]) };
}

function fail(source: string, at: number, why: string): never {
  throw new SightlineError('CHAOS_JSONPATH_INVALID', `JSONPath "${source}" at ${at}: ${why}`, { source, at });
}

function parse(source: string): Segment[] {
  const s = source.trim();
  if (!s.startsWith('$')) fail(source, 0, 'must start with "$"');
  const segments: Segment[] = [];
  let i = 1;
  while (i < s.length) {
    let recursive = false;
    if (s.startsWith('..', i)) {
      recursive = true;
      i += 2;
    } else if (s[i] === '.') i += 1;
    else if (s[i] !== '[') fail(source, i, `unexpected "${s[i]}"`);
    if (s[i] === '*') {
      segments.push({ kind: 'wildcard', recursive });
      i += 1;
    } else if (s[i] === '[') {
      const end = closingBracket(s, i, source);
      const inner = s.slice(i + 1, end).trim();
      segments.push(bracket(inner, recursive, source, i));
      i = end + 1;
    } else {
      const match = /^[A-Za-z_$][\w$-]*/.exec(s.slice(i));
      if (!match) fail(source, i, 'expected a field name, "*" or "["');
      segments.push({ kind: 'child', keys: [match[0]], recursive });
      i += match[0].length;
    }
  }
  return segments;
}

function closingBracket(s: string, open: number, source: string): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = open; i < s.length; i += 1) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth += 1;
    else if (c === ']' || c === ')') {
      depth -= 1;
      if (depth === 0 && c === ']') return i;
    }
  }
  return fail(source, open, 'unclosed "["');
}

function bracket(inner: string, recursive: boolean, source: string, at: number): Segment {
  if (inner === '*') return { kind: 'wildcard', recursive };
  if (inner.startsWith('?')) {
    const m = /^\?\(\s*@((?:\.[A-Za-z_$][\w$-]*)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$/.exec(inner);
    if (!m) return fail(source, at, `unsupported filter "${inner}" (supported: ?(@.field) and ?(@.field <op> literal))`);
    const path = (m[1] ?? '').split('.').filter((p) => p !== '');
    return m[2] === undefined ? { kind: 'filter', path } : { kind: 'filter', path, op: m[2], literal: literal(m[3] ?? '', source, at) };
  }
  const slice = /^(-?\d+)?\s*:\s*(-?\d+)?$/.exec(inner);
  if (slice) return { kind: 'slice', ...(slice[1] !== undefined ? { start: Number(slice[1]) } : {}), ...(slice[2] !== undefined ? { end: Number(slice[2]) } : {}) };
  const keys = inner.split(',').map((part) => {
    const p = part.trim();
    if (/^-?\d+$/.test(p)) return Number(p);
    const quoted = /^(['"])(.*)\1$/.exec(p);
    if (quoted) return quoted[2] ?? '';
    return fail(source, at, `"${p}" is neither an index nor a quoted name`);
  });
  return { kind: 'child', keys, recursive };
}

function literal(text: string, source: string, at: number): unknown {
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) return quoted[2];
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  const n = Number(text);
  if (text !== '' && Number.isFinite(n)) return n;
  return fail(source, at, `"${text}" is not a literal (string, number, true, false, null)`);
}

function childrenOf(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (typeof node === 'object' && node !== null) return Object.values(node);
  return [];
}

/** The node itself and every descendant, depth first (for `..`). */
function descendants(node: unknown): unknown[] {
  const out: unknown[] = [node];
  for (const child of childrenOf(node)) out.push(...descendants(child));
  return out;
}

function pick(node: unknown, key: string | number): unknown[] {
  if (Array.isArray(node) && typeof key === 'number') {
    const index = key < 0 ? node.length + key : key;
    return index >= 0 && index < node.length ? [node[index]] : [];
  }
  if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, String(key))) return [(node as Record<string, unknown>)[String(key)]];
  return [];
}

function apply(segment: Segment, nodes: unknown[]): unknown[] {
  const out: unknown[] = [];
  const bases = 'recursive' in segment && segment.recursive ? nodes.flatMap(descendants) : nodes;
  for (const node of bases) {
    switch (segment.kind) {
      case 'child':
        for (const key of segment.keys) out.push(...pick(node, key));
        break;
      case 'wildcard':
        out.push(...childrenOf(node));
        break;
      case 'slice':
        if (Array.isArray(node)) out.push(...node.slice(segment.start, segment.end));
        break;
      case 'filter':
        for (const child of childrenOf(node)) if (matches(child, segment)) out.push(child);
        break;
    }
  }
  return out;
}

function matches(node: unknown, filter: Extract<Segment, { kind: 'filter' }>): boolean {
  let value: unknown = node;
  for (const key of filter.path) {
    const [next] = pick(value, key);
    if (next === undefined) return false;
    value = next;
  }
  if (filter.op === undefined) return true;
  const l = filter.literal;
  switch (filter.op) {
    case '==':
      return value === l;
    case '!=':
      return value !== l;
    default: {
      if (!((typeof value === 'number' && typeof l === 'number') || (typeof value === 'string' && typeof l === 'string'))) return false;
      if (filter.op === '<') return value < l;
      if (filter.op === '<=') return value <= l;
      if (filter.op === '>') return value > l;
      return value >= l;
    }
  }
}
