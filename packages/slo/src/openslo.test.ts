import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@sightline/core';
import { loadSloSpecs } from './openslo.js';

/** The error `fn` throws (the test fails when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

// Nine levels of nine aliases: 9^7 ≈ 4.8M strings once expanded ("billion laughs").
const ALIAS_BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
slos: *g
`;

describe('loadSloSpecs parser errors', () => {
  it('refuses a YAML alias bomb with SLO_SPEC_INVALID (issue SLO_YAML_ALIASES), not a raw ReferenceError', () => {
    const error = thrown(() => loadSloSpecs(ALIAS_BOMB, 'slos.yaml'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'SLO_SPEC_INVALID', issues: [{ path: ['document 1'], code: 'SLO_YAML_ALIASES' }] });
    expect((error as Error).message).toMatch(/^slos\.yaml: 1 problem/);
  });

  it('reports YAML syntax errors with SLO_SPEC_INVALID, the document, and the line and column', () => {
    const error = thrown(() => loadSloSpecs('slos:\n  - name: a\n    sli: [1,\n'));
    expect(error).toMatchObject({ code: 'SLO_SPEC_INVALID', issues: [expect.objectContaining({ path: ['document 1'], code: 'SLO_YAML' })] });
    expect((error as ValidationError).issues[0]!.message).toMatch(/at line \d+, column \d+$/);
  });

  it('reports JSON syntax errors and errors in a later document the same way', () => {
    expect(() => loadSloSpecs('{"slos": [ {"name": "a",, } ]}')).toThrow(expect.objectContaining({ code: 'SLO_SPEC_INVALID' }));
    const error = thrown(() => loadSloSpecs('slos: []\n---\nslos: [\n'));
    expect(error).toMatchObject({ code: 'SLO_SPEC_INVALID', issues: [expect.objectContaining({ path: ['document 2'], code: 'SLO_YAML' })] });
  });

  it('reports a cyclic value built from aliases as a spec problem, not a TypeError', () => {
    const error = thrown(() => loadSloSpecs('slos:\n  - name: x\n    service: s\n    objective: &o [*o]\n    window: { calendar: month, timeZone: &z [*z] }\n    sli: { kind: availability }\n'));
    expect(error).toMatchObject({ code: 'SLO_SPEC_INVALID' });
    expect((error as ValidationError).issues.map((i) => i.code).sort()).toEqual(['SLO_OBJECTIVE', 'SLO_TIME_ZONE']);
  });

  it('refuses text that is not a string with SLO_SPEC_INVALID', () => {
    expect(() => loadSloSpecs(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'SLO_SPEC_INVALID' }));
  });
});
