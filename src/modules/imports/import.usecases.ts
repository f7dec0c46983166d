import type { Database } from '../../db/database.js';
import { messages } from '../../web/messages.js';
import { formatProblem, type ImportProblem, type RawDataset } from './import.format.js';
import { planImport } from './import.plan.js';
import { ImportFileError, type ImportFormat } from './import.read.js';
import { type ImportCounts, type WriteProgress, writeImport } from './import.write.js';

/**
 * Imports a parsed dataset: validate every row first, then write everything in one transaction or
 * nothing. The outcome is recorded in `import_runs` either way. Reading the file (JSON, CSV, XLSX)
 * is the caller's job (see import.read.ts / import.xlsx.ts), so this stays runtime-neutral.
 *
 * @example
 *   const dataset = readJson(bytes);
 *   const result = await importDataset(db, dataset, { fileName: 'dev.json', format: 'json', actor });
 *   if (!result.ok) console.log(result.messages.join('\n'));
 */
export interface ImportActor {
  userId: string | null;
  label: string;
}

export type ImportResult =
  | { ok: true; runId: string; counts: ImportCounts }
  | { ok: false; runId: string; problems: ImportProblem[]; messages: string[] };

export interface ImportOptions {
  fileName: string;
  format: ImportFormat;
  actor: ImportActor;
  onPhase?: (phase: 'validate' | 'write' | 'done') => void | Promise<void>;
  onProgress?: WriteProgress;
}

/** Source name for placeholders and events: the dataset's name, else the file's base name. */
function sourceNameOf(dataset: RawDataset, fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return (dataset.name ?? base.replace(/\.[^.]+$/, '')).slice(0, 60) || 'import';
}

export function problemMessages(problems: ImportProblem[], format?: ImportFormat): string[] {
  const entities = new Set(problems.map((p) => p.entity).filter(Boolean));
  return problems.map((p) => formatProblem(p, { withEntity: entities.size > 1, json: format === 'json' }));
}

/** Records a refused file (unreadable or invalid) so operators see it in the import history. */
export async function recordRejectedImport(
  db: Database,
  options: Pick<ImportOptions, 'fileName' | 'format' | 'actor'>,
  problems: ImportProblem[],
): Promise<ImportResult> {
  const run = await db
    .insertInto('import_runs')
    .values({
      file_name: options.fileName.slice(0, 200),
      format: options.format,
      actor_user_id: options.actor.userId,
      actor_label: options.actor.label,
      status: 'rejected',
      // Enough to fix a file; a hostile file with a million errors does not fill the table.
      errors: JSON.stringify(problems.slice(0, 1000)),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ok: false, runId: run.id, problems, messages: problemMessages(problems, options.format) };
}

export async function importDataset(
  db: Database,
  dataset: RawDataset,
  options: ImportOptions,
): Promise<ImportResult> {
  await options.onPhase?.('validate');
  const planned = await planImport(db, dataset);
  if (!planned.ok) return recordRejectedImport(db, options, planned.problems);

  await options.onPhase?.('write');
  const sourceName = sourceNameOf(dataset, options.fileName);
  const { counts, runId } = await db.transaction().execute(async (trx) => {
    const counts = await writeImport(trx, planned.plan, {
      sourceName,
      actorLabel: options.actor.label,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const run = await trx
      .insertInto('import_runs')
      .values({
        file_name: options.fileName.slice(0, 200),
        format: options.format,
        actor_user_id: options.actor.userId,
        actor_label: options.actor.label,
        status: 'applied',
        counts: JSON.stringify(counts),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { counts, runId: run.id };
  });
  await options.onPhase?.('done');
  return { ok: true, runId, counts };
}

/** "学会 新增 16 / 更新 0；专家 …" for CLIs and pages. */
export function summariseCounts(counts: ImportCounts): string {
  const labels = { societies: '学会', experts: '专家', enterprises: '企业', challenges: '榜单' } as const;
  const parts = (Object.keys(labels) as Array<keyof typeof labels>)
    .filter((k) => counts[k].created + counts[k].updated > 0)
    .map((k) => `${labels[k]} 新增 ${counts[k].created}、更新 ${counts[k].updated}`);
  return messages.imports.applied(parts.join('；'));
}

export { ImportFileError };
