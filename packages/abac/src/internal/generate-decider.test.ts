import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createAuthorizer } from '../authorizer.js';
import type { AccessRequest, PolicySet } from '../index.js';

const allowWhen = (condition: unknown): PolicySet => ({ policies: [{ id: 'p', effect: 'allow', condition: condition as never }] });
const request = (subject: Record<string, unknown>, context: Record<string, unknown> = {}): AccessRequest => ({ subject, action: 'read', resource: { type: 'doc' }, context });

describe('generated decision code', () => {
  it('never reads a polluted Object.prototype as a request value', () => {
    const authorizer = createAuthorizer(allowWhen({ attr: 'subject.dept', op: 'equals', value: 'd1' }));
    expect(authorizer.decide(request({ id: 'u', dept: 'd1' })).decision).toBe('allow'); // optimised on plain objects first
    const proto = Object.prototype as Record<string, unknown>;
    proto.dept = 'd1';
    try {
      expect(authorizer.decide(request({ id: 'u' })).decision).toBe('deny');
      expect(authorizer.decide(request({ id: 'u', dept: 'd1' })).decision).toBe('allow');
    } finally {
      delete proto.dept;
    }
  });

  it('reads own properties of class instances and null-prototype objects, never inherited getters', () => {
    let calls = 0;
    class Principal {
      readonly id = 'u';
      get dept(): string {
        calls++;
        return 'd1';
      }
    }
    const authorizer = createAuthorizer(allowWhen({ attr: 'subject.dept', op: 'equals', value: 'd1' }));
    expect(authorizer.decide(request(new Principal() as unknown as Record<string, unknown>)).decision).toBe('deny');
    expect(calls).toBe(0);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { id: 'u', dept: 'd1' });
    expect(authorizer.decide(request(bare)).decision).toBe('allow');
    expect(authorizer.decide(request({ id: 'u', dept: ['d1'] })).reason).toBe('no_applicable_allow');
  });

  it('treats policy text as data: ids, attribute names and values that look like code are compared, not run', () => {
    const code = '"); globalThis.pwned = 1; ("';
    const set: PolicySet = {
      policies: [
        { id: code, effect: 'allow', condition: { all: [{ attr: 'context.x`${pwned}`"]', op: 'equals', value: code }, { attr: 'subject.id', op: 'in', value: [code, 'u'] }] } },
        { id: 'deny\u2028', effect: 'deny', condition: { attr: 'context.n', op: 'greater_than', value: 9 } },
      ],
    };
    const authorizer = createAuthorizer(set);
    const context = { 'x`${pwned}`"]': code, n: 1 };
    expect(authorizer.decide(request({ id: 'u' }, context))).toEqual(expect.objectContaining({ decision: 'allow', policies: [code] }));
    expect(authorizer.decide(request({ id: 'u' }, { ...context, n: 10 }))).toEqual(expect.objectContaining({ decision: 'deny', policies: ['deny\u2028'] }));
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it('decides every operator as the explained (closure) evaluation does', () => {
    const set: PolicySet = {
      roles: { viewer: {}, editor: { inherits: ['viewer'] } },
      policies: [
        { id: 'd-err', effect: 'deny', target: { actions: ['delete'] }, condition: { attr: 'context.risk', op: 'greater_than', value: 5 } },
        { id: 'd-skip', effect: 'deny', onError: 'skip', condition: { not: { attr: 'context.tags', op: 'contains', value: 'ok' } } },
        { id: 'a-any', effect: 'allow', target: { roles: ['viewer'] }, condition: { any: [{ attr: 'context.ip', op: 'cidr', value: ['10.0.0.0/8', '2001:db8::/32'] }, { attr: 'subject.team', op: 'equals', ref: 'resource.team' }] } },
        { id: 'a-all', effect: 'allow', condition: { all: [{ attr: 'context.level', op: 'between', value: [1, 3] }, { attr: 'subject.name', op: 'starts_with', value: 'a' }, { attr: 'context.flag', op: 'exists' }, { not: { attr: 'subject.team', op: 'in', value: ['x', 'y'] } }] } },
        { id: 'a-pattern', effect: 'allow', target: { actions: ['write'] }, condition: { attr: 'resource.path', op: 'glob', value: 'docs/*' } },
      ],
    };
    const authorizer = createAuthorizer(set);
    const value = fc.oneof(fc.constantFrom('ok', 'a1', '10.1.2.3', '2001:db8::1', 'docs/x', 'x', 'team'), fc.integer({ min: -1, max: 7 }), fc.boolean(), fc.constant(null), fc.array(fc.constantFrom('ok', 'no'), { maxLength: 3 }));
    const attrs = fc.dictionary(fc.constantFrom('risk', 'tags', 'ip', 'team', 'level', 'name', 'flag', 'path', 'roles'), value, { maxKeys: 6 });
    const roles = fc.subarray(['viewer', 'editor', 'other']);
    fc.assert(
      fc.property(attrs, attrs, attrs, roles, (subject, resource, context, held) => {
        const r = { subject: { ...subject, roles: held }, action: 'read', resource: { ...resource, type: 'doc' }, context } as AccessRequest;
        for (const action of ['read', 'write', 'delete']) {
          const fast = authorizer.decide({ ...r, action });
          const explained = authorizer.decide({ ...r, action }, { explain: true });
          // Reasons may differ between two denies: the fast path stops at the first deny that errs.
          if (fast.decision !== explained.decision || (fast.decision === 'allow' && fast.policies[0] !== explained.policies[0])) return false;
        }
        return true;
      }),
      { seed: 20_261_203, numRuns: 1_000 },
    );
  });

  it('decides the pairs the policies name in the whole-set function and any other pair alike, recording each decision once with its evidence', () => {
    const set: PolicySet = {
      policies: [
        { id: 'docs', effect: 'allow', target: { actions: ['read'], resourceTypes: ['doc'] }, condition: { attr: 'subject.dept', op: 'equals', value: 'd1' } },
        { id: 'any-type', effect: 'allow', target: { actions: ['read'] }, condition: { attr: 'context.mfa', op: 'equals', value: true } },
        { id: 'no-prod', effect: 'deny', condition: { attr: 'resource.env', op: 'equals', value: 'prod' } },
      ],
    };
    const seen: { decision: string; policies: readonly string[]; paths: readonly string[] | undefined }[] = [];
    const recorded = createAuthorizer(set, { onDecision: (_request, decision, _at, evidence) => seen.push({ decision: decision.decision, policies: decision.policies, paths: evidence?.paths }) });
    const plain = createAuthorizer(set);
    const cases: AccessRequest[] = [
      { subject: { dept: 'd1' }, action: 'read', resource: { type: 'doc', env: 'dev' } }, // a named pair
      { subject: { dept: 'd2' }, action: 'read', resource: { type: 'sheet', env: 'dev' }, context: { mfa: true } }, // an unnamed type
      { subject: { dept: 'd1' }, action: 'write', resource: { type: 'doc', env: 'prod' } }, // an unnamed action
      { subject: [], action: 'read', resource: { type: 'doc' } } as unknown as AccessRequest, // refused
    ];
    expect(cases.map((r) => plain.decide(r).policies)).toEqual([['docs'], ['any-type'], ['no-prod'], []]);
    expect(cases.map((r) => recorded.decide(r).decision)).toEqual(['allow', 'allow', 'deny', 'deny']);
    expect(seen).toEqual([
      { decision: 'allow', policies: ['docs'], paths: ['context.mfa', 'resource.env', 'subject.dept'] },
      { decision: 'allow', policies: ['any-type'], paths: ['context.mfa', 'resource.env'] },
      { decision: 'deny', policies: ['no-prod'], paths: ['resource.env'] },
      { decision: 'deny', policies: [], paths: undefined },
    ]);
  });
});
