import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ManualClock, ValidationError } from '@sightline/core';
import { performance } from 'node:perf_hooks';
import { createAuthorizer } from './authorizer.js';
import type { PolicySet } from './policy.js';

const T = Date.parse('2026-03-02T10:30:00Z'); // a Monday, 11:30 in Paris
const subject = { id: 'ada', roles: ['engineer'], team: 'payments', clearance: 3 };
const allowWhen = (condition: unknown): PolicySet => ({ policies: [{ id: 'p', effect: 'allow', condition: condition as never }] });
const decide = (set: PolicySet, context: Record<string, unknown> = {}, resource: Record<string, unknown> = {}) =>
  createAuthorizer(set, { clock: new ManualClock(T) }).decide({ subject, action: 'read', resource: { type: 'doc', ...resource }, context }, { explain: true });

describe('semantics', () => {
  it('denies by default', () => {
    expect(decide({ policies: [] }).reason).toBe('no_applicable_allow');
  });

  it('lets a deny override any number of allows', () => {
    const set: PolicySet = { policies: [{ id: 'a1', effect: 'allow' }, { id: 'd', effect: 'deny', condition: { attr: 'subject.team', op: 'equals', value: 'payments' } }, { id: 'a2', effect: 'allow' }] };
    const d = decide(set);
    expect(d.decision).toBe('deny');
    expect(d.explanation?.allows).toEqual(['a1', 'a2']);
    expect(d.explanation?.denies).toEqual(['d']);
  });

  it('reads own attributes only: __proto__ and constructor are missing, and the prototype is untouched', () => {
    const hostile = JSON.parse('{"__proto__": {"admin": true}, "constructor": {"name": "x"}}') as Record<string, unknown>;
    const set = allowWhen({ attr: 'context.admin', op: 'equals', value: true });
    const d = decide(set, hostile);
    expect(d.decision).toBe('deny');
    expect(d.explanation?.errors[0]?.note).toEqual(expect.objectContaining({ attr: 'context.admin', outcome: 'missing', observedType: 'missing' }));
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(() => createAuthorizer(allowWhen({ attr: 'context.__proto__.admin', op: 'equals', value: true }))).toThrow(expect.objectContaining({ code: 'ABAC_POLICY_INVALID' }));
  });

  it('never coerces types: 1 is not true, "3" is not 3', () => {
    expect(decide(allowWhen({ attr: 'context.flag', op: 'equals', value: true }), { flag: 1 }).decision).toBe('deny');
    expect(decide(allowWhen({ attr: 'subject.clearance', op: 'greater_than_or_equal', value: 3 })).decision).toBe('allow');
    const d = decide(allowWhen({ attr: 'context.level', op: 'greater_than', value: 2 }), { level: '3' });
    expect(d.decision).toBe('deny');
    expect(d.explanation?.errors[0]?.note).toEqual(expect.objectContaining({ outcome: 'type_mismatch', observedType: 'string' }));
  });

  it('treats a missing or ill-typed attribute in an allow as not applying, and reports it', () => {
    const d = decide(allowWhen({ attr: 'context.mfa', op: 'equals', value: true }));
    expect(d.reason).toBe('no_applicable_allow');
    expect(d.explanation?.errors).toEqual([{ policyId: 'p', note: expect.objectContaining({ attr: 'context.mfa', outcome: 'missing', path: 'condition' }) }]);
  });

  it('fails closed: a deny whose condition errors denies, unless it opts out with onError: skip', () => {
    const set = (onError?: 'skip'): PolicySet => ({
      policies: [{ id: 'allow-all', effect: 'allow' }, { id: 'deny-untrusted', effect: 'deny', condition: { attr: 'context.ip', op: 'cidr', value: '10.0.0.0/8' }, ...(onError ? { onError } : {}) }],
    });
    // the IP is missing: Cedar would drop this deny and allow; we deny
    expect(decide(set()).reason).toBe('denied_on_error');
    expect(decide(set(), { ip: 'not an ip' }).reason).toBe('denied_on_error');
    expect(decide(set('skip')).decision).toBe('allow');
  });

  it('never throws: malformed requests, throwing getters and proxies are denied with invalid_request', () => {
    const authorizer = createAuthorizer({ policies: [{ id: 'a', effect: 'allow', condition: { attr: 'context.x', op: 'equals', value: 1 } }] });
    const trap = new Proxy({}, { get: () => { throw new Error('boom'); }, has: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); }, getOwnPropertyDescriptor: () => { throw new Error('boom'); } });
    for (const bad of [null, 42, {}, { subject: {}, action: 'read' }, { subject: [], action: 'read', resource: { type: 'd' } }, { subject: {}, action: 'read', resource: { type: 'd' }, context: trap }]) {
      expect(authorizer.decide(bad as never).decision).toBe('deny');
      expect(authorizer.decide(bad as never).reason).toBe('invalid_request');
    }
  });

  it('refuses a string or array that a policy reads when it is over the limits, and never walks what no policy reads', () => {
    const authorizer = createAuthorizer({ policies: [{ id: 'a', effect: 'allow', condition: { all: [{ attr: 'context.branch', op: 'matches_pattern', value: '^release/' }, { attr: 'subject.roles', op: 'contains', value: 'dev' }] } }] });
    const ask = (context: Record<string, unknown>, roles: unknown = ['dev']) => authorizer.decide({ subject: { id: 'x', roles }, action: 'read', resource: { type: 'd' }, context }, { explain: true });
    expect(ask({ branch: `release/${'x'.repeat(4_096 - 8)}` }).decision).toBe('allow'); // exactly 4,096 characters
    const long = ask({ branch: `release/${'x'.repeat(4_096 - 7)}` });
    expect(long).toEqual(expect.objectContaining({ decision: 'deny', reason: 'invalid_request' }));
    expect(long.explanation?.requestProblem).toBe('context.branch is a string of 4097 characters; the limit is 4096 (requestLimits.maxStringLength)');
    expect(ask({ branch: 'release/1' }, Array.from({ length: 1_001 }, () => 'dev')).explanation?.requestProblem).toMatch(/subject.roles is an array of 1001 entries; the limit is 1000/);
    // attributes no policy reads are not checked: a deep or huge context costs nothing
    let deep: Record<string, unknown> = { leaf: 'y'.repeat(100_000) };
    for (let i = 0; i < 20; i++) deep = { deep };
    expect(ask({ branch: 'release/1', deep }).decision).toBe('allow');
    const bounded = createAuthorizer({ policies: [{ id: 'a', effect: 'allow', condition: { attr: 'context.s', op: 'exists' } }] }, { requestLimits: { maxStringLength: 3 } });
    expect(bounded.decide({ subject: {}, action: 'read', resource: { type: 'd' }, context: { s: 'abcd' } }).reason).toBe('invalid_request');
  });

  it('bounds the cost of matches_pattern: a 1 MB string is refused before any pattern runs', () => {
    const authorizer = createAuthorizer({ policies: [{ id: 'p', effect: 'allow', condition: { attr: 'context.s', op: 'matches_pattern', value: '(a|b)*c[0-9]+' } }] });
    const huge = 'ab'.repeat(500_000);
    const start = performance.now();
    for (let i = 0; i < 20; i++) expect(authorizer.decide({ subject: {}, action: 'read', resource: { type: 'd' }, context: { s: huge } }).reason).toBe('invalid_request');
    expect(performance.now() - start).toBeLessThan(200); // was 0.3–0.5 s per decision
  });

  it('inherits roles through the hierarchy', () => {
    const set: PolicySet = { roles: { viewer: {}, engineer: { inherits: ['viewer'] } }, policies: [{ id: 'v', effect: 'allow', target: { roles: ['viewer'] } }] };
    expect(createAuthorizer(set).decide({ subject: { id: 'a', roles: ['engineer'] }, action: 'read', resource: { type: 'd' } }).decision).toBe('allow');
    expect(createAuthorizer(set).decide({ subject: { id: 'a', roles: 'viewer' }, action: 'read', resource: { type: 'd' } }).decision).toBe('deny');
  });

  it('compares two attributes with ref (teams see their own resources)', () => {
    const set = allowWhen({ attr: 'resource.team', op: 'equals', ref: 'subject.team' });
    expect(decide(set, {}, { team: 'payments' }).decision).toBe('allow');
    expect(decide(set, {}, { team: 'search' }).decision).toBe('deny');
  });
});

describe('operators', () => {
  const cases: [string, unknown, Record<string, unknown>, 'allow' | 'deny'][] = [
    ['in', { attr: 'context.zone', op: 'in', value: ['eu', 'us'] }, { zone: 'eu' }, 'allow'],
    ['not_in', { attr: 'context.zone', op: 'not_in', value: ['eu', 'us'] }, { zone: 'eu' }, 'deny'],
    ['contains on an array', { attr: 'context.groups', op: 'contains', value: 'ops' }, { groups: ['dev', 'ops'] }, 'allow'],
    ['not_contains on an array', { attr: 'context.groups', op: 'not_contains', value: 'ops' }, { groups: ['dev'] }, 'allow'],
    // contains is membership in a collection: a string is not the set of its substrings
    ['contains on a string is unknown, so an allow does not apply ("pii-free" does not contain "pii")', { attr: 'context.tags', op: 'contains', value: 'pii' }, { tags: 'pii-free' }, 'deny'],
    ['not_contains on a string is unknown too', { attr: 'context.agent', op: 'not_contains', value: 'curl' }, { agent: 'Mozilla' }, 'deny'],
    ['contains_substring is the explicit substring test', { attr: 'context.agent', op: 'contains_substring', value: 'zill' }, { agent: 'Mozilla' }, 'allow'],
    ['contains_substring on an array is unknown', { attr: 'context.groups', op: 'contains_substring', value: 'ops' }, { groups: ['ops'] }, 'deny'],
    ['between (inclusive)', { attr: 'context.risk', op: 'between', value: [0, 5] }, { risk: 5 }, 'allow'],
    ['less_than', { attr: 'context.risk', op: 'less_than', value: 5 }, { risk: 5 }, 'deny'],
    ['starts_with', { attr: 'context.path', op: 'starts_with', value: '/api/' }, { path: '/api/v1' }, 'allow'],
    ['ends_with', { attr: 'context.host', op: 'ends_with', value: '.internal' }, { host: 'db.internal' }, 'allow'],
    ['glob', { attr: 'context.bucket', op: 'glob', value: 'logs-*-eu?' }, { bucket: 'logs-prod-eu1' }, 'allow'],
    ['glob treats regex characters literally', { attr: 'context.bucket', op: 'glob', value: 'a.b' }, { bucket: 'axb' }, 'deny'],
    ['exists', { attr: 'context.mfa', op: 'exists' }, { mfa: false }, 'allow'],
    ['not exists', { not: { attr: 'context.mfa', op: 'exists' } }, {}, 'allow'],
    ['cidr IPv4', { attr: 'context.ip', op: 'cidr', value: ['10.0.0.0/8'] }, { ip: '10.200.3.4' }, 'allow'],
    ['cidr IPv6', { attr: 'context.ip', op: 'cidr', value: '2001:db8::/32' }, { ip: '2001:db8:1::7' }, 'allow'],
    ['cidr IPv4-mapped IPv6 is not IPv4', { attr: 'context.ip', op: 'cidr', value: '10.0.0.0/8' }, { ip: '::ffff:10.0.0.1' }, 'deny'],
    ['cidr rejects leading zeros', { attr: 'context.ip', op: 'cidr', value: '10.0.0.0/8' }, { ip: '010.0.0.1' }, 'deny'],
    ['matches_pattern (RE2)', { attr: 'context.branch', op: 'matches_pattern', value: '^release/[0-9]+\\.[0-9]+$' }, { branch: 'release/1.2' }, 'allow'],
    ['time_window in a time zone', { op: 'time_window', value: { start: '09:00', end: '18:00', timeZone: 'Europe/Paris' } }, {}, 'allow'],
    ['time_window that wraps midnight', { op: 'time_window', value: { start: '22:00', end: '06:00', timeZone: 'Europe/Paris' } }, {}, 'deny'],
    ['weekdays', { op: 'weekdays', value: { days: ['mon', 'tue'], timeZone: 'Europe/Paris' } }, {}, 'allow'],
    // 10:30 UTC on Monday is already 00:30 on Tuesday in Kiritimati (UTC+14)
    ['weekdays across the date line', { op: 'weekdays', value: { days: ['tue'], timeZone: 'Pacific/Kiritimati' } }, {}, 'allow'],
    ['time_window on an attribute', { attr: 'context.at', op: 'time_window', value: { start: '00:00', end: '01:00', timeZone: 'UTC' } }, { at: Date.parse('2026-03-02T00:30:00Z') }, 'allow'],
    ['any with one true', { any: [{ attr: 'context.a', op: 'equals', value: 1 }, { attr: 'context.b', op: 'equals', value: 2 }] }, { a: 0, b: 2 }, 'allow'],
    ['any with an error and no true is not true', { any: [{ attr: 'context.a', op: 'equals', value: 1 }, { attr: 'context.missing', op: 'equals', value: 2 }] }, { a: 0 }, 'deny'],
    ['all with a false and an error is false', { all: [{ attr: 'context.a', op: 'equals', value: 1 }, { attr: 'context.missing', op: 'equals', value: 2 }] }, { a: 0 }, 'deny'],
  ];
  it.each(cases)('%s', (_name, condition, context, decision) => {
    expect(decide(allowWhen(condition), context).decision).toBe(decision);
  });
});

describe('explain', () => {
  it('gives near misses with the first failed condition, its path and the observed type', () => {
    const set: PolicySet = {
      policies: [
        { id: 'ops-only', effect: 'allow', target: { roles: ['ops'] } },
        { id: 'mfa-and-zone', effect: 'allow', condition: { all: [{ attr: 'context.mfa', op: 'equals', value: true }, { attr: 'context.zone', op: 'equals', value: 'corp' }] } },
      ],
    };
    const d = decide(set, { mfa: true, zone: 'home' });
    expect(d.explanation?.nearMisses).toEqual([
      { policyId: 'ops-only', effect: 'allow', because: 'role' },
      { policyId: 'mfa-and-zone', effect: 'allow', because: 'condition', failure: { path: 'condition.all[1]', attr: 'context.zone', op: 'equals', observedType: 'string', outcome: 'false' } },
    ]);
  });
});

describe('validation', () => {
  const issuesOf = (set: unknown, options: Parameters<typeof createAuthorizer>[1] = {}) => {
    try {
      createAuthorizer(set, options);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => [i.path.join('.'), i.code]);
    }
    throw new Error('expected the policy set to be rejected');
  };

  it('reports every problem with its path', () => {
    expect(
      issuesOf({
        roles: { a: { inherits: ['b'] }, b: { inherits: ['a'] } },
        policies: [
          { id: 'x', effect: 'permit' },
          { id: 'x', effect: 'allow', condition: { attr: 'context.ip', op: 'cidr', value: ['10.0.0.0/33', '300.1.1.1'] } },
          { id: 'y', effect: 'allow', condition: { attr: 'context.name', op: 'matches_pattern', value: '(a)\\1' } },
          { id: 'z', effect: 'allow', condition: { attr: 'user.name', op: 'like', value: 'x' } },
          { id: 'w', effect: 'allow', target: { actions: [] } },
          { id: 't', effect: 'allow', condition: { op: 'time_window', value: { start: '25:00', end: '09:00', timeZone: 'Mars/Olympus' } } },
        ],
      }),
    ).toEqual([
      ['roles.a', 'ABAC_ROLE_CYCLE'],
      ['policies.0.effect', 'ABAC_EFFECT'],
      ['policies.1.condition.value.0', 'ABAC_CIDR'],
      ['policies.1.condition.value.1', 'ABAC_CIDR'],
      ['policies.1.id', 'ABAC_DUPLICATE_ID'],
      ['policies.2.condition.value', 'ABAC_PATTERN'],
      ['policies.3.condition.op', 'ABAC_UNKNOWN_OPERATOR'],
      ['policies.4.target.actions', 'ABAC_POLICY_UNREACHABLE'],
      ['policies.5.condition.value.start', 'ABAC_TIME'],
      ['policies.5.condition.value.timeZone', 'ABAC_TIME'],
    ]);
  });

  it('checks attributes and operator types against a schema', () => {
    const schema = { subject: { team: 'string' as const }, context: { mfa: 'boolean' as const, ip: 'ip' as const } };
    expect(
      issuesOf(
        {
          policies: [
            { id: 'a', effect: 'allow', condition: { attr: 'context.mfa', op: 'greater_than', value: 1 } },
            { id: 'b', effect: 'allow', condition: { attr: 'context.device', op: 'equals', value: 'x' } },
            { id: 'c', effect: 'allow', condition: { attr: 'context.ip', op: 'cidr', value: '10.0.0.0/8' } },
          ],
        },
        { schema },
      ),
    ).toEqual([
      ['policies.0.condition.op', 'ABAC_OPERATOR_TYPE'],
      ['policies.1.condition.attr', 'ABAC_UNKNOWN_ATTRIBUTE'],
    ]);
  });

  it('finds an allow shadowed by an unconditional deny', () => {
    expect(issuesOf({ policies: [{ id: 'no-deletes', effect: 'deny', target: { actions: ['delete'] } }, { id: 'admins-delete', effect: 'allow', target: { actions: ['delete'], roles: ['admin'] } }] })).toEqual([
      ['policies.1', 'ABAC_POLICY_SHADOWED'],
    ]);
  });

  it('enforces size limits', () => {
    let deep: unknown = { attr: 'context.a', op: 'exists' };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(issuesOf({ policies: [{ id: 'deep', effect: 'allow', condition: deep }] })).toContainEqual([expect.stringContaining('policies.0.condition'), 'ABAC_LIMIT']);
    expect(issuesOf({ policies: [{ id: 'p', effect: 'allow' }, { id: 'q', effect: 'allow' }] }, { limits: { maxPolicies: 1 } })).toEqual([['policies', 'ABAC_LIMIT']]);
  });
});

describe('permittedActions', () => {
  it('enumerates what a principal may do on a resource', () => {
    const set: PolicySet = {
      policies: [
        { id: 'r', effect: 'allow', target: { actions: ['read', 'list'] } },
        { id: 'w', effect: 'allow', target: { actions: ['write'], roles: ['editor'] } },
        { id: 'd', effect: 'allow', target: { actions: ['delete'] }, condition: { attr: 'resource.owner', op: 'equals', ref: 'subject.id' } },
      ],
    };
    const authorizer = createAuthorizer(set);
    expect(authorizer.permittedActions({ id: 'ada', roles: ['editor'] }, { type: 'doc', owner: 'bob' })).toEqual(['list', 'read', 'write']);
    expect(authorizer.permittedActions({ id: 'bob' }, { type: 'doc', owner: 'bob' })).toEqual(['delete', 'list', 'read']);
  });
});

describe('onDecision', () => {
  it('passes the evidence of each decision: the attribute paths the policies for its action and type read', () => {
    const set: PolicySet = {
      policies: [
        { id: 'own', effect: 'allow', target: { actions: ['read'] }, condition: { any: [{ attr: 'resource.team', op: 'equals', ref: 'subject.team' }, { not: { attr: 'context.mfa', op: 'equals', value: false } }] } },
        { id: 'contractors', effect: 'deny', target: { actions: ['read'], roles: ['contractor'] }, condition: { attr: 'context.mfa', op: 'equals', value: false } },
        { id: 'billing', effect: 'allow', target: { resourceTypes: ['invoice'] }, condition: { attr: 'subject.dept', op: 'equals', value: 'finance' } },
      ],
    };
    const seen: unknown[] = [];
    const authorizer = createAuthorizer(set, { onDecision: (_request, decision, _at, evidence) => seen.push([decision.reason, evidence?.paths]) });
    authorizer.decide({ subject, action: 'read', resource: { type: 'doc', team: 'payments' } });
    authorizer.decide({ subject, action: 'read', resource: { type: 'invoice' } }, { explain: true });
    authorizer.decide({ subject, action: 'write', resource: { type: 'doc' } });
    authorizer.decide({ subject, action: '', resource: { type: 'doc' } });
    expect(seen).toEqual([
      ['allowed', ['context.mfa', 'resource.team', 'subject.roles', 'subject.team']],
      ['no_applicable_allow', ['context.mfa', 'resource.team', 'subject.dept', 'subject.roles', 'subject.team']],
      ['no_applicable_allow', []],
      ['invalid_request', undefined],
    ]);
  });
});

describe('decision cache', () => {
  const readSecret: PolicySet = { policies: [{ id: 'read-only', effect: 'allow', target: { actions: ['read'], resourceTypes: ['secret', 'x\u0000secret'] } }] };

  it('never lets one (action, type) pair answer for another: read on "x\\0secret", then "read\\0x" on secret, is denied', () => {
    const cached = createAuthorizer(readSecret);
    expect(cached.decide({ subject: {}, action: 'read', resource: { type: 'x\u0000secret' } }).decision).toBe('allow');
    // with a joined `${action}\0${type}` key both requests were "read\0x\0secret"
    expect(cached.decide({ subject: {}, action: 'read\u0000x', resource: { type: 'secret' } }).decision).toBe('deny');
    expect(createAuthorizer(readSecret).decide({ subject: {}, action: 'read\u0000x', resource: { type: 'secret' } }).decision).toBe('deny');
  });

  it('decides exactly as a fresh authorizer for any action and type strings, control characters included', () => {
    const piece = fc.constantFrom('read', 'x', 'secret', 'a', '\u0000', '\u0001', '\u001f', '\n', '\u007f', '');
    const name = fc.oneof(fc.constantFrom('read', 'x', 'secret', 'a', 'read\u0000x', 'x\u0000secret'), fc.array(piece, { maxLength: 4 }).map((parts) => parts.join('')));
    // (a, b + "\0" + c) then (a + "\0" + b, c): the pairs a joined key cannot tell apart
    const shifted = fc.tuple(name, name, name, fc.constantFrom('\u0000', '\u0001', '')).map(([a, b, c, sep]) => [[a, `${b}${sep}${c}`], [`${a}${sep}${b}`, c]] as [string, string][]);
    const policies: PolicySet = {
      policies: [
        { id: 'read-secret', effect: 'allow', target: { actions: ['read'], resourceTypes: ['secret'] } },
        { id: 'a-x', effect: 'allow', target: { actions: ['a\u0000x', 'read\u0000x'], resourceTypes: ['x', 'secret\u0001'] } },
        { id: 'any-x0', effect: 'allow', target: { resourceTypes: ['x\u0000secret'] } },
        { id: 'deny-a', effect: 'deny', target: { actions: ['a'] } },
      ],
    };
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.tuple(name, name).map((pair) => [pair]), shifted), { minLength: 1, maxLength: 6 }), (groups) => {
        const pairs = groups.flat();
        const cached = createAuthorizer(policies);
        for (const [action, type] of pairs) {
          const request = { subject: {}, action, resource: { type } };
          const fresh = createAuthorizer(policies).decide(request);
          const answer = cached.decide(request);
          if (answer.decision !== fresh.decision || answer.policies.join() !== fresh.policies.join()) return false;
        }
        return true;
      }),
      { seed: 20_261_203, numRuns: 500 },
    );
  });
});

describe('cidr', () => {
  it('matches IPv4 against pre-parsed blocks of any prefix, strictly, and IPv6 separately', () => {
    const set = allowWhen({ attr: 'context.ip', op: 'cidr', value: ['10.0.0.0/8', '192.168.4.0/22', '0.0.0.0/32', '2001:db8::/32', '203.0.113.7'] });
    const cases: [string, 'allow' | 'deny'][] = [
      ['10.255.255.255', 'allow'], ['11.0.0.0', 'deny'], ['192.168.7.255', 'allow'], ['192.168.8.0', 'deny'], ['192.168.3.255', 'deny'],
      ['0.0.0.0', 'allow'], ['0.0.0.1', 'deny'], ['203.0.113.7', 'allow'], ['203.0.113.8', 'deny'],
      ['10.0.0.01', 'deny'], ['10.0.0', 'deny'], ['10.0.0.0.0', 'deny'], ['10.0.0.256', 'deny'], ['10..0.1', 'deny'], ['10.0.0.1 ', 'deny'], ['1e1.0.0.1', 'deny'],
      ['2001:db8::1', 'allow'], ['2001:db9::1', 'deny'], ['::ffff:10.0.0.1', 'deny'],
    ];
    for (const [ip, decision] of cases) expect([ip, decide(set, { ip }).decision]).toEqual([ip, decision]);
  });
});
