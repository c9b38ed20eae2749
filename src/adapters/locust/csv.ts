// A small RFC 4180 CSV reader for the bodies Locust serves (Python's csv.writer, QUOTE_MINIMAL):
// quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF or LF line ends.
// Deliberately strict about malformed quoting, so an HTML or JSON body is not mistaken for a CSV.

/** A body that is not well-formed CSV. `line` is 1-based, counted in physical lines. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/**
 * Parses CSV text into records of cells. A leading byte-order mark is dropped; blank lines
 * (including the trailing line break) produce no record, while a line holding `""` is a record with
 * one empty cell. Line breaks inside quoted cells are kept exactly as written.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const n = src.length;
  let line = 1;
  let i = 0;
  let record: string[] = [];
  let cell = '';
  let quotedRecord = false; // a quoted cell was seen in this record: `""` alone is not a blank line

  const endRecord = (): void => {
    record.push(cell);
    if (!(record.length === 1 && record[0] === '' && !quotedRecord)) records.push(record);
    record = [];
    cell = '';
    quotedRecord = false;
  };

  while (i < n) {
    const ch = src[i];
    if (ch === '"' && cell === '') {
      // A quoted cell: runs to the next quote that is not doubled.
      quotedRecord = true;
      const startLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = src[i];
        if (c === '"') {
          if (src[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (c === '\n' || (c === '\r' && src[i + 1] !== '\n')) line++;
        cell += c;
        i++;
      }
      if (!closed) throw new CsvSyntaxError('unterminated quoted cell', startLine);
      const next = src[i];
      if (i < n && next !== ',' && next !== '\r' && next !== '\n') {
        throw new CsvSyntaxError(`unexpected ${JSON.stringify(next)} after a closing quote`, line);
      }
      // The delimiter or line break is handled below; mark the cell as finished even if empty.
      if (i >= n) break;
      continue;
    }
    if (ch === ',') {
      record.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    if (ch === '"') {
      // A quote inside an unquoted cell: RFC 4180 forbids it, and Locust never writes one.
      throw new CsvSyntaxError('a double quote inside an unquoted cell', line);
    }
    // Copy the run of plain characters at once.
    let j = i + 1;
    while (j < n) {
      const c = src[j];
      if (c === ',' || c === '\r' || c === '\n' || c === '"') break;
      j++;
    }
    cell += src.slice(i, j);
    i = j;
  }
  if (record.length > 0 || cell !== '' || quotedRecord) endRecord();
  return records;
}

/** A CSV whose first record is the header, with the other records keyed by column name. */
export interface CsvTable {
  header: string[];
  /** Records as header → cell; a record shorter than the header lacks the missing columns. */
  rows: Array<Readonly<Record<string, string>>>;
  /** The same records as cells, for callers that need the order or duplicate column names. */
  cells: string[][];
}

/**
 * Parses CSV text whose first record is a header. Columns are keyed by the header cell exactly as
 * written (the first one wins when a name repeats); cells beyond the header are ignored.
 * An empty text gives an empty header and no rows.
 */
export function parseCsvTable(text: string): CsvTable {
  const [header = [], ...cells] = parseCsv(text);
  const rows = cells.map((record) => {
    // A prototype-less object, so a column called "__proto__" or "toString" is just a column.
    const row = Object.create(null) as Record<string, string>;
    // Only the cells the record has: a short record under a very wide header stays cheap (linear).
    const n = Math.min(header.length, record.length);
    for (let idx = 0; idx < n; idx++) {
      const name = header[idx] as string;
      if (!Object.hasOwn(row, name)) row[name] = record[idx] as string;
    }
    return row;
  });
  return { header, rows, cells };
}

/** Quotes a cell the way Python's csv.writer does (QUOTE_MINIMAL); used by tests and writers. */
export function formatCsvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** Serialises records with CRLF line ends; a record of one empty cell is written as `""`. */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => (record.length === 1 && record[0] === '' ? '""' : record.map(formatCsvCell).join(',')) + '\r\n').join('');
}
