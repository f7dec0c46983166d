import { type Cell, writeXlsx } from '../evaluation/xlsx-writer.js';

/**
 * Table files for people: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX (the
 * fflate writer in evaluation/xlsx-writer.ts: no `node:` module, so it serves from the request path
 * on Node and Workers). Every text cell is escaped against formula injection first.
 *
 * @example
 *   const table = { name: '专家', header: ['姓名', '职称'], rows: [['王教授', '=1+1']] };
 *   toCsv(table); // "\uFEFF姓名,职称\r\n王教授,'=1+1\r\n"
 */
export interface Table {
  /** Sheet name and file base name. */
  name: string;
  header: string[];
  rows: Cell[][];
}

/**
 * A text cell a spreadsheet would run as a formula (= + - @, or tab / CR that some programs strip
 * before them) gets a leading apostrophe, so it is shown, never evaluated (OWASP "CSV injection").
 * Numbers stay numbers: a negative number is data, not a formula.
 */
export function escapeCell(value: Cell): Cell {
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const csvField = (value: Cell): string => {
  if (value === null) return '';
  const text = String(escapeCell(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One CSV line (no line end), every field escaped and quoted as needed. */
export const csvLine = (row: Cell[]): string => row.map(csvField).join(',');

/** RFC 4180 CSV with CRLF line ends and a UTF-8 byte-order mark. */
export function toCsv(table: Table): Uint8Array {
  const lines = [table.header, ...table.rows].map(csvLine);
  return new TextEncoder().encode(`\uFEFF${lines.join('\r\n')}\r\n`);
}

export function toXlsx(tables: Table[]): Uint8Array {
  return writeXlsx(
    tables.map((table) => ({
      name: table.name,
      rows: [table.header, ...table.rows.map((row) => row.map(escapeCell))],
      widths: table.header.map((h) => Math.max(10, Math.min(40, h.length * 2 + 4))),
    })),
  );
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/** Download headers: an ASCII fallback name plus the UTF-8 Chinese one (RFC 6266 / 5987). */
export function downloadHeaders(
  format: 'xlsx' | 'csv',
  asciiName: string,
  fileName: string,
): Record<string, string> {
  return {
    'Content-Type': format === 'xlsx' ? XLSX_TYPE : CSV_TYPE,
    'Content-Disposition': `attachment; filename="${asciiName}.${format}"; filename*=UTF-8''${encodeURIComponent(`${fileName}.${format}`)}`,
    'Cache-Control': 'no-store',
  };
}
