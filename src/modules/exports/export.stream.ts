import { strToU8, Zip, ZipDeflate } from 'fflate';
import { type Cell, packageParts, rowXml, worksheetHead, worksheetTail } from '../evaluation/xlsx-writer.js';
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

/** One-sheet XLSX, header bold and frozen, rows deflated as they come. */
export function xlsxStream(table: StreamedTable): ReadableStream<Uint8Array> {
  return pagedStream(table.pages, (enqueue) => {
    const zip = new Zip((error, chunk) => {
      if (error) throw error;
      enqueue(chunk);
    });
    for (const [path, text] of Object.entries(packageParts([table.name]))) {
      const part = new ZipDeflate(path, { level: 6 });
      zip.add(part);
      part.push(strToU8(text), true);
    }
    const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
    zip.add(sheet);
    const widths = table.header.map((h) => Math.max(10, Math.min(40, h.length * 2 + 4)));
    sheet.push(strToU8(`${worksheetHead(widths)}${rowXml(table.header, 1, ' s="1"')}`));
    let next = 2;
    return {
      write: (rows) => {
        // Escaped against formula injection too: a later CSV save from Excel must not run it.
        const xml = rows.map((row) => rowXml(row.map(escapeCell), next++)).join('');
        if (xml) sheet.push(strToU8(xml));
      },
      finish: () => {
        sheet.push(strToU8(worksheetTail), true);
        zip.end();
      },
    };
  });
}
