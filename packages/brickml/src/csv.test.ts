import { describe, expect, test } from 'vitest';
import { float32Text, parseCsv, readTable, writeTable } from './csv.js';

describe('parseCsv', () => {
  test('reads quoted fields holding commas, quotes and line ends, and CRLF lines', () => {
    expect(parseCsv('a,"b, c","say ""hi""","two\nlines"\r\n1,2,3,4\r\n', 'f.csv')).toEqual([
      ['a', 'b, c', 'say "hi"', 'two\nlines'],
      ['1', '2', '3', '4'],
    ]);
  });

  test('skips empty lines', () => {
    expect(parseCsv('1,2\n\n3,4\n\n', 'f.csv')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  test('refuses a quoted field that never closes', () => {
    expect(() => parseCsv('a,b\n"1,2\n', 'f.csv')).toThrow('f.csv: line 3 opens a quoted field that never closes');
  });
});

describe('readTable', () => {
  test('takes the first row as a header when one of its cells is not a number', () => {
    expect(readTable('x,y\n1,2.5\n-3,4e2\n', 'f.csv')).toEqual({
      columns: ['x', 'y'],
      rows: [
        [1, 2.5],
        [-3, 400],
      ],
    });
    expect(readTable('1,2\n3,4\n', 'f.csv')).toEqual({
      columns: null,
      rows: [
        [1, 2],
        [3, 4],
      ],
    });
  });

  test('header: true names the columns even when they are numbers', () => {
    expect(readTable('0,1\n5,6\n', 'f.csv', true)).toEqual({ columns: ['0', '1'], rows: [[5, 6]] });
  });

  test('names the row and column of a cell that is not a number', () => {
    expect(() => readTable('1,2\n3,\n', 'f.csv')).toThrow('f.csv: row 2, column 1 must be a number, received ""');
  });

  test('refuses a file without data rows', () => {
    expect(() => readTable('', 'f.csv')).toThrow('f.csv: holds no rows');
    expect(() => readTable('a,b\n', 'f.csv')).toThrow('f.csv: holds a header but no data rows');
  });
});

describe('writeTable', () => {
  test('writes what readTable reads back, numbers as their shortest float32 decimals', () => {
    const rows = [Float32Array.of(0.1, -2.5, 1e-7), Float32Array.of(3, 1 / 3, 65504)];
    const text = writeTable(rows, ['a', 'b,c', 'd']);
    expect(text.split('\n')[0]).toBe('a,"b,c",d');
    const back = readTable(text, 'f.csv');
    expect(back.rows.map((r) => Float32Array.from(r))).toEqual(rows);
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
  });
});
