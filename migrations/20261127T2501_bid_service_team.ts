import { type Kysely, sql } from 'kysely';

/**
 * A society bids with one of its service teams (科技服务团): `bids.service_team_id`. The composite
 * foreign key makes "the team belongs to the bidding society" an invariant of the database, not
 * only of the use case; the check makes a team bid always an organisation's bid (with MATCH SIMPLE
 * a null organisation would skip the foreign key).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table service_teams add constraint service_teams_id_society_key unique (id, society_id)`.execute(
    db,
  );
  await sql`alter table bids add column service_team_id uuid`.execute(db);
  await sql`alter table bids add constraint bids_service_team_fk
    foreign key (service_team_id, organisation_id) references service_teams (id, society_id)`.execute(db);
  await sql`alter table bids add constraint bids_service_team_needs_organisation
    check (service_team_id is null or organisation_id is not null)`.execute(db);
  // Serves a team's bids on the society page (and the foreign key's deletes).
  await sql`create index bids_service_team_idx on bids (service_team_id) where service_team_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bids drop column if exists service_team_id`.execute(db);
  await sql`alter table service_teams drop constraint if exists service_teams_id_society_key`.execute(db);
}
