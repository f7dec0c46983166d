import { strToU8, Zip, ZipDeflate } from 'fflate';
import type { Cell } from '../evaluation/xlsx-writer.js';
import { csvLine, escapeCell } from './export.format.js';

/**
 * Exports of any size, written while the rows are read: the caller gives the rows as pages (an
 * async iterable, e.g. keyset pages from PostgreSQL) and gets a byte stream for the response body.
 * A page is read only when the client has taken the previous one (the stream's `pull`), so memory
 * stays at one page however long the list. XLSX is streamed through fflate's Zip (no `node:`
 * module: the same code serves on Workers); cells are escaped against formula injection as in
 * export.format.ts.
 *
 * @example
 *   const body = xlsxStream({ name: '专家', header: ['姓名'], pages: expertPages(db, filter) });
 *   return new Response(body, { headers: downloadHeaders('xlsx', 'experts', '专家') });
 */
export interface StreamedTable {
  name: string;
  header: string[];
  pages: AsyncIterable<Cell[][]>;
}

/** Pulls one page at a time from `pages` and hands it to `write`; `finish` after the last. */
function pagedStream(
  pages: AsyncIterable<Cell[][]>,
  start: (enqueue: (chunk: Uint8Array) => void) => {
    write(rows: Cell[][]): void;
    finish(): void;
  },
): ReadableStream<Uint8Array> {
  const iterator = pages[Symbol.asyncIterator]();
  let writer: ReturnType<typeof start>;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      writer = start((chunk) => controller.enqueue(chunk));
    },
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) {
        writer.finish();
        controller.close();
      } else writer.write(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** RFC 4180 CSV with a UTF-8 byte-order mark, one page of lines per chunk. */
export function csvStream(table: StreamedTable): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return pagedStream(table.pages, (enqueue) => {
    enqueue(encoder.encode(`\uFEFF${csvLine(table.header)}\r\n`));
    return {
      write: (rows) => {
        if (rows.length > 0) enqueue(encoder.encode(rows.map((row) => `${csvLine(row)}\r\n`).join('')));
      },
      finish: () => {},
    };
  });
}

const xmlText = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    // XML 1.0 cannot carry other control characters at all.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replaceAll(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function rowXml(row: Cell[], r: number, style: string): string {
  const cells = row
    .map((value, c) => {
      const ref = `${columnName(c)}${r}`;
      if (value === null || value === '') return `<c r="${ref}"${style}/>`;
      if (typeof value === 'number' && Number.isFinite(value))
        return `<c r="${ref}"${style}><v>${value}</v></c>`;
      // Inline strings are never evaluated; the escape also protects a later CSV save from Excel.
      return `<c r="${ref}" t="inlineStr"${style}><is><t xml:space="preserve">${xmlText(String(escapeCell(value)))}</t></is></c>`;
    })
    .join('');
  return `<row r="${r}">${cells}</row>`;
}

const xmlHead = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const ns = 'http://schemas.openxmlformats.org';

function staticParts(sheetName: string): Record<string, string> {
  const name = xmlText(sheetName.replaceAll(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet1');
  return {
    '[Content_Types].xml': `${xmlHead}<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    '_rels/.rels': `${xmlHead}<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `${xmlHead}<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `${xmlHead}<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    'xl/styles.xml': `${xmlHead}<styleSheet xmlns="${ns}/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`,
  };
}

/** One-sheet XLSX, header bold and frozen, rows deflated as they come. */
export function xlsxStream(table: StreamedTable): ReadableStream<Uint8Array> {
  return pagedStream(table.pages, (enqueue) => {
    const zip = new Zip((error, chunk) => {
      if (error) throw error;
      enqueue(chunk);
    });
    for (const [path, text] of Object.entries(staticParts(table.name))) {
      const part = new ZipDeflate(path, { level: 6 });
      zip.add(part);
      part.push(strToU8(text), true);
    }
    const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
    zip.add(sheet);
    const widths = table.header.map((h) => Math.max(10, Math.min(40, h.length * 2 + 4)));
    const cols = `<cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`;
    sheet.push(
      strToU8(
        `${xmlHead}<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>${cols}<sheetData>${rowXml(table.header, 1, ' s="1"')}`,
      ),
    );
    let next = 2;
    return {
      write: (rows) => {
        const xml = rows.map((row) => rowXml(row, next++, '')).join('');
        if (xml) sheet.push(strToU8(xml));
      },
      finish: () => {
        sheet.push(strToU8('</sheetData></worksheet>'), true);
        zip.end();
      },
    };
  });
}
