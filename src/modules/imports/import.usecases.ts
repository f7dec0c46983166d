import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { messages } from '../../web/messages.js';
import { formatProblem, type ImportProblem, type RawDataset } from './import.format.js';
import { type ImportScope, planImport } from './import.plan.js';
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
  /** A society's own import (see ImportScope); absent for operators and the CLI. */
  scope?: ImportScope;
  /** A run row already created by `startImportRun` (the web page's job); else one is inserted. */
  runId?: string;
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
  options: Pick<ImportOptions, 'fileName' | 'format' | 'actor' | 'runId'>,
  problems: ImportProblem[],
): Promise<ImportResult> {
  // Enough to fix a file; a hostile file with a million errors does not fill the table.
  const errors = JSON.stringify(problems.slice(0, 1000));
  if (options.runId) {
    await db
      .updateTable('import_runs')
      .set({ status: 'rejected', phase: 'done', format: options.format, errors, finished_at: new Date() })
      .where('id', '=', options.runId)
      .execute();
    return {
      ok: false,
      runId: options.runId,
      problems,
      messages: problemMessages(problems, options.format),
    };
  }
  const run = await db
    .insertInto('import_runs')
    .values({
      file_name: options.fileName.slice(0, 200),
      format: options.format,
      actor_user_id: options.actor.userId,
      actor_label: options.actor.label,
      status: 'rejected',
      phase: 'done',
      errors,
      finished_at: new Date(),
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
  const planned = await planImport(db, dataset, options.scope ?? null);
  if (!planned.ok) return recordRejectedImport(db, options, planned.problems);

  await options.onPhase?.('write');
  const sourceName = sourceNameOf(dataset, options.fileName);
  const { counts, runId } = await db.transaction().execute(async (trx) => {
    const counts = await writeImport(trx, planned.plan, {
      sourceName,
      actorLabel: options.actor.label,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    // In the same transaction as the data: a run reads `applied` exactly when its rows are there.
    const applied = {
      status: 'applied',
      phase: 'done',
      counts: JSON.stringify(counts),
      finished_at: new Date(),
    };
    const run = options.runId
      ? await trx
          .updateTable('import_runs')
          .set({ ...applied, format: options.format })
          .where('id', '=', options.runId)
          .returning('id')
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('import_runs')
          .values({
            ...applied,
            file_name: options.fileName.slice(0, 200),
            format: options.format,
            actor_user_id: options.actor.userId,
            actor_label: options.actor.label,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
    return { counts, runId: run.id };
  });
  await refreshPlannerStatistics(db, counts);
  await options.onPhase?.('done');
  return { ok: true, runId, counts };
}

/** Rows written to a table before its statistics are refreshed right away instead of by autovacuum. */
const ANALYZE_AFTER_ROWS = 1000;

/**
 * A bulk import can make a table many times bigger at once. Until autovacuum analyzes it (a minute or
 * more later) the planner plans for the old, small table: in `npm run bench`, the public listing ran at
 * half its throughput right after 100,000 challenges arrived, because counting the page window chose a
 * bitmap scan over every public challenge. ANALYZE samples a fixed number of rows, so this costs well
 * under a second even for large tables.
 */
async function refreshPlannerStatistics(db: Database, counts: ImportCounts): Promise<void> {
  const written = (k: keyof ImportCounts) => counts[k].created + counts[k].updated;
  const tables = [
    ...(written('challenges') >= ANALYZE_AFTER_ROWS ? ['challenges', 'challenge_status_events'] : []),
    ...(written('experts') >= ANALYZE_AFTER_ROWS ? ['expert_profiles', 'expert_societies'] : []),
    ...(written('societies') + written('enterprises') >= ANALYZE_AFTER_ROWS ? ['organisations'] : []),
  ];
  // Table names come from the list above, never from input.
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
}

/** The web page's job: a `running` run row, before the file is read. */
export async function startImportRun(
  db: Database,
  options: Pick<ImportOptions, 'fileName' | 'format' | 'actor'>,
): Promise<string> {
  const run = await db
    .insertInto('import_runs')
    .values({
      file_name: options.fileName.slice(0, 200),
      format: options.format,
      actor_user_id: options.actor.userId,
      actor_label: options.actor.label,
      status: 'running',
      phase: 'reading',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return run.id;
}

/**
 * Runs a started import job to its end: read the file, validate every row, write in one
 * transaction. Progress goes to the run row outside that transaction (a separate statement on the
 * pool), so the page can poll it while the write is still invisible to everyone else. Never throws:
 * an unexpected error rolls the write back and marks the run `failed`.
 *
 * @example
 *   const runId = await startImportRun(db, { fileName, format, actor });
 *   await runImportJob(db, runId, () => readImportFile(bytes, fileName), { fileName, actor, scope });
 */
export async function runImportJob(
  db: Database,
  runId: string,
  read: () => Promise<{ dataset: RawDataset; format: ImportFormat }>,
  options: Pick<ImportOptions, 'fileName' | 'actor' | 'scope'> & { format: ImportFormat },
): Promise<ImportResult | null> {
  const progress = (values: { phase?: string; rows_total?: number; rows_done?: number }) =>
    db
      .updateTable('import_runs')
      .set(values)
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .execute();
  try {
    let dataset: RawDataset;
    let format = options.format;
    try {
      ({ dataset, format } = await read());
    } catch (error) {
      if (!(error instanceof ImportFileError)) throw error;
      return await recordRejectedImport(db, { ...options, format, runId }, error.problems);
    }
    const rows =
      dataset.societies.length +
      dataset.experts.length +
      dataset.enterprises.length +
      dataset.challenges.length;
    await progress({ phase: 'validating', rows_total: rows });
    return await importDataset(db, dataset, {
      ...options,
      format,
      runId,
      onPhase: async (phase) => {
        if (phase === 'write') await progress({ phase: 'writing' });
      },
      onProgress: async (done) => {
        await progress({ rows_done: done });
      },
    });
  } catch {
    await db.updateTable('import_runs').set(failedRun(new Date())).where('id', '=', runId).execute();
    return null;
  }
}

/** How a run that ended in an unexpected error (or was abandoned) is recorded: rolled back, failed. */
const failedRun = (at: Date) => ({
  status: 'failed',
  phase: 'done',
  finished_at: at,
  errors: JSON.stringify([{ entity: null, row: null, column: null, message: messages.imports.jobFailed }]),
});

/**
 * A web import runs after its response in the serving process; if that process dies, the run row
 * stays `running` although its transaction rolled back. Runs older than `maxAgeMs` (far longer than
 * any import takes: 50,000 rows take ~10 s) are marked `failed`, so the page stops waiting.
 */
export async function failAbandonedImportRuns(
  db: Database,
  now: Date,
  maxAgeMs = 3_600_000,
): Promise<number> {
  const rows = await db
    .updateTable('import_runs')
    .set(failedRun(now))
    .where('status', '=', 'running')
    .where('created_at', '<', new Date(now.getTime() - maxAgeMs))
    .returning('id')
    .execute();
  return rows.length;
}

/** "学会 新增 16 / 更新 0；专家 …" for CLIs and pages. */
export function summariseCounts(counts: ImportCounts): string {
  const labels = { societies: '学会', experts: '专家', enterprises: '企业', challenges: '榜单' } as const;
  const parts = (Object.keys(labels) as Array<keyof typeof labels>)
    .filter((k) => counts[k].created + counts[k].updated > 0)
    .map((k) => `${labels[k]} 新增 ${counts[k].created}、更新 ${counts[k].updated}`);
  return messages.imports.applied(parts.join('；'));
}

/**
 * The scope of a signed-in importer: none for operators; their society for society staff (null
 * when they belong to none, and may not import at all).
 */
export async function importScopeFor(
  db: Database,
  actor: { userId: string; role: string },
): Promise<ImportScope | 'none'> {
  if (actor.role === 'operator') return null;
  const society = await db
    .selectFrom('organisation_members as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.external_key'])
    .where('m.user_id', '=', actor.userId)
    .where('o.kind', '=', 'society')
    .orderBy('m.created_at')
    .executeTakeFirst();
  return society ? { societyId: society.id, societyKey: society.external_key } : 'none';
}

export { ImportFileError };
