import { afterAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, FileAuditSink, MemoryAuditSink, blockHash, verifyAuditTrail, type AuditBlock } from './audit-trail.js';
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

/** `n` decisions sealed in blocks of `batchSize`. */
async function blocksOf(n: number, batchSize = 3): Promise<AuditBlock[]> {
  const sink = new MemoryAuditSink();
  const trail = new AuditTrail({ sink, clock, batchSize });
  const authorizer = createAuthorizer(set, { clock, version: 'v1', onDecision: trail.record });
  for (let i = 0; i < n; i++) authorizer.decide(req(i % 2 === 0 ? 'read' : 'delete'));
  await trail.flush();
  return sink.blocks;
}
const clone = (blocks: AuditBlock[]) => JSON.parse(JSON.stringify(blocks)) as AuditBlock[];

describe('AuditTrail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records each decision with principal, action, resource, decision, policies, version and masked input', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    const authorizer = createAuthorizer(set, { clock, version: 'v1', onDecision: trail.record });
    authorizer.decide(req('delete', { password: 'hunter2', note: 'x'.repeat(300) }));
    expect(sink.blocks).toEqual([]); // nothing serialised or hashed on the decision path
    await trail.flush();
    expect(sink.entries).toEqual([
      expect.objectContaining({ seq: 1, principal: 'ada', action: 'delete', resource: 'doc:d1', decision: 'deny', reason: 'denied_by_policy', policies: ['no-delete'], version: 'v1', time: clock.now() }),
    ]);
    const context = (sink.entries[0]?.input as { context: Record<string, string> }).context;
    expect(context.password).toBe('***');
    expect(context.note).toBe(`${'x'.repeat(256)}…`);
    expect(verifyAuditTrail(sink.blocks)).toEqual({ ok: true, blocks: 1, entries: 1 });
  });

  it('chains blocks: each hash covers the previous hash and the entries', async () => {
    const blocks = await blocksOf(7);
    expect(blocks.map((b) => b.entries.length)).toEqual([3, 3, 1]);
    expect(blocks[1]?.prevHash).toBe(blocks[0]?.hash);
    expect(blocks[0]?.hash).toBe(blockHash('0'.repeat(64), JSON.stringify(blocks[0]?.entries)));
    expect(verifyAuditTrail(blocks)).toEqual({ ok: true, blocks: 3, entries: 7 });
  });

  it('detects an edited entry, a deleted entry, a reordered entry and a deleted block', async () => {
    const blocks = await blocksOf(9);

    const edited = clone(blocks);
    (edited[1]!.entries[1] as { decision: string }).decision = edited[1]!.entries[1]!.decision === 'allow' ? 'deny' : 'allow';
    expect(verifyAuditTrail(edited)).toEqual({ ok: false, block: 1, seq: 4, problem: expect.stringMatching(/edited/) });

    const deletedEntry = clone(blocks);
    (deletedEntry[2]!.entries as unknown[]).splice(0, 1);
    expect(verifyAuditTrail(deletedEntry)).toEqual(expect.objectContaining({ ok: false, block: 2 }));

    const reordered = clone(blocks);
    const entries = reordered[0]!.entries as unknown[];
    [entries[0], entries[1]] = [entries[1], entries[0]];
    expect(verifyAuditTrail(reordered)).toEqual(expect.objectContaining({ ok: false, block: 0 }));

    expect(verifyAuditTrail([blocks[0]!, blocks[2]!])).toEqual(expect.objectContaining({ ok: false, block: 1, problem: expect.stringMatching(/prevHash/) }));

    // re-hashing an edited block does not help: the next block's prevHash no longer matches
    const forged = clone(blocks);
    (forged[0]!.entries[0] as { decision: string }).decision = 'deny';
    (forged[0] as { hash: string }).hash = blockHash(forged[0]!.prevHash, JSON.stringify(forged[0]!.entries));
    expect(verifyAuditTrail(forged)).toEqual(expect.objectContaining({ ok: false, block: 1 }));
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
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
  });

  it('writes one JSON line per block; verify reads it back and catches an edit made on disk', async () => {
    const path = join(dir, 'audit.jsonl');
    const sink = new FileAuditSink(path);
    const trail = new AuditTrail({ sink, clock, batchSize: 4 });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    for (let i = 0; i < 10; i++) authorizer.decide(req(i === 5 ? 'delete' : 'read'));
    await trail.flush();
    const blocks = await sink.read();
    expect(blocks.flatMap((b) => b.entries.map((e) => e.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(verifyAuditTrail(blocks).ok).toBe(true);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"decision":"deny"', '"decision":"allow"'));
    expect(verifyAuditTrail(await sink.read())).toEqual(expect.objectContaining({ ok: false, block: 1 }));
  });

  it('stores values JSON cannot hold (BigInt) through the masking path instead of failing', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    createAuthorizer(set, { clock, onDecision: trail.record }).decide(req('read', { big: 10n }));
    await trail.flush();
    expect((sink.entries[0]?.input as { context: { big: string } }).context.big).toBe('10');
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
  });

  it('masks secrets at any depth and in any case, in arrays too, and leaves clean inputs in the same block untouched', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    authorizer.decide(req('read', { headers: [{ name: 'x' }, { Authorization: 'Bearer abc' }], list: Array.from({ length: 150 }, (_, i) => i) }));
    authorizer.decide(req('read', { note: 'fine' }));
    await trail.flush();
    const [masked, clean] = sink.entries.map((e) => (e.input as { context: Record<string, unknown> }).context);
    expect(masked?.headers).toEqual([{ name: 'x' }, { Authorization: '***' }]);
    expect(masked?.list).toHaveLength(100);
    expect(clean).toEqual({ ip: '10.0.0.1', note: 'fine' });
    expect(sink.blocks).toHaveLength(1);
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
  });

  it('reports policy coverage: policies that never decided anything', async () => {
    const coverage = policyCoverage(['read', 'no-delete', 'never-used'], (await blocksOf(4)).flatMap((b) => b.entries));
    expect(coverage.neverMatched).toEqual(['never-used']);
    expect(coverage.matched.get('read')).toBe(2);
  });
});
