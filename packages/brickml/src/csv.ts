/**
 * Numeric CSV tables (RFC 4180: comma-separated, fields in double quotes may hold commas and "" for a
 * quote, LF or CRLF line ends). Every cell below the optional header row must be a number.
 */
import { BrickError } from '@brickml/core';

/** A table of numbers, row after row, with its column names when the file has a header row. */
export interface NumericTable {
  columns: string[] | null;
  rows: number[][];
}

/** The cells of each non-empty line. */
export function parseCsv(text: string, who: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  const endRow = () => {
    row.push(cell);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endRow();
      line++;
    } else cell += c;
  }
  if (quoted) throw new BrickError(`${who}: line ${line} opens a quoted field that never closes`, who);
  endRow();
  return rows;
}

const isNumber = (cell: string) => cell.trim() !== '' && Number.isFinite(Number(cell));

/**
 * Parses a CSV file of numbers. `header` says whether the first row names the columns; left out, it is
 * taken as a header when one of its cells is not a number.
 *
 * @example
 * readTable('x,y\n1,2\n3,4\n', 'data.csv'); // { columns: ['x', 'y'], rows: [[1, 2], [3, 4]] }
 */
export function readTable(text: string, who: string, header?: boolean): NumericTable {
  const cells = parseCsv(text.replace(/^\uFEFF/, ''), who);
  const first = cells[0];
  if (first === undefined) throw new BrickError(`${who}: holds no rows`, who);
  const hasHeader = header ?? !first.every(isNumber);
  const columns = hasHeader ? first.map((c) => c.trim()) : null;
  const body = hasHeader ? cells.slice(1) : cells;
  if (body.length === 0) throw new BrickError(`${who}: holds a header but no data rows`, who);
  const width = first.length;
  const offset = hasHeader ? 2 : 1;
  const rows = body.map((r, i) => {
    if (r.length !== width) {
      throw new BrickError(`${who}: row ${i + offset} has ${r.length} fields, the first row has ${width}`, who);
    }
    return r.map((cell, j) => {
      if (!isNumber(cell)) {
        const where = columns ? `column '${columns[j]}'` : `column ${j}`;
        throw new BrickError(
          `${who}: row ${i + offset}, ${where} must be a number, received ${JSON.stringify(cell)}`,
          who,
        );
      }
      return Number(cell);
    });
  });
  return { columns, rows };
}

/** The shortest decimal that reads back as the same float32: 0.1, not 0.10000000149011612. */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p < 9; p++) {
    const text = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(text)) === Math.fround(v)) return text;
  }
  return String(Number(v.toPrecision(9)));
}

/** The table's text: a header row when `columns` is given, then one row per entry of `rows` (float32 values). */
export function writeTable(rows: ArrayLike<number>[], columns?: readonly string[]): string {
  const quote = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  const lines = rows.map((r) => Array.from(r, float32Text).join(','));
  return `${[...(columns ? [columns.map(quote).join(',')] : []), ...lines].join('\n')}\n`;
}
