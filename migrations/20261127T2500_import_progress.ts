import { type Kysely, sql } from 'kysely';

/**
 * Import runs become jobs with progress, so the web page can show a large file being read,
 * validated and written (the write itself stays one transaction: all or nothing). A run is
 * `running` until it ends `applied`, `rejected` (bad file or rows, nothing written) or `failed`
 * (an unexpected error rolled everything back).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table import_runs drop constraint if exists import_runs_status_check`.execute(db);
  await sql`alter table import_runs add constraint import_runs_status_check
    check (status in ('running', 'applied', 'rejected', 'failed'))`.execute(db);
  await db.schema
    .alterTable('import_runs')
    .addColumn('phase', 'text', (c) =>
      c.notNull().defaultTo('done').check(sql`phase in ('reading', 'validating', 'writing', 'done')`),
    )
    .addColumn('rows_total', 'integer', (c) => c.notNull().defaultTo(0).check(sql`rows_total >= 0`))
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0).check(sql`rows_done >= 0`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('import_runs')
    .dropColumn('phase')
    .dropColumn('rows_total')
    .dropColumn('rows_done')
    .dropColumn('finished_at')
    .execute();
  await sql`delete from import_runs where status in ('running', 'failed')`.execute(db);
  await sql`alter table import_runs drop constraint if exists import_runs_status_check`.execute(db);
  await sql`alter table import_runs add constraint import_runs_status_check
    check (status in ('applied', 'rejected'))`.execute(db);
}
