import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, formatCsv, parseCsv, parseCsvTable } from '../../../../src/adapters/locust/csv.js';

const fixture = (path: string): string => readFileSync(new URL(`../../../fixtures/locust/${path}`, import.meta.url), 'utf8');

describe('parseCsv', () => {
  it('reads plain records with LF or CRLF line ends, with or without a trailing line break', () => {
    const want = [
      ['a', 'b'],
      ['1', '2'],
    ];
    expect(parseCsv('a,b\n1,2\n')).toEqual(want);
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual(want);
    expect(parseCsv('a,b\r\n1,2')).toEqual(want);
    expect(parseCsv('a,b\r1,2\r')).toEqual(want); // lone CR, as Python's reader accepts
  });

  it('reads quoted cells with doubled quotes, commas and line breaks inside', () => {
    expect(parseCsv('"x, y","say ""hi""","line1\r\nline2\nline3",plain\r\n')).toEqual([['x, y', 'say "hi"', 'line1\r\nline2\nline3', 'plain']]);
  });

  it('keeps empty cells, skips blank lines, and keeps a record of one quoted empty cell', () => {
    expect(parseCsv(',a,\r\n\r\n\n"",\r\n""\r\n')).toEqual([['', 'a', ''], ['', ''], ['']]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\r\n\n')).toEqual([]);
  });

  it('drops a leading byte-order mark', () => {
    expect(parseCsv('\uFEFFType,Name\r\n')).toEqual([['Type', 'Name']]);
  });

  it('rejects malformed quoting with the line number', () => {
    expect(() => parseCsv('a,b\r\n"open,1\r\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\r\n"open,1\r\n')).toThrow(/unterminated quoted cell \(line 2\)/);
    expect(() => parseCsv('"closed"x,1')).toThrow(/after a closing quote/);
    expect(() => parseCsv('ab"c,1')).toThrow(/double quote inside an unquoted cell/);
  });

  it('reads Locust 2.12.1 exceptions.csv: CRLF records holding LF line breaks and doubled quotes', () => {
    const records = parseCsv(fixture('2.12.1/exceptions.csv'));
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(['Count', 'Message', 'Traceback', 'Nodes']);
    const [count, message, traceback, nodes] = records[1] ?? [];
    expect(count).toBe('13');
    expect(message).toBe('synthetic user exception');
    expect(traceback).toContain('\n    raise ValueError("synthetic user exception")\n');
    expect(traceback).not.toContain('\r');
    expect(nodes?.split(', ')).toHaveLength(2);
  });

  it('reads Locust 2.12.1 failures.csv, whose Error cell is a quoted repr with doubled quotes', () => {
    const records = parseCsv(fixture('2.12.1/failures.csv'));
    expect(records[1]?.[2]).toMatch(/^"HTTPError\('404 Client Error: .*\/does-not-exist'\)"$/);
  });
});

describe('parseCsvTable', () => {
  it('keys records by header name and leaves out cells a short record does not have', () => {
    const t = parseCsvTable('Type,Name,Count\r\nGET,/a,3\r\n,Aggregated\r\n');
    expect(t.header).toEqual(['Type', 'Name', 'Count']);
    expect(t.rows[0]).toEqual({ Type: 'GET', Name: '/a', Count: '3' });
    expect(t.rows[1]?.['Count']).toBeUndefined();
    expect(t.cells).toEqual([
      ['GET', '/a', '3'],
      ['', 'Aggregated'],
    ]);
  });

  it('ignores cells beyond the header, keeps the first of duplicate names, and is safe with odd names', () => {
    const t = parseCsvTable('a,a,__proto__,toString\r\n1,2,3,4,5\r\n6\r\n');
    expect(t.rows[0]?.['a']).toBe('1');
    expect(t.rows[0]?.['__proto__']).toBe('3');
    expect(t.rows[0]?.['toString']).toBe('4');
    expect(t.rows[1]?.['toString']).toBeUndefined(); // no inherited Object.prototype members
    expect(Object.keys(t.rows[0] ?? {})).toEqual(['a', '__proto__', 'toString']);
  });

  it('gives an empty header and no rows for an empty text', () => {
    expect(parseCsvTable('')).toEqual({ header: [], rows: [], cells: [] });
  });
});

describe('CSV properties', () => {
  // Cells drawn from the characters that matter to quoting, plus any Unicode.
  const cell = fc.oneof(fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', ' ', 'é', '\uFEFF') }), fc.string({ unit: 'binary' }));
  const records = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 8 });

  it('round-trips: records written with proper quoting parse back to the same cells', () => {
    fc.assert(
      fc.property(records, (recs) => {
        // A BOM at the very start would be taken for a byte-order mark, as every CSV reader does.
        fc.pre(!(recs[0]?.[0] ?? '').startsWith('\uFEFF'));
        expect(parseCsv(formatCsv(recs))).toEqual(recs);
        // LF line ends read the same.
        expect(parseCsv(formatCsv(recs).replaceAll(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/g, '\n'))).toEqual(recs);
      }),
      { numRuns: 500 },
    );
  });

  it('on any text either returns records or throws CsvSyntaxError', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'x', 'N/A', '1') }));
    fc.assert(
      fc.property(text, (t) => {
        try {
          const out = parseCsv(t);
          expect(Array.isArray(out)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(CsvSyntaxError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('stays linear on large adversarial inputs', () => {
    const big = 200_000;
    const started = performance.now();
    expect(parseCsv('a,'.repeat(big))).toHaveLength(1);
    expect(parseCsv(`"${'""'.repeat(big)}"`)[0]?.[0]).toHaveLength(big);
    expect(() => parseCsv(`"${'x'.repeat(big)}`)).toThrow(CsvSyntaxError);
    expect(parseCsv('\n'.repeat(big))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
