// Access control on the app itself (token mode): who may read, silence and manage; the decision
// endpoint; policy versions with activation and rollback; the audit trail in storage, whose
// tampering `audit verify` detects.
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../src/cli/main.js';
import { testDatabases } from './databases.js';
import { tokenAccess, useTestApp } from './test-app.js';

const TOKENS = { viewer: 'viewer-token-1', operator: 'operator-token-1', admin: 'admin-token-1' };

describe.each(testDatabases.map((db) => [db.name, db] as const))('access control (%s)', (_name, database) => {
  const t = useTestApp(
    {
      config: {
        access: tokenAccess({
          [TOKENS.viewer]: { id: 'vera', kind: 'user', team: 'payments', roles: ['viewer'] },
          [TOKENS.operator]: { id: 'omar', kind: 'user', team: 'sre', roles: ['operator'] },
          [TOKENS.admin]: { id: 'ada', kind: 'user', roles: ['admin'] },
        }),
      },
    },
    database,
  );

  const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
    fetch(`${t.url}${path}`, { method, headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const silence = { matchers: { service: 'checkout' }, comment: 'maintenance', createdBy: 'x', endsAt: Date.now() + 3_600_000 };

  it('refuses requests without a known token (401), lets a viewer read, and refuses a viewer a silence with the reason (403)', async () => {
    expect((await call(undefined, 'GET', '/api/v1/alerts')).status).toBe(401);
    expect((await call('guess', 'GET', '/api/v1/alerts')).status).toBe(401);
    expect((await call(TOKENS.viewer, 'GET', '/api/v1/alerts')).status).toBe(200);
    const denied = await call(TOKENS.viewer, 'POST', '/api/v1/silences', silence);
    expect(denied.status).toBe(403);
    const body = (await denied.json()) as { error: { code: string; message: string; decision: { reason: string; explanation: { nearMisses: { policyId: string; because: string }[] } } } };
    expect(body.error).toMatchObject({ code: 'FORBIDDEN', message: 'vera may not silence alerts: no policy allows it', decision: { reason: 'no_applicable_allow' } });
    expect(body.error.decision.explanation.nearMisses).toEqual(expect.arrayContaining([expect.objectContaining({ policyId: 'operators-handle-alerts', because: 'role' })]));
    expect((await call(TOKENS.operator, 'POST', '/api/v1/silences', silence)).status).toBe(201);
    expect((await call(TOKENS.operator, 'PUT', '/api/v1/slos/x', { service: 's', objective: 0.9, sli: { kind: 'availability' } })).status).toBe(403);
    expect((await call(TOKENS.admin, 'PUT', '/api/v1/slos/x', { service: 's', objective: 0.9, sli: { kind: 'availability' } })).status).toBe(201);
  });

  it('answers other services as a policy decision point, with an explanation', async () => {
    const response = await call(TOKENS.viewer, 'POST', '/api/v1/authz/decide', { subject: { id: 'bob', roles: ['viewer'] }, action: 'silence', resource: { type: 'alerts' }, explain: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ decision: 'deny', reason: 'no_applicable_allow', explanation: expect.objectContaining({ nearMisses: expect.any(Array) }) });
  });

  it('publishes, activates and rolls back policy versions; a bad set changes nothing', async () => {
    const before = (await (await call(TOKENS.viewer, 'GET', '/api/v1/policies')).json()) as { active: string; versions: { id: string }[] };
    expect(before.versions).toHaveLength(1);
    const bad = await call(TOKENS.admin, 'POST', '/api/v1/policies', { policySet: { policies: [{ id: 'x', effect: 'maybe' }] }, message: 'broken' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('ABAC_POLICY_INVALID');
    const current = (await (await call(TOKENS.admin, 'GET', `/api/v1/policies/${before.active}`)).json()) as { policySet: { policies: unknown[]; roles: unknown } };
    const relaxed = { ...current.policySet, policies: [...current.policySet.policies, { id: 'viewers-silence', effect: 'allow', target: { actions: ['silence'], resourceTypes: ['alerts'], roles: ['viewer'] } }] };
    expect((await call(TOKENS.viewer, 'POST', '/api/v1/policies', { policySet: relaxed, message: 'let viewers silence' })).status).toBe(403);
    const published = await call(TOKENS.admin, 'POST', '/api/v1/policies', { policySet: relaxed, message: 'let viewers silence' });
    expect(published.status).toBe(201);
    const v2 = (await published.json()) as { id: string; author: string };
    expect(v2.author).toBe('ada');
    expect((await call(TOKENS.viewer, 'POST', '/api/v1/silences', silence)).status).toBe(201);
    expect(await (await call(TOKENS.viewer, 'GET', `/api/v1/policies/diff?from=${before.active}&to=${v2.id}`)).json()).toEqual({ added: ['viewers-silence'], removed: [], changed: [] });
    const rolledBack = (await (await call(TOKENS.admin, 'POST', '/api/v1/policies/rollback')).json()) as { id: string; number: number };
    expect(rolledBack.number).toBe(3);
    expect((await call(TOKENS.viewer, 'POST', '/api/v1/silences', silence)).status).toBe(403);
    expect((await call(TOKENS.admin, 'POST', `/api/v1/policies/${v2.id}/activate`)).status).toBe(200);
    expect(((await (await call(TOKENS.viewer, 'GET', '/api/v1/policies')).json()) as { active: string }).active).toBe(v2.id);
  });

  it('records every decision in the hash-chained trail in storage; `audit verify` detects a tampered row', async () => {
    // The admin (an auditor) reads the whole trail; a viewer would see only its own decisions.
    const entries = (await (await call(TOKENS.admin, 'GET', '/api/v1/audit?limit=500')).json()) as { entries: { principal: string; action: string; resource: string; decision: string; policies: string[] }[] };
    expect(entries.entries).toEqual(expect.arrayContaining([expect.objectContaining({ principal: 'vera', action: 'silence', resource: 'alerts:*', decision: 'deny' }), expect.objectContaining({ principal: 'omar', action: 'silence', decision: 'allow', policies: ['operators-handle-alerts'] })]));

    process.env.SIGHTLINE_TOKEN = TOKENS.viewer;
    try {
      let out = '';
      expect(await runCli(['audit', 'verify', '--url', t.url], { out: (s) => (out += s), err: () => undefined })).toBe(0);
      expect(out).toMatch(/^audit trail intact: \d+ blocks, \d+ decisions$/);
      // Someone edits a stored decision: deny becomes allow.
      await t.app.access.audit.flush();
      await t.app.db.query(`update audit_blocks set entries_json = replace(entries_json, '"decision":"deny"', '"decision":"allow"') where id = (select min(id) from audit_blocks where entries_json like '%"decision":"deny"%')`);
      out = '';
      expect(await runCli(['audit', 'verify', '--url', t.url], { out: (s) => (out += s), err: () => undefined })).toBe(1);
      expect(out).toContain('audit trail BROKEN at block');
    } finally {
      delete process.env.SIGHTLINE_TOKEN;
    }
  });
});
