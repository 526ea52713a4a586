// Who reads the audit trail: auditors (and admins, who inherit the role) read every principal's
// decisions; anyone else reads only its own.
import { describe, expect, it } from '@jest/globals';
import { testDatabases } from './databases.js';
import { getAs, tokenAccess, useTestApp } from './test-app.js';

const TOKENS = { vera: 'viewer-token-2', omar: 'operator-token-2', aude: 'auditor-token-2', ada: 'admin-token-2' };

interface AuditPage {
  scope: 'all' | 'own';
  entries: { principal: string; action: string; resource: string; decision: string }[];
}

describe.each(testDatabases.map((db) => [db.name, db] as const))('audit visibility (%s)', (_name, database) => {
  const t = useTestApp(
    {
      config: {
        access: tokenAccess({
          [TOKENS.vera]: { id: 'vera', kind: 'user', team: 'payments', roles: ['viewer'] },
          [TOKENS.omar]: { id: 'omar', kind: 'user', team: 'sre', roles: ['operator'] },
          [TOKENS.aude]: { id: 'aude', kind: 'user', roles: ['auditor'] },
          [TOKENS.ada]: { id: 'ada', kind: 'user', roles: ['admin'] },
        }),
      },
    },
    database,
  );
  const audit = (token: string) => getAs<AuditPage>(t.url, token, '/api/v1/audit?limit=1000');

  it("shows a viewer and an operator only their own decisions, never another principal's", async () => {
    // omar makes decisions vera must not see: a denied policy publish and an allowed alert read.
    expect((await fetch(`${t.url}/api/v1/policies`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.omar}`, 'content-type': 'application/json' }, body: JSON.stringify({ policySet: {}, message: 'x' }) })).status).toBe(403);
    expect((await getAs(t.url, TOKENS.vera, '/api/v1/alerts')).status).toBe(200);

    const vera = await audit(TOKENS.vera);
    expect(vera.status).toBe(200);
    expect(vera.body.scope).toBe('own');
    expect(vera.body.entries.length).toBeGreaterThan(0);
    expect(new Set(vera.body.entries.map((e) => e.principal))).toEqual(new Set(['vera']));

    const omar = await audit(TOKENS.omar);
    expect(omar.body.scope).toBe('own');
    expect(omar.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ principal: 'omar', action: 'manage', resource: 'policies:*', decision: 'deny' })]));
    expect(omar.body.entries.every((e) => e.principal === 'omar')).toBe(true);
  });

  it('shows an auditor and an admin the whole trail', async () => {
    for (const token of [TOKENS.aude, TOKENS.ada]) {
      const { status, body } = await audit(token);
      expect(status).toBe(200);
      expect(body.scope).toBe('all');
      expect(body.entries.map((e) => e.principal)).toEqual(expect.arrayContaining(['vera', 'omar']));
    }
  });
});
