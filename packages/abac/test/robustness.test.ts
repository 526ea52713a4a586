// Property tests (fast-check, fixed seeds) for what hostile input can do: arbitrary policy
// documents either compile or are rejected with the documented error; arbitrary requests (odd
// attribute types, huge strings, deep nesting, cycles, throwing getters and proxies) never make
// `decide` throw or hang, and anything unreadable that a policy reads denies.
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@sightline/core';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { AuditTrail, MemoryAuditSink, OPERATORS, createAuthorizer, verifyAuditTrail, type AccessRequest, type PolicySet } from '../src/index.js';

const SEED = 20_261_203;
/** Generated cases per run, as the README states them. */
export const POLICY_DOCUMENT_RUNS = 1_000;
export const REQUEST_RUNS = 1_000;
export const UNREADABLE_RUNS = 500;
/** A decision taking longer than this on any generated request counts as a hang (typical: microseconds). */
const PER_CASE_BOUND_MS = 5_000;

const PATHS = ['subject.id', 'subject.team', 'subject.roles', 'subject.level', 'resource.type', 'resource.team', 'resource.tags', 'context.ip', 'context.mfa', 'context.at', 'context.branch', 'context.x.y', 'action'];

const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.constantFrom('__proto__', 'constructor', '', '.', 'subject.', 'subject..x', 'subject.__proto__', '10.0.0.0/33', '(', '[', '*', '25:00', 'Mars/Olympus'));
const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('10.0.0.0/8', ['10.0.0.0/8', '2001:db8::/32'], '^a+$', 'a*b?', { start: '09:00', end: '18:00', timeZone: 'UTC' }, { days: ['mon'], timeZone: 'Europe/Paris' }, [1, 5], ['a', 'b']), junk);
const comparison = fc.record(
  { attr: fc.oneof(fc.constantFrom(...PATHS), junk), op: fc.oneof(fc.constantFrom(...OPERATORS), junk), value, ref: fc.oneof(fc.constantFrom(...PATHS), junk) },
  { requiredKeys: ['op'] },
);
const { condition } = fc.letrec<{ condition: unknown }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.record({ all: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
    junk,
  ),
}));
const names = fc.array(fc.oneof(fc.constantFrom('read', 'write', 'doc', 'viewer', 'admin', ''), junk), { maxLength: 3 });
const policy = fc.record(
  { id: fc.oneof(fc.constantFrom('p1', 'p2', 'p3'), junk), effect: fc.oneof(fc.constantFrom('allow', 'deny'), junk), target: fc.oneof(fc.record({ actions: names, resourceTypes: names, roles: names }, { requiredKeys: [] }), junk), condition, onError: fc.oneof(fc.constantFrom('deny', 'skip'), junk), extra: junk },
  { requiredKeys: ['id', 'effect'] },
);
const roles = fc.dictionary(fc.constantFrom('viewer', 'admin', 'editor', '__proto__'), fc.oneof(fc.record({ inherits: fc.oneof(fc.array(fc.constantFrom('viewer', 'admin', 'editor', 'ghost')), junk) }, { requiredKeys: [] }), junk));
const documentArb = fc.oneof(fc.record({ policies: fc.oneof(fc.array(policy, { maxLength: 4 }), junk), roles }, { requiredKeys: ['policies'] }), fc.anything({ maxDepth: 3 }));

/** A set that reads every kind of attribute with every kind of operator. */
const RICH: PolicySet = {
  roles: { viewer: {}, editor: { inherits: ['viewer'] }, admin: { inherits: ['editor'] } },
  policies: [
    { id: 'team', effect: 'allow', target: { actions: ['read'], roles: ['viewer'] }, condition: { all: [{ attr: 'resource.team', op: 'equals', ref: 'subject.team' }, { attr: 'context.mfa', op: 'equals', value: true }] } },
    { id: 'net', effect: 'allow', target: { actions: ['read', 'write'] }, condition: { any: [{ attr: 'context.ip', op: 'cidr', value: ['10.0.0.0/8', '2001:db8::/32'] }, { attr: 'context.branch', op: 'matches_pattern', value: '^(a|b)*c$' }] } },
    { id: 'tags', effect: 'allow', target: { resourceTypes: ['doc'] }, condition: { all: [{ attr: 'resource.tags', op: 'contains', value: 'public' }, { attr: 'subject.level', op: 'between', value: [1, 5] }, { attr: 'subject.id', op: 'glob', value: 'svc-*' }] } },
    { id: 'hours', effect: 'allow', target: { actions: ['write'] }, condition: { all: [{ attr: 'context.at', op: 'time_window', value: { start: '09:00', end: '18:00', timeZone: 'Europe/Paris' } }, { attr: 'context.x.y', op: 'in', value: [1, 2, 3] }] } },
    { id: 'deny-pii', effect: 'deny', target: { actions: ['read'] }, condition: { attr: 'resource.tags', op: 'contains', value: 'pii' } },
    { id: 'deny-substr', effect: 'deny', onError: 'skip', condition: { attr: 'subject.id', op: 'contains_substring', value: 'evil' } },
  ],
};

const huge = 'ab'.repeat(500_000);
const cyclic = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { team: 't' };
  o.self = o;
  o.x = { y: o };
  return o;
};
const deep = (n: number): unknown => {
  let out: unknown = { y: 1 };
  for (let i = 0; i < n; i++) out = { x: out, y: out };
  return out;
};
const throwing = () => Object.defineProperty({}, 'y', { enumerable: true, get: () => { throw new Error('getter'); } });
const trap = () => new Proxy({}, { get: () => { throw new Error('proxy'); }, has: () => { throw new Error('proxy'); }, ownKeys: () => { throw new Error('proxy'); }, getOwnPropertyDescriptor: () => { throw new Error('proxy'); } });
// Proxies and throwing getters are built inside the property from these markers: fast-check
// itself inspects generated values (clone and print hooks), which a hostile value would break.
const MARKERS = ['\u0000trap', '\u0000getter', '\u0000cycle', '\u0000deep', '\u0000huge'] as const;
const odd = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
  fc.constantFrom<unknown>('a'.repeat(5_000), Number.NaN, Number.POSITIVE_INFINITY, -0, 10n, '10.0.0.1', '2001:db8::1', '10.0.0.01', 'public', ['public', 'pii'], Array.from({ length: 5_000 }, () => 'x')),
  fc.constantFrom(...MARKERS),
);
function materialise(value: unknown, depth = 0): unknown {
  switch (value) {
    case '\u0000trap': return trap();
    case '\u0000getter': return throwing();
    case '\u0000cycle': return cyclic();
    case '\u0000deep': return deep(40);
    case '\u0000huge': return huge;
  }
  if (depth > 2 || typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) Object.defineProperty(out, key, { value: materialise((value as Record<string, unknown>)[key], depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}
const attrs = fc.dictionary(fc.constantFrom('id', 'team', 'roles', 'level', 'type', 'tags', 'ip', 'mfa', 'at', 'branch', 'x', '__proto__', 'constructor'), odd, { maxKeys: 6 });
const requestArb = fc.oneof(
  fc.record({ subject: fc.oneof(attrs, odd), action: fc.oneof(fc.constantFrom('read', 'write', 'delete'), odd), resource: fc.oneof(attrs.map((a) => ({ type: 'doc', ...a })), odd), context: fc.oneof(attrs, odd) }, { requiredKeys: [] }),
  odd,
);

describe('hostile input', () => {
  it(`compiles any policy document or rejects it with ABAC_POLICY_INVALID and a code per issue (${POLICY_DOCUMENT_RUNS} documents)`, () => {
    let compiled = 0;
    fc.assert(
      fc.property(documentArb, (document) => {
        try {
          createAuthorizer(document);
          compiled++;
          return true;
        } catch (error) {
          return error instanceof ValidationError && error.code === 'ABAC_POLICY_INVALID' && error.issues.length > 0 && error.issues.every((i) => typeof i.code === 'string' && i.code.startsWith('ABAC_'));
        }
      }),
      { seed: SEED, numRuns: POLICY_DOCUMENT_RUNS },
    );
    expect(compiled).toBeGreaterThan(0); // the generator does reach valid documents
  });

  it(`decides any request without throwing or hanging, and the audit trail records it (${REQUEST_RUNS} requests)`, async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, batchSize: 64 });
    const evidence = new AuditTrail({ sink: new MemoryAuditSink(), batchSize: 64, input: 'evidence' });
    const authorizer = createAuthorizer(RICH, { onDecision: (r, d, t, e) => (trail.record(r, d, t, e), evidence.record(r, d, t, e)) });
    let slowest = 0;
    fc.assert(
      fc.property(requestArb, fc.boolean(), (generated, explain) => {
        const request = materialise(generated) as AccessRequest;
        const start = performance.now();
        const decision = authorizer.decide(request, { explain });
        slowest = Math.max(slowest, performance.now() - start);
        return (decision.decision === 'allow' || decision.decision === 'deny') && performance.now() - start < PER_CASE_BOUND_MS;
      }),
      { seed: SEED, numRuns: REQUEST_RUNS },
    );
    await Promise.all([trail.flush(), evidence.flush()]);
    expect(trail.stats().recorded).toBeGreaterThanOrEqual(REQUEST_RUNS);
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
    expect(slowest).toBeLessThan(PER_CASE_BOUND_MS);
  });

  it(`denies whenever an attribute a policy reads cannot be read (${UNREADABLE_RUNS} requests)`, () => {
    const authorizer = createAuthorizer(RICH);
    const allowed = (): Record<string, Record<string, unknown>> => ({
      subject: { id: 'svc-1', team: 't', roles: ['viewer'], level: 3 },
      resource: { type: 'doc', team: 't', tags: ['public'] },
      context: { mfa: true, ip: '10.1.2.3', branch: 'abc', at: Date.parse('2026-03-02T10:30:00Z'), x: { y: 2 } },
    });
    for (const action of ['read', 'write']) expect(authorizer.decide({ ...allowed(), action } as unknown as AccessRequest).decision).toBe('allow');
    const readPaths = ['subject.id', 'subject.team', 'subject.roles', 'subject.level', 'resource.team', 'resource.tags', 'context.mfa', 'context.ip', 'context.branch', 'context.at', 'context.x'];
    let touchedCases = 0;
    fc.assert(
      fc.property(fc.constantFrom('read', 'write'), fc.subarray(readPaths, { minLength: 1 }), fc.constantFrom('getter', 'proxy'), (action, broken, how) => {
        const request = allowed();
        let touched = false;
        const boom = (): never => {
          touched = true;
          throw new Error('unreadable');
        };
        // a throwing getter on the attribute itself, or the object holding it replaced by a proxy that throws
        for (const path of broken) {
          const [root, key] = path.split('.') as [string, string];
          if (how === 'getter') Object.defineProperty(request[root], key, { enumerable: true, get: boom });
          else request[root] = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom }) as never;
        }
        const decision = authorizer.decide({ ...request, action } as unknown as AccessRequest);
        if (touched) touchedCases++;
        // an allow may apply before any broken attribute is read (policies are evaluated lazily);
        // once a broken attribute is read, the decision is deny, whatever else holds
        return !touched || decision.decision === 'deny';
      }),
      { seed: SEED, numRuns: UNREADABLE_RUNS },
    );
    expect(touchedCases).toBeGreaterThan(UNREADABLE_RUNS / 2);
  });
});
