import { describe, expect, it } from '@jest/globals';
import { CsvParser, type CsvRecord } from './csv-parser.js';

function parseInChunks(text: string, size: number): CsvRecord[] {
  const out: CsvRecord[] = [];
  const parser = new CsvParser((r) => out.push(r));
  for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
  parser.end();
  return out;
}

describe('CsvParser', () => {
  const text = 'a,b,c\r\n1,"x, ""quoted""\r\nline",3\n\n4,,"6"\n7,8,9';
  const expected = [
    { fields: ['a', 'b', 'c'], line: 1 },
    { fields: ['1', 'x, "quoted"\r\nline', '3'], line: 2 },
    { fields: ['4', '', '6'], line: 5 },
    { fields: ['7', '8', '9'], line: 6 },
  ];

  it('parses quotes, doubled quotes, embedded newlines, CRLF and a missing final newline', () => {
    expect(parseInChunks(text, 1_000)).toEqual(expected);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    for (let size = 1; size <= 12; size++) expect(parseInChunks(text, size)).toEqual(expected);
  });

  it('rejects an unterminated quote and text after a closing quote with FINOPS_CSV_MALFORMED', () => {
    expect(() => parseInChunks('a,b\n"open,1\n', 100)).toThrow(expect.objectContaining({ code: 'FINOPS_CSV_MALFORMED' }));
    expect(() => parseInChunks('a,b\n"x"y,1\n', 100)).toThrow(expect.objectContaining({ code: 'FINOPS_CSV_MALFORMED' }));
  });
});
