// The reference policy set (the examples the package was designed around), shared by the conformance suite and the bench.
import type { AccessRequest, PolicySet } from '../src/index.js';

export const TRUSTED_NETWORKS = ['10.0.0.0/8', '2001:db8::/32'];

export const designPolicies: PolicySet = {
  roles: {
    viewer: {},
    engineer: { inherits: ['viewer'] },
    sre: { inherits: ['engineer'] },
    finance: {},
    admin: { inherits: ['sre', 'finance'] },
  },
  policies: [
    {
      id: 'engineers-read-nonprod-metrics',
      effect: 'allow',
      target: { actions: ['read'], resourceTypes: ['metrics'], roles: ['engineer'] },
      condition: { attr: 'resource.env', op: 'not_equals', value: 'production' },
    },
    {
      id: 'engineers-read-prod-metrics-mfa-trusted',
      effect: 'allow',
      description: 'engineers may read production metrics only with MFA from a trusted network',
      target: { actions: ['read'], resourceTypes: ['metrics'], roles: ['engineer'] },
      condition: {
        all: [
          { attr: 'resource.env', op: 'equals', value: 'production' },
          { attr: 'context.mfa', op: 'equals', value: true },
          { attr: 'context.ip', op: 'cidr', value: TRUSTED_NETWORKS },
        ],
      },
    },
    {
      id: 'finance-read-billing-mfa',
      effect: 'allow',
      description: 'finance may read billing data only with MFA',
      target: { actions: ['read'], resourceTypes: ['billing'], roles: ['finance'] },
      condition: { attr: 'context.mfa', op: 'equals', value: true },
    },
    {
      id: 'admins-manage',
      effect: 'allow',
      target: { actions: ['read', 'write', 'delete'], roles: ['admin'] },
    },
    {
      id: 'no-delete-production',
      effect: 'deny',
      description: 'no one may delete production data',
      target: { actions: ['delete'] },
      condition: { attr: 'resource.env', op: 'equals', value: 'production' },
    },
  ],
};

/** Builds a request with the given role, MFA state (undefined = not sent) and client IP. */
export function request(role: string | undefined, action: string, type: string, env: string, mfa: boolean | undefined, ip: string): AccessRequest {
  const context: Record<string, unknown> = { ip };
  if (mfa !== undefined) context.mfa = mfa;
  return {
    subject: { id: 'u1', kind: 'user', roles: role === undefined ? [] : [role] },
    action,
    resource: { type, id: 'r1', env },
    context,
  };
}
