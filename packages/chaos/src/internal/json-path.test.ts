import { describe, expect, it } from '@jest/globals';
import { codeOf } from '../../test/support/codes.js';
import { compileJsonPath } from './json-path.js';

// A small document in the spirit of Goessner's JSONPath examples (written for these tests).
const shop = {
  owner: 'ada',
  shelves: [
    { genre: 'poetry', books: [{ title: 'Leaves', price: 9, tags: ['classic'] }] },
    { genre: 'science', books: [{ title: 'Orbits', price: 25 }, { title: 'Cells', price: 14, isbn: '0-1' }] },
  ],
  'opening-hours': { mon: '9-17' },
};

describe('compileJsonPath', () => {
  it('selects children by name, quoted name, index, negative index and union', () => {
    expect(compileJsonPath('$.owner').query(shop)).toEqual(['ada']);
    expect(compileJsonPath("$['opening-hours'].mon").query(shop)).toEqual(['9-17']);
    expect(compileJsonPath('$.shelves[1].genre').query(shop)).toEqual(['science']);
    expect(compileJsonPath('$.shelves[-1].books[0].title').query(shop)).toEqual(['Orbits']);
    expect(compileJsonPath('$.shelves[1].books[0,1].price').query(shop)).toEqual([25, 14]);
    expect(compileJsonPath('$').query(shop)).toEqual([shop]);
  });

  it('selects with wildcards, slices and recursive descent, in document order', () => {
    expect(compileJsonPath('$.shelves[*].genre').query(shop)).toEqual(['poetry', 'science']);
    expect(compileJsonPath('$.shelves.*.genre').query(shop)).toEqual(['poetry', 'science']);
    expect(compileJsonPath('$..title').query(shop)).toEqual(['Leaves', 'Orbits', 'Cells']);
    expect(compileJsonPath('$.shelves[1].books[:1].title').query(shop)).toEqual(['Orbits']);
    expect(compileJsonPath('$.missing.deeper').query(shop)).toEqual([]);
  });

  it('filters on a field existing or comparing with a literal', () => {
    expect(compileJsonPath('$..books[?(@.isbn)].title').query(shop)).toEqual(['Cells']);
    expect(compileJsonPath('$..books[?(@.price >= 14)].title').query(shop)).toEqual(['Orbits', 'Cells']);
    expect(compileJsonPath("$.shelves[?(@.genre == 'poetry')].books[0].title").query(shop)).toEqual(['Leaves']);
    expect(compileJsonPath('$..books[?(@.price != 25)].price').query(shop)).toEqual([9, 14]);
  });

  it('rejects what it cannot read with CHAOS_JSONPATH_INVALID', () => {
    for (const bad of ['owner', '$.shelves[', '$.shelves[?(@.price =~ 3)]', '$.shelves[abc]', '$ owner']) expect(codeOf(() => compileJsonPath(bad))).toBe('CHAOS_JSONPATH_INVALID');
  });
});
