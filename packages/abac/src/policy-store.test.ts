import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { PolicyStore } from './policy-store.js';

const v1 = { policies: [{ id: 'read', effect: 'allow', target: { actions: ['read'] } }] };
const v2 = { policies: [{ id: 'read', effect: 'allow', target: { actions: ['read', 'list'] } }, { id: 'write', effect: 'allow', target: { actions: ['write'] } }] };
const ask = (store: PolicyStore, action: string) => store.authorizer.decide({ subject: { id: 'a' }, action, resource: { type: 'doc' } });

describe('PolicyStore', () => {
  it('activates versions atomically and stamps the version id on decisions', () => {
    const store = new PolicyStore({ clock: new ManualClock(0) });
    const first = store.publish(v1, { author: 'ada', message: 'initial' });
    expect(first.id).toMatch(/^v1-[0-9a-f]{8}$/);
    expect(ask(store, 'write').decision).toBe('deny');
    const second = store.publish(v2, { author: 'ada', message: 'writers' });
    expect(ask(store, 'write')).toEqual(expect.objectContaining({ decision: 'allow', version: second.id }));
  });

  it('never replaces a good set with a bad one', () => {
    const store = new PolicyStore();
    const good = store.publish(v1, { author: 'ada', message: 'initial' });
    expect(() => store.publish({ policies: [{ id: 'x', effect: 'maybe' }] }, { author: 'eve', message: 'oops' })).toThrow(expect.objectContaining({ code: 'ABAC_POLICY_INVALID' }));
    expect(store.active?.id).toBe(good.id);
    expect(store.versions).toHaveLength(1);
    expect(ask(store, 'read').version).toBe(good.id);
  });

  it('rolls back by publishing the previous content as a new version, and diffs versions', () => {
    const store = new PolicyStore();
    const a = store.publish(v1, { author: 'ada', message: 'initial' });
    const b = store.publish(v2, { author: 'ada', message: 'writers' });
    expect(store.diff(a.id, b.id)).toEqual({ added: ['write'], removed: [], changed: ['read'] });
    const c = store.rollback({ author: 'ops' });
    expect(c.number).toBe(3);
    expect(c.message).toBe(`rollback to ${a.id}`);
    expect(c.id.slice(3)).toBe(a.id.slice(3)); // same content hash
    expect(ask(store, 'write').decision).toBe('deny');
    expect(Object.isFrozen(c.policySet.policies[0])).toBe(true);
  });

  it('says clearly when there is nothing to decide with or roll back to', () => {
    const store = new PolicyStore();
    expect(() => store.authorizer).toThrow(expect.objectContaining({ code: 'ABAC_NO_ACTIVE_VERSION' }));
    store.publish(v1, { author: 'ada', message: 'initial' });
    expect(() => store.rollback({ author: 'ops' })).toThrow(expect.objectContaining({ code: 'ABAC_NO_PREVIOUS_VERSION' }));
    expect(() => store.activate('v9-00000000')).toThrow(expect.objectContaining({ code: 'ABAC_UNKNOWN_VERSION' }));
  });
});
