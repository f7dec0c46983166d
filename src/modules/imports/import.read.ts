import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { messages } from '../../web/messages.js';
import {
  entityForHeaders,
  fieldForHeader,
  type ImportEntity,
  type ImportProblem,
  importEntities,
  type RawDataset,
  type RawRecord,
} from './import.format.js';

/**
 * From uploaded bytes to raw records, per format. Nothing is validated here beyond the file's
 * shape; every cell goes through the column schemas afterwards (import.format.ts).
 */
const mi = messages.imports;

export type ImportFormat = 'json' | 'csv' | 'xlsx';

export interface ReadLimits {
  maxBytes: number;
  maxRows: number;
}

export const defaultReadLimits: ReadLimits = { maxBytes: 64 * 1024 * 1024, maxRows: 100_000 };

export class ImportFileError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ImportFileError';
  }
}

const fileProblem = (message: string): ImportFileError =>
  new ImportFileError([{ entity: null, row: null, column: null, message }]);

/** Decides the format from the name, falling back to the content's first bytes. */
export function detectFormat(fileName: string, bytes: Uint8Array): ImportFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'xlsx'; // "PK": a zip container
  const head = new TextDecoder()
    .decode(bytes.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('{')) return 'json';
  throw fileProblem(mi.unknownFormat);
}

export function emptyDataset(): RawDataset {
  return { societies: [], experts: [], challenges: [], enterprises: [] };
}

/** The interchange format: `{ name?, societies?, experts?, challenges?, enterprises?, qrels? }`. */
export function readJson(bytes: Uint8Array, limits: ReadLimits = defaultReadLimits): RawDataset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(bytes));
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw fileProblem(mi.badJson(error instanceof Error ? error.message : String(error)));
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fileProblem(mi.badJsonShape);
  const object = parsed as Record<string, unknown>;
  const dataset: RawDataset = { ...emptyDataset(), json: true };
  if (typeof object.name === 'string') dataset.name = object.name.slice(0, 60);
  let any = false;
  for (const entity of importEntities) {
    const items = object[entity];
    if (items === undefined) continue;
    if (!Array.isArray(items)) throw fileProblem(mi.badJsonShape);
    if (items.length > limits.maxRows) throw fileProblem(mi.tooManyRows(limits.maxRows));
    any = true;
    dataset[entity] = items.map((item, i) => ({
      row: i + 1,
      values:
        item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {},
    }));
  }
  if (!any) throw fileProblem(mi.badJsonShape);
  return dataset;
}

/**
 * UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GBK (what Excel on a Chinese
 * Windows saves as "CSV"). GBK is a superset of GB2312; GB18030 decodes the same for these texts.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return decodeUtf8(bytes);
  } catch {
    const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030');
    if (text.includes('\uFFFD')) throw fileProblem(mi.badEncoding);
    return text;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fileProblem(mi.badEncoding);
  }
}

/** A table (header row + data rows) as records of one entity, or problems with its headers. */
export function tableToRecords(
  rows: unknown[][],
  options: { entity?: ImportEntity; sheetName?: string; firstRow?: number },
): { entity: ImportEntity; records: RawRecord[] } {
  const nonEmpty = rows.filter((r) =>
    r.some((cell) => cell !== null && cell !== undefined && String(cell).trim() !== ''),
  );
  if (nonEmpty.length === 0) throw fileProblem(mi.emptyFile);
  const headerIndex = rows.indexOf(nonEmpty[0]!);
  const headers = (rows[headerIndex] ?? []).map((h) =>
    h === null || h === undefined ? '' : String(h).trim(),
  );
  const entity = options.entity ?? entityForHeaders(headers.filter(Boolean));
  if (!entity) throw fileProblem(mi.unknownSheet(options.sheetName ?? 'CSV'));
  const fields = headers.map((h) => (h ? fieldForHeader(entity, h) : undefined));
  const unknown = headers.filter((h, i) => h && !fields[i]);
  if (unknown.length > 0) {
    throw new ImportFileError([
      {
        entity,
        row: (options.firstRow ?? 1) + headerIndex,
        column: null,
        message: mi.unknownHeaders(unknown),
      },
    ]);
  }
  const records: RawRecord[] = [];
  for (let i = headerIndex + 1; i < rows.length; i++) {
    const row = rows[i] ?? [];
    if (!row.some((cell) => cell !== null && cell !== undefined && String(cell).trim() !== '')) continue;
    const values: Record<string, unknown> = {};
    fields.forEach((field, c) => {
      if (field && row[c] !== undefined && row[c] !== null) values[field] = row[c];
    });
    records.push({ row: (options.firstRow ?? 1) + i, values });
  }
  return { entity, records };
}

/** One CSV holds one entity, recognised from its headers (or given). */
export function readCsv(
  bytes: Uint8Array,
  options: { entity?: ImportEntity; limits?: ReadLimits } = {},
): RawDataset {
  const limits = options.limits ?? defaultReadLimits;
  const text = decodeText(bytes).replace(/^\uFEFF/, '');
  let rows: string[][];
  try {
    rows = parseCsv(text, {
      relax_column_count: true,
      skip_empty_lines: false,
      bom: true,
      // A whole-file cap on a single field: a 30,000-character cell is refused per row later,
      // but a runaway quoted field must not swallow the file.
      max_record_size: 200_000,
      to: limits.maxRows + 2,
    }) as string[][];
  } catch (error) {
    throw fileProblem(mi.badCsv(error instanceof Error ? error.message.slice(0, 200) : String(error)));
  }
  if (rows.length > limits.maxRows + 1) throw fileProblem(mi.tooManyRows(limits.maxRows));
  const { entity, records } = tableToRecords(rows, options.entity ? { entity: options.entity } : {});
  const dataset = emptyDataset();
  dataset[entity] = records;
  return dataset;
}
