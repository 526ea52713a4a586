// Property tests (fast-check, fixed seed): the laws the semantics table promises.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AuditTrail, MemoryAuditSink, createAuthorizer, type AccessRequest, type Policy } from '../src/index.js';

const SEED = 20_261_125;
const action = fc.constantFrom('read', 'write', 'delete');
const type = fc.constantFrom('doc', 'metrics');
const team = fc.constantFrom('payments', 'search');
const requestArb: fc.Arbitrary<AccessRequest> = fc.record({
  subject: fc.record({ id: fc.string(), team, roles: fc.subarray(['viewer', 'editor']) }),
  action,
  resource: fc.record({ type, team, env: fc.constantFrom('prod', 'dev') }),
  context: fc.record({ mfa: fc.boolean(), risk: fc.integer({ min: 0, max: 10 }) }, { requiredKeys: [] }),
});
const conditionArb = fc.oneof(
  fc.record({ attr: fc.constant('context.mfa'), op: fc.constant('equals' as const), value: fc.boolean() }),
  fc.record({ attr: fc.constant('context.risk'), op: fc.constantFrom('less_than' as const, 'greater_than' as const), value: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ attr: fc.constant('resource.team'), op: fc.constant('equals' as const), ref: fc.constant('subject.team') }),
  fc.record({ attr: fc.constant('resource.env'), op: fc.constant('equals' as const), value: fc.constantFrom('prod', 'dev') }),
);
const policyArb = (effect: 'allow' | 'deny') =>
  fc.record({
    effect: fc.constant(effect),
    target: fc.record({ actions: fc.subarray(['read', 'write', 'delete'], { minLength: 1 }), roles: fc.subarray(['viewer', 'editor'], { minLength: 1 }) }, { requiredKeys: [] }),
    condition: conditionArb,
  });
const setArb = fc.tuple(fc.array(policyArb('allow'), { maxLength: 8 }), fc.array(policyArb('deny'), { maxLength: 4 })).map(([allows, denies]) =>
  [...allows, ...denies].map((p, i) => ({ ...p, id: `p${i}` }) as Policy),
);

describe('laws', () => {
  it('no policies → deny, for any request', () => {
    const authorizer = createAuthorizer({ policies: [] });
    fc.assert(fc.property(requestArb, (r) => authorizer.decide(r).decision === 'deny'), { seed: SEED });
  });

  it('deny always wins: adding a deny that matches turns any decision into deny', () => {
    fc.assert(
      fc.property(setArb, requestArb, (policies, r) => {
        const withDeny = [...policies, { id: 'blanket', effect: 'deny', target: { actions: [r.action] }, condition: { attr: 'action', op: 'equals', value: r.action } } as Policy];
        return createAuthorizer({ policies: withDeny }).decide(r).decision === 'deny';
      }),
      { seed: SEED },
    );
  });

  it('removing an allow never grants more', () => {
    fc.assert(
      fc.property(setArb, fc.array(requestArb, { minLength: 1, maxLength: 10 }), fc.nat(), (policies, requests, pick) => {
        const allows = policies.filter((p) => p.effect === 'allow');
        if (allows.length === 0) return true;
        const removed = allows[pick % allows.length]!.id;
        const before = createAuthorizer({ policies });
        const after = createAuthorizer({ policies: policies.filter((p) => p.id !== removed) });
        return requests.every((r) => after.decide(r).decision === 'deny' || before.decide(r).decision === 'allow');
      }),
      { seed: SEED },
    );
  });

  it('fast and explained evaluation always agree', () => {
    fc.assert(
      fc.property(setArb, requestArb, (policies, r) => {
        const authorizer = createAuthorizer({ policies });
        return authorizer.decide(r).decision === authorizer.decide(r, { explain: true }).decision;
      }),
      { seed: SEED },
    );
  });

  it('the equality index (many allows keyed on one attribute) decides exactly like full evaluation', () => {
    const keyed = fc.array(
      fc.record({
        team: fc.constantFrom('payments', 'search', 'ads'),
        extra: conditionArb,
        action: fc.subarray(['read', 'write', 'delete'], { minLength: 1 }),
      }),
      { minLength: 16, maxLength: 40 },
    ).map((rows) =>
      rows.map((row, i): Policy => ({
        id: `k${i}`,
        effect: 'allow',
        target: { actions: row.action },
        condition: i % 5 === 0 ? row.extra : { all: [{ attr: 'subject.team', op: 'equals', value: row.team }, row.extra] },
      })),
    );
    fc.assert(
      fc.property(keyed, fc.array(policyArb('deny'), { maxLength: 2 }), fc.array(requestArb, { minLength: 1, maxLength: 20 }), (allows, denies, requests) => {
        const authorizer = createAuthorizer({ policies: [...allows, ...denies.map((d, i) => ({ ...d, id: `d${i}` }) as Policy)] });
        return requests.every((r) => authorizer.decide(r).decision === authorizer.decide(r, { explain: true }).decision);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("an audit entry's evidence input alone replays to the same decision and policies", async () => {
    await fc.assert(
      fc.asyncProperty(setArb, fc.array(requestArb, { minLength: 1, maxLength: 10 }), async (policies, requests) => {
        const sink = new MemoryAuditSink();
        const trail = new AuditTrail({ sink, input: 'evidence' });
        const authorizer = createAuthorizer({ policies }, { onDecision: trail.record });
        for (const r of requests) authorizer.decide(r);
        await trail.flush();
        const replayer = createAuthorizer({ policies });
        return sink.entries.every((entry) => {
          const input = entry.input as Partial<Record<'subject' | 'resource' | 'context', Record<string, unknown>>>;
          const type = entry.resource.slice(0, entry.resource.indexOf(':'));
          const replay = { subject: input.subject ?? {}, action: entry.action, resource: { ...input.resource, type }, ...(input.context === undefined ? {} : { context: input.context }) };
          const decision = replayer.decide(replay);
          return decision.decision === entry.decision && decision.policies.join() === entry.policies.join();
        });
      }),
      { seed: SEED },
    );
  });

  it('arbitrary JSON requests never throw and never modify Object.prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const authorizer = createAuthorizer({
      policies: [
        { id: 'a', effect: 'allow', condition: { any: [{ attr: 'context.x.y', op: 'equals', value: 1 }, { attr: 'subject.roles', op: 'contains', value: 'admin' }] } },
        { id: 'd', effect: 'deny', condition: { attr: 'resource.owner', op: 'not_equals', ref: 'subject.id' } },
      ],
    });
    const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x', 'y', 'type', 'roles');
    const json = fc.jsonValue();
    fc.assert(
      fc.property(fc.oneof(json, fc.dictionary(hostileKey, json), fc.record({ subject: json, action: json, resource: json, context: json })), fc.boolean(), (raw, explain) => {
        const request = JSON.parse(JSON.stringify(raw)) as AccessRequest;
        const decision = authorizer.decide(request, { explain });
        return decision.decision === 'allow' || decision.decision === 'deny';
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('pattern matching is linear-time: a catastrophic-backtracking pattern on a long input still completes', () => {
    // (a+)+$ against "aaaa...!" takes exponential time in a backtracking engine (Casbin's
    // keyMatch regexes, JavaScript's RegExp); RE2 answers in time linear in the input.
    const authorizer = createAuthorizer({ policies: [{ id: 'p', effect: 'allow', condition: { attr: 'context.s', op: 'matches_pattern', value: '^(a+)+$' } }] }, { requestLimits: { maxStringLength: 100_000 } });
    for (const n of [26, 1_000, 20_000]) {
      const decision = authorizer.decide({ subject: { id: 'x' }, action: 'read', resource: { type: 'd' }, context: { s: `${'a'.repeat(n)}!` } });
      expect(decision.decision).toBe('deny');
    }
    expect(authorizer.decide({ subject: { id: 'x' }, action: 'read', resource: { type: 'd' }, context: { s: 'a'.repeat(20_000) } }).decision).toBe('allow');
  });
});
