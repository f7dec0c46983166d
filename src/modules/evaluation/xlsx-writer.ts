import { strToU8, zipSync } from 'fflate';

/**
 * A minimal XLSX (Office Open XML SpreadsheetML) writer on fflate: plain JavaScript, no `node:`
 * module, so the export is served from the request path on Node and Workers alike (exceljs' writer
 * needs Node streams). Strings are inline, numbers numeric, the first row bold and frozen.
 *
 * @example
 *   const bytes = writeXlsx([{ name: '服务成效', rows: [['学会', '服务记录数'], ['贵州省茶叶学会', 12]] }]);
 */
export type Cell = string | number | null;
export interface Sheet {
  name: string;
  rows: Cell[][];
  /** Column widths in characters (optional). */
  widths?: number[];
}

const controlCharacters = new RegExp(
  `[${[...Array(32).keys()]
    .filter((c) => c !== 9 && c !== 10 && c !== 13)
    .map((c) => `\\u${c.toString(16).padStart(4, '0')}`)
    .join('')}]`,
  'g',
);

const escapeXml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    // Control characters XML 1.0 cannot carry at all (tab, line feed and carriage return it can).
    .replaceAll(controlCharacters, '');

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Excel's sheet-name rules: ≤ 31 characters, none of []:*?/\, unique in the workbook. */
function sheetNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((raw, i) => {
    let name = raw.replaceAll(/[[\]:*?/\\]/g, ' ').slice(0, 31) || `Sheet${i + 1}`;
    while (used.has(name)) name = `${name.slice(0, 28)}_${i + 1}`;
    used.add(name);
    return name;
  });
}

/** One row; `style` ' s="1"' makes it bold (the header). Inline strings are never evaluated. */
export function rowXml(row: Cell[], r: number, style = ''): string {
  const cells = row
    .map((value, c) => {
      const ref = `${columnName(c)}${r}`;
      if (value === null || value === '') return `<c r="${ref}"${style}/>`;
      if (typeof value === 'number' && Number.isFinite(value))
        return `<c r="${ref}"${style}><v>${value}</v></c>`;
      return `<c r="${ref}" t="inlineStr"${style}><is><t xml:space="preserve">${escapeXml(String(value))}</t></is></c>`;
    })
    .join('');
  return `<row r="${r}">${cells}</row>`;
}

const xmlHead = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const ns = 'http://schemas.openxmlformats.org';

/** A worksheet up to `<sheetData>`: first row frozen, optional column widths in characters. */
export function worksheetHead(widths?: number[]): string {
  const cols = widths?.length
    ? `<cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`
    : '';
  return `${xmlHead}<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>${cols}<sheetData>`;
}
export const worksheetTail = '</sheetData></worksheet>';

function sheetXml(sheet: Sheet): string {
  const rows = sheet.rows.map((row, r) => rowXml(row, r + 1, r === 0 ? ' s="1"' : '')).join('');
  return `${worksheetHead(sheet.widths)}${rows}${worksheetTail}`;
}

/**
 * Every part of the package except the worksheets (`xl/worksheets/sheet<n>.xml`), for sheets with
 * these names (Excel's rules applied: ≤ 31 characters, none of []:*?/\, unique).
 */
export function packageParts(names: string[]): Record<string, string> {
  const safe = sheetNames(names);
  const sheets = safe.map((_, i) => i + 1);
  return {
    '[Content_Types].xml': `${xmlHead}<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${sheets
      .map(
        (n) =>
          `<Override PartName="/xl/worksheets/sheet${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
      )
      .join('')}</Types>`,
    '_rels/.rels': `${xmlHead}<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `${xmlHead}<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets>${safe
      .map((name, i) => `<sheet name="${escapeXml(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `${xmlHead}<Relationships xmlns="${ns}/package/2006/relationships">${sheets
      .map(
        (n) =>
          `<Relationship Id="rId${n}" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${n}.xml"/>`,
      )
      .join(
        '',
      )}<Relationship Id="rId${sheets.length + 1}" Type="${ns}/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    'xl/styles.xml': `${xmlHead}<styleSheet xmlns="${ns}/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`,
  };
}

export function writeXlsx(sheets: Sheet[]): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [path, text] of Object.entries(packageParts(sheets.map((s) => s.name))))
    files[path] = strToU8(text);
  sheets.forEach((sheet, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(sheet));
  });
  return zipSync(files, { level: 6 });
}
