import { describe, expect, it } from '@jest/globals';
import { SEVERITIES, compareSeverity, isAtLeastSeverity, isSeverity, maxSeverity, parseSeverity } from './severity.js';

describe('severity', () => {
  it('orders info < warning < error < critical', () => {
    const shuffled = ['critical', 'info', 'error', 'warning'] as const;
    expect([...shuffled].sort(compareSeverity)).toEqual([...SEVERITIES]);
  });

  it('answers threshold questions', () => {
    expect(isAtLeastSeverity('error', 'warning')).toBe(true);
    expect(isAtLeastSeverity('warning', 'error')).toBe(false);
    expect(isAtLeastSeverity('error', 'error')).toBe(true);
  });

  it('finds the maximum, info for none', () => {
    expect(maxSeverity('warning', 'critical', 'info')).toBe('critical');
    expect(maxSeverity()).toBe('info');
  });

  it('parses known levels and rejects others, including prototype keys', () => {
    expect(parseSeverity('warning')).toBe('warning');
    expect(isSeverity('toString')).toBe(false);
    expect(() => parseSeverity('fatal')).toThrow(expect.objectContaining({ code: 'SEVERITY_INVALID' }));
  });
});
