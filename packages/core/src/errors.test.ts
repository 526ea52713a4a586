import { describe, expect, it } from '@jest/globals';
import { IssueCollector, SightlineError, ValidationError, formatIssuePath } from './errors.js';

describe('SightlineError', () => {
  it('carries a stable code, details and cause, and serialises to JSON', () => {
    const cause = new Error('disk full');
    const error = new SightlineError('SINK_WRITE_FAILED', 'could not write', { path: '/tmp/x' }, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SINK_WRITE_FAILED');
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'SightlineError',
      code: 'SINK_WRITE_FAILED',
      message: 'could not write',
      details: { path: '/tmp/x' },
    });
  });
});

describe('IssueCollector', () => {
  it('collects every problem and throws once, listing each path', () => {
    const issues = new IssueCollector();
    issues.add(['objectives', 0, 'target'], 'must be in (0, 1)', 'TARGET_RANGE');
    issues.add(['name'], 'is required', 'NAME_MISSING');
    let caught: unknown;
    try {
      issues.throwIfAny('SLO_SPEC_INVALID', 'SLO spec "checkout"');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('SLO_SPEC_INVALID');
    expect(error.issues.map((i) => i.code)).toEqual(['TARGET_RANGE', 'NAME_MISSING']);
    expect(error.message).toContain('2 problems');
    expect(error.message).toContain('objectives[0].target: must be in (0, 1) [TARGET_RANGE]');
    expect(error.details).toEqual({ issues: error.issues });
  });

  it('does nothing when there are no issues', () => {
    const issues = new IssueCollector();
    expect(issues.hasIssues).toBe(false);
    expect(() => issues.throwIfAny('X', 'y')).not.toThrow();
  });

  it('copies the path so later mutation of the caller array cannot change it', () => {
    const issues = new IssueCollector();
    const path: (string | number)[] = ['a'];
    issues.add(path, 'bad', 'BAD');
    path.push('b');
    expect(issues.issues[0]?.path).toEqual(['a']);
  });
});

describe('formatIssuePath', () => {
  it('renders the root, keys and indices', () => {
    expect(formatIssuePath([])).toBe('(root)');
    expect(formatIssuePath(['a', 'b'])).toBe('a.b');
    expect(formatIssuePath([0, 'a', 2])).toBe('[0].a[2]');
  });
});
