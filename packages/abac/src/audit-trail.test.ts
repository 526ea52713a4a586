import { afterAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, FileAuditSink, GENESIS_HASH, MemoryAuditSink, blockHash, verifyAuditTrail, type AuditBlock, type AuditEntry, type SealedBlock } from './audit-trail.js';
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
    expect(verifyAuditTrail(edited)).toEqual({ ok: false, code: 'ABAC_AUDIT_HASH', block: 1, seq: 4, problem: expect.stringMatching(/edited/) });

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

  it.each(['request', 'evidence'] as const)('serialises a block exactly as JSON.stringify of its parsed entries, for any request and decision (input: %s)', async (input) => {
    const sealed: SealedBlock[] = [];
    const trail = new AuditTrail({ sink: { append: async (b) => void sealed.push(b) }, clock, batchSize: 4, input });
    const authorizer = createAuthorizer(set, { clock, version: 'v"1\u2028', onDecision: trail.record });
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('x'.repeat(300), '"\\\n', '\ud800', 'é😀'));
    fc.assert(
      fc.property(fc.record({ id: text, action: fc.constantFrom('read', 'delete', 'archive'), rid: text, context: fc.jsonValue(), explain: fc.boolean() }), ({ id, action, rid, context, explain }) => {
        authorizer.decide({ subject: { id, [id]: id }, action, resource: { type: 'doc', id: rid, env: 'prod' }, context: { value: context, when: new Date(0), n: -0 } } as never, { explain });
      }),
      { seed: 20_261_125, numRuns: 100 },
    );
    trail.record(null as never, { decision: 'deny', reason: 'invalid_request', policies: [], version: 'v1' }, Number.NaN);
    await trail.flush();
    expect(sealed).toHaveLength(26); // 101 entries in blocks of 4
    for (const block of sealed) expect(JSON.stringify(JSON.parse(block.entriesJson))).toBe(block.entriesJson);
    const blocks = sealed.map((b) => ({ prevHash: b.prevHash, hash: b.hash, entries: JSON.parse(b.entriesJson) as AuditBlock['entries'] }));
    expect(verifyAuditTrail(blocks)).toEqual({ ok: true, blocks: sealed.length, entries: 101 });
    expect(blocks.at(-1)?.entries.at(-1)).toEqual(expect.objectContaining({ seq: 101, time: null, principal: '(unknown)', action: '(invalid)', resource: '(invalid):*', input: null }));
  });

  it('gives each decision a short id, unique within the chain and between trails', async () => {
    const [a, b] = [new MemoryAuditSink(), new MemoryAuditSink()];
    for (const sink of [a, b]) {
      const trail = new AuditTrail({ sink, clock, lastSeq: 41 });
      const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
      authorizer.decide(req('read'));
      authorizer.decide(req('read'));
      await trail.flush();
    }
    const ids = [...a.entries, ...b.entries].map((e) => e.decisionId);
    expect(ids[0]).toMatch(/^[\w-]{12}:42$/);
    expect(ids[1]).toBe(ids[0]!.replace(/42$/, '43'));
    expect(new Set(ids).size).toBe(4);
  });

  it('stores an input it cannot read as "[unreadable]" instead of failing the flush or the decision', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock, batchSize: 1 });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    const hostile = { subject: { id: 'ada' }, action: 'read', resource: { type: 'doc' }, context: { get ip(): string { throw new Error('no'); } } };
    expect(authorizer.decide(hostile).reason).toBe('allowed'); // no policy reads context.ip; the batch of one is sealed inside decide
    await trail.flush();
    expect(sink.entries).toEqual([expect.objectContaining({ principal: 'ada', decision: 'allow', input: '[unreadable]' })]);
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
  });

  it('isolates an input whose toJSON throws: it is stored masked, the rest of the block as it is', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    class Hostile {
      readonly kind = 'x';
      toJSON(): never {
        throw new Error('no');
      }
    }
    authorizer.decide(req('read', { note: 'first' }));
    authorizer.decide(req('read', { device: new Hostile() }));
    authorizer.decide(req('read', { note: 'last' }));
    await trail.flush();
    expect(sink.entries.map((e) => [e.seq, (e.input as { context: unknown }).context])).toEqual([
      [1, { ip: '10.0.0.1', note: 'first' }],
      [2, { ip: '10.0.0.1', device: { kind: 'x' } }],
      [3, { ip: '10.0.0.1', note: 'last' }],
    ]);
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
  });

  describe("input: 'evidence'", () => {
    const evidenceSet = {
      policies: [
        { id: 'own-team', effect: 'allow' as const, target: { actions: ['read'] }, condition: { all: [{ attr: 'resource.team', op: 'equals' as const, ref: 'subject.team' }, { attr: 'context.mfa', op: 'equals' as const, value: true }] } },
        { id: 'no-contractors', effect: 'deny' as const, target: { actions: ['read'], roles: ['contractor'] }, condition: { attr: 'context.token', op: 'exists' as const } },
        { id: 'devices', effect: 'deny' as const, onError: 'skip' as const, target: { actions: ['read'] }, condition: { attr: 'context.device.os', op: 'equals' as const, value: 'none' } },
        { id: 'device-any', effect: 'deny' as const, onError: 'skip' as const, target: { actions: ['read'] }, condition: { attr: 'context.device', op: 'equals' as const, value: 'none' } },
        { id: 'archive', effect: 'allow' as const, target: { actions: ['archive'] } },
      ],
    };
    const request = {
      subject: { id: 'ada', team: 'payments', roles: ['engineer'], email: 'ada@example.com' },
      action: 'read',
      resource: { type: 'doc', id: 'd1', team: 'payments', owner: 'bob' },
      context: { mfa: true, ip: '10.0.0.1', token: 'secret-value', device: { os: 'linux', password: 'hunter2', note: 'y'.repeat(300) }, note: 'z'.repeat(300) },
    };
    async function evidenceOf(...requests: unknown[]) {
      const sink = new MemoryAuditSink();
      const trail = new AuditTrail({ sink, clock, input: 'evidence' });
      const authorizer = createAuthorizer(evidenceSet, { clock, version: 'v1', onDecision: trail.record });
      const decisions = requests.map((r) => authorizer.decide(r as never));
      await trail.flush();
      expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
      return { entries: sink.entries, decisions, sink };
    }

    it('records only the attributes the policies for the action and resource type read, masked', async () => {
      const { entries } = await evidenceOf(request);
      // read on doc: own-team reads resource.team, subject.team, context.mfa; no-contractors reads
      // subject.roles (role target) and context.token (a mask key); devices read context.device
      // (the whole value, since device-any reads it) — masked inside, strings cut at 256.
      expect(entries[0]?.input).toEqual({
        context: { device: { os: 'linux', password: '***', note: `${'y'.repeat(256)}…` }, mfa: true, token: '***' },
        resource: { team: 'payments' },
        subject: { roles: ['engineer'], team: 'payments' },
      });
      expect(entries[0]).toEqual(expect.objectContaining({ principal: 'ada', action: 'read', resource: 'doc:d1', decision: 'allow', policies: ['own-team'] }));
    });

    it('leaves out attributes the request does not hold, and records {} when no policy reads any', async () => {
      const { entries } = await evidenceOf({ subject: { id: 'ada' }, action: 'read', resource: { type: 'doc', team: 'x' }, context: { device: [1] } }, { ...request, action: 'archive' });
      expect(entries[0]?.input).toEqual({ context: { device: [1] }, resource: { team: 'x' } });
      expect(entries[1]?.input).toEqual({});
    });

    it('stores the whole masked request for a refused request, which has no evidence', async () => {
      const { entries } = await evidenceOf({ ...request, action: '' });
      expect(entries[0]?.reason).toBe('invalid_request');
      expect((entries[0]?.input as typeof request).subject.email).toBe('ada@example.com');
      expect((entries[0]?.input as typeof request).context.token).toBe('***');
    });

    it('keeps JSON key order stable for index-like attribute names, so the chain verifies', async () => {
      const sink = new MemoryAuditSink();
      const trail = new AuditTrail({ sink, clock, input: 'evidence' });
      const paths = ['subject.b', 'subject.10', 'subject.2', 'subject.a'];
      const authorizer = createAuthorizer({ policies: paths.map((attr, i) => ({ id: `p${i}`, effect: 'allow' as const, condition: { attr, op: 'exists' as const } })) }, { clock, onDecision: trail.record });
      authorizer.decide({ subject: { a: 1, b: 2, 2: 3, 10: 4 }, action: 'read', resource: { type: 'doc' } });
      await trail.flush();
      expect(Object.keys((sink.entries[0]?.input as { subject: object }).subject)).toEqual(['2', '10', 'a', 'b']);
      expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
    });

    it('keeps the entry when an evidence value cannot be serialised: masked copy, or "[unreadable]"', async () => {
      class Device {
        readonly os = 'linux';
        toJSON(): never {
          throw new Error('no');
        }
      }
      let reads = 0; // readable while deciding (the policy reads it), then not
      const unreadable = { ...request, context: { mfa: true, device: { get os(): string { if (++reads > 1) throw new Error('no'); return 'linux'; } } } };
      const { entries } = await evidenceOf({ ...request, context: { mfa: true, device: new Device() } }, unreadable);
      expect(entries[0]).toEqual(expect.objectContaining({ principal: 'ada', decision: 'allow', input: expect.objectContaining({ context: { device: { os: 'linux' }, mfa: true } }) }));
      expect(entries[1]).toEqual(expect.objectContaining({ principal: 'ada', decision: 'allow', resource: 'doc:d1', input: '[unreadable]' }));
    });

    it('detects an edit of the recorded evidence', async () => {
      const { sink } = await evidenceOf(request, request);
      const edited = clone(sink.blocks);
      (edited[0]!.entries[1]!.input as { context: { mfa: boolean } }).context.mfa = false;
      expect(verifyAuditTrail(edited)).toEqual(expect.objectContaining({ ok: false, block: 0 }));
    });
  });

  it('rejects a batch size, sample rate or input mode out of range, listing every problem', () => {
    const build = () => new AuditTrail({ sink: new MemoryAuditSink(), batchSize: 0, allowSampleRate: 1.5, input: 'everything' as never });
    expect(build).toThrow(expect.objectContaining({ code: 'ABAC_AUDIT_OPTIONS', issues: [expect.objectContaining({ path: ['batchSize'] }), expect.objectContaining({ path: ['allowSampleRate'] }), expect.objectContaining({ path: ['input'] })] }));
  });

  it('reports policy coverage: policies that never decided anything', async () => {
    const coverage = policyCoverage(['read', 'no-delete', 'never-used'], (await blocksOf(4)).flatMap((b) => b.entries));
    expect(coverage.neverMatched).toEqual(['never-used']);
    expect(coverage.matched.get('read')).toBe(2);
  });
});

describe('AuditTrail and a failing sink', () => {
  /** A sink that fails the first `failures` appends, then stores blocks. */
  const flakySink = (failures: number) => {
    const memory = new MemoryAuditSink();
    let calls = 0;
    return { memory, calls: () => calls, append: async (block: SealedBlock) => { if (++calls <= failures) throw new Error(`disk full (${calls})`); await memory.append(block); } };
  };
  const noUnhandled = () => {
    const seen: unknown[] = [];
    const listener = (reason: unknown) => void seen.push(reason);
    process.on('unhandledRejection', listener);
    return { seen, stop: () => process.off('unhandledRejection', listener) };
  };

  it('retries a rejected append with backoff and writes the block when the sink recovers', async () => {
    const sink = flakySink(1);
    const waits: number[] = [];
    const errors: unknown[] = [];
    const trail = new AuditTrail({ sink, clock, batchSize: 2, retry: { attempts: 3, backoffMs: 50 }, delay: async (ms) => void waits.push(ms), onSinkError: (error, info) => errors.push([(error as Error).message, info.attempt, info.willRetry, info.firstSeq, info.lastSeq]) });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    for (let i = 0; i < 4; i++) authorizer.decide(req('read'));
    await trail.flush();
    expect(errors).toEqual([['disk full (1)', 1, true, 1, 2]]);
    expect(waits).toEqual([50]);
    expect(sink.memory.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(verifyAuditTrail(sink.memory.blocks, { expectedHead: trail.head() }).ok).toBe(true);
    expect(trail.stats()).toEqual({ recorded: 4, sealedBlocks: 2, writtenBlocks: 2, failedBlocks: 0, failedEntries: 0, sinkErrors: 1, retries: 1 });
    expect(trail.health()).toEqual({ ok: true, failedBlocks: 0, lastError: expect.objectContaining({ message: 'disk full (1)' }), pendingBlocks: 0 });
  });

  it('gives up a block after the last attempt, reports it, and still attempts every later block; nothing rejects unhandled', async () => {
    const unhandled = noUnhandled();
    try {
      const sink = flakySink(Number.POSITIVE_INFINITY);
      const waits: number[] = [];
      const final: number[] = [];
      const trail = new AuditTrail({ sink, clock, batchSize: 1, retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 15 }, delay: async (ms) => void waits.push(ms), onSinkError: (_e, info) => (info.willRetry ? undefined : final.push(info.firstSeq)) });
      const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
      for (let i = 0; i < 3; i++) authorizer.decide(req('read')); // each fills a block: sealed inside decide, no await
      await trail.flush(); // resolves: a failing sink never rejects into the caller
      await new Promise((resolve) => setImmediate(resolve));
      expect(sink.calls()).toBe(9); // 3 blocks x 3 attempts
      expect(waits).toEqual([10, 15, 10, 15, 10, 15]); // 10, then doubled and capped at 15
      expect(final).toEqual([1, 2, 3]);
      expect(trail.health()).toEqual({ ok: false, failedBlocks: 3, lastError: expect.objectContaining({ message: 'disk full (9)' }), pendingBlocks: 0 });
      expect(trail.stats()).toEqual(expect.objectContaining({ sealedBlocks: 3, writtenBlocks: 0, failedBlocks: 3, failedEntries: 3, sinkErrors: 9, retries: 6 }));
      expect(unhandled.seen).toEqual([]);
    } finally {
      unhandled.stop();
    }
  });

  it('keeps writing when the sink throws synchronously and when onSinkError itself throws', async () => {
    let calls = 0;
    const memory = new MemoryAuditSink();
    const sink = { append: (block: SealedBlock) => { if (++calls === 1) throw new Error('sync'); return memory.append(block); } };
    const trail = new AuditTrail({ sink, clock, batchSize: 1, retry: { attempts: 1 }, delay: async () => undefined, onSinkError: () => { throw new Error('callback'); } });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    authorizer.decide(req('read'));
    authorizer.decide(req('read'));
    await trail.flush();
    expect(memory.entries.map((e) => e.seq)).toEqual([2]);
    expect(trail.health()).toEqual(expect.objectContaining({ ok: false, failedBlocks: 1 }));
  });

  it('rejects retry options out of range', () => {
    expect(() => new AuditTrail({ sink: new MemoryAuditSink(), retry: { attempts: 0, backoffMs: -1 } })).toThrow(expect.objectContaining({ code: 'ABAC_AUDIT_OPTIONS', issues: [expect.objectContaining({ path: ['retry', 'attempts'] }), expect.objectContaining({ path: ['retry', 'backoffMs'] })] }));
  });
});

describe('AuditTrail records what was decided', () => {
  const mfaSet = { policies: [{ id: 'mfa', effect: 'allow' as const, condition: { attr: 'context.mfa', op: 'equals' as const, value: true } }] };

  it.each(['request', 'evidence'] as const)('stores the input as it was at decision time, not as it was changed afterwards (input: %s)', async (input) => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock, input });
    const authorizer = createAuthorizer(mfaSet, { clock, onDecision: trail.record });
    const request = { subject: { id: 'ada', roles: ['dev'] }, action: 'read', resource: { type: 'doc', id: 'd1' }, context: { mfa: true, device: { os: 'linux' } } };
    expect(authorizer.decide(request).decision).toBe('allow');
    request.context.mfa = false; // the caller reuses its object
    request.context.device.os = 'windows';
    request.subject.roles.push('admin');
    (request.subject as { id: string }).id = 'mallory';
    await trail.flush();
    const entry = sink.entries[0]!;
    expect(entry).toEqual(expect.objectContaining({ principal: 'ada', decision: 'allow' }));
    expect((entry.input as { context: { mfa: boolean } }).context.mfa).toBe(true);
    if (input === 'request') expect(entry.input).toEqual({ subject: { id: 'ada', roles: ['dev'] }, action: 'read', resource: { type: 'doc', id: 'd1' }, context: { mfa: true, device: { os: 'linux' } } });
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
  });

  it('keeps an own __proto__ key of the input as an own key, and the chain verifies', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    // the password key makes the input go through masking, which used to drop __proto__
    const request = JSON.parse('{"subject":{"id":"ada","__proto__":{"admin":true}},"action":"read","resource":{"type":"doc"},"context":{"__proto__":"x","password":"hunter2"}}') as never;
    createAuthorizer(set, { clock, onDecision: trail.record }).decide(request);
    await trail.flush();
    const input = sink.entries[0]!.input as { subject: object; context: object };
    expect(Object.hasOwn(input.subject, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(input.subject, '__proto__')?.value).toEqual({ admin: true });
    expect(Object.getOwnPropertyDescriptor(input.context, '__proto__')?.value).toBe('x');
    expect((input.context as { password: string }).password).toBe('***');
    expect(sink.blocks[0]!.entries.length).toBe(1);
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });

  it('writes odd inputs exactly as JSON.stringify writes their masked copy, so the chain verifies', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock });
    // index keys after named ones, in an order only a Proxy can give: the writer falls back to the copy
    const reordered = new Proxy({ b: 1, 2: 'two', 1: 'one' }, { ownKeys: () => ['b', '2', '1'] });
    const context = {
      at: new Date(0), big: 12n, negativeZero: -0, nan: Number.NaN, inf: Number.POSITIVE_INFINITY, fn: () => 1, nothing: undefined, nil: null,
      text: 'tab\tquote"back\\slash é \u2028 \ud800 😀', long: 'x'.repeat(300), list: [1, undefined, () => 1, 'a'], Token: 'secret-value',
      nested: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }, 10: 'ten', 9: 'nine', reordered,
    };
    const request = { subject: { id: 'ada' }, action: 'read', resource: { type: 'doc' }, context };
    createAuthorizer(set, { clock, onDecision: trail.record }).decide(request as never);
    await trail.flush();
    const stored = sink.entries[0]!.input as { context: Record<string, unknown> };
    expect(verifyAuditTrail(sink.blocks).ok).toBe(true);
    expect(Object.keys(stored.context).slice(0, 2)).toEqual(['9', '10']);
    expect(stored.context).toEqual(expect.objectContaining({ at: '1970-01-01T00:00:00.000Z', big: '12', negativeZero: 0, nan: null, inf: null, nil: null, text: context.text, long: `${'x'.repeat(256)}…`, list: [1, null, null, 'a'], Token: '***' }));
    expect('fn' in stored.context || 'nothing' in stored.context).toBe(false);
    expect(stored.context.reordered).toEqual({ 1: 'one', 2: 'two', b: 1 });
    expect(JSON.stringify(stored.context.nested)).toBe('{"a":{"b":{"c":{"d":{"e":{"f":{"g":"[depth]"}}}}}}}'); // nesting counts from the request
    expect(sink.blocks[0]!.entries.length).toBe(1);
  });
});

describe('AuditTrail head', () => {
  async function trailOf(n: number) {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail({ sink, clock, batchSize: 3 });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    for (let i = 0; i < n; i++) authorizer.decide(req(i % 2 === 0 ? 'read' : 'delete'));
    await trail.flush();
    return { sink, trail };
  }

  it('exposes the hash and sequence number of the last sealed block', async () => {
    const { sink, trail } = await trailOf(7);
    expect(trail.head()).toEqual({ hash: sink.blocks[2]!.hash, sequence: 7 });
    expect(new AuditTrail({ sink }).head()).toEqual({ hash: GENESIS_HASH, sequence: 0 });
    expect(verifyAuditTrail(sink.blocks, { expectedHead: trail.head() })).toEqual({ ok: true, blocks: 3, entries: 7 });
  });

  it('reports a dropped last block, or a last entry removed with its block re-hashed, as ABAC_AUDIT_TRUNCATED', async () => {
    const { sink, trail } = await trailOf(7);
    const head = trail.head();
    const dropped = clone(sink.blocks).slice(0, 2);
    expect(verifyAuditTrail(dropped).ok).toBe(true); // undetectable without the head
    expect(verifyAuditTrail(dropped, { expectedHead: head })).toEqual({ ok: false, code: 'ABAC_AUDIT_TRUNCATED', block: 2, seq: 7, problem: expect.stringMatching(/ends at seq 6.*expected head is seq 7/) });

    const rehashed = clone(sink.blocks);
    const last = rehashed[1]!;
    (last.entries as unknown[]).pop();
    (last as { hash: string }).hash = blockHash(last.prevHash, JSON.stringify(last.entries));
    const truncated = rehashed.slice(0, 2);
    expect(verifyAuditTrail(truncated).ok).toBe(true);
    expect(verifyAuditTrail(truncated, { expectedHead: { hash: sink.blocks[1]!.hash, sequence: 6 } })).toEqual(expect.objectContaining({ ok: false, code: 'ABAC_AUDIT_TRUNCATED', seq: 6 }));
    expect(verifyAuditTrail(truncated, { expectedHead: head })).toEqual(expect.objectContaining({ ok: false, code: 'ABAC_AUDIT_TRUNCATED', seq: 6 }));
    expect(verifyAuditTrail([], { expectedHead: head })).toEqual(expect.objectContaining({ ok: false, code: 'ABAC_AUDIT_TRUNCATED' }));
  });

  it('accepts a chain that goes on past the expected head, and reports one rewritten up to it', async () => {
    const { sink } = await trailOf(7);
    const earlier = { hash: sink.blocks[1]!.hash, sequence: 6 };
    expect(verifyAuditTrail(sink.blocks, { expectedHead: earlier }).ok).toBe(true);
    expect(verifyAuditTrail(sink.blocks, { expectedHead: { hash: 'f'.repeat(64), sequence: 6 } })).toEqual(expect.objectContaining({ ok: false, code: 'ABAC_AUDIT_HEAD_MISMATCH', block: 1 }));
    expect(verifyAuditTrail(sink.blocks, { expectedHead: { hash: earlier.hash, sequence: 5 } })).toEqual(expect.objectContaining({ ok: false, code: 'ABAC_AUDIT_HEAD_MISMATCH' }));
  });
});

describe('AuditTrail bytes', () => {
  // Every string an entry holds, short and long, ASCII or not, escaped or not, lone surrogates too:
  // the bytes handed to the sink are exactly the UTF-8 of JSON.stringify of the entries they parse to.
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ minLength: 17, maxLength: 300 }));
  const requestArb = fc.record({
    subject: fc.record({ id: text, name: text }),
    action: text.filter((s) => s !== ''),
    resource: fc.record({ type: text, id: text }),
    context: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.array(text, { maxLength: 3 })), { maxKeys: 4 }),
  });

  it('hands the sink the UTF-8 bytes of the entries JSON, which hash to the block hash and verify', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), async (requests, batchSize) => {
        const sealed: SealedBlock[] = [];
        const trail = new AuditTrail({ sink: { append: async (b) => void sealed.push(b) }, clock, batchSize, maskKeys: [] });
        const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
        for (const r of requests) authorizer.decide(r);
        await trail.flush();
        let prev = GENESIS_HASH;
        const blocks: AuditBlock[] = [];
        for (const block of sealed) {
          const entries = JSON.parse(block.entriesJson) as AuditEntry[];
          expect(Buffer.from(block.entriesBytes).toString('utf8')).toBe(block.entriesJson);
          expect(block.entriesJson).toBe(JSON.stringify(entries));
          expect(block.hash).toBe(blockHash(prev, block.entriesJson));
          prev = block.hash;
          blocks.push({ prevHash: block.prevHash, hash: block.hash, entries });
        }
        const entries = blocks.flatMap((b) => b.entries);
        expect(entries.map((e) => [e.principal, e.action, e.resource])).toEqual(requests.map((r) => [r.subject.id, r.action, `${r.resource.type}:${r.resource.id}`]));
        const cut = (s: string) => (s.length > 256 ? `${s.slice(0, 256)}…` : s);
        expect(entries.map((e) => (e.input as { subject: { name: string } }).subject.name)).toEqual(requests.map((r) => JSON.parse(JSON.stringify(cut(r.subject.name))) as string));
        expect(verifyAuditTrail(blocks)).toEqual({ ok: true, blocks: blocks.length, entries: requests.length });
      }),
      { seed: 20_261_203, numRuns: 300 },
    );
  });

  it('keeps each sealed block\'s bytes and text unchanged while later blocks are written', async () => {
    const sealed: SealedBlock[] = [];
    const trail = new AuditTrail({ sink: { append: async (b) => void sealed.push(b) }, clock, batchSize: 2 });
    const authorizer = createAuthorizer(set, { clock, onDecision: trail.record });
    authorizer.decide(req('read', { note: 'first block é' }));
    authorizer.decide(req('read'));
    await trail.flush();
    const bytes = Buffer.from(sealed[0]!.entriesBytes);
    for (let i = 0; i < 50; i++) authorizer.decide(req('delete', { note: 'x'.repeat(i * 10) }));
    await trail.flush();
    expect(Buffer.from(sealed[0]!.entriesBytes)).toEqual(bytes);
    expect(sealed[0]!.entriesJson).toBe(bytes.toString('utf8'));
    expect(sealed[0]!.entriesJson).toContain('first block é');
    expect(verifyAuditTrail(sealed.map((b) => ({ prevHash: b.prevHash, hash: b.hash, entries: JSON.parse(b.entriesJson) as AuditEntry[] }))).ok).toBe(true);
  });
});
