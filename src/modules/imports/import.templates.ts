import { toCsv, toXlsx } from '../exports/export.format.js';
import { columns, entityLabels, type ImportEntity, sheetAliases } from './import.format.js';

/**
 * Blank templates built from the column definitions (import.format.ts), so the headers a user fills
 * in are exactly the ones the importer reads and names in its error report. The XLSX sheet is named
 * for its entity (学会/专家/榜单/企业) so a workbook of several filled templates imports in one go.
 *
 * @example
 *   const bytes = importTemplate('experts', 'xlsx'); // sheet 「专家」 with 编号, 姓名, 职称, …
 */
export function importTemplate(entity: ImportEntity, format: 'xlsx' | 'csv'): Uint8Array {
  const table = {
    name: sheetAliases[entity][0] ?? entityLabels[entity],
    header: columns[entity].map((c) => c.header),
    rows: [],
  };
  return format === 'xlsx' ? toXlsx([table]) : toCsv(table);
}

/** Column notes shown beside the upload form: header, required, hint. */
export function templateNotes(entity: ImportEntity) {
  return columns[entity].map((c) => ({
    header: c.header,
    required: c.required === true,
    hint: c.hint ?? '',
  }));
}
