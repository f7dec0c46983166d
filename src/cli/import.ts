/**
 * `npm run import -- <file> [--entity experts|societies|challenges|enterprises] [--no-index]`
 *
 * Imports societies, experts, enterprises and challenges from JSON (interchange format), CSV (UTF-8
 * or GBK) or XLSX. Every row is validated before anything is written; errors are listed per row and
 * column in Chinese and nothing is imported. Re-importing the same file updates, never duplicates.
 * Afterwards the search outbox is drained here (unless --no-index), so the rows are searchable when
 * the command returns; a running server's worker would do the same a moment later.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { readImportFile } from '../modules/imports/import.files.js';
import type { ImportEntity } from '../modules/imports/import.format.js';
import { importEntities } from '../modules/imports/import.format.js';
import { ImportFileError } from '../modules/imports/import.read.js';
import {
  importDataset,
  problemMessages,
  recordRejectedImport,
  summariseCounts,
} from '../modules/imports/import.usecases.js';
import { prepareServices } from '../node/prepare.js';
import { drainOutboxOnce, outboxBacklog } from '../search/outbox.js';
import { messages } from '../web/messages.js';
import { runCli } from './cli-runtime.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { entity: { type: 'string' }, 'no-index': { type: 'boolean', default: false } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: npm run import -- <file.xlsx|file.csv|file.json> [--entity experts] [--no-index]');
  process.exit(2);
}
if (args.entity && !importEntities.includes(args.entity as ImportEntity)) {
  console.error(`--entity must be one of ${importEntities.join(', ')}`);
  process.exit(2);
}

await runCli('import', async (runtime, { logger }) => {
  // Idempotent: a fresh database is migrated and gets reference data; indexes get their settings.
  await prepareServices(runtime, { seedDemo: false, logger, now: new Date() });
  const started = performance.now();
  const fileName = path.basename(file);
  const actor = { userId: null, label: messages.imports.actorCli };
  const size = (await stat(file)).size;
  const bytes = new Uint8Array(await readFile(file));
  let read: Awaited<ReturnType<typeof readImportFile>>;
  try {
    read = await readImportFile(bytes, fileName, args.entity ? { entity: args.entity as ImportEntity } : {});
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    const format = fileName.endsWith('.json') ? 'json' : fileName.endsWith('.csv') ? 'csv' : 'xlsx';
    await recordRejectedImport(runtime.db, { fileName, format, actor }, error.problems);
    for (const line of problemMessages(error.problems)) console.error(line);
    process.exitCode = 1;
    throw new Error(messages.imports.summary(error.problems.length));
  }
  const rows = Object.values(read.dataset).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
  console.log(`${fileName}: ${read.format.toUpperCase()}, ${(size / 1024).toFixed(0)} KiB, ${rows} rows`);

  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(rows, 0, { phase: '校验 validate' });
  const result = await importDataset(runtime.db, read.dataset, {
    fileName,
    format: read.format,
    actor,
    onPhase: (phase) => bar.update(0, { phase: phase === 'write' ? '写入 write' : '校验 validate' }),
    onProgress: (done, total) => {
      bar.setTotal(total);
      bar.update(done);
    },
  });
  bar.stop();
  if (!result.ok) {
    const shown = result.messages.slice(0, 200);
    for (const line of shown) console.error(line);
    if (result.messages.length > shown.length)
      console.error(`…… 另有 ${result.messages.length - shown.length} 处错误`);
    throw new Error(messages.imports.summary(result.problems.length));
  }
  const writtenAt = performance.now();
  console.log(`${summariseCounts(result.counts)}（${((writtenAt - started) / 1000).toFixed(1)} s）`);

  if (!args['no-index']) {
    const backlog = await outboxBacklog(runtime.db);
    const indexBar = new cliProgress.SingleBar(
      { format: '索引 index [{bar}] {value}/{total} {percentage}%', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    indexBar.start(backlog, 0);
    const deps = { db: runtime.db, admin: runtime.searchAdmin, indexes: runtime.indexes, logger };
    let indexed = 0;
    // Larger batches than the live worker: nothing else is waiting behind this bulk load.
    for (let n = await drainOutboxOnce(deps, 2000); n > 0; n = await drainOutboxOnce(deps, 2000)) {
      indexed += n;
      indexBar.update(Math.min(indexed, backlog));
    }
    indexBar.stop();
    console.log(`indexed in ${((performance.now() - writtenAt) / 1000).toFixed(1)} s`);
  }
});
