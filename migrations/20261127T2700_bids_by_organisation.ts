import { type Kysely, sql } from 'kysely';

/**
 * Bids looked up by their bidding organisation: a society's track record in matching
 * (src/modules/matching/track-record.ts) reads every bid a candidate society made, for up to 60
 * societies per recommendation, and without this index each lookup scanned the bids table.
 * Partial: most bids are an expert's own, with no organisation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index bids_organisation_idx on bids (organisation_id) where organisation_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists bids_organisation_idx`.execute(db);
}
