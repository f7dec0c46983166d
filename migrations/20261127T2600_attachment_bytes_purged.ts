import { type Kysely, sql } from 'kysely';

/**
 * Bytes of a deleted attachment are removed after the soft delete commits; when that storage call
 * fails (bucket or disk away) they stay behind. `bytes_purged_at` records that the bytes are gone, so
 * the purge sweep can find the rest and retry them. Rows deleted before this migration stay null: the
 * first sweep deletes their keys again, which is harmless for keys already gone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table attachments add column bytes_purged_at timestamptz`.execute(db);
  // Only the bytes of a deleted file are ever purged; a live file always has its bytes.
  await sql`alter table attachments add constraint attachments_purged_only_when_deleted
    check (bytes_purged_at is null or deleted_at is not null)`.execute(db);
  // Serves the purge sweep: deleted files whose bytes may remain, oldest deletion first.
  await sql`create index attachments_bytes_unpurged_idx on attachments (deleted_at, id)
    where deleted_at is not null and bytes_purged_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists attachments_bytes_unpurged_idx`.execute(db);
  await sql`alter table attachments drop constraint if exists attachments_purged_only_when_deleted`.execute(
    db,
  );
  await sql`alter table attachments drop column if exists bytes_purged_at`.execute(db);
}
