import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '@sightline/core';
import { CsvParser, DEFAULT_MAX_RECORD_LENGTH, type CsvRecord, type CsvScannerOptions } from './csv-parser.js';

function parseInChunks(text: string, size: number, options: CsvScannerOptions = {}): CsvRecord[] {
  const out: CsvRecord[] = [];
  const parser = new CsvParser((r) => out.push(r), options);
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

/** A plain RFC 4180 reading of a whole text, as the reference the streaming parser must match. */
function referenceParse(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"' && field === '') {
      let j = i + 1;
      for (;;) {
        if (text[j] === '"' && text[j + 1] === '"') {
          field += '"';
          j += 2;
        } else if (text[j] === '"') break;
        else {
          if (text[j] === '\n') line++;
          field += text[j];
          j++;
        }
      }
      i = j + 1;
      if (text[i] === '\r') i++;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

describe('CsvParser against a reference reading', () => {
  it('matches on random CSV (quotes, doubled quotes, embedded commas and newlines, CRLF) in random chunks', () => {
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    for (let round = 0; round < 300; round++) {
      const lines: string[] = [];
      for (let r = 0; r < 1 + Math.floor(random() * 6); r++) {
        const fields: string[] = [];
        for (let f = 0; f < 1 + Math.floor(random() * 5); f++) {
          const plain = pick(['', 'a', '12.50', 'Amazon EC2', 'x y z', '2026-01-01T00:00:00Z', 'ünïcode']);
          fields.push(random() < 0.3 ? `"${pick([plain, 'a,b', 'say ""hi""', 'two\nlines', '""', 'crlf\r\ninside'])}"` : plain);
        }
        lines.push(fields.join(','));
        if (random() < 0.1) lines.push('');
      }
      const text = lines.join(random() < 0.5 ? '\n' : '\r\n') + (random() < 0.5 ? '\n' : '');
      const expected = referenceParse(text);
      const size = 1 + Math.floor(random() * 20);
      expect([round, parseInChunks(text, size)]).toEqual([round, expected]);
    }
  });
});

describe('CsvParser on long records', () => {
  it('reads a record longer than its chunks (a 300,000-character quoted field) whole', () => {
    const long = 'x,'.repeat(150_000);
    const text = `a,b\n1,"${long}"\n2,3\n`;
    const records = parseInChunks(text, 70_000);
    expect(records.map((r) => [r.line, r.fields[0], r.fields[1]?.length])).toEqual([[1, 'a', 1], [2, '1', 300_000], [3, '2', 1]]);
  });
});

describe('CsvParser record size limit (maxRecordLength)', () => {
  const MiB = 1 << 20;

  it('fails fast on a quote that never closes: FINOPS_CSV_RECORD_TOO_LARGE with the line the record starts on', () => {
    // RFC 4180: a field in double quotes runs to the next lone double quote, line breaks included;
    // here none ever comes. 8 MiB after the open quote, fed in 64 KiB chunks.
    const chunk = 'y'.repeat(64 * 1024);
    const parser = new CsvParser(() => undefined);
    parser.write('a,b\n1,2\n3,"never closed ');
    let written = 0;
    const error = ((): unknown => {
      try {
        for (; written < (8 * MiB) / chunk.length; written++) parser.write(chunk);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'FINOPS_CSV_RECORD_TOO_LARGE', details: { line: 3, maxRecordLength: DEFAULT_MAX_RECORD_LENGTH } });
    expect((error as Error).message).toMatch(/^CSV line 3: .*quoted field/);
    // It stopped as soon as the open record passed 1 MiB: `"never closed ` is 14 characters, so the
    // 16th chunk (index 15) takes it to 14 + 16 × 65,536 = 1,048,590 > 1,048,576.
    expect(DEFAULT_MAX_RECORD_LENGTH).toBe(MiB);
    expect(written).toBe(15);
  });

  it('fails on one chunk holding more than the limit after an open quote, and on an unquoted line without end', () => {
    expect(() => parseInChunks(`a,b\n"${'z'.repeat(3 * MiB)}`, 4 * MiB)).toThrow(expect.objectContaining({ code: 'FINOPS_CSV_RECORD_TOO_LARGE', details: expect.objectContaining({ line: 2 }) }));
    expect(() => parseInChunks(`a,b\n1,${'z'.repeat(2_000)}`, 100, { maxRecordLength: 1_000 })).toThrow(expect.objectContaining({ code: 'FINOPS_CSV_RECORD_TOO_LARGE', details: expect.objectContaining({ line: 2 }) }));
  });

  it('counts a record without its line end: exactly the limit passes, one more fails, in any chunking', () => {
    const at = (n: number, end: string): string => `ab\n"${'q'.repeat(n - 3)}",\n${end === '' ? '' : `x,y${end}`}`;
    // The record `"qq…q",` is (n − 3) + 2 quotes + 1 comma = n characters.
    for (const size of [1, 7, 64, 10_000]) {
      for (const end of ['\n', '\r\n']) {
        expect(parseInChunks(at(100, end).replaceAll('\n', end), size, { maxRecordLength: 100 }).map((r) => r.line)).toEqual([1, 2, 3]);
        expect(() => parseInChunks(at(101, end).replaceAll('\n', end), size, { maxRecordLength: 100 })).toThrow(expect.objectContaining({ code: 'FINOPS_CSV_RECORD_TOO_LARGE', details: { line: 2, length: 101, maxRecordLength: 100 } }));
      }
    }
  });

  it('still reads quoted fields and last fields that span many chunks without the closing character', () => {
    const quoted = `a,b\n1,"${'line\n'.repeat(5_000)}end"\n2,${'w'.repeat(30_000)}\n3,4`;
    for (const size of [3, 1_000, 8_192]) {
      expect(parseInChunks(quoted, size).map((r) => [r.line, r.fields[1]?.length])).toEqual([[1, 1], [2, 25_003], [5_003, 30_000], [5_004, 1]]);
    }
    // 5,000 doubled quotes fed one character at a time: each chunk holds a quote but no line feed.
    const doubled = `a,b\n1,"${'""'.repeat(5_000)}"\n2,3\n`;
    expect(parseInChunks(doubled, 1).map((r) => [r.line, r.fields[1]])).toEqual([[1, 'b'], [2, '"'.repeat(5_000)], [3, '3']]);
  });

  it('rejects a maxRecordLength that is not a whole number >= 1 with FINOPS_CSV_OPTIONS_INVALID', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new CsvParser(() => undefined, { maxRecordLength: bad })).toThrow(expect.objectContaining({ code: 'FINOPS_CSV_OPTIONS_INVALID' }));
    }
  });
});
