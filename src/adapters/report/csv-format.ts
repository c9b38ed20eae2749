// CSV as spreadsheets and `csv` modules read it: RFC 4180 quoting, `\n` line ends, a header row,
// empty cells for missing values, and numbers written out in full (never `1e-7`).

export type CsvCell = string | number | null;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(quote).join(',')];
  for (const row of rows) lines.push(row.map(cell).join(','));
  return lines.join('\n') + '\n';
}

function cell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return formatNumber(value);
  return quote(value);
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Plain decimal notation with at most `maxDecimals` decimals, trailing zeros dropped; '' for NaN/∞. */
export function formatNumber(value: number, maxDecimals = 6): string {
  if (!Number.isFinite(value)) return '';
  // toFixed switches to exponent notation from 1e21; such values are whole numbers anyway.
  if (Math.abs(value) >= 1e21) return BigInt(Math.round(value)).toString();
  let text = value.toFixed(maxDecimals);
  if (text.includes('.')) text = text.replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/** Round half away from zero to `decimals`, for the report's units: ms → 1, req/s → 2, % → 3. */
export function round(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** decimals;
  return (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
}

export const ms = (value: number | null): number | null => round(value, 1);
export const perSecond = (value: number | null): number | null => round(value, 2);
export const percent = (value: number | null): number | null => round(value, 3);
export const seconds = (valueMs: number | null): number | null => (valueMs === null ? null : round(valueMs / 1000, 1));
