import type ExcelJS from 'exceljs';
import { Unzip, UnzipInflate } from 'fflate';
import { messages } from '../../web/messages.js';
import {
  entityForHeaders,
  FORMULA_CELL as FORMULA,
  type ImportEntity,
  type ImportProblem,
  importEntities,
  type RawDataset,
  sheetAliases,
} from './import.format.js';
import {
  defaultReadLimits,
  emptyDataset,
  ImportFileError,
  type ReadLimits,
  tableToRecords,
} from './import.read.js';

/**
 * XLSX reading (exceljs), behind a zip guard. An .xlsx is a zip of XML files; a few kilobytes can
 * inflate to gigabytes (a "zip bomb"). Before exceljs sees the file we inflate every entry once with
 * fflate's streaming inflater, counting real output bytes (the sizes a zip declares can lie), and
 * refuse the file past a total or a ratio. Formulas are refused per cell: an import takes values, and a
 * formula's cached result may not be what the sender saw.
 *
 * Node-only in practice: exceljs loads from a `Buffer`. It imports no `node:` module, so the web page
 * reaches it without breaking the runtime-neutral check, but web XLSX import is supported on Node
 * only (README, Import); on Workers use CSV/JSON or the CLI.
 */
const mi = messages.imports;

export interface XlsxLimits extends ReadLimits {
  /** Total inflated bytes over all entries. */
  maxInflatedBytes: number;
  /** Inflated / compressed, over the whole file. */
  maxRatio: number;
  maxEntries: number;
}

export const defaultXlsxLimits: XlsxLimits = {
  ...defaultReadLimits,
  maxInflatedBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  maxEntries: 2000,
};

/** Throws ImportFileError when the zip is malformed or inflates past the limits. */
export function guardZip(bytes: Uint8Array, limits: XlsxLimits = defaultXlsxLimits): void {
  const refuse = () => new ImportFileError([{ entity: null, row: null, column: null, message: mi.xlsxBomb }]);
  const budget = Math.min(limits.maxInflatedBytes, Math.max(1024 * 1024, bytes.byteLength * limits.maxRatio));
  let inflated = 0;
  let entries = 0;
  let failure: ImportFileError | undefined;
  const unzip = new Unzip((file) => {
    entries += 1;
    if (entries > limits.maxEntries) {
      failure ??= refuse();
      return;
    }
    file.ondata = (error, chunk) => {
      if (failure) return;
      if (error) {
        failure = new ImportFileError([{ entity: null, row: null, column: null, message: mi.badXlsx }]);
        return;
      }
      inflated += chunk.byteLength;
      if (inflated > budget) {
        failure = refuse();
        file.terminate();
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    // Chunked, so a bomb is stopped after a bounded amount of work per chunk.
    const step = 64 * 1024;
    for (let offset = 0; offset < bytes.byteLength && !failure; offset += step) {
      unzip.push(bytes.subarray(offset, offset + step), offset + step >= bytes.byteLength);
    }
  } catch {
    failure ??= new ImportFileError([{ entity: null, row: null, column: null, message: mi.badXlsx }]);
  }
  if (failure) throw failure;
  if (entries === 0)
    throw new ImportFileError([{ entity: null, row: null, column: null, message: mi.badXlsx }]);
}

function cellValue(value: ExcelJS.CellValue): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) return FORMULA;
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text; // hyperlink
    if ('error' in value) return undefined;
  }
  return String(value);
}

function entityOfSheet(name: string, headers: string[]): ImportEntity | undefined {
  const normalised = name.trim().toLowerCase();
  const byName = importEntities.find((e) =>
    sheetAliases[e].some((alias) => alias.toLowerCase() === normalised),
  );
  return byName ?? entityForHeaders(headers);
}

/** Every sheet is one entity (by its name: 学会/专家/榜单/企业, or by its headers). */
export async function readXlsx(
  bytes: Uint8Array,
  limits: XlsxLimits = defaultXlsxLimits,
): Promise<RawDataset> {
  guardZip(bytes, limits);
  // Loaded on first use: exceljs adds ~28 MiB to the resident memory of every server process.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer,
    );
  } catch {
    throw new ImportFileError([{ entity: null, row: null, column: null, message: mi.badXlsx }]);
  }
  const dataset = emptyDataset();
  const problems: ImportProblem[] = [];
  let any = false;
  for (const sheet of workbook.worksheets) {
    if (sheet.actualRowCount === 0) continue;
    if (sheet.rowCount > limits.maxRows + 1)
      throw new ImportFileError([
        { entity: null, row: null, column: null, message: mi.tooManyRows(limits.maxRows) },
      ]);
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
      const values: unknown[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        values[col - 1] = cellValue(cell.value);
      });
      rows[rowNumber - 1] = values;
    });
    for (let i = 0; i < rows.length; i++) rows[i] ??= [];
    const headers = (rows.find((r) => r.some((c) => c !== undefined)) ?? []).map((h) => String(h ?? ''));
    const entity = entityOfSheet(sheet.name, headers);
    let table: ReturnType<typeof tableToRecords>;
    try {
      table = tableToRecords(rows, { sheetName: sheet.name, ...(entity ? { entity } : {}) });
    } catch (error) {
      if (error instanceof ImportFileError) {
        problems.push(...error.problems);
        continue;
      }
      throw error;
    }
    any = true;
    dataset[table.entity].push(...table.records);
  }
  if (problems.length > 0) throw new ImportFileError(problems);
  if (!any) throw new ImportFileError([{ entity: null, row: null, column: null, message: mi.emptyFile }]);
  return dataset;
}
