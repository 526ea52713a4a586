// Conformance: every combination of role, action, resource type, environment, MFA state and
// network (432 requests) against the design examples, with the expected decision derived from
// the written rules below — not from the engine.
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { createAuthorizer } from '../src/index.js';
import { designPolicies, request } from './design-policies.js';

const ROLES = [undefined, 'viewer', 'engineer', 'sre', 'finance', 'admin'];
const ACTIONS = ['read', 'write', 'delete'];
const TYPES = ['metrics', 'billing'];
const ENVS = ['production', 'staging'];
const MFA = [true, false, undefined];
const IPS = ['10.1.2.3', '192.168.1.9'];

const inherits: Record<string, string[]> = { viewer: ['viewer'], engineer: ['engineer', 'viewer'], sre: ['sre', 'engineer', 'viewer'], finance: ['finance'], admin: ['admin', 'sre', 'engineer', 'viewer', 'finance'] };

/** The rules as a person would state them. */
function expected(role: string | undefined, action: string, type: string, env: string, mfa: boolean | undefined, ip: string): 'allow' | 'deny' {
  const held = role === undefined ? [] : inherits[role]!;
  if (action === 'delete' && env === 'production') return 'deny'; // no one may delete production data
  if (held.includes('admin')) return 'allow';
  const trusted = ip.startsWith('10.');
  if (held.includes('engineer') && action === 'read' && type === 'metrics') {
    if (env !== 'production') return 'allow';
    return mfa === true && trusted ? 'allow' : 'deny';
  }
  if (held.includes('finance') && action === 'read' && type === 'billing') return mfa === true ? 'allow' : 'deny';
  return 'deny';
}

const cases: [string, Parameters<typeof expected>, 'allow' | 'deny'][] = [];
for (const role of ROLES)
  for (const action of ACTIONS)
    for (const type of TYPES)
      for (const env of ENVS)
        for (const mfa of MFA)
          for (const ip of IPS) {
            const args: Parameters<typeof expected> = [role, action, type, env, mfa, ip];
            cases.push([`${role ?? 'no role'} ${action} ${env} ${type} mfa=${String(mfa)} from ${ip}`, args, expected(...args)]);
          }

describe('conformance with the design examples', () => {
  const authorizer = createAuthorizer(designPolicies, { clock: new ManualClock(0), version: 'design' });

  it('covers more than 200 cases', () => {
    expect(cases.length).toBe(432);
  });

  it.each(cases)('%s → %s', (_name, args, decision) => {
    expect(authorizer.decide(request(...args)).decision).toBe(decision);
    // the explained path must agree with the fast path
    expect(authorizer.decide(request(...args), { explain: true }).decision).toBe(decision);
  });

  it('names the determining policy and the version', () => {
    expect(authorizer.decide(request('sre', 'read', 'metrics', 'production', true, '10.0.0.1'))).toEqual({
      decision: 'allow',
      reason: 'allowed',
      policies: ['engineers-read-prod-metrics-mfa-trusted'],
      version: 'design',
    });
    expect(authorizer.decide(request('admin', 'delete', 'billing', 'production', true, '10.0.0.1'))).toEqual({
      decision: 'deny',
      reason: 'denied_by_policy',
      policies: ['no-delete-production'],
      version: 'design',
    });
    expect(authorizer.decide(request('viewer', 'read', 'metrics', 'staging', true, '10.0.0.1'))).toEqual({
      decision: 'deny',
      reason: 'no_applicable_allow',
      policies: [],
      version: 'design',
    });
  });
});
