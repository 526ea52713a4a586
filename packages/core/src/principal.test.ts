import { describe, expect, it } from '@jest/globals';
import { ValidationError } from './errors.js';
import { parsePrincipal } from './principal.js';

describe('parsePrincipal', () => {
  it('accepts a full principal and defaults kind to user', () => {
    const p = parsePrincipal({ id: 'ada', team: 'payments', department: 'eng', tenant: 'acme', roles: ['engineer'], attributes: { mfa: true } });
    expect(p).toEqual({ id: 'ada', kind: 'user', team: 'payments', department: 'eng', tenant: 'acme', roles: ['engineer'], attributes: { mfa: true } });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('omits absent optional fields instead of setting them to undefined', () => {
    expect(Object.keys(parsePrincipal({ id: 'svc', kind: 'service' }))).toEqual(['id', 'kind']);
  });

  it('reports every problem with its path', () => {
    let caught: unknown;
    try {
      parsePrincipal({ id: '', kind: 'robot', team: 7, roles: ['ok', 3] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('PRINCIPAL_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual([['id'], ['kind'], ['team'], ['roles', 1]]);
  });

  it.each([null, 'ada', 42, ['ada']])('rejects %j as not an object', (input) => {
    expect(() => parsePrincipal(input)).toThrow(expect.objectContaining({ code: 'PRINCIPAL_INVALID' }));
  });
});
