// The end of the audit chain is published (`GET /api/v1/audit/head`, `sightline audit head`) so an
// operator can keep it apart from the database; verifying against it catches decisions cut off
// the end of the trail, which no chain can show about itself.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { runCli } from '../src/cli/main.js';
import { getAs, tokenAccess, useTestApp } from './test-app.js';

const ADMIN = 'admin-token-for-the-anchor';

interface Verification {
  ok: boolean;
  code?: string;
  entries?: number;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const previous = process.env.SIGHTLINE_TOKEN;
  process.env.SIGHTLINE_TOKEN = ADMIN;
  try {
    const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
  } finally {
    if (previous === undefined) delete process.env.SIGHTLINE_TOKEN;
    else process.env.SIGHTLINE_TOKEN = previous;
  }
}

describe('audit head', () => {
  const t = useTestApp({ config: { access: tokenAccess({ [ADMIN]: { id: 'ada', kind: 'user', roles: ['admin'] } }) } });

  it('refuses half an anchor and a head that is not a SHA-256 hash with 400', async () => {
    expect((await getAs(t.url, ADMIN, '/api/v1/audit/verify?seq=3')).status).toBe(400);
    expect((await getAs(t.url, ADMIN, '/api/v1/audit/verify?head=abc&seq=3')).status).toBe(400);
  });

  it('prints the head with `sightline audit head` and checks it with `audit verify --head --seq`', async () => {
    const head = await cli('audit', 'head', '--url', t.url);
    expect(head.code).toBe(0);
    const match = /seq (\d+) hash ([0-9a-f]{64})/.exec(head.out);
    expect(match).not.toBeNull();
    const verified = await cli('audit', 'verify', '--url', t.url, '--head', match![2]!, '--seq', match![1]!);
    expect(verified).toMatchObject({ code: 0, out: expect.stringContaining('audit trail intact') });
    const half = await cli('audit', 'verify', '--url', t.url, '--head', match![2]!);
    expect(half.code).toBe(2);
  });
});

describe('audit head against a trail cut short while the app was down', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-audit-anchor-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = () => createApp({ storage: { dataDir }, config: { access: tokenAccess({ [ADMIN]: { id: 'ada', kind: 'user', roles: ['admin'] } }) }, log: () => undefined });

  it('verifies against the published head until the newest decisions are deleted, then reports ABAC_AUDIT_TRUNCATED', async () => {
    const first = await start();
    const firstUrl = await first.listen(0);
    for (let i = 0; i < 3; i++) expect((await getAs(firstUrl, ADMIN, '/api/v1/alerts')).status).toBe(200);
    const head = await getAs<{ hash: string; sequence: number }>(firstUrl, ADMIN, '/api/v1/audit/head');
    expect(head.status).toBe(200);
    expect(head.body.hash).toMatch(/^[0-9a-f]{64}$/);
    // Three alert reads and the head read itself are decisions on record.
    expect(head.body.sequence).toBeGreaterThanOrEqual(4);
    const anchored = `/api/v1/audit/verify?head=${head.body.hash}&seq=${head.body.sequence}`;
    expect((await getAs<Verification>(firstUrl, ADMIN, anchored)).body).toMatchObject({ ok: true });
    await first.close();

    // Someone with access to the database removes the newest blocks, the published head's block
    // and what came after it, while the app is down; the app then resumes the chain from what is
    // left, so the chain alone still verifies...
    const tamper = await start();
    const removed = await tamper.db.query<{ id: number }>('delete from audit_blocks where id >= (select id from audit_blocks where hash = $1) returning id', [head.body.hash]);
    expect(removed.length).toBeGreaterThan(0);
    await tamper.close();
    const second = await start();
    try {
      const secondUrl = await second.listen(0);
      expect((await getAs<Verification>(secondUrl, ADMIN, '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
      // ...but not against the head published before.
      expect((await getAs<Verification>(secondUrl, ADMIN, anchored)).body).toMatchObject({ ok: false, code: 'ABAC_AUDIT_TRUNCATED' });
    } finally {
      await second.close();
    }
  });
});
