import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

/** Named queries of the society pages and service teams; the executor comes first. */
export async function findSociety(db: Database, id: string) {
  return db
    .selectFrom('organisations as o')
    .leftJoin('regions as r', 'r.code', 'o.region_code')
    .select([
      'o.id',
      'o.kind',
      'o.name',
      'o.discipline',
      'o.description',
      'o.region_code',
      'r.name as region_name',
      'o.service_region_codes',
      'o.verification_status',
    ])
    .where('o.id', '=', id)
    .executeTakeFirst();
}

/** Member experts with their society role (public profiles only), officers first. */
export async function listMemberExperts(db: Database, societyId: string) {
  return db
    .selectFrom('expert_societies as es')
    .innerJoin('expert_profiles as e', 'e.id', 'es.expert_id')
    .select(['e.id', 'e.name', 'e.title', 'e.affiliation', 'es.role'])
    .where('es.society_id', '=', societyId)
    .where('e.visibility', '=', 'public')
    .orderBy(
      sql`case es.role when 'president' then 0 when 'vice_president' then 1 when 'secretary_general' then 2 when 'council_member' then 3 else 4 end`,
    )
    .orderBy('e.name')
    .limit(500)
    .execute();
}

export async function listPublishedCapabilitiesOfOrganisation(db: Database, organisationId: string) {
  return db
    .selectFrom('capabilities')
    .select(['id', 'title', 'kind', 'trl'])
    .where('owner_organisation_id', '=', organisationId)
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .limit(100)
    .execute();
}

export async function listServiceTeams(db: Database, societyId: string) {
  const teams = await db
    .selectFrom('service_teams as t')
    .leftJoin('industries as i', 'i.code', 't.industry_code')
    .select([
      't.id',
      't.name',
      't.industry_code',
      'i.name as industry_name',
      't.region_codes',
      't.description',
    ])
    .where('t.society_id', '=', societyId)
    .where('t.status', '=', 'active')
    .orderBy('t.name')
    .execute();
  if (teams.length === 0) return [];
  const members = await db
    .selectFrom('service_team_members as m')
    .innerJoin('expert_profiles as e', 'e.id', 'm.expert_id')
    .select(['m.team_id', 'e.id', 'e.name', 'e.title', 'm.role'])
    .where(
      'm.team_id',
      'in',
      teams.map((t) => t.id),
    )
    .orderBy(sql`m.role = 'lead'`, 'desc')
    .orderBy('e.name')
    .execute();
  return teams.map((team) => ({ ...team, members: members.filter((m) => m.team_id === team.id) }));
}

/** Running stations the society set up (public ones only). */
export async function listPublicStationsOfSociety(
  db: Database,
  societyId: string,
  statuses: readonly string[],
) {
  return db
    .selectFrom('stations as s')
    .innerJoin('station_kinds as k', 'k.code', 's.kind_code')
    .leftJoin('regions as r', 'r.code', 's.region_code')
    .select(['s.id', 's.name', 'k.name as kind_name', 's.region_code', 'r.name as region_name'])
    .where('s.society_id', '=', societyId)
    .where('s.status', 'in', statuses)
    .orderBy('s.name')
    .limit(100)
    .execute();
}

/** Public challenges the society won as an organisation (挂帅). */
export async function listWonChallenges(db: Database, societyId: string, publicStatuses: readonly string[]) {
  return db
    .selectFrom('bids as b')
    .innerJoin('challenges as c', 'c.id', 'b.challenge_id')
    .select(['c.id', 'c.title', 'c.status'])
    .where('b.organisation_id', '=', societyId)
    .where('b.status', '=', 'awarded')
    .where('c.status', 'in', publicStatuses)
    .orderBy('b.awarded_at', 'desc')
    .limit(100)
    .execute();
}

/** Which of these experts are members of the society (service teams take only its own experts). */
export async function filterMemberExperts(db: Database, societyId: string, expertIds: string[]) {
  if (expertIds.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('expert_societies')
    .select('expert_id')
    .where('society_id', '=', societyId)
    .where('expert_id', 'in', expertIds)
    .execute();
  return new Set(rows.map((r) => r.expert_id));
}

export async function insertServiceTeam(
  trx: Transaction<DB>,
  societyId: string,
  team: { name: string; industry_code: string | null; region_codes: string[]; description: string },
  members: Array<{ expert_id: string; role: 'lead' | 'member' }>,
) {
  const row = await trx
    .insertInto('service_teams')
    .values({ society_id: societyId, ...team })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('service_team_members')
    .values(members.map((m) => ({ team_id: row.id, ...m })))
    .execute();
  return row.id;
}
