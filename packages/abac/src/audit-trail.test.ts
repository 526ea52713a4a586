import { afterAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, FileAuditSink, MemoryAuditSink, verifyAuditTrail, type AuditEntry } from './audit-trail.js';
import { createAuthorizer } from './authorizer.js';
import { policyCoverage } from './coverage.js';

const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
const set = {
  policies: [
    { id: 'read', effect: 'allow' as const, target: { actions: ['read'] } },
    { id: 'no-delete', effect: 'deny' as const, target: { actions: ['delete'] }, condition: { attr: 'resource.env', op: 'equals' as const, value: 'prod' } },
    { id: 'never-used', effect: 'allow' as const, target: { actions: ['archive'] } },
  ],
};
const req = (action: string, extra: Record<string, unknown> = {}) => ({ subject: { id: 'ada' }, action, resource: { type: 'doc', id: 'd1', env: 'prod' }, context: { ip: '10.0.0.1', ...extra } });

async function trailOf(n: number): Promise<AuditEntry[]> {
  const sink = new MemoryAuditSink();
  const trail = new AuditTrail({ sink, clock });
  const authorizer = createAuthorizer(set, { clock, version: 'v1', onDecision: trail.record });
  for (let i = 0; i < n; i++) authorizer.decide(req(i % 2 === 0 ? 'read' : 'delete'));
  await trail.flush();
  return sink.entries;
}

describe('AuditTrail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records each decision with principal, action, resource, decision, policies, version and masked input', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    const authorizer = createAuthorizer(set, { clock, version: 'v1', onDecision: trail.record });
    authorizer.decide(req('delete', { password: 'hunter2' }));
    expect(sink.entries).toEqual([]); // nothing hashed on the decision path
    await trail.flush();
    expect(sink.entries).toEqual([
      expect.objectContaining({ seq: 1, principal: 'ada', action: 'delete', resource: 'doc:d1', decision: 'deny', reason: 'denied_by_policy', policies: ['no-delete'], version: 'v1', time: clock.now() }),
    ]);
    expect((sink.entries[0]?.input as { context: Record<string, unknown> }).context).toEqual({ ip: '10.0.0.1', password: '***' });
    expect(verifyAuditTrail(sink.entries)).toEqual({ ok: true, entries: 1 });
  });

  it('detects an edited, a deleted and a reordered entry', async () => {
    const entries = await trailOf(6);
    expect(verifyAuditTrail(entries)).toEqual({ ok: true, entries: 6 });

    const edited = entries.map((e) => ({ ...e }));
    edited[2] = { ...edited[2]!, decision: edited[2]!.decision === 'allow' ? 'deny' : 'allow' };
    expect(verifyAuditTrail(edited)).toEqual({ ok: false, seq: 3, index: 2, problem: expect.stringMatching(/edited/) });

    const deleted = entries.filter((_, i) => i !== 3);
    expect(verifyAuditTrail(deleted)).toEqual(expect.objectContaining({ ok: false, index: 3 }));

    const reordered = [entries[0]!, entries[2]!, entries[1]!, ...entries.slice(3)];
    expect(verifyAuditTrail(reordered)).toEqual(expect.objectContaining({ ok: false, index: 1 }));

    // re-hashing an edited entry does not help: the next entry's prevHash no longer matches
    const { entryHash } = await import('./audit-trail.js');
    const forged = entries.map((e) => ({ ...e }));
    const { hash: _old, ...body } = { ...forged[1]!, decision: forged[1]!.decision === 'allow' ? ('deny' as const) : ('allow' as const) };
    forged[1] = { ...body, hash: entryHash(body) };
    expect(verifyAuditTrail(forged)).toEqual(expect.objectContaining({ ok: false, index: 2 }));
  });

  it('keeps every deny and a deterministic sample of allows', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock, allowSampleRate: 0.25 });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    for (let i = 0; i < 100; i++) authorizer.decide(req('read'));
    for (let i = 0; i < 10; i++) authorizer.decide(req('delete'));
    await trail.flush();
    expect(sink.entries.filter((e) => e.decision === 'allow')).toHaveLength(25);
    expect(sink.entries.filter((e) => e.decision === 'deny')).toHaveLength(10);
    expect(verifyAuditTrail(sink.entries).ok).toBe(true);
  });

  it('writes JSON lines to a file that verify reads back, continuing the chain across flushes', async () => {
    const sink = new FileAuditSink(join(dir, 'audit.jsonl'));
    const trail = new AuditTrail({ sink, clock, batchSize: 4 });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    for (let i = 0; i < 10; i++) authorizer.decide(req('read'));
    await trail.flush();
    const entries = await sink.read();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(verifyAuditTrail(entries).ok).toBe(true);
  });

  it('reports policy coverage: policies that never decided anything', async () => {
    const coverage = policyCoverage(['read', 'no-delete', 'never-used'], await trailOf(4));
    expect(coverage.neverMatched).toEqual(['never-used']);
    expect(coverage.matched.get('read')).toBe(2);
  });
});
