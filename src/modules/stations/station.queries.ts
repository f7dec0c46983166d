import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { MemberRole, StationParty } from '../auth/policy.js';

/** Dates are read as `YYYY-MM-DD` text: a JS Date at local midnight would shift with the time zone. */
const day = (column: string) => sql<string>`${sql.ref(column)}::text`;

export async function findStation(db: Database, id: string) {
  return db
    .selectFrom('stations as s')
    .innerJoin('station_kinds as k', 'k.code', 's.kind_code')
    .innerJoin('organisations as so', 'so.id', 's.society_id')
    .innerJoin('organisations as h', 'h.id', 's.host_organisation_id')
    .innerJoin('regions as r', 'r.code', 's.region_code')
    .leftJoin('regions as p', 'p.code', 'r.parent_code')
    .select([
      's.id',
      's.name',
      's.kind_code',
      'k.name as kind_name',
      's.level',
      's.status',
      's.society_id',
      'so.name as society_name',
      's.host_organisation_id',
      'h.name as host_name',
      'h.kind as host_org_kind',
      's.host_kind',
      's.region_code',
      'r.name as region_name',
      'p.code as prefecture_code',
      'p.name as prefecture_name',
      's.address',
      's.industry_codes',
      's.discipline_codes',
      's.description',
      day('s.term_start').as('term_start'),
      day('s.term_end').as('term_end'),
      's.approved_at',
      's.created_at',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
}
export type StationRow = NonNullable<Awaited<ReturnType<typeof findStation>>>;

/** The actor's relations to a station, from memberships of its society and host and its expert list. */
export async function findStationParties(
  db: Database,
  station: { id: string; society_id: string; host_organisation_id: string },
  actor: { userId: string; role: string } | null,
): Promise<StationParty[]> {
  if (!actor) return [];
  const parties: StationParty[] = [];
  if (actor.role === 'operator') parties.push('operator');
  const memberships = await db
    .selectFrom('organisation_members')
    .select('organisation_id')
    .where('user_id', '=', actor.userId)
    .where('organisation_id', 'in', [station.society_id, station.host_organisation_id])
    .execute();
  const orgs = new Set(memberships.map((m) => m.organisation_id));
  if (orgs.has(station.society_id)) parties.push('society');
  if (orgs.has(station.host_organisation_id)) parties.push('host');
  const asExpert = await db
    .selectFrom('station_experts as se')
    .innerJoin('expert_profiles as e', 'e.id', 'se.expert_id')
    .select('se.expert_id')
    .where('se.station_id', '=', station.id)
    .where('e.user_id', '=', actor.userId)
    .executeTakeFirst();
  if (asExpert) parties.push('expert');
  return parties;
}

export async function findMembershipRole(
  db: Database,
  organisationId: string,
  userId: string,
): Promise<MemberRole | null> {
  const row = await db
    .selectFrom('organisation_members')
    .select('role')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (row?.role as MemberRole | undefined) ?? null;
}

export async function listStationEvents(db: Database, stationId: string) {
  return db
    .selectFrom('station_status_events')
    .select(['action', 'from_status', 'to_status', 'actor_label', 'reason', 'created_at'])
    .where('station_id', '=', stationId)
    .orderBy('id')
    .execute();
}

export async function listStationExperts(db: Database, stationId: string, onlyConsented: boolean) {
  let query = db
    .selectFrom('station_experts as se')
    .innerJoin('expert_profiles as e', 'e.id', 'se.expert_id')
    .select(['e.id', 'e.name', 'e.title', 'e.user_id', 'se.consent'])
    .where('se.station_id', '=', stationId)
    .orderBy('se.created_at')
    .orderBy('e.name');
  if (onlyConsented) query = query.where('se.consent', '=', 'given');
  return query.execute();
}

const recordColumns = [
  'sr.id',
  'sr.station_id',
  'sr.kind',
  'sr.title',
  day('sr.served_on').as('served_on'),
  'sr.beneficiaries',
  'sr.beneficiary_organisation_id',
  'sr.evidence',
  'sr.challenge_id',
  'sr.capability_id',
  'sr.status',
  'sr.dispute_reason',
  'sr.confirmed_at',
] as const;

async function withRecordExperts<T extends { id: string }>(db: Database, rows: T[]) {
  if (rows.length === 0) return [];
  const experts = await db
    .selectFrom('service_record_experts as x')
    .innerJoin('expert_profiles as e', 'e.id', 'x.expert_id')
    .select(['x.record_id', 'e.id', 'e.name'])
    .where(
      'x.record_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('e.name')
    .execute();
  return rows.map((row) => ({
    ...row,
    experts: experts.filter((e) => e.record_id === row.id).map((e) => ({ id: e.id, name: e.name })),
  }));
}

export async function listStationRecords(db: Database, stationId: string, onlyConfirmed: boolean) {
  let query = db
    .selectFrom('service_records as sr')
    .select(recordColumns)
    .where('sr.station_id', '=', stationId)
    .orderBy('sr.served_on', 'desc')
    .orderBy('sr.created_at', 'desc')
    .limit(500);
  if (onlyConfirmed) query = query.where('sr.status', '=', 'confirmed');
  return withRecordExperts(db, await query.execute());
}

export async function findRecord(db: Database, id: string) {
  const row = await db
    .selectFrom('service_records as sr')
    .select(recordColumns)
    .where('sr.id', '=', id)
    .executeTakeFirst();
  return row ? (await withRecordExperts(db, [row]))[0]! : undefined;
}
export type RecordRow = NonNullable<Awaited<ReturnType<typeof findRecord>>>;

export async function listStationGrades(db: Database, stationId: string) {
  return db
    .selectFrom('station_grades')
    .select(['year', 'grade', 'reason'])
    .where('station_id', '=', stationId)
    .orderBy('year', 'desc')
    .execute();
}

/** The operator's queue: oldest first, so nobody waits behind newer applications. */
export async function listStationsByStatus(db: Database, status: string) {
  return db
    .selectFrom('stations as s')
    .innerJoin('organisations as so', 'so.id', 's.society_id')
    .innerJoin('organisations as h', 'h.id', 's.host_organisation_id')
    .innerJoin('regions as r', 'r.code', 's.region_code')
    .select([
      's.id',
      's.name',
      's.status',
      'so.name as society_name',
      'h.name as host_name',
      'r.name as region_name',
      's.created_at',
    ])
    .where('s.status', '=', status)
    .orderBy('s.created_at')
    .limit(200)
    .execute();
}

/** Stations where one of the user's organisations is the applying society or the host. */
export async function listMyStations(db: Database, userId: string) {
  return db
    .selectFrom('stations as s')
    .innerJoin('organisation_members as m', (j) =>
      j
        .on('m.user_id', '=', userId)
        .on((eb) =>
          eb.or([
            eb('m.organisation_id', '=', eb.ref('s.society_id')),
            eb('m.organisation_id', '=', eb.ref('s.host_organisation_id')),
          ]),
        ),
    )
    .select([
      's.id',
      's.name',
      's.status',
      sql<'society' | 'host'>`case when m.organisation_id = s.society_id then 'society' else 'host' end`.as(
        'party',
      ),
    ])
    .orderBy('s.created_at', 'desc')
    .limit(200)
    .execute();
}

/** Stations that list the user's expert profile and wait for their consent. */
export async function listConsentRequests(db: Database, userId: string) {
  return db
    .selectFrom('station_experts as se')
    .innerJoin('expert_profiles as e', 'e.id', 'se.expert_id')
    .innerJoin('stations as s', 's.id', 'se.station_id')
    .select(['s.id as station_id', 's.name as station_name', 'se.expert_id'])
    .where('e.user_id', '=', userId)
    .where('se.consent', '=', 'pending')
    .where('s.status', 'not in', ['rejected', 'withdrawn', 'revoked', 'expired'])
    .execute();
}

/** Records awaiting the host's confirmation, for the host's members. */
export async function listRecordsToConfirm(db: Database, userId: string) {
  const rows = await db
    .selectFrom('service_records as sr')
    .innerJoin('stations as s', 's.id', 'sr.station_id')
    .innerJoin('organisation_members as m', (j) =>
      j.onRef('m.organisation_id', '=', 's.host_organisation_id').on('m.user_id', '=', userId),
    )
    .select(recordColumns)
    .where('sr.status', '=', 'submitted')
    .orderBy('sr.served_on')
    .limit(200)
    .execute();
  return withRecordExperts(db, rows);
}

/** Admin e-mail addresses of organisations (notifications go to them). */
export async function listAdminEmails(db: Database, organisationIds: string[]) {
  if (organisationIds.length === 0) return [];
  const rows = await db
    .selectFrom('organisation_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.organisation_id', 'in', organisationIds)
    .where('m.role', '=', 'admin')
    .execute();
  return [...new Set(rows.map((r) => r.email))];
}

export async function listStationKinds(db: Database) {
  return db
    .selectFrom('station_kinds')
    .select(['code', 'name'])
    .where('retired_at', 'is', null)
    .orderBy('sort')
    .execute();
}

/** Host organisations a society may pick: verified organisations that are not societies. */
export async function listHostCandidates(db: Database) {
  return db
    .selectFrom('organisations as o')
    .leftJoin('regions as r', 'r.code', 'o.region_code')
    .select(['o.id', 'o.name', 'r.name as region_name'])
    .where('o.verification_status', '=', 'verified')
    .where('o.kind', '<>', 'society')
    .orderBy('o.name')
    .limit(2000)
    .execute();
}

/** Member experts of the given societies, the ones a society may station (with their consent). */
export async function listSocietyExperts(db: Database, societyIds: readonly string[]) {
  if (societyIds.length === 0) return [];
  return db
    .selectFrom('expert_societies as es')
    .innerJoin('expert_profiles as e', 'e.id', 'es.expert_id')
    .innerJoin('organisations as o', 'o.id', 'es.society_id')
    .select(['e.id', 'e.name', 'e.title', 'e.affiliation', 'o.name as society_name'])
    .where('es.society_id', 'in', societyIds)
    .orderBy('e.name')
    .execute();
}

/**
 * Challenges a service record may link to: published ones in the station's prefecture or industries,
 * newest first (a record usually documents help with a local problem).
 */
export async function listLinkableChallenges(
  db: Database,
  station: { region_code: string; industry_codes: string[] },
) {
  const prefecture = `${station.region_code.slice(0, 4)}00`;
  return db
    .selectFrom('challenges as c')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .select(['c.id', 'c.title', 'r.name as region_name'])
    .where('c.published_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('c.region_code', '=', prefecture),
        eb('r.parent_code', '=', prefecture),
        ...(station.industry_codes.length > 0 ? [eb('c.industry_code', 'in', station.industry_codes)] : []),
      ]),
    )
    .orderBy('c.published_at', 'desc')
    .limit(200)
    .execute();
}

/** Published capabilities of the society or of its member experts, for the record's transfer link. */
export async function listSocietyCapabilities(db: Database, societyId: string) {
  return db
    .selectFrom('capabilities as c')
    .select(['c.id', 'c.title'])
    .where('c.status', '=', 'published')
    .where((eb) =>
      eb.or([
        eb('c.owner_organisation_id', '=', societyId),
        eb(
          'c.owner_expert_id',
          'in',
          eb.selectFrom('expert_societies').select('expert_id').where('society_id', '=', societyId),
        ),
      ]),
    )
    .orderBy('c.title')
    .limit(500)
    .execute();
}
