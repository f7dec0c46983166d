import { type Kysely, sql } from 'kysely';

/**
 * Attachments (附件) of challenges, bids, capabilities and service records. The row says what the
 * file is; the bytes live in the storage adapter under `storage_key`. `owner_kind` + `owner_id` name
 * the owner; one generated column per kind carries a real foreign key, so an attachment can never
 * point at a missing owner. Deletion is soft (`deleted_at`): the audit log keeps pointing at a row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table attachments (
      id uuid primary key default gen_random_uuid(),
      owner_kind text not null check (owner_kind in ('challenge', 'bid', 'capability', 'service_record')),
      owner_id uuid not null,
      challenge_id uuid generated always as (case when owner_kind = 'challenge' then owner_id end) stored
        references challenges (id) on delete cascade,
      bid_id uuid generated always as (case when owner_kind = 'bid' then owner_id end) stored
        references bids (id) on delete cascade,
      capability_id uuid generated always as (case when owner_kind = 'capability' then owner_id end) stored
        references capabilities (id) on delete cascade,
      service_record_id uuid generated always as (case when owner_kind = 'service_record' then owner_id end) stored
        references service_records (id) on delete cascade,
      file_name text not null check (length(file_name) between 1 and 200 and file_name !~ '[/\\\\[:cntrl:]]'),
      content_type text not null check (content_type in (
        'application/pdf', 'image/png', 'image/jpeg',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        'application/msword', 'application/vnd.ms-excel',
        'text/plain; charset=utf-8', 'text/csv; charset=utf-8')),
      -- 20 MiB: the per-file limit of the upload use case, restated here as the last line of defence.
      byte_size integer not null check (byte_size between 1 and 20971520),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      storage_key text not null unique,
      uploaded_by uuid references users (id) on delete set null,
      created_at timestamptz not null default now(),
      deleted_at timestamptz,
      deleted_by uuid references users (id) on delete set null
    )`.execute(db);
  // Serves the owner's list (live files in upload order) and the per-owner count before an upload.
  await sql`
    create index attachments_owner_live_idx on attachments (owner_kind, owner_id, created_at)
    where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists attachments`.execute(db);
}
