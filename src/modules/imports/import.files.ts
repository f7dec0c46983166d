import { messages } from '../../web/messages.js';
import type { ImportEntity, RawDataset } from './import.format.js';
import {
  defaultReadLimits,
  detectFormat,
  ImportFileError,
  type ImportFormat,
  readCsv,
  readJson,
} from './import.read.js';
import { readXlsx } from './import.xlsx.js';

/**
 * Any supported file to a raw dataset: the one entry for the CLI and the upload page. Throws
 * ImportFileError (with Chinese problems) for files refused as a whole.
 *
 * @example
 *   const { dataset, format } = await readImportFile(bytes, '专家名单.xlsx');
 */
export async function readImportFile(
  bytes: Uint8Array,
  fileName: string,
  options: { entity?: ImportEntity; maxBytes?: number } = {},
): Promise<{ dataset: RawDataset; format: ImportFormat }> {
  const maxBytes = options.maxBytes ?? defaultReadLimits.maxBytes;
  if (bytes.byteLength > maxBytes) {
    throw new ImportFileError([
      {
        entity: null,
        row: null,
        column: null,
        message: messages.imports.fileTooLarge(Math.round(maxBytes / 1024 / 1024)),
      },
    ]);
  }
  const format = detectFormat(fileName, bytes);
  const limits = { ...defaultReadLimits, maxBytes };
  const dataset =
    format === 'json'
      ? readJson(bytes, limits)
      : format === 'csv'
        ? readCsv(bytes, { limits, ...(options.entity ? { entity: options.entity } : {}) })
        : await readXlsx(bytes);
  return { dataset, format };
}
