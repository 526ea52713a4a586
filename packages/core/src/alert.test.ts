import { describe, expect, it } from '@jest/globals';
import { alertFingerprint, createAlert, resolveAlert } from './alert.js';
import { ValidationError } from './errors.js';

const base = {
  source: 'slo',
  severity: 'critical' as const,
  title: 'checkout is burning its error budget',
  labels: { slo: 'checkout-availability', window: '1h/5m' },
  annotations: { burnRate1h: '15.2' },
  startsAt: 1_700_000_000_000,
};

describe('alertFingerprint', () => {
  it('is deterministic and ignores label order', () => {
    expect(alertFingerprint('slo', { a: '1', b: '2' })).toBe(alertFingerprint('slo', { b: '2', a: '1' }));
    expect(alertFingerprint('slo', { a: '1' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs by source, label value and label boundaries', () => {
    const fp = alertFingerprint('slo', { a: '1' });
    expect(alertFingerprint('anomaly', { a: '1' })).not.toBe(fp);
    expect(alertFingerprint('slo', { a: '2' })).not.toBe(fp);
    expect(alertFingerprint('slo', { a: 'b=c' })).not.toBe(alertFingerprint('slo', { 'a=b': 'c' }));
  });
});

describe('createAlert', () => {
  it('builds a firing alert whose fingerprint ignores annotations', () => {
    const alert = createAlert(base);
    expect(alert.status).toBe('firing');
    expect(alert.fingerprint).toBe(alertFingerprint('slo', base.labels));
    expect(alert.id).toBe(`${alert.fingerprint}-${base.startsAt}`);
    expect(createAlert({ ...base, annotations: { burnRate1h: '20' } }).fingerprint).toBe(alert.fingerprint);
    expect(alert).not.toHaveProperty('endsAt');
  });

  it('resolves to the same fingerprint', () => {
    const alert = createAlert(base);
    const resolved = resolveAlert(alert, base.startsAt + 60_000);
    expect(resolved.status).toBe('resolved');
    expect(resolved.endsAt).toBe(base.startsAt + 60_000);
    expect(resolved.fingerprint).toBe(alert.fingerprint);
    expect(resolved.id).toBe(alert.id);
  });

  it('reports every invalid field at once', () => {
    let caught: unknown;
    try {
      createAlert({
        source: '',
        severity: 'fatal' as never,
        title: '',
        labels: { ok: 'x', bad: 3 as unknown as string },
        startsAt: Number.NaN,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('ALERT_INVALID');
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['source', 'severity', 'title', 'startsAt', 'labels.bad']);
  });

  it('rejects an end before the start', () => {
    expect(() => createAlert({ ...base, endsAt: base.startsAt - 1 })).toThrow(expect.objectContaining({ code: 'ALERT_INVALID' }));
  });
});
